// Bundles an entry with the options of serverless.yml `custom.esbuild` (minify, keepNames, ESM, node24, code
// splitting with chunks in `<name>.chunks/` beside the entry file).

import { readFileSync } from 'node:fs';
import { basename, dirname, extname, join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build, type Metafile } from 'esbuild';

/** What a bundle weighs: its entry file, what a cold import reads, and everything emitted. */
export interface BundleSize {
  /** The entry file alone, and gzipped. */
  bytes: number;
  gzipBytes: number;
  /** The entry file and every chunk it imports statically: what `import()` of the entry reads and compiles. */
  coldBytes: number;
  coldGzipBytes: number;
  /** The entry and all its chunks, those loaded by `import()` included (what the zip holds). */
  allBytes: number;
}

/** The entry's output and every output it reaches through static imports (metafile paths, relative to the cwd). */
const staticClosure = (metafile: Metafile, entry: string): Set<string> => {
  const seen = new Set<string>();
  const visit = (path: string): void => {
    if (seen.has(path)) return;
    seen.add(path);
    for (const imported of metafile.outputs[path]?.imports ?? []) {
      if (imported.kind === 'import-statement' && !imported.external) visit(imported.path);
    }
  };
  visit(entry);
  return seen;
};

/**
 * Bundles `entry` to `outfile` as minified ESM for Node 24 (the functions' runtime), as serverless.yml does: with
 * `splitting` (the default, as deployed) what the entry loads by `import()` goes to chunks in `<outfile name>.chunks/`;
 * with `splitting: false`, one file (the deployed shape before code splitting, for comparison).
 */
export const bundle = async (
  entry: string,
  outfile: string,
  options: { splitting?: boolean } = {},
): Promise<BundleSize> => {
  const splitting = options.splitting ?? true;
  const name = basename(outfile, extname(outfile));
  const { metafile } = await build({
    entryPoints: [entry],
    ...(splitting
      ? {
          splitting: true,
          outdir: dirname(outfile),
          entryNames: name,
          chunkNames: `${name}.chunks/[name]-[hash]`,
          outExtension: { '.js': extname(outfile) || '.js' },
        }
      : { outfile }),
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
    metafile: true,
    logLevel: 'error',
  });
  const entryOutput = relative(process.cwd(), outfile).split('\\').join('/');
  const sizeOf = (paths: Iterable<string>) => {
    let bytes = 0;
    let gzipBytes = 0;
    for (const path of paths) {
      const code = readFileSync(join(process.cwd(), path));
      bytes += code.length;
      gzipBytes += gzipSync(code).length;
    }
    return { bytes, gzipBytes };
  };
  const own = sizeOf([entryOutput]);
  const cold = sizeOf(staticClosure(metafile, entryOutput));
  const all = sizeOf(Object.keys(metafile.outputs));
  return { ...own, coldBytes: cold.bytes, coldGzipBytes: cold.gzipBytes, allBytes: all.bytes };
};
