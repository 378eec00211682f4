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
 * The records with every policy document text made new (whitespace spelling `serial` in binary appended, which the
 * analysis trims): the documents are then read and judged as on first sight, not found in the memo.
 */
const withNewDocuments = (
  set: readonly Record<string, unknown>[],
  serial: number,
): Record<string, unknown>[] => {
  const suffix = (serial + 1).toString(2).replace(/0/g, ' ').replace(/1/g, '\t');
  return set.map((record) => {
    const params = record.requestParameters as Record<string, unknown> | null | undefined;
    if (!params || !DOCUMENT_KEYS.some((key) => typeof params[key] === 'string')) return record;
    const copy = { ...params };
    for (const key of DOCUMENT_KEYS) {
      if (typeof copy[key] === 'string') copy[key] = `${copy[key]}${suffix}`;
    }
    return { ...record, requestParameters: copy };
  });
};

/** Each round builds about this many alerts, so that it spans many minor collections. */
const ALERTS_PER_ROUND = 3000;

/** One round: the passes over the set, timed whole (CPU time, GC included) and record by record (wall). */
const round = async (
  passes: readonly (readonly Record<string, unknown>[])[],
  perRecord: number[],
): Promise<number> => {
  const before = process.cpuUsage();
  for (const set of passes) {
    for (const [index, raw] of set.entries()) {
      const start = performance.now();
      try {
        await createAlert(parseIamEvent(raw));
      } catch {
        // A record the parser rejects costs what it costs; replay counts it as a problem.
      }
      perRecord[index] = (perRecord[index] ?? 0) + performance.now() - start;
    }
  }
  const cpu = process.cpuUsage(before);
  return (cpu.user + cpu.system) / 1000;
};

/** What building a set's alerts costs: per alert (CPU time of the median round), and each record's mean (wall). */
interface Cost {
  perAlert: number;
  perRecord: number[];
}

/**
 * Times `ROUNDS` rounds over `set` (repeated to about {@link ALERTS_PER_ROUND} alerts each) after one warm-up round
 * (the JIT, the memo of a long replay). CPU time, not wall time: other processes on a shared machine then cost
 * little. With `firstSight`, each pass's documents are new to the memo (the notifier's usual case).
 */
const measure = async (set: readonly Record<string, unknown>[], firstSight = false): Promise<Cost> => {
  const repeat = Math.max(1, Math.ceil(ALERTS_PER_ROUND / Math.max(1, set.length)));
  let serial = 0;
  const passes = () =>
    Array.from({ length: repeat }, () => (firstSight ? withNewDocuments(set, serial++) : set));
  const perRecord: number[] = [];
  await round(passes(), []);
  const totals: number[] = [];
  for (let i = 0; i < ROUNDS; i++) totals.push(await round(passes(), perRecord));
  totals.sort((a, b) => a - b);
  const alerts = repeat * set.length;
  return {
    perAlert: (totals[Math.floor(totals.length / 2)] ?? 0) / Math.max(1, alerts),
    perRecord: perRecord.map((time) => time / (ROUNDS * repeat)),
  };
};

const us = (ms: number): string => `${(ms * 1000).toFixed(1).padStart(7)} µs`;
const sum = (values: readonly number[]): number => values.reduce((total, value) => total + value, 0);

const report = (label: string, set: readonly Record<string, unknown>[], cost: Cost): number => {
  console.log(
    `  ${label.padEnd(36)} ${String(set.length).padStart(5)} records  ${us(cost.perAlert)} per alert`,
  );
  return cost.perAlert;
};

const all = await measure(records);
const mix = await measure(delivered);
const firstSight = await measure(delivered, true);
console.log(
  `Alert cost: parseIamEvent + createAlert, per alert: CPU time of the median of ${ROUNDS} warm rounds, GC included (Node ${process.versions.node})`,
);
report('every corpus record', records, all);
const mean = report(`replay mix (${DEFAULT_PRESET}, default rules)`, delivered, mix);
report('replay mix, documents new each time', delivered, firstSight);

/** The event names that cost the most in `times`, with their share of the total. */
const costliest = (label: string, { perRecord: times }: Cost): void => {
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
