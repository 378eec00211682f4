#!/usr/bin/env node
// Entry point of the `iam-alerts` CLI. Runs the esbuild bundle in dist/cli/ (built by `npm ci` through the
// `prepare` script, or `npm run build:cli`) when it is at least as new as every source it was built from;
// otherwise, or with IAM_ALERTS_FROM_SOURCE=1, runs the TypeScript sources through tsx, so an edited source is
// never shadowed by an old build.
import { readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { enableCompileCache } from './compile-cache.js';

enableCompileCache();

// A reader that stops early (`iam-alerts replay --jsonl … | head`) is not an error.
process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The bundle's entry when it is present and no source it was built from changed since. */
const freshBuild = () => {
  if (process.env.IAM_ALERTS_FROM_SOURCE === '1') return undefined;
  try {
    const { builtAt, inputs } = JSON.parse(readFileSync(join(root, 'dist/cli/inputs.json'), 'utf8'));
    for (const input of inputs) if (statSync(join(root, input)).mtimeMs > builtAt) return undefined;
    return join(root, 'dist/cli/main.js');
  } catch {
    return undefined;
  }
};

const load = async () => {
  const built = freshBuild();
  if (built) {
    const workerUrl = pathToFileURL(join(root, 'dist/cli/replay-worker.js'));
    return { ...(await import(pathToFileURL(built).href)), workerUrl };
  }
  const { register } = await import('tsx/esm/api');
  register();
  return import('../cli/main.ts');
};

const { main, workerUrl } = await load();
const code = await main(process.argv.slice(2), {
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  cwd: process.cwd(),
  ...(workerUrl ? { workerUrl } : {}),
});
process.exitCode = code;
