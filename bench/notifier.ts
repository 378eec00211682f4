// Notifier benchmark: bundle size, cold import time next to an SDK-only bundle, what each import
// costs, and warm handler time per event with the publisher on loopback.
// Run: npm run bench (all benchmarks) or node --import tsx/esm bench/notifier.ts
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { bundle } from './build.js';

const ROOT = join(import.meta.dirname, '..');
const IMPORT_RUNS = Number(process.env.BENCH_IMPORT_RUNS ?? 15);
const WARM_EVENTS = Number(process.env.BENCH_WARM_EVENTS ?? 2000);

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};
const percentile = (values: number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
};
const kb = (bytes: number): string => `${(bytes / 1024).toFixed(0)} KB`;

/** Time to import a bundle in a fresh Node process, measured inside that process (excludes Node's own start). */
const importMs = (file: string): number => {
  const script = `const t=performance.now();await import(${JSON.stringify(file)});process.stdout.write(String(performance.now()-t));`;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
    env: { ...process.env, AWS_REGION: 'us-east-1', IAM_ENRICHMENT: 'off', POWERTOOLS_LOG_LEVEL: 'ERROR' },
    encoding: 'utf8',
  });
  return Number(out);
};

const dir = mkdtempSync(join(tmpdir(), 'iam-alerts-bench-'));
try {
  const variants = [
    { name: 'SNSClient + IAMClient only (baseline)', entry: 'bench/entries/sdk-only.ts' },
    { name: 'baseline + full zod (not used)', entry: 'bench/entries/sdk-zod-full.ts' },
    { name: 'baseline + Middy + Powertools logger', entry: 'bench/entries/sdk-middy-logger.ts' },
    { name: '… + Powertools metrics', entry: 'bench/entries/sdk-middy-logger-metrics.ts' },
    { name: 'notifier (functions/notifier/handler.ts)', entry: 'functions/notifier/handler.ts' },
  ];
  const built = [];
  for (const [index, variant] of variants.entries()) {
    const outfile = join(dir, `v${index}.mjs`);
    const size = await bundle(join(ROOT, variant.entry), outfile);
    built.push({ ...variant, outfile, ...size, times: [] as number[] });
  }
  // Interleave the runs so that machine noise hits every variant alike.
  for (let run = 0; run < IMPORT_RUNS; run += 1) {
    for (const variant of built) variant.times.push(importMs(variant.outfile));
  }
  const baseline = median(built[0]?.times ?? []);
  process.stdout.write(
    `\nNotifier bundle and cold import (median of ${IMPORT_RUNS} fresh processes, Node ${process.version})\n`,
  );
  process.stdout.write(
    `${'bundle'.padEnd(44)}${'size'.padStart(9)}${'gzip'.padStart(9)}${'import'.padStart(11)}${'× base'.padStart(8)}\n`,
  );
  for (const v of built) {
    const ms = median(v.times);
    process.stdout.write(
      `${v.name.padEnd(44)}${kb(v.bytes).padStart(9)}${kb(v.gzipBytes).padStart(9)}${`${ms.toFixed(1)} ms`.padStart(11)}${(ms / baseline).toFixed(2).padStart(8)}\n`,
    );
  }
  const notifier = built[built.length - 1];
  const ratio = median(notifier?.times ?? []) / baseline;
  process.stdout.write(
    `target: notifier import ≤ 1.25× baseline → ${ratio <= 1.25 ? 'met' : 'NOT met'} (${ratio.toFixed(2)}×)\n`,
  );
  if (ratio > 1.25) process.exitCode = 1;

  // Warm invocations: the real handler module, publishing to a fake SNS on 127.0.0.1.
  const { startFakeSns } = await import('../tests/helpers/sns-server.js');
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
