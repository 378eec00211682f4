// A replay worker thread: replays whole files, one task at a time, and sends back its aggregator's state and the
// `--jsonl` lines, which the main thread merges and prints in input order (cli/replay/parallel.ts).
import { Readable } from 'node:stream';
import { parentPort } from 'node:worker_threads';
import { createAlert } from '../../shared/domain/alert.js';
import { describeError } from '../../shared/errors.js';
import { readInputs } from '../input/read-inputs.js';
import { type CompiledRules, compileDeployedRules } from './deployed.js';
import { toJsonlLine } from './jsonl-line.js';
import type { ReplayResult, ReplayTask } from './parallel.js';
import { replayInto } from './replay.js';
import { ReplayAggregator } from './summary.js';

/** The rules compiled once per thread (every task of a run carries the same options). */
let compiled: { key: string; rules: CompiledRules } | undefined;
const rulesFor = (task: ReplayTask): CompiledRules => {
  const key = JSON.stringify(task.rules);
  if (compiled?.key !== key) compiled = { key, rules: compileDeployedRules(task.rules) };
  return compiled.rules;
};

const port = parentPort;
port?.on('message', async (task: ReplayTask) => {
  try {
    const rules = rulesFor(task);
    const aggregator = new ReplayAggregator(task.preset, rules.names, task.config?.config);
    const lines: string[] = [];
    const { raw } = rules;
    const items = readInputs([task.file], {
      cwd: task.cwd,
      stdin: Readable.from([]),
      ...(raw ? { prefilter: raw } : {}),
    });
    await replayInto(items, aggregator, {
      preset: task.preset,
      compiled: rules,
      createAlert: (event) => createAlert(event, { instanceEgressCidrs: task.rules.egressCidrs }),
      ...(task.config ? { config: task.config } : {}),
      ...(task.jsonl
        ? { onAlert: (alert, location, outcome) => void lines.push(toJsonlLine(alert, location, outcome)) }
        : {}),
    });
    const result: ReplayResult = { id: task.id, state: aggregator.toState(), lines };
    port.postMessage(result);
  } catch (error) {
    port.postMessage({ id: task.id, error: describeError(error) } satisfies ReplayResult);
  }
});
