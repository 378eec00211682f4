// Replays many files on several threads: worker threads (cli/replay/worker.ts) and the main thread itself each
// replay whole files (cli/replay/replay-file.ts); the main thread merges their states and prints their `--jsonl`
// lines strictly in input order, so the output is the same, byte for byte, as replaying the files one after the other.
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
  /** Threads to replay on, the main thread included when `replayHere` is given (at most one per file). */
  jobs: number;
  /** The worker's script: the bundle's `replay-worker.js`. */
  workerUrl: URL;
  /**
   * Replays a task on the main thread (`createFileReplayer`), which then takes files like a worker: one worker
   * fewer to start and warm up. Without it, `jobs` workers replay every file.
   */
  replayHere?: (task: ReplayTask) => Promise<ReplayResult>;
  /** Receives each file's counts, in input order. */
  aggregator: ReplayAggregator;
  /** Receives each file's `--jsonl` lines, in input order; awaited, so a slow reader holds the workers back. */
  onLines(lines: string[]): Promise<void>;
  /** Receives each file's size when it is done, for a progress bar. */
  onBytes?: (bytes: number) => void;
}

/** Tasks sent to a worker before it answers: the next one waits in its queue, so it never idles for a message. */
const IN_FLIGHT = 2;

/**
 * Replays files on `jobs` threads and merges the results in input order. Results that arrive early wait for those
 * before them (at most `window` files ahead of the first unmerged one, so memory stays bounded); a thread gets its
 * next file as soon as it has room.
 * @throws Error when a worker fails (not for bad input, which is counted as a problem like in one thread).
 */
export const replayInWorkers = async (options: ParallelReplay): Promise<void> => {
  const { files, replayHere } = options;
  const threads = Math.max(1, Math.min(options.jobs, files.length));
  const workerCount = replayHere ? threads - 1 : threads;
  const workers = Array.from({ length: workerCount }, () => new Worker(options.workerUrl));
  const window = 4 * threads * IN_FLIGHT;
  const done = new Map<number, ReplayResult>();
  const inFlight = new Map<Worker, number>();
  let next = 0;
  let emitted = 0;
  const taskOf = (id: number): ReplayTask => ({
    id,
    preset: options.preset,
    rules: options.rules,
    ...(options.config ? { config: options.config } : {}),
    file: files[id] as InputFile,
    cwd: options.cwd,
    jsonl: options.jsonl,
  });
  const hasRoom = () => next < files.length && next < emitted + window;
  try {
    await new Promise<void>((resolve, reject) => {
      let draining = false;
      /** Wakes the main thread's loop when the window has room again. */
      let wake: (() => void) | undefined;
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
        else {
          assignAll();
          wake?.();
        }
      };
      const assign = (worker: Worker, limit = IN_FLIGHT): void => {
        while ((inFlight.get(worker) ?? 0) < limit && hasRoom()) {
          inFlight.set(worker, (inFlight.get(worker) ?? 0) + 1);
          worker.postMessage(taskOf(next++));
        }
      };
      const assignAll = () => {
        for (const worker of workers) assign(worker);
      };
      for (const worker of workers) {
        worker.on('message', (result: ReplayResult) => {
          inFlight.set(worker, (inFlight.get(worker) ?? 1) - 1);
          done.set(result.id, result);
          assign(worker);
          drain().catch(reject);
        });
        worker.on('error', reject);
      }
      if (replayHere) {
        const here = async (): Promise<void> => {
          while (next < files.length) {
            if (!hasRoom()) {
              await new Promise<void>((resume) => {
                wake = resume;
              });
              wake = undefined;
              continue;
            }
            const result = await replayHere(taskOf(next++));
            done.set(result.id, result);
            await drain();
          }
        };
        // The main thread takes the first file at once (synchronously, up to its first await); each worker gets
        // one to start with, and a second as soon as it answers or the main thread is between files: with few
        // files, every thread gets one.
        here().catch(reject);
      }
      for (const worker of workers) assign(worker, 1);
    });
  } finally {
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
};
