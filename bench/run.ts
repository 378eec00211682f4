// `npm run bench`: every benchmark, one after the other, each in its own process so none warms another.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const benches = ['notifier.ts', 'enrich-cache.ts', 'alert-cost.ts', 'replay.ts'];
let failed = 0;
for (const name of benches) {
  const file = join(import.meta.dirname, name);
  process.stdout.write(`\n━━ bench/${name} ${'━'.repeat(60)}\n`);
  const result = spawnSync(process.execPath, ['--import', 'tsx/esm', file], { stdio: 'inherit' });
  // A missed target or a missing benchmark fails the run: the targets live here, not in timed tests.
  if (result.status !== 0) {
    failed += 1;
    process.stdout.write(`bench/${name}: FAILED (exit ${result.status})\n`);
  }
}
process.exitCode = failed > 0 ? 1 : 0;
