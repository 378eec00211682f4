// Replay throughput next to its floor (gunzip + JSON.parse of the same files), and peak memory on a large input.
// Run: node --import tsx/esm bench/replay.ts [--mb 300]
// Each measurement runs in its own child process, so its peak RSS is its own.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync, gzipSync } from 'node:zlib';
import { createAlert } from '../shared/domain/alert.js';
import { expandInputs, readInputs } from '../shared/replay/read-inputs.js';
import { replayItems } from '../shared/replay/replay.js';

const CORPUS = ['stratus-red-team', 'invictus-ir-aws-dataset', 'otrf-security-datasets', 'awsdocs-examples'];
const FIXTURES = join(fileURLToPath(new URL('.', import.meta.url)), '..', 'tests', 'fixtures', 'cloudtrail');

interface Measurement {
  records: number;
  alerts?: number;
  ms: number;
  maxRssMb: number;
}

/** The floor: what any replay must do at least, gunzip and parse every file. */
const measureFloor = (dir: string): Measurement => {
  const start = performance.now();
  let records = 0;
  for (const name of readdirSync(dir).sort()) {
    const parsed = JSON.parse(gunzipSync(readFileSync(join(dir, name))).toString('utf8')) as {
      Records: unknown[];
    };
    records += parsed.Records.length;
  }
  return { records, ms: performance.now() - start, maxRssMb: process.resourceUsage().maxRSS / 1024 };
};

const measureReplay = async (dir: string): Promise<Measurement> => {
  const start = performance.now();
  const { files } = await expandInputs([dir], process.cwd());
  const summary = await replayItems(readInputs(files, { cwd: process.cwd(), stdin: process.stdin }), {
    preset: 'writes',
    createAlert,
  });
  return {
    records: summary.records,
    alerts: summary.alerts,
    ms: performance.now() - start,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
  };
};

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

const child = (mode: 'floor' | 'replay', dir: string): Measurement =>
  JSON.parse(
    execFileSync(
      process.execPath,
      ['--import', 'tsx/esm', fileURLToPath(import.meta.url), '--child', mode, dir],
      {
        encoding: 'utf8',
        maxBuffer: 1024 * 1024,
      },
    ),
  ) as Measurement;

const rate = (m: Measurement): string =>
  `${Math.round(m.records / (m.ms / 1000)).toLocaleString('en-US')} records/s`;

const main = async (): Promise<void> => {
  const args = process.argv.slice(2);
  if (args[0] === '--child') {
    const dir = args[2] as string;
    const result = args[1] === 'floor' ? measureFloor(dir) : await measureReplay(dir);
    process.stdout.write(JSON.stringify(result));
    return;
  }
  const mbIndex = args.indexOf('--mb');
  const totalMb = mbIndex === -1 ? 300 : Number(args[mbIndex + 1]);
  const fileMb = 3;
  const dir = mkdtempSync(join(tmpdir(), 'bench-replay-'));
  try {
    const built = buildLogFiles(dir, totalMb, fileMb);
    console.log(
      `Input: ${built.files} gzipped CloudTrail log files, ~${fileMb} MB of JSON each (${totalMb} MB JSON, ${built.gzMb.toFixed(0)} MB gzipped)`,
    );
    const floor = child('floor', dir);
    const replay = child('replay', dir);
    const ratio = replay.ms / floor.ms;
    console.log(
      `  floor  (gunzip + JSON.parse):  ${(floor.ms / 1000).toFixed(2)} s  ${rate(floor)}  peak RSS ${floor.maxRssMb.toFixed(0)} MB`,
    );
    console.log(
      `  replay (preset writes):        ${(replay.ms / 1000).toFixed(2)} s  ${rate(replay)}  peak RSS ${replay.maxRssMb.toFixed(0)} MB  (${replay.alerts} alerts)`,
    );
    console.log(`  replay / floor: ${ratio.toFixed(2)}×  (target ≤ 2×) ${ratio <= 2 ? 'OK' : 'OVER TARGET'}`);
    if (ratio > 2) process.exitCode = 1;
    if (replay.records !== floor.records) {
      console.log(`  ! record counts differ: ${replay.records} vs ${floor.records}`);
      process.exitCode = 1;
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};

await main();
