// `iam-alerts replay`: what would the deployed filter and notifier have sent, over CloudTrail history?
import { readFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import type { ClassifyOptions } from '../shared/domain/classify/index.js';
import { DEFAULT_PRESET, isPresetName, PRESET_NAMES } from '../shared/domain/patterns.js';
import type { Alert, IamEvent } from '../shared/domain/types.js';
import { parseEgressCidrs } from './egress-cidrs.js';
import { expandInputs, type InputFile, readInputs } from './input/read-inputs.js';
import {
  type CliIo,
  type Command,
  DELIVERY_PARAMETERS_OPTION,
  EXIT,
  knownDeliveryParameters,
  OWN_KEYS_OPTION,
  parseCliArgs,
  parseDeliveryParameters,
  parseOwnKeys,
  UsageError,
} from './io.js';
import { progressFor } from './progress.js';
import {
  type CompiledRules,
  classifyOptionsFor,
  compileDeployedRules,
  type ReplayRuleOptions,
} from './replay/deployed.js';
import { toJsonlLine } from './replay/jsonl-line.js';
import { type ReplayResult, type ReplayTask, replayInWorkers } from './replay/parallel.js';
import { replayInto } from './replay/replay.js';
import { createFileReplayer } from './replay/replay-file.js';
import type { ReplayRules } from './replay/rules-config.js';
import { formatProblems, formatSummaryText, ReplayAggregator } from './replay/summary.js';
import { readRulesFile } from './rules-file.js';

/**
 * Threads by default: one per idle core, at most four, the main thread included (it replays files too). A worker
 * pays only when a core is idle to run it (on a machine whose cores are busy it costs CPU and gains no time:
 * `busyCores` decides, from the load average as `make --load-average` does, or the tasks runnable now) and when the
 * input outweighs its start (`PARALLEL_MIN_BYTES`). `--jobs N` asks for N whatever the machine and the input.
 */
const cores = availableParallelism();
const MAX_DEFAULT_JOBS = Math.max(1, Math.min(4, cores));

/**
 * Compressed bytes on disk from which the default replays on several threads: starting and warming up a worker
 * costs about as much CPU as replaying 2 to 3 MB of gzipped log files on one thread (`bench/replay.ts`: one thread
 * against two, CPU time), so below this one thread finishes as soon.
 */
const PARALLEL_MIN_BYTES = 4 * 1024 * 1024;

/**
 * How many cores other work keeps busy now: the one-minute load average, or on Linux, when lower, the tasks runnable
 * at this instant other than this thread (`/proc/loadavg`'s fourth field): the average lags by a minute, so work
 * that just ended (a build, the previous replay) would otherwise still count as busy.
 * @see https://man7.org/linux/man-pages/man5/proc_loadavg.5.html
 */
export const busyCores = (read: () => string = () => readFileSync('/proc/loadavg', 'utf8')): number => {
  const average = loadavg()[0] ?? 0;
  try {
    const running = Number(/^\S+ \S+ \S+ (\d+)\//.exec(read())?.[1]);
    if (Number.isInteger(running) && running >= 1) return Math.min(average, running - 1);
  } catch {
    // Not Linux: the average alone.
  }
  return average;
};

/** The threads a replay of `bytes` (compressed, on disk) uses by default, now: this thread and one per idle core. */
const defaultThreads = (bytes: number): number => {
  if (bytes < PARALLEL_MIN_BYTES) return 1;
  const idle = Math.round(cores - busyCores());
  return Math.max(1, Math.min(MAX_DEFAULT_JOBS, 1 + idle));
};

const usage = `usage: iam-alerts replay [--preset ${PRESET_NAMES.join('|')}] [--no-identity-rules] [--egress-cidrs CIDR,...] [--preset-only]
                         [--delivery-parameters NAME,...] [--own-keys ARN,...] [--config alerts.yml]
                         [--jsonl | --format text|json]
                         [--strict] [--jobs N] PATH...

Replays CloudTrail records through the EventBridge rules a deployment deploys (the preset, default ${DEFAULT_PRESET};
the guard rails; the identity rules) and the notifier's classifier, and summarises the alerts they would have sent.
  PATH        files or directories (recursive): .json / .json.gz (CloudTrail log files as S3 stores them,
              a single record, or an EventBridge event), .jsonl / .jsonl.gz (one per line); - for stdin
  --preset    the Preset parameter
  --no-identity-rules   as deployed with IdentityRules=false: no root, sign-in or denied instance-credential rules
  --egress-cidrs CIDR,...   as deployed with InstanceEgressCidrs: the egress rule too (IPv4 and IPv6)
  --preset-only   the preset's rule alone, as 'iam-alerts patterns --sql' exports it (to replay Athena rows)
  --delivery-parameters NAME,...   the values of SlackWebhookUrlParameter, SlackBotTokenParameter and
              JiraApiTokenParameter: the guard rail on the SSM parameters the forwarder reads (with the routes'
              slack parameters of --config), and the classifier's: only a write to one of them is the critical
              guard rail. Without names (a record does not tell them), that rule is not evaluated and no SSM
              write is called the guard rail
  --own-keys ARN,...   the key ARNs of AlertTopicKey and OperationsTopicKey: the key guard rail (KeyGuardRailRule)
              on them, and the classifier's: only a DisableKey, ScheduleKeyDeletion or PutKeyPolicy naming one of
              them by key ID or key ARN is the critical guard rail. Without keys, that rule is not evaluated and no
              KMS call is called the guard rail
  --config F  apply the rules file (alerts.yml): per suppress rule, how many alerts it would hide and the highest
              severity it would hide; with --jsonl each line gains suppressedBy, group and routes. A problem in
              the file is an error (exit 2); an expired rule is a warning
  --jsonl     one JSON line per would-be alert instead of the summary
  --format    text (default) or json: the summary as JSON
  --strict    exit 1 if any input was unreadable or malformed (default: report it on stderr and exit 0;
              a PATH that does not exist always exits 1)
  --jobs N    threads for many files (default: one per idle core, at most 4 and at most the cores, so ${MAX_DEFAULT_JOBS} here,
              for inputs of ${PARALLEL_MIN_BYTES / 1024 / 1024} MB or more on disk; else 1); output is the same and in the same order
              whatever N`;

/** The notifier's alert factory; loaded lazily so `--help` and usage errors stay instant. */
export type CreateAlert = (event: IamEvent, options?: ClassifyOptions) => Alert | Promise<Alert>;

const parse = (args: string[]) =>
  parseCliArgs({
    args,
    strict: true,
    allowPositionals: true,
    options: {
      preset: { type: 'string' },
      'no-identity-rules': { type: 'boolean', default: false },
      'preset-only': { type: 'boolean', default: false },
      'egress-cidrs': { type: 'string' },
      ...DELIVERY_PARAMETERS_OPTION,
      ...OWN_KEYS_OPTION,
      config: { type: 'string' },
      jsonl: { type: 'boolean', default: false },
      format: { type: 'string', default: 'text' },
      strict: { type: 'boolean', default: false },
      jobs: { type: 'string' },
    },
  });

/** Buffers output lines and honours back-pressure, so a slow pipe never makes memory grow. */
const createLineWriter = (stdout: CliIo['stdout']) => {
  let buffer = '';
  const flush = async (): Promise<void> => {
    if (buffer === '') return;
    const ok = stdout.write(buffer);
    buffer = '';
    const stream = stdout as { once?: (event: string, listener: () => void) => unknown };
    if (ok === false && typeof stream.once === 'function') {
      await new Promise<void>((resolve) => stream.once?.('drain', resolve));
    }
  };
  return {
    write: async (line: string): Promise<void> => {
      buffer += `${line}\n`;
      if (buffer.length >= 64 * 1024) await flush();
    },
    flush,
  };
};

/**
 * The main thread's share of a threaded replay, which waits for the alert factory only when it takes its first file:
 * the workers start meanwhile.
 */
const replayHereOnceLoaded = (loading: Promise<CreateAlert>) => {
  let replayFile: ReturnType<typeof createFileReplayer> | undefined;
  return async (task: ReplayTask): Promise<ReplayResult> => {
    replayFile ??= createFileReplayer(await loading);
    return replayFile(task);
  };
};

/** Builds the command with the alert factory to use; tests inject a fake. */
export const createReplayCommand = (loadCreateAlert: () => Promise<CreateAlert>): Command => ({
  name: 'replay',
  summary: 'replay CloudTrail log files through the deployed filter and classifier, and summarise',
  usage,
  async run(args: string[], io: CliIo): Promise<number> {
    const { values, positionals } = parse(args);
    const preset = values.preset ?? DEFAULT_PRESET;
    if (!isPresetName(preset))
      throw new UsageError(`unknown preset '${preset}' (one of ${PRESET_NAMES.join(', ')})`);
    if (values.format !== 'text' && values.format !== 'json') {
      throw new UsageError(`--format takes text or json, not '${values.format}'`);
    }
    if (values.jsonl && values.format === 'json')
      throw new UsageError('--jsonl and --format json exclude each other');
    if (positionals.length === 0)
      throw new UsageError('give at least one PATH (a file, a directory, or - for stdin)');
    if (positionals.filter((p) => p === '-').length > 1)
      throw new UsageError('stdin (-) can be read only once');

    const jobs = values.jobs === undefined ? undefined : Number(values.jobs);
    if (jobs !== undefined && (!Number.isInteger(jobs) || jobs < 1 || jobs > 64))
      throw new UsageError(`--jobs takes a whole number from 1 to 64, not '${values.jobs}'`);

    if (
      values['preset-only'] &&
      (values['no-identity-rules'] ||
        values['egress-cidrs'] !== undefined ||
        values['delivery-parameters'] !== undefined ||
        values['own-keys'] !== undefined)
    )
      throw new UsageError('--preset-only evaluates the preset alone: it takes no other rule option');
    // Checked before the rules file is read: a malformed name is a usage error either way.
    parseDeliveryParameters(values['delivery-parameters']);
    const ownKeys = parseOwnKeys(values['own-keys']);
    let config: ReplayRules | undefined;
    if (values.config !== undefined) {
      config = await readRulesFile(values.config, io, 'replay');
      if (!config) return EXIT.usage;
    }
    const deliveryParameters = knownDeliveryParameters(values['delivery-parameters'], config?.config.routes);
    const ruleOptions: ReplayRuleOptions = {
      preset,
      identityRules: !values['no-identity-rules'],
      egressCidrs: values['egress-cidrs'] === undefined ? [] : parseEgressCidrs(values['egress-cidrs']),
      presetOnly: values['preset-only'],
      ...(deliveryParameters ? { deliveryParameters } : {}),
      ...(ownKeys ? { ownKeys } : {}),
    };
    let rules: CompiledRules;
    try {
      rules = compileDeployedRules(ruleOptions);
    } catch (error) {
      throw new UsageError(`--egress-cidrs: ${error instanceof Error ? error.message : String(error)}`);
    }

    // Loaded while the inputs are listed and the workers start (a failure surfaces where it is awaited).
    const loadingCreateAlert = loadCreateAlert();
    loadingCreateAlert.catch(() => undefined);
    const { files, problems } = await expandInputs(positionals, io.cwd);
    const totalBytes = files.reduce((sum, file) => sum + (file === '-' ? 0 : file.size), 0);
    const progress = progressFor(io.stderr, totalBytes);
    const writer = createLineWriter(io.stdout);

    const aggregator = new ReplayAggregator(preset, rules.names, config?.config);
    const onDisk = files.filter((file): file is InputFile => file !== '-');
    // Threads only for several files from disk, and only from the bundle (io.workerUrl): same output either way.
    const threads = Math.min(jobs ?? defaultThreads(totalBytes), onDisk.length);
    if (io.workerUrl && threads > 1 && onDisk.length === files.length) {
      for (const problem of problems) aggregator.addProblem(problem);
      await replayInWorkers({
        files: onDisk,
        preset,
        rules: ruleOptions,
        ...(config ? { config } : {}),
        cwd: io.cwd,
        jsonl: values.jsonl,
        jobs: threads,
        workerUrl: io.workerUrl,
        replayHere: replayHereOnceLoaded(loadingCreateAlert),
        aggregator,
        onLines: async (lines) => {
          for (const line of lines) await writer.write(line);
        },
        ...(progress ? { onBytes: progress.add } : {}),
      });
    } else {
      const createAlert = await loadingCreateAlert;
      async function* items() {
        for (const problem of problems) yield { kind: 'problem' as const, ...problem };
        yield* readInputs(files, {
          cwd: io.cwd,
          stdin: io.stdin,
          ...(progress ? { onBytes: progress.add } : {}),
          ...(rules.raw ? { prefilter: rules.raw } : {}),
        });
      }
      // As deployed: the notifier classifies with the same egress CIDRs, delivery parameters and keys.
      const classify = classifyOptionsFor(ruleOptions);
      await replayInto(items(), aggregator, {
        preset,
        compiled: rules,
        createAlert: (event) => createAlert(event, classify),
        ...(config ? { config } : {}),
        ...(values.jsonl
          ? { onAlert: (alert, location, outcome) => writer.write(toJsonlLine(alert, location, outcome)) }
          : {}),
      });
    }
    const summary = aggregator.toSummary();
    progress?.end();
    await writer.flush();

    // stdout holds the result asked for (the lines, or the summary); the problems go to stderr in every mode.
    if (values.format === 'json') io.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
    else if (!values.jsonl) io.stdout.write(formatSummaryText(summary));
    if (summary.problems.count > 0) io.stderr.write(`${formatProblems(summary.problems).join('\n')}\n`);
    // A path that does not exist is a mistake on the command line, not a bad record in the history: exit 1.
    if (problems.length > 0) return EXIT.rejected;
    return summary.problems.count > 0 && values.strict ? EXIT.rejected : EXIT.ok;
  },
});

/** `iam-alerts replay` with the notifier's own `createAlert` (shared/domain/alert.ts). */
export const replayCommand: Command = createReplayCommand(
  async () => (await import('../shared/domain/alert.js')).createAlert,
);
