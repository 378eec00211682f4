// `npm run bench`: every benchmark, one after the other, each in its own process so none warms another.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const benches = ['notifier.ts', 'enrich-cache.ts', 'replay.ts'];
let failed = 0;
for (const name of benches) {
  const file = join(import.meta.dirname, name);
  if (!existsSync(file)) continue;
  process.stdout.write(`\n━━ bench/${name} ${'━'.repeat(60)}\n`);
  const result = spawnSync(process.execPath, ['--import', 'tsx/esm', file], { stdio: 'inherit' });
  if (result.status !== 0) failed += 1;
}
process.exitCode = failed > 0 ? 1 : 0;
