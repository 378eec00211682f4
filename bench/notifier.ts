// Notifier benchmark: bundle size, cold import time next to an SDK-only bundle, what each import
// costs, cold import + the first event handled (next to a handler that only publishes to SNS), for an event that
// names no policy and for one that carries a policy, and warm handler time per event with the publisher on loopback.
// Every bundle is built as deployed (code splitting: bench/build.ts); the "no splitting" rows show what splitting
// alone gains, BENCH_COMPARE_REF a commit before it.
// Run: npm run bench (all benchmarks) or node --import tsx/esm bench/notifier.ts
import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { performance } from 'node:perf_hooks';
import { bundle } from './build.js';

const ROOT = join(import.meta.dirname, '..');
const IMPORT_RUNS = Number(process.env.BENCH_IMPORT_RUNS ?? 15);
const WARM_EVENTS = Number(process.env.BENCH_WARM_EVENTS ?? 2000);
// A commit to compare with (BENCH_COMPARE_REF=fd380bc): its notifier, bundled in one file as it was deployed before
// code splitting, gets a row in the import table and in the cold + first event table.
const COMPARE_REF = process.env.BENCH_COMPARE_REF;

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};
const percentile = (values: number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
};
const kb = (bytes: number): string => `${(bytes / 1024).toFixed(0)} KB`;

// The notifier's environment as deployed (resources/derived.cjs, notifierEnvironment): a topic, the idempotency
// table and IAM enrichment, so that its cold start builds the clients it builds in Lambda. Account names are on
// where the stack has an organization; they are loaded on the first lookup, so the import does not depend on them.
const DEPLOYED_ENV = {
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'AKIABENCHEXAMPLE',
  AWS_SECRET_ACCESS_KEY: 'bench-secret',
  ALERT_TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:iam-change-alerts-bench',
  IDEMPOTENCY_TABLE: 'iam-change-alerts-bench-idempotency',
  IAM_ENRICHMENT: 'on',
  ACCOUNT_NAMES: 'off',
  POWERTOOLS_LOG_LEVEL: 'ERROR',
  POWERTOOLS_SERVICE_NAME: 'notifier',
};

/**
 * Time to import a bundle in a fresh Node process, measured inside that process (excludes Node's own start): wall
 * time, and the CPU time the process spent meanwhile (all its threads), which a machine shared with other jobs
 * disturbs less.
 */
const importMs = (file: string): { wall: number; cpu: number } => {
  const script = `const c=process.cpuUsage();const t=performance.now();await import(${JSON.stringify(file)});const w=performance.now()-t;const u=process.cpuUsage(c);process.stdout.write(w+' '+(u.user+u.system)/1000);`;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
    env: { ...process.env, ...DEPLOYED_ENV },
    encoding: 'utf8',
  });
  const [wall, cpu] = out.split(' ').map(Number);
  return { wall: wall ?? Number.NaN, cpu: cpu ?? Number.NaN };
};

/**
 * Import + the first event in a fresh Node process: what a cold invocation pays before its alert is out. The
 * clients talk to the fakes on loopback, served by this process (so the child runs asynchronously); the result line
 * is marked, since the handler logs to stdout too.
 */
const coldFirstEventMs = (file: string, event: unknown, env: Record<string, string>): Promise<number> => {
  const script = `const event=JSON.parse(process.env.BENCH_EVENT);
const context={functionName:'bench',functionVersion:'$LATEST',invokedFunctionArn:'arn:aws:lambda:us-east-1:123456789012:function:bench',memoryLimitInMB:'256',awsRequestId:'cold',logGroupName:'bench',logStreamName:'bench',callbackWaitsForEmptyEventLoop:false,getRemainingTimeInMillis:()=>30000};
const t=performance.now();const {handler}=await import(${JSON.stringify(file)});await handler(event,context);
process.stdout.write('\\nBENCH_COLD '+(performance.now()-t)+'\\n');process.exit(0);`;
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--input-type=module', '-e', script],
      {
        env: { ...process.env, ...DEPLOYED_ENV, ...env, BENCH_EVENT: JSON.stringify(event) },
        encoding: 'utf8',
        timeout: 60_000,
      },
      (error, stdout, stderr) => {
        const line = /BENCH_COLD (\S+)/.exec(stdout)?.[1];
        if (error || line === undefined) {
          reject(new Error(`cold run of ${file} failed: ${error?.message ?? ''} ${stderr.slice(0, 2000)}`));
          return;
        }
        resolve(Number(line));
      },
    );
  });
};

const dir = mkdtempSync(join(tmpdir(), 'iam-alerts-bench-'));

/** The notifier's entry in a copy of `ref`'s tracked files (with this checkout's node_modules), relative to ROOT. */
const checkout = (ref: string): string => {
  const target = join(dir, 'ref');
  mkdirSync(target);
  const archive = execFileSync('git', ['-C', ROOT, 'archive', ref], { maxBuffer: 256 * 1024 * 1024 });
  execFileSync('tar', ['-x', '-C', target], { input: archive });
  symlinkSync(join(ROOT, 'node_modules'), join(target, 'node_modules'), 'dir');
  return relative(ROOT, join(target, 'functions/notifier/handler.ts'));
};

try {
  const variants = [
    { name: 'SNSClient + IAMClient only (baseline)', entry: 'bench/entries/sdk-only.ts' },
    { name: 'baseline + full zod (not used)', entry: 'bench/entries/sdk-zod-full.ts' },
    { name: 'baseline + Middy + Powertools logger', entry: 'bench/entries/sdk-middy-logger.ts' },
    { name: '… + Powertools metrics', entry: 'bench/entries/sdk-middy-logger-metrics.ts' },
    { name: 'baseline + DynamoDB client (once-guard)', entry: 'bench/entries/sdk-dynamodb.ts' },
    { name: '… + Powertools idempotency (before)', entry: 'bench/entries/sdk-dynamodb-powertools.ts' },
    { name: 'baseline, one file (no splitting)', entry: 'bench/entries/sdk-only.ts', splitting: false },
    { name: 'notifier, no splitting', entry: 'functions/notifier/handler.ts', splitting: false },
    ...(COMPARE_REF
      ? [{ name: `notifier at ${COMPARE_REF}, one file`, entry: checkout(COMPARE_REF), splitting: false }]
      : []),
    { name: 'notifier (functions/notifier/handler.ts)', entry: 'functions/notifier/handler.ts' },
  ];
  const built = [];
  for (const [index, variant] of variants.entries()) {
    const outfile = join(dir, `v${index}.mjs`);
    const size = await bundle(join(ROOT, variant.entry), outfile, { splitting: variant.splitting ?? true });
    built.push({ ...variant, outfile, ...size, times: [] as number[], cpu: [] as number[] });
  }
  // Interleave the runs so that machine noise hits every variant alike.
  for (let run = 0; run < IMPORT_RUNS; run += 1) {
    for (const variant of built) {
      const { wall, cpu } = importMs(variant.outfile);
      variant.times.push(wall);
      variant.cpu.push(cpu);
    }
  }
  const baseline = median(built[0]?.times ?? []);
  const baselineCpu = median(built[0]?.cpu ?? []);
  process.stdout.write(
    `\nNotifier bundle and cold import (median of ${IMPORT_RUNS} fresh processes, Node ${process.version}; size: what the import reads, the entry and its static chunks)\n`,
  );
  process.stdout.write(
    `${'bundle'.padEnd(44)}${'size'.padStart(9)}${'gzip'.padStart(9)}${'import'.padStart(11)}${'× base'.padStart(8)}${'CPU'.padStart(11)}${'× base'.padStart(8)}\n`,
  );
  for (const v of built) {
    const ms = median(v.times);
    const cpu = median(v.cpu);
    process.stdout.write(
      `${v.name.padEnd(44)}${kb(v.coldBytes).padStart(9)}${kb(v.coldGzipBytes).padStart(9)}${`${ms.toFixed(1)} ms`.padStart(11)}${(ms / baseline).toFixed(2).padStart(8)}${`${cpu.toFixed(1)} ms`.padStart(11)}${(cpu / baselineCpu).toFixed(2).padStart(8)}\n`,
    );
  }
  const notifier = built[built.length - 1];
  const oneFileBaseline = built.find((v) => v.name.startsWith('baseline, one file'));
  const ratio = median(notifier?.times ?? []) / baseline;
  const cpuRatio = median(notifier?.cpu ?? []) / baselineCpu;
  process.stdout.write(
    `notifier: ${kb(notifier?.allBytes ?? 0)} with the chunks only import() loads (policy analysis, IAM and Organizations clients, SDK credential providers)\n` +
      `against the one-file baseline (the yardstick before splitting, not the target): ${(median(notifier?.times ?? []) / median(oneFileBaseline?.times ?? [])).toFixed(2)}× wall, ${(median(notifier?.cpu ?? []) / median(oneFileBaseline?.cpu ?? [])).toFixed(2)}× CPU\n` +
      `target: notifier import ≤ 1.25× baseline, both built as deployed → ${ratio <= 1.25 ? 'met' : 'NOT met'} (${ratio.toFixed(2)}× wall, ${cpuRatio.toFixed(2)}× CPU)\n`,
  );
  if (ratio > 1.25) process.exitCode = 1;

  // Cold import + first event: a module deferred with a dynamic import costs nothing at import but is paid by
  // the first event that needs it, which on Lambda is the same cold start. Each fresh process handles one event
  // (CreateAccessKey or PutRolePolicy from events/, each under a new eventID), against fakes of SNS, DynamoDB, IAM and
  // Organizations on 127.0.0.1.
  const { startFakeSns } = await import('../tests/helpers/sns-server.js');
  const { startAwsServer } = await import('../tests/helpers/aws-server.js');
  const { startFakeIam } = await import('../tests/helpers/iam-server.js');
  const { startFakeOrganizations } = await import('../tests/helpers/organizations-server.js');
  const [coldSns, coldAws, coldIam, coldOrganizations] = await Promise.all([
    startFakeSns(),
    startAwsServer(),
    startFakeIam(),
    startFakeOrganizations(),
  ]);
  const fakes = {
    AWS_ENDPOINT_URL_SNS: coldSns.endpoint,
    AWS_ENDPOINT_URL_DYNAMODB: coldAws.endpoint,
    AWS_ENDPOINT_URL_IAM: coldIam.endpoint,
    AWS_ENDPOINT_URL_ORGANIZATIONS: coldOrganizations.endpoint,
  };
  const baselineHandler = join(dir, 'cold-baseline.mjs');
  const baselineSize = await bundle(join(ROOT, 'bench/entries/sdk-publish.ts'), baselineHandler);
  const notifierFile = notifier?.outfile ?? '';
  const unsplit = built.find((v) => v.name === 'notifier, no splitting')?.outfile ?? '';
  const atRef = built.find((v) => v.name.startsWith('notifier at '))?.outfile;
  // An event that names no policy (most events: the policy analysis chunk is never loaded) and one that carries a
  // policy document (PutRolePolicy: the first such event of a container loads it).
  const sample = (name: string) =>
    JSON.parse(readFileSync(join(ROOT, 'events', `${name}.json`), 'utf8')) as {
      detail?: { eventID?: string };
    };
  const plain = sample('create-access-key-other-user');
  const policy = sample('put-role-policy');
  const cold: { name: string; file: string; event: unknown; env: Record<string, string>; times: number[] }[] =
    [
      {
        name: 'SNS publish only (baseline handler)',
        file: baselineHandler,
        event: plain,
        env: {},
        times: [],
      },
      { name: 'notifier, CreateAccessKey', file: notifierFile, event: plain, env: {}, times: [] },
      { name: 'notifier, PutRolePolicy', file: notifierFile, event: policy, env: {}, times: [] },
      { name: 'notifier, no splitting, CreateAccessKey', file: unsplit, event: plain, env: {}, times: [] },
      { name: 'notifier, no splitting, PutRolePolicy', file: unsplit, event: policy, env: {}, times: [] },
      ...(atRef
        ? [
            {
              name: `notifier at ${COMPARE_REF}, CreateAccessKey`,
              file: atRef,
              event: plain,
              env: {},
              times: [],
            },
            {
              name: `notifier at ${COMPARE_REF}, PutRolePolicy`,
              file: atRef,
              event: policy,
              env: {},
              times: [],
            },
          ]
        : []),
      {
        name: 'notifier, CreateAccessKey, account names',
        file: notifierFile,
        event: plain,
        env: { ACCOUNT_NAMES: 'on' },
        times: [],
      },
    ];
  try {
    for (let run = 0; run < IMPORT_RUNS; run += 1) {
      for (const [index, variant] of cold.entries()) {
        const event = structuredClone(variant.event) as { detail?: { eventID?: string } };
        if (event.detail) event.detail.eventID = `cold-${index}-${run}`;
        variant.times.push(await coldFirstEventMs(variant.file, event, { ...fakes, ...variant.env }));
      }
    }
  } finally {
    await Promise.all([coldSns.close(), coldAws.close(), coldIam.close(), coldOrganizations.close()]);
  }
  const coldBase = median(cold[0]?.times ?? []);
  process.stdout.write(
    `\nCold import + first event handled (median of ${IMPORT_RUNS} fresh processes; baseline handler reads ${kb(baselineSize.coldBytes)} at import)\n`,
  );
  for (const v of cold) {
    const ms = median(v.times);
    process.stdout.write(
      `${v.name.padEnd(44)}${`${ms.toFixed(1)} ms`.padStart(29)}${(ms / coldBase).toFixed(2).padStart(8)}\n`,
    );
  }
  process.stdout.write(
    `SNS received ${coldSns.received.length} messages, DynamoDB ${coldAws.calls.length} calls, IAM ${coldIam.requests.length}, Organizations ${coldOrganizations.targets.length}\n`,
  );

  // Warm invocations: the real handler module, publishing to a fake SNS on 127.0.0.1.
  const { createLambdaContext } = await import('../scripts/lambda-context.js');
  const sns = await startFakeSns();
  process.env.ALERT_TOPIC_ARN = 'arn:aws:sns:us-east-1:123456789012:iam-change-alerts-bench';
  process.env.AWS_ENDPOINT_URL_SNS = sns.endpoint;
  process.env.AWS_ACCESS_KEY_ID = 'AKIABENCHEXAMPLE';
  process.env.AWS_SECRET_ACCESS_KEY = 'bench-secret';
  process.env.AWS_REGION = 'us-east-1';
  process.env.IAM_ENRICHMENT = 'off';
  process.env.POWERTOOLS_LOG_LEVEL = 'ERROR';
  const { handler } = await import('../functions/notifier/handler.js');
  const events = readdirSync(join(ROOT, 'events'))
    .filter((f) => f.endsWith('.json'))
    .map((f) => JSON.parse(readFileSync(join(ROOT, 'events', f), 'utf8')) as unknown);
  const context = createLambdaContext('notifier');
  // The handler writes one EMF metric line per event to stdout (Lambda's log pipe): serialised and counted
  // here, not printed, so that the terminal's speed is not measured.
  const write = process.stdout.write.bind(process.stdout);
  let metricLines = 0;
  process.stdout.write = ((chunk: string | Uint8Array) => {
    if (String(chunk).includes('"CloudWatchMetrics"')) metricLines += 1;
    return true;
  }) as typeof process.stdout.write;
  // Each delivery gets its own eventID: the notifier publishes an eventID once, and a repeat would time the
  // duplicate path instead of a publish.
  const nth = (i: number): unknown => {
    const event = structuredClone(events[i % events.length]) as { detail?: { eventID?: string } };
    if (event.detail) event.detail.eventID = `bench-${i}`;
    return event;
  };
  const times: number[] = [];
  try {
    for (let i = 0; i < 50; i += 1) await handler(nth(WARM_EVENTS + i), context);
    for (let i = 0; i < WARM_EVENTS; i += 1) {
      const event = nth(i);
      const t = performance.now();
      await handler(event, context);
      times.push(performance.now() - t);
    }
  } finally {
    process.stdout.write = write;
  }
  await sns.close();
  const p99 = percentile(times, 99);
  process.stdout.write(
    `\nWarm handler, ${WARM_EVENTS} events (${events.length} samples) published to SNS on loopback, IAM enrichment off\n` +
      `p50 ${percentile(times, 50).toFixed(2)} ms · p90 ${percentile(times, 90).toFixed(2)} ms · p99 ${p99.toFixed(2)} ms · max ${Math.max(...times).toFixed(2)} ms\n` +
      `target: p99 ≤ 5 ms → ${p99 <= 5 ? 'met' : 'NOT met'}; SNS received ${sns.received.length} messages, ${metricLines} EMF metric lines written\n`,
  );
  if (p99 > 5) process.exitCode = 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
