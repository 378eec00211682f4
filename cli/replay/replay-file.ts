// Replays one whole file into its own aggregator: what a worker thread does with each task, and what the main
// thread does with its share of the files (cli/replay/parallel.ts), so both give the same result for a file.
import { Readable } from 'node:stream';
import type { ClassifyOptions } from '../../shared/domain/classify/index.js';
import type { Alert, IamEvent } from '../../shared/domain/types.js';
import { describeError } from '../../shared/errors.js';
import { readInputs } from '../input/read-inputs.js';
import { type CompiledRules, classifyOptionsFor, compileDeployedRules } from './deployed.js';
import { toJsonlLine } from './jsonl-line.js';
import type { ReplayResult, ReplayTask } from './parallel.js';
import { replayInto } from './replay.js';
import { ReplayAggregator } from './summary.js';

/** The notifier's alert factory, as `replay` loads it. */
export type AlertFactory = (event: IamEvent, options?: ClassifyOptions) => Alert | Promise<Alert>;

/**
 * A file replayer that compiles the rules once and reuses them while the tasks carry the same options (every task
 * of a run does).
 */
export const createFileReplayer = (createAlert: AlertFactory) => {
  let compiled: { key: string; rules: CompiledRules } | undefined;
  const rulesFor = (task: ReplayTask): CompiledRules => {
    const key = JSON.stringify(task.rules);
    if (compiled?.key !== key) compiled = { key, rules: compileDeployedRules(task.rules) };
    return compiled.rules;
  };
  /** Replays the task's file; a failure (not bad input, which is counted) comes back as `error`. */
  return async (task: ReplayTask): Promise<ReplayResult> => {
    try {
      const rules = rulesFor(task);
      const aggregator = new ReplayAggregator(task.preset, rules.names, task.config?.config);
      const lines: string[] = [];
      const { raw } = rules;
      const classify = classifyOptionsFor(task.rules);
      const items = readInputs([task.file], {
        cwd: task.cwd,
        stdin: Readable.from([]),
        ...(raw ? { prefilter: raw } : {}),
      });
      await replayInto(items, aggregator, {
        preset: task.preset,
        compiled: rules,
        createAlert: (event) => createAlert(event, classify),
        ...(task.config ? { config: task.config } : {}),
        ...(task.jsonl
          ? {
              onAlert: (alert, location, outcome) => void lines.push(toJsonlLine(alert, location, outcome)),
            }
          : {}),
      });
      return { id: task.id, state: aggregator.toState(), lines };
    } catch (error) {
      return { id: task.id, error: describeError(error) };
    }
  };
};
