// A replay worker thread: replays whole files, one task at a time, and sends back its aggregator's state and the
// `--jsonl` lines, which the main thread merges and prints in input order (cli/replay/parallel.ts).
import { Readable } from 'node:stream';
import { parentPort } from 'node:worker_threads';
import { createAlert } from '../../shared/domain/alert.js';
import { PRESETS } from '../../shared/domain/patterns.js';
import { describeError } from '../../shared/errors.js';
import { readInputs } from '../input/read-inputs.js';
import { createPrefilter } from '../patterns/prefilter.js';
import { toJsonlLine } from './jsonl-line.js';
import type { ReplayResult, ReplayTask } from './parallel.js';
import { replayInto } from './replay.js';
import { ReplayAggregator } from './summary.js';

const port = parentPort;
port?.on('message', async (task: ReplayTask) => {
  try {
    const aggregator = new ReplayAggregator(task.preset);
    const lines: string[] = [];
    const raw = createPrefilter(PRESETS[task.preset])?.raw;
    const items = readInputs([task.file], {
      cwd: task.cwd,
      stdin: Readable.from([]),
      ...(raw ? { prefilter: raw } : {}),
    });
    await replayInto(items, aggregator, {
      preset: task.preset,
      createAlert,
      ...(task.jsonl ? { onAlert: (alert, location) => void lines.push(toJsonlLine(alert, location)) } : {}),
    });
    const result: ReplayResult = { id: task.id, state: aggregator.toState(), lines };
    port.postMessage(result);
  } catch (error) {
    port.postMessage({ id: task.id, error: describeError(error) } satisfies ReplayResult);
  }
});
