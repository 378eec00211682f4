// The one progress bar of the CLI (`replay`, `scp-impact`): a line on stderr, redrawn at most every 200 ms.
import type { CliIo } from './io.js';

/** Inputs larger than this get a progress bar (when stderr is a terminal). */
export const PROGRESS_MIN_BYTES = 32 * 1024 * 1024;
const PROGRESS_INTERVAL_MS = 200;
const WIDTH = 30;

const megabytes = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

/** A progress bar: `add` the bytes read as they are read, `end` to clear the line. */
export interface Progress {
  add(bytes: number): void;
  end(): void;
}

/** A one-line progress bar over `total` bytes on stderr, redrawn at most every 200 ms; the first `add` draws. */
export const createProgress = (stderr: CliIo['stderr'], total: number): Progress => {
  let done = 0;
  let drawn = 0;
  return {
    add(bytes: number) {
      done += bytes;
      const now = Date.now();
      if (now - drawn < PROGRESS_INTERVAL_MS) return;
      drawn = now;
      const ratio = Math.min(1, done / total);
      const filled = Math.round(ratio * WIDTH);
      stderr.write(
        `\r[${'#'.repeat(filled)}${'.'.repeat(WIDTH - filled)}] ${(ratio * 100).toFixed(0).padStart(3)}% ${megabytes(done)} / ${megabytes(total)}`,
      );
    },
    end() {
      stderr.write(`\r${' '.repeat(70)}\r`);
    },
  };
};

/**
 * The progress bar for inputs of `total` bytes, or `undefined` when stderr is not a terminal or the input is
 * smaller than `minBytes` (default 32 MB).
 */
export const progressFor = (
  stderr: CliIo['stderr'],
  total: number,
  minBytes: number = PROGRESS_MIN_BYTES,
): Progress | undefined => (stderr.isTTY && total >= minBytes ? createProgress(stderr, total) : undefined);
