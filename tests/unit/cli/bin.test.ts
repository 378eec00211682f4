// The `iam-alerts` command as a user starts it (`node bin/iam-alerts.js`), for what only the entry point does: Node's
// compile cache (bin/compile-cache.js). The cache is an optimisation: with it, without it, or when it cannot be
// written, the command runs the same and prints the same.
// @see https://nodejs.org/api/module.html#module-compile-cache
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import module from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FIXTURES_DIR } from '../../helpers/fixtures.js';

const ROOT = join(FIXTURES_DIR, '..', '..');
const BIN = join(ROOT, 'bin', 'iam-alerts.js');
const EVENT = join(ROOT, 'events', 'create-role.json');

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cli-bin-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `iam-alerts render --format json EVENT` in a fresh process with `env` added (and NODE_COMPILE_CACHE unset). */
const render = (env: Record<string, string>): string => {
  const base = { ...process.env };
  delete base.NODE_COMPILE_CACHE;
  delete base.NODE_DISABLE_COMPILE_CACHE;
  delete base.NODE_OPTIONS;
  return execFileSync(process.execPath, [BIN, 'render', '--format', 'json', EVENT], {
    env: { ...base, ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
};

/** Node 22.1 and later (the engines field allows no older one). */
const canCache = typeof module.enableCompileCache === 'function';

test('the command enables the compile cache itself, and prints the same from a cold and a warm cache', () => {
  // No NODE_COMPILE_CACHE (which alone would enable it): the bin's call puts it under os.tmpdir().
  const tmp = join(dir, 'tmp');
  mkdirSync(tmp);
  const cold = render({ TMPDIR: tmp });
  const warm = render({ TMPDIR: tmp });
  expect(JSON.parse(cold)).toMatchObject({ eventName: 'CreateRole' });
  expect(warm).toBe(cold);
  if (canCache) expect(readdirSync(join(tmp, 'node-compile-cache')).length).toBeGreaterThan(0);
}, 120_000);

test('a cache that cannot be written, or one turned off, changes nothing', () => {
  const file = join(dir, 'not-a-directory');
  writeFileSync(file, 'x');
  const reference = render({ NODE_DISABLE_COMPILE_CACHE: '1' });
  expect(render({ NODE_COMPILE_CACHE: join(file, 'cache') })).toBe(reference);
  expect(JSON.parse(reference)).toMatchObject({ eventName: 'CreateRole' });
}, 120_000);
