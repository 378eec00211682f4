// Replays many files on several threads: each worker (cli/replay/worker.ts) replays whole files; the main thread
// merges their states and prints their `--jsonl` lines strictly in input order, so the output is the same,
// byte for byte, as replaying the files one after the other.
import { Worker } from 'node:worker_threads';
import type { PresetName } from '../../shared/domain/patterns.js';
import type { InputFile } from '../input/read-inputs.js';
import type { ReplayRuleOptions } from './deployed.js';
import type { ReplayRules } from './rules-config.js';
import type { ReplayAggregator, ReplayState } from './summary.js';

/** One file for a worker. */
export interface ReplayTask {
  id: number;
  preset: PresetName;
  rules: ReplayRuleOptions;
  config?: ReplayRules;
  file: InputFile;
  cwd: string;
  jsonl: boolean;
}

/** A worker's answer: the file's counts and `--jsonl` lines, or why it failed. */
export type ReplayResult =
  | { id: number; state: ReplayState; lines: string[]; error?: undefined }
  | { id: number; error: string };

/** What `replayInWorkers` needs. */
export interface ParallelReplay {
  files: InputFile[];
  preset: PresetName;
  /** The deployed rules' parameters: every worker evaluates the same rules. */
  rules: ReplayRuleOptions;
  /** `--config`: every worker applies the same rules file (and day). */
  config?: ReplayRules;
  cwd: string;
  jsonl: boolean;
  /** Worker threads to start (at most one per file). */
  jobs: number;
  /** The worker's script: the bundle's `replay-worker.js`. */
  workerUrl: URL;
  /** Receives each file's counts, in input order. */
  aggregator: ReplayAggregator;
  /** Receives each file's `--jsonl` lines, in input order; awaited, so a slow reader holds the workers back. */
  onLines(lines: string[]): Promise<void>;
  /** Receives each file's size when it is done, for a progress bar. */
  onBytes?: (bytes: number) => void;
}

/**
 * Replays files on `jobs` worker threads and merges the results in input order. Results that arrive early wait
 * for those before them; a worker gets its next file as soon as it answers.
 * @throws Error when a worker fails (not for bad input, which is counted as a problem like in one thread).
 */
export const replayInWorkers = async (options: ParallelReplay): Promise<void> => {
  const { files } = options;
  const workers = Array.from(
    { length: Math.max(1, Math.min(options.jobs, files.length)) },
    () => new Worker(options.workerUrl),
  );
  const done = new Map<number, ReplayResult>();
  let next = 0;
  let emitted = 0;
  try {
    await new Promise<void>((resolve, reject) => {
      let draining = false;
      const drain = async (): Promise<void> => {
        if (draining) return;
        draining = true;
        try {
          for (let result = done.get(emitted); result; result = done.get(emitted)) {
            done.delete(emitted);
            if (result.error !== undefined)
              throw new Error(`replay worker failed on ${files[emitted]?.source}: ${result.error}`);
            options.aggregator.merge(result.state);
            if (result.lines.length > 0) await options.onLines(result.lines);
            options.onBytes?.((files[emitted] as InputFile).size);
            emitted++;
          }
        } finally {
          draining = false;
        }
        if (emitted === files.length) resolve();
        else if (done.has(emitted)) await drain();
      };
      const assign = (worker: Worker): void => {
        if (next >= files.length) return;
        const task: ReplayTask = {
          id: next,
          preset: options.preset,
          rules: options.rules,
          ...(options.config ? { config: options.config } : {}),
          file: files[next] as InputFile,
          cwd: options.cwd,
          jsonl: options.jsonl,
        };
        next++;
        worker.postMessage(task);
      };
      for (const worker of workers) {
        worker.on('message', (result: ReplayResult) => {
          done.set(result.id, result);
          assign(worker);
          drain().catch(reject);
        });
        worker.on('error', reject);
        assign(worker);
      }
    });
  } finally {
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
};
