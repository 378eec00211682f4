// Bundles an entry with the options of serverless.yml `custom.esbuild` (minify, keepNames, ESM, node24).

import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

/** Bundles `entry` to `outfile` as minified ESM for Node 24 (the functions' runtime) and returns its size. */
export const bundle = async (
  entry: string,
  outfile: string,
): Promise<{ bytes: number; gzipBytes: number }> => {
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    minify: true,
    keepNames: true,
    platform: 'node',
    target: 'node24',
    format: 'esm',
    mainFields: ['module', 'main'],
    // Some CommonJS dependencies call require(); ESM output needs it defined.
    banner: {
      js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
    },
    logLevel: 'error',
  });
  const code = readFileSync(outfile);
  return { bytes: code.length, gzipBytes: gzipSync(code).length };
};
