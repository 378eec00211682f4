// The exported middy handler as `serverless invoke local` runs it: plain secrets from the environment (they
// win over the *_PARAMETER names the deployed environment also sets) and no idempotency table.
import { jest } from '@jest/globals';
import type { Context, SNSEvent } from 'aws-lambda';
import { attachAdminAlert } from '../helpers/alerts.js';
import { captureConsole } from '../helpers/console.js';
import { type JiraServer, startJiraServer } from '../helpers/jira-server.js';
import { type SlackServer, startSlackServer } from '../helpers/slack-server.js';
import { lambdaContext, snsEvent, snsRecord } from '../helpers/sns-event.js';

const JIRA = { email: 'dev@example.com', token: 'local-jira-token', projectKey: 'SECDEV' };

let slack: SlackServer;
let jira: JiraServer;
let handler: (event: SNSEvent, context: Context) => Promise<void>;
const logs: string[] = [];
const savedEnv = { ...process.env };

beforeAll(async () => {
  [slack, jira] = await Promise.all([startSlackServer(), startJiraServer(JIRA)]);
  Object.assign(process.env, {
    POWERTOOLS_DEV: 'true',
    SLACK_WEBHOOK_URL: slack.url,
    SLACK_WEBHOOK_URL_PARAMETER: '/iam-change-alerts/slack-webhook-url',
    JIRA_BASE_URL: `${jira.baseUrl}/`,
    JIRA_EMAIL: JIRA.email,
    JIRA_API_TOKEN: JIRA.token,
    JIRA_PROJECT_KEY: JIRA.projectKey,
    SLACK_MIN_INTERVAL_MS: '0',
  });
  delete process.env.IDEMPOTENCY_TABLE;
  delete process.env.JIRA_API_TOKEN_PARAMETER;
  delete process.env.JIRA_ISSUE_TYPE;
  captureConsole(logs);
  ({ handler } = (await import('../../functions/forwarder/handler.js')) as unknown as {
    handler: typeof handler;
  });
});

afterAll(async () => {
  jest.restoreAllMocks();
  process.env = savedEnv;
  await Promise.all([slack.close(), jira.close()]);
});

describe('forwarder handler (local configuration)', () => {
  it('guards Jira with the JQL check alone, and says so once', async () => {
    const event = snsEvent(snsRecord(attachAdminAlert()));
    await handler(event, lambdaContext());
    await handler(structuredClone(event), lambdaContext());
    expect(jira.issues).toHaveLength(1);
    expect(jira.issues[0]?.fields).toMatchObject({ issuetype: { name: 'Task' } });
    expect(jira.issues[0]?.fields).not.toHaveProperty('priority');
    // Without a table only this process remembers the Slack post (in-memory attempt marks): a second container
    // would post again, the documented local limitation.
    expect(slack.accepted).toHaveLength(1);
    const configured = logs.filter((line) => line.includes('forwarder configured'));
    expect(configured).toHaveLength(1);
    expect(configured[0]).toContain(
      'only the JQL search (eventually consistent) guards against a second Jira issue',
    );
    expect(configured[0]).toContain(
      'SLACK_WEBHOOK_URL is set: using it and ignoring SLACK_WEBHOOK_URL_PARAMETER',
    );
    expect(logs.join('\n')).not.toContain(JIRA.token);
    expect(logs.join('\n')).not.toContain(slack.url);
  });
});
