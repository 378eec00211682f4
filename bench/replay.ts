// CLI start-up (`iam-alerts --help` from the TypeScript sources through tsx, as before, and from the esbuild
// bundle, as now), then replay throughput next to its floor (gunzip + JSON.parse of the same files) and peak memory
// on a large input, through the `replay` command itself.
// Run: node --import tsx/esm bench/replay.ts [--mb 300]
// Each measurement runs in its own plain `node` child process (bench/replay-child.js), so its peak RSS is its own.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const CORPUS = ['stratus-red-team', 'invictus-ir-aws-dataset', 'otrf-security-datasets', 'awsdocs-examples'];
const FIXTURES = join(fileURLToPath(new URL('.', import.meta.url)), '..', 'tests', 'fixtures', 'cloudtrail');

/** Replay may take at most this multiple of the floor (issue #14). */
const TARGET_RATIO = 1.25;

interface Measurement {
  records: number;
  alerts?: number;
  ms: number;
  /** CPU time of the whole child process, every thread (user + system), start-up included. */
  cpuMs: number;
  maxRssMb: number;
}

/** Writes gzipped CloudTrail log files (`{"Records":[…]}`) of about `fileMb` MB each, `totalMb` MB in all. */
const buildLogFiles = (dir: string, totalMb: number, fileMb: number): { files: number; gzMb: number } => {
  const records = CORPUS.flatMap((file) =>
    readFileSync(join(FIXTURES, `${file}.jsonl`), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, unknown>),
  );
  // A few distinct files (records rotated and renumbered), then copied: realistic content, quick to build.
  const variants: Buffer[] = [];
  for (let v = 0; v < 4; v++) {
    const batch: unknown[] = [];
    let size = 0;
    for (let i = 0; size < fileMb * 1024 * 1024; i++) {
      const record = records[(i * 7 + v * 131) % records.length] as Record<string, unknown>;
      const copy = { ...record, eventID: `bench-${v}-${i}` };
      size += JSON.stringify(copy).length;
      batch.push(copy);
    }
    variants.push(gzipSync(JSON.stringify({ Records: batch })));
  }
  const count = Math.ceil(totalMb / fileMb);
  let gzBytes = 0;
  for (let i = 0; i < count; i++) {
    const buffer = variants[i % variants.length] as Buffer;
    gzBytes += buffer.length;
    writeFileSync(
      join(dir, `123456789012_CloudTrail_us-east-1_20240501T${String(i).padStart(6, '0')}Z.json.gz`),
      buffer,
    );
  }
  return { files: count, gzMb: gzBytes / 1024 / 1024 };
};

const child = (mode: 'floor' | 'replay' | 'replay-jobs-1', dir: string): Measurement =>
  JSON.parse(
    execFileSync(process.execPath, [join(ROOT, 'bench', 'replay-child.js'), mode, dir], {
      encoding: 'utf8',
      maxBuffer: 1024 * 1024,
    }),
  ) as Measurement;

const ROOT = join(fileURLToPath(new URL('.', import.meta.url)), '..');
const BIN = join(ROOT, 'bin', 'iam-alerts.js');

/** Median wall time of `node bin/iam-alerts.js --help` over `runs` starts. */
const startup = (runs: number, env: NodeJS.ProcessEnv): number => {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    const result = spawnSync(process.execPath, [BIN, '--help'], { env, encoding: 'utf8' });
    times.push(performance.now() - start);
    if (result.status !== 0 || !result.stdout.includes('usage: iam-alerts')) {
      throw new Error(`iam-alerts --help failed: ${result.stderr}`);
    }
  }
  return times.sort((a, b) => a - b)[Math.floor(runs / 2)] as number;
};

/** Start-up before (the sources through tsx, as the bin ran before the bundle) and after (the bundle). */
const measureStartup = (): void => {
  // Built afresh, so the bench never measures a bundle older than the sources.
  execFileSync(process.execPath, [join(ROOT, 'bin', 'build-cli.js')], { stdio: 'inherit' });
  const runs = 9;
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  const before = startup(runs, { ...env, IAM_ALERTS_FROM_SOURCE: '1' });
  const after = startup(runs, env);
  console.log(
    `CLI start-up, \`iam-alerts --help\` (median of ${runs}, node on the bin, npm's own start excluded):`,
  );
  console.log(`  before (TypeScript through tsx):  ${before.toFixed(0)} ms`);
  console.log(
    `  after  (esbuild bundle):          ${after.toFixed(0)} ms  (${(before / after).toFixed(1)}× faster)`,
  );
  if (after > before) {
    console.log('  ! the bundle starts slower than the sources');
    process.exitCode = 1;
  }
};

/** Rounds of (floor, replay) measured; the median of each is reported. */
const ROUNDS = 3;

const median = (runs: Measurement[]): Measurement => {
  const sorted = [...runs].sort((a, b) => a.ms - b.ms);
  const middle = sorted[Math.floor(sorted.length / 2)] as Measurement;
  return { ...middle, maxRssMb: Math.max(...runs.map((run) => run.maxRssMb)) };
};

const rate = (m: Measurement): string =>
  `${Math.round(m.records / (m.ms / 1000)).toLocaleString('en-US')} records/s`;

const main = async (): Promise<void> => {
  const args = process.argv.slice(2);
  measureStartup();
  const mbIndex = args.indexOf('--mb');
  const totalMb = mbIndex === -1 ? 300 : Number(args[mbIndex + 1]);
  const fileMb = 3;
  const dir = mkdtempSync(join(tmpdir(), 'bench-replay-'));
  try {
    const built = buildLogFiles(dir, totalMb, fileMb);
    console.log(
      `Input: ${built.files} gzipped CloudTrail log files, ~${fileMb} MB of JSON each (${totalMb} MB JSON, ${built.gzMb.toFixed(0)} MB gzipped)`,
    );
    // Alternated and repeated, the median of each kept: a shared machine's noise hits both alike.
    const floors: Measurement[] = [];
    // `replay` as a user runs it (the default threads), and on one thread for information.
    const replays: Measurement[] = [];
    const single: Measurement[] = [];
    // One untimed run first: the CLI enables Node's compile cache (bin/compile-cache.js), so every run but a
    // machine's very first starts from compiled code; the rounds measure that usual case.
    child('replay', dir);
    for (let round = 0; round < ROUNDS; round++) {
      floors.push(child('floor', dir));
      replays.push(child('replay', dir));
      single.push(child('replay-jobs-1', dir));
    }
    const floor = median(floors);
    const replay = median(replays);
    const ratio = replay.ms / floor.ms;
    const cpu = (m: Measurement) => `CPU ${(m.cpuMs / 1000).toFixed(2)} s`;
    console.log(
      `  floor  (gunzip + JSON.parse):  ${(floor.ms / 1000).toFixed(2)} s (median of ${ROUNDS})  ${rate(floor)}  ${cpu(floor)}  peak RSS ${floor.maxRssMb.toFixed(0)} MB`,
    );
    console.log(
      `  replay (preset writes, default threads: one per idle core of ${availableParallelism()}): ${(replay.ms / 1000).toFixed(2)} s (median of ${ROUNDS})  ${rate(replay)}  ${cpu(replay)}  peak RSS ${replay.maxRssMb.toFixed(0)} MB  (${replay.alerts} alerts)`,
    );
    console.log(
      `  replay / floor: ${ratio.toFixed(2)}×  (target ≤ ${TARGET_RATIO}×) ${ratio <= TARGET_RATIO ? 'OK' : 'OVER TARGET'}`,
    );
    const one = median(single);
    console.log(
      `  replay --jobs 1 (information):  ${(one.ms / 1000).toFixed(2)} s (median of ${ROUNDS})  ${rate(one)}  ${cpu(one)}  peak RSS ${one.maxRssMb.toFixed(0)} MB  (${(one.ms / floor.ms).toFixed(2)}× the floor)`,
    );
    if (ratio > TARGET_RATIO) process.exitCode = 1;
    if (one.records !== floor.records || one.alerts !== replay.alerts) {
      console.log('  ! --jobs 1 counted differently from the default');
      process.exitCode = 1;
    }
    if (replay.records !== floor.records) {
      console.log(`  ! record counts differ: ${replay.records} vs ${floor.records}`);
      process.exitCode = 1;
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};

await main();
