// One measurement of bench/replay.ts, in a plain `node` process (no tsx loader hooks, as the bin runs), printed as
// JSON: `floor` (gunzip + JSON.parse of every file) or `replay` (`iam-alerts replay` from the bundle in dist/cli/).
// Run: node bench/replay-child.js floor|replay|replay-jobs-N DIR  (`replay`: the default threads, as a user runs it)
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { enableCompileCache } from '../bin/compile-cache.js';

const ROOT = join(fileURLToPath(new URL('.', import.meta.url)), '..');
const [mode, dir] = process.argv.slice(2);
// As the bin starts the CLI: with Node's compile cache (bench/replay.ts warms it once before timing).
if (mode !== 'floor') enableCompileCache();

/** The floor: what any replay must do at least, gunzip and parse every file. */
const floor = () => {
  const start = performance.now();
  let records = 0;
  for (const name of readdirSync(dir).sort()) {
    records += JSON.parse(gunzipSync(readFileSync(join(dir, name))).toString('utf8')).Records.length;
  }
  return { records, ms: performance.now() - start };
};

/** `iam-alerts replay --format json DIR`; the lazily loaded modules load inside the timed part, as in a real run. */
const replay = async (jobs) => {
  const { main } = await import(pathToFileURL(join(ROOT, 'dist', 'cli', 'main.js')).href);
  const start = performance.now();
  const out = [];
  const code = await main(
    ['replay', '--preset', 'writes', '--format', 'json', ...(jobs ? ['--jobs', jobs] : []), dir],
    {
      stdin: process.stdin,
      stdout: { write: (chunk) => out.push(chunk) },
      stderr: { write: (chunk) => process.stderr.write(chunk), isTTY: false },
      cwd: process.cwd(),
      workerUrl: pathToFileURL(join(ROOT, 'dist', 'cli', 'replay-worker.js')),
    },
  );
  if (code !== 0) throw new Error(`replay exited ${code}`);
  const summary = JSON.parse(out.join(''));
  return { records: summary.records, alerts: summary.alerts, ms: performance.now() - start };
};

const result = mode === 'floor' ? floor() : await replay(/^replay-jobs-(\d+)$/.exec(mode)?.[1]);
const usage = process.resourceUsage();
// CPU time of every thread of the process (user + system): what the run cost the machine, whatever its wall time.
const cpuMs = (usage.userCPUTime + usage.systemCPUTime) / 1000;
process.stdout.write(JSON.stringify({ ...result, cpuMs, maxRssMb: usage.maxRSS / 1024 }));
