// `npm start` (scripts/run-local.ts) as a user runs it: the real notifier handler over sample events, offline.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..');

/** Runs `npm start`'s script in a fresh process with `env` on top of an offline environment. */
const runLocal = (args: string[], env: Record<string, string>) => {
  const { status, stdout, stderr } = spawnSync(
    process.execPath,
    ['--import', 'tsx/esm', join(ROOT, 'scripts', 'run-local.ts'), ...args],
    {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 60_000,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, AWS_REGION: 'us-east-1', ...env },
    },
  );
  return { status, stdout, stderr };
};

describe('npm start', () => {
  it('prints the alert of each event it is given and a count by severity', () => {
    const { status, stdout } = runLocal(['events/attach-user-policy-admin.json'], {});
    expect(status).toBe(0);
    expect(stdout).toContain('Subject: [HIGH] AdministratorAccess attached to IAM user malicious-iam-user');
    expect(stdout).toContain('1 alert(s) from 1 event(s): 1 high');
    // Metrics are off for local runs: no EMF line among the printed alerts.
    expect(stdout).not.toContain('CloudWatchMetrics');
  }, 70_000);

  it('fails a bad configuration in one line and exits 1', () => {
    const { status, stdout, stderr } = runLocal([], { IAM_TIMEOUT_MS: 'soon' });
    expect(status).toBe(1);
    expect(stderr).toBe('ConfigError: IAM_TIMEOUT_MS must be an integer between 50 and 5000, got "soon"\n');
    expect(stdout).toBe('');
  }, 70_000);
});
