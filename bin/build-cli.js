#!/usr/bin/env node
// Builds the `iam-alerts` CLI into dist/cli/ with esbuild (run by `npm ci` through the `prepare` script), so the
// command starts from plain JavaScript instead of compiling TypeScript through tsx on every start. Writes
// dist/cli/inputs.json, the sources the build was made from, so bin/iam-alerts.js can tell a stale build.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = join(root, 'dist', 'cli');

let esbuild;
try {
  esbuild = await import('esbuild');
} catch {
  // A production install (`npm ci --omit=dev`) has no esbuild: the bin then runs the sources through tsx.
  process.stderr.write(
    'iam-alerts: esbuild is not installed; the CLI will run from its TypeScript sources\n',
  );
  process.exit(0);
}

rmSync(outdir, { recursive: true, force: true });
mkdirSync(outdir, { recursive: true });
const result = await esbuild.build({
  absWorkingDir: root,
  entryPoints: { main: 'cli/main.ts', 'replay-worker': 'cli/replay/worker.ts' },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // Workers and lazily loaded commands are separate chunks: `--help` loads only the entry.
  chunkNames: 'chunks/[name]-[hash]',
  sourcemap: 'linked',
  metafile: true,
  logLevel: 'warning',
  // Bundled CommonJS dependencies may call require(): give them one.
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
  },
});
const inputs = Object.keys(result.metafile.inputs)
  .filter((path) => !path.includes('node_modules/'))
  .map((path) => relative(root, join(root, path)))
  .sort();
writeFileSync(join(outdir, 'inputs.json'), `${JSON.stringify({ builtAt: Date.now(), inputs }, null, 2)}\n`);
process.stdout.write(`iam-alerts: built dist/cli/ from ${inputs.length} source files\n`);
