// `serverless invoke local` with the real osls CLI, offline: the notifier prints the alert it would publish,
// and the forwarder delivers for real to the Slack and Jira it is given (fakes on 127.0.0.1).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type JiraServer, startJiraServer } from '../helpers/jira-server.js';
import { type SlackServer, startSlackServer } from '../helpers/slack-server.js';
import { listZip, makeWorkCopy } from '../helpers/template.js';

const ROOT = join(import.meta.dirname, '..', '..');
const SLS = join(ROOT, 'node_modules', 'osls', 'bin', 'serverless.js');
// osls writes .esbuild/ and .serverless/ where it runs: a private copy keeps them out of the checkout.
let workDir: string;
beforeAll(() => {
  workDir = makeWorkCopy(join(mkdtempSync(join(tmpdir(), 'iam-alerts-invoke-')), 'project'));
});
afterAll(() => rmSync(join(workDir, '..'), { recursive: true, force: true }));

/** Runs the CLI without blocking this process's event loop (the fakes answer from here). */
const invokeLocal = (args: string[], env: Record<string, string>) =>
  new Promise<{ code: number | null; output: string }>((resolve, reject) => {
    const child = spawn(process.execPath, [SLS, 'invoke', 'local', ...args], {
      cwd: workDir,
      env: { ...process.env, ...env, SLS_TELEMETRY_DISABLED: '1', CI: 'true' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 150_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });

// No AWS account: make sure nothing from the developer's shell points at a real one.
const OFFLINE = { AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '', AWS_PROFILE: '', ALERT_TOPIC_ARN: '' };

/**
 * serverless-esbuild keeps esbuild's Go service process running inside osls; when our one-line exit races one of
 * its keep-alive pings, that process (not our code) prints a Go runtime dump on the shared stderr. It is cut here so
 * the test still checks every line our code prints, and nothing else is allowed through.
 */
const withoutEsbuildPanic = (output: string): string =>
  output.replace(
    /fatal error: all goroutines are asleep - deadlock!\n[\s\S]*github\.com\/evanw\/esbuild[\s\S]*$/,
    '',
  );

describe('serverless invoke local', () => {
  it('runs the notifier on a sample event and prints the alert it would publish', async () => {
    const { code, output } = await invokeLocal(
      ['-f', 'notifier', '-p', 'events/attach-user-policy-admin.json'],
      OFFLINE,
    );
    expect(output).toContain('Subject: [HIGH] AdministratorAccess attached to IAM user malicious-iam-user');
    expect(output).toContain('Attributes: severity=high severityRank=3 category=permissions family=Attach');
    expect(code).toBe(0);
  }, 160_000);

  it('fails a bad configuration in one line and exits 1, for either function', async () => {
    const notifier = await invokeLocal(['-f', 'notifier', '-p', 'events/create-role.json'], {
      ...OFFLINE,
      ALERT_TOPIC_ARN: 'not-a-topic',
    });
    expect(notifier.code).toBe(1);
    expect(withoutEsbuildPanic(notifier.output)).toBe(
      "ConfigError: ALERT_TOPIC_ARN is not an SNS topic ARN: 'not-a-topic'\n",
    );
    const forwarder = await invokeLocal(['-f', 'forwarder', '-p', 'events/sns/attach-admin-policy.json'], {
      ...OFFLINE,
      SLACK_WEBHOOK_URL: 'http://hooks.slack.com/services/T/B/secret',
    });
    expect(forwarder.code).toBe(1);
    expect(withoutEsbuildPanic(forwarder.output)).toBe(
      'ConfigError: SLACK_WEBHOOK_URL must be an https:// URL\n',
    );
  }, 160_000);

  describe('the forwarder, with Slack and Jira from the shell', () => {
    const jiraAuth = { email: 'dev@example.com', token: 'local-token', projectKey: 'SEC' };
    let slack: SlackServer;
    let jira: JiraServer;
    beforeAll(async () => {
      [slack, jira] = await Promise.all([startSlackServer(), startJiraServer(jiraAuth)]);
    });
    afterAll(() => Promise.all([slack.close(), jira.close()]));

    it('delivers to Slack each time and opens exactly one Jira issue per eventID', async () => {
      const env = {
        ...OFFLINE,
        SLACK_WEBHOOK_URL: slack.url,
        JIRA_BASE_URL: jira.baseUrl,
        JIRA_EMAIL: jiraAuth.email,
        JIRA_API_TOKEN: jiraAuth.token,
        JIRA_PROJECT_KEY: jiraAuth.projectKey,
      };
      const first = await invokeLocal(['-f', 'forwarder', '-p', 'events/sns/attach-admin-policy.json'], env);
      expect(first.code).toBe(0);
      const again = await invokeLocal(['-f', 'forwarder', '-p', 'events/sns/attach-admin-policy.json'], env);
      expect(again.code).toBe(0);
      // Locally there is no idempotency table: Slack gets both deliveries, Jira's JQL check stops the second issue.
      expect(slack.accepted).toHaveLength(2);
      expect(jira.issues).toHaveLength(1);
      expect(first.output).not.toContain(jiraAuth.token);
    }, 320_000);

    it('fails loudly, naming the destination and status, when Jira rejects the credentials', async () => {
      const { code, output } = await invokeLocal(
        ['-f', 'forwarder', '-p', 'events/sns/trust-policy-external-account.json'],
        {
          ...OFFLINE,
          JIRA_BASE_URL: jira.baseUrl,
          JIRA_EMAIL: jiraAuth.email,
          JIRA_API_TOKEN: 'wrong-token',
          JIRA_PROJECT_KEY: jiraAuth.projectKey,
        },
      );
      expect(code).not.toBe(0);
      expect(output).toMatch(/Jira .*401/);
      expect(output).not.toContain('wrong-token');
    }, 160_000);
  });

  it('leaves nothing behind that a later package would ship (the .js bundles of invoke local)', async () => {
    const invoked = await invokeLocal(['-f', 'notifier', '-p', 'events/create-role.json'], OFFLINE);
    expect(invoked.code).toBe(0);
    const out = join(workDir, 'package-after-invoke');
    const run = await new Promise<number | null>((resolve, reject) => {
      const child = spawn(process.execPath, [SLS, 'package', '--package', out], {
        cwd: workDir,
        env: {
          ...process.env,
          AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
          AWS_SECRET_ACCESS_KEY: 'x',
          SLS_TELEMETRY_DISABLED: '1',
        },
        stdio: 'ignore',
      });
      child.on('error', reject);
      child.on('close', resolve);
    });
    expect(run).toBe(0);
    // The handler and its own chunks (code splitting), all .mjs: none of invoke local's .js files.
    for (const name of ['notifier', 'forwarder']) {
      const files = await listZip(join(out, `${name}.zip`));
      expect(files).toContain(`functions/${name}/handler.mjs`);
      expect(
        files.filter(
          (file) => !/^handler(\.chunks\/[\w-]+)?\.mjs$/.test(file.replace(`functions/${name}/`, '')),
        ),
      ).toEqual([]);
    }
  }, 160_000);
});
