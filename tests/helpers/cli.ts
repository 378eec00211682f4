// Runs CLI commands in memory: stdin, stdout and stderr as strings.
import { Readable } from 'node:stream';
import type { CliIo } from '../../cli/io.js';

/** A `CliIo` over buffers, rooted at `cwd`. */
export const memoryIo = (cwd: string, stdin: NodeJS.ReadableStream = Readable.from([])) => {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = {
    stdin,
    stdout: { write: (chunk: string) => out.push(chunk) },
    stderr: { write: (chunk: string) => err.push(chunk), isTTY: false },
    cwd,
  };
  return { io, stdout: () => out.join(''), stderr: () => err.join('') };
};
