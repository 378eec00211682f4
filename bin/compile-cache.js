// Node's on-disk compile cache for the CLI, as TypeScript's own `tsc` enables it: V8 keeps the code it compiled for
// the bundle's modules under os.tmpdir()/node-compile-cache, so every run after the first skips compiling them, and
// the replay's worker threads (which each load the alert pipeline) share it. `NODE_COMPILE_CACHE=dir` moves it,
// `NODE_DISABLE_COMPILE_CACHE=1` turns it off; a cache that cannot be written is ignored, never an error.
// @see https://nodejs.org/api/module.html#module-compile-cache
import module from 'node:module';

/** Enables the compile cache for this process and the worker threads it starts (through their environment). */
export const enableCompileCache = () => {
  try {
    const result = module.enableCompileCache?.();
    // A worker thread inherits the cache only through NODE_COMPILE_CACHE in its environment.
    if (result?.directory && process.env.NODE_COMPILE_CACHE === undefined)
      process.env.NODE_COMPILE_CACHE = result.directory;
  } catch {
    // An optimisation only: the CLI runs the same without it.
  }
};
