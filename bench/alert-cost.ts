// Benchmark: what turning one matched record into its alert costs (parseIamEvent + createAlert), on every record of
// the corpus (tests/fixtures/cloudtrail/*.jsonl) and on the replay mix (the records a default deployment delivers,
// which is what `iam-alerts replay` builds alerts for), with the costliest event names.
// Run: node --import tsx/esm bench/alert-cost.ts [--rounds 5]
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { compileDeployedRules, defaultRuleOptions } from '../cli/replay/deployed.js';
import { createAlert } from '../shared/domain/alert.js';
import { parseIamEvent, toEventBridgeEvent } from '../shared/domain/cloudtrail.js';
import { DEFAULT_PRESET } from '../shared/domain/patterns.js';
import type { CloudTrailRecord } from '../shared/domain/types.js';

/** Issue #14: the alert side of replay's budget; a fraction of the ~50 µs per alert measured before. */
const TARGET_US_PER_ALERT = 15;

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '7' } } });
const ROUNDS = Math.max(1, Number(values.rounds));
const FIXTURES = join(import.meta.dirname, '..', 'tests', 'fixtures', 'cloudtrail');

const records: Record<string, unknown>[] = readdirSync(FIXTURES)
  .filter((file) => file.endsWith('.jsonl'))
  .sort()
  .flatMap((file) =>
    readFileSync(join(FIXTURES, file), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, unknown>),
  );

const rules = compileDeployedRules(defaultRuleOptions(DEFAULT_PRESET));
const delivered = records.filter(
  (record) =>
    rules.verdict(toEventBridgeEvent(record as unknown as CloudTrailRecord), record.readOnly === true) ===
    'delivered',
);

const DOCUMENT_KEYS = ['policyDocument', 'assumeRolePolicyDocument'];

/**
 * The records with every policy document text made new (spaces appended, which the analysis trims): the documents
 * are then read and judged as on first sight, not found in the memo of documents seen before.
 */
const withNewDocuments = (
  set: readonly Record<string, unknown>[],
  round: number,
): Record<string, unknown>[] =>
  set.map((record) => {
    const params = record.requestParameters as Record<string, unknown> | null | undefined;
    if (!params || !DOCUMENT_KEYS.some((key) => typeof params[key] === 'string')) return record;
    const copy = { ...params };
    for (const key of DOCUMENT_KEYS) {
      if (typeof copy[key] === 'string') copy[key] = `${copy[key]}${' '.repeat(round + 1)}`;
    }
    return { ...record, requestParameters: copy };
  });

/** One round over `set`: the time of each record's parse + alert, by index. */
const round = async (set: readonly Record<string, unknown>[]): Promise<number[]> => {
  const times: number[] = [];
  for (const raw of set) {
    const start = performance.now();
    try {
      await createAlert(parseIamEvent(raw));
    } catch {
      // A record the parser rejects costs what it costs; replay counts it as a problem.
    }
    times.push(performance.now() - start);
  }
  return times;
};

/**
 * Median over rounds of each record's time, after one warm-up round (the JIT, the memo of a long replay). With
 * `firstSight`, each round's documents are new to the memo (a notifier's usual case: each event, a new document).
 */
const measure = async (set: readonly Record<string, unknown>[], firstSight = false): Promise<number[]> => {
  await round(firstSight ? withNewDocuments(set, 0) : set);
  const rounds: number[][] = [];
  for (let i = 1; i <= ROUNDS; i++) rounds.push(await round(firstSight ? withNewDocuments(set, i) : set));
  return set.map((_, index) => {
    const sorted = rounds.map((times) => times[index] ?? 0).sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)] ?? 0;
  });
};

const us = (ms: number): string => `${(ms * 1000).toFixed(1).padStart(7)} µs`;
const sum = (values: readonly number[]): number => values.reduce((total, value) => total + value, 0);

const report = (label: string, set: readonly Record<string, unknown>[], times: readonly number[]): number => {
  const mean = sum(times) / Math.max(1, times.length);
  console.log(`  ${label.padEnd(34)} ${String(set.length).padStart(5)} records  ${us(mean)} per alert`);
  return mean;
};

const all = await measure(records);
const mix = await measure(delivered);
const firstSight = await measure(delivered, true);
console.log(
  `Alert cost: parseIamEvent + createAlert per record, median of ${ROUNDS} warm rounds (Node ${process.versions.node})`,
);
report('every corpus record', records, all);
const mean = report(`replay mix (${DEFAULT_PRESET}, default rules)`, delivered, mix);
report('replay mix, documents new each time', delivered, firstSight);

/** The event names that cost the most in `times`, with their share of the total. */
const costliest = (label: string, times: readonly number[]): void => {
  const byName = new Map<string, { count: number; total: number }>();
  delivered.forEach((record, index) => {
    const name = String(record.eventName);
    const entry = byName.get(name) ?? { count: 0, total: 0 };
    entry.count += 1;
    entry.total += times[index] ?? 0;
    byName.set(name, entry);
  });
  console.log(`  costliest event names, ${label} (mean per alert, share of the total):`);
  const total = sum(times);
  for (const [name, entry] of [...byName].sort((a, b) => b[1].total - a[1].total).slice(0, 8)) {
    const share = ((100 * entry.total) / total).toFixed(1).padStart(5);
    console.log(
      `    ${name.padEnd(32)} ${String(entry.count).padStart(5)} × ${us(entry.total / entry.count)}  ${share} %`,
    );
  }
};
costliest('replay mix', mix);
costliest('documents new each time', firstSight);
const met = mean * 1000 <= TARGET_US_PER_ALERT;
console.log(`target: replay mix ≤ ${TARGET_US_PER_ALERT} µs per alert → ${met ? 'met' : 'NOT met'}`);
if (!met) process.exitCode = 1;
