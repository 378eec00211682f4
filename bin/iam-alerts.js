#!/usr/bin/env node
// Entry point of the `iam-alerts` CLI: runs the TypeScript sources through tsx, so a clone needs no build step.
import { register } from 'tsx/esm/api';

// A reader that stops early (`iam-alerts replay --jsonl … | head`) is not an error.
process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

register();
const { main } = await import('../cli/main.ts');
const code = await main(process.argv.slice(2), {
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  cwd: process.cwd(),
});
process.exitCode = code;
