// The exported middy handler as deployed: secrets from SSM (Powertools parameters) and idempotency records in
// DynamoDB (Powertools DynamoDBPersistenceLayer), with the real SDK clients pointed at a fake AWS endpoint.
import { jest } from '@jest/globals';
import type { Context, SNSEvent } from 'aws-lambda';
import { attachAdminAlert, trustPolicyAlert } from '../helpers/alerts.js';
import { type AwsServer, startAwsServer } from '../helpers/aws-server.js';
import { type JiraServer, startJiraServer } from '../helpers/jira-server.js';
import { type SlackServer, startSlackServer } from '../helpers/slack-server.js';
import { lambdaContext, snsEvent, snsRecord } from '../helpers/sns-event.js';

const JIRA = { email: 'secops@example.com', token: 'jira-token-from-ssm', projectKey: 'SEC' };
const TABLE = 'iam-change-alerts-forwarder-idempotency';

let aws: AwsServer;
let slack: SlackServer;
let jira: JiraServer;
let handler: (event: SNSEvent, context: Context) => Promise<void>;
const logs: string[] = [];
const savedEnv = { ...process.env };

beforeAll(async () => {
  [aws, slack, jira] = await Promise.all([startAwsServer(), startSlackServer(), startJiraServer(JIRA)]);
  aws.parameters.set('/iam-change-alerts/slack-webhook-url', slack.url);
  aws.parameters.set('/iam-change-alerts/jira-api-token', JIRA.token);
  Object.assign(process.env, {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    AWS_ENDPOINT_URL_DYNAMODB: aws.endpoint,
    AWS_ENDPOINT_URL_SSM: aws.endpoint,
    POWERTOOLS_DEV: 'true',
    SLACK_WEBHOOK_URL_PARAMETER: '/iam-change-alerts/slack-webhook-url',
    JIRA_BASE_URL: jira.baseUrl,
    JIRA_EMAIL: JIRA.email,
    JIRA_API_TOKEN_PARAMETER: '/iam-change-alerts/jira-api-token',
    JIRA_PROJECT_KEY: 'SEC',
    JIRA_ISSUE_TYPE: 'Bug',
    JIRA_PRIORITY_MAP: '{"critical":"Highest","high":"High"}',
    IDEMPOTENCY_TABLE: TABLE,
    // Real time passes in this file: no 1 s spacing between the test's posts.
    SLACK_MIN_INTERVAL_MS: '0',
  });
  delete process.env.SLACK_WEBHOOK_URL;
  delete process.env.JIRA_API_TOKEN;
  for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
    jest.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      logs.push(args.map(String).join(' '));
    });
  }
  ({ handler } = (await import('../../functions/forwarder/handler.js')) as unknown as {
    handler: typeof handler;
  });
});

afterAll(async () => {
  jest.restoreAllMocks();
  process.env = savedEnv;
  await Promise.all([aws.close(), slack.close(), jira.close()]);
});

describe('forwarder handler (deployed configuration)', () => {
  it('delivers once per eventID even when Jira search has not indexed the first issue yet', async () => {
    // Arrange: Jira search lags, so only the idempotency record can stop a second issue.
    jira.setIndexImmediately(false);
    const event = snsEvent(snsRecord(attachAdminAlert()));
    // Act: SNS delivers the same message twice.
    await handler(event, lambdaContext());
    await handler(structuredClone(event), lambdaContext());
    // Assert
    expect(slack.accepted).toHaveLength(1);
    expect(jira.issues).toHaveLength(1);
    expect(jira.issues[0]?.fields).toMatchObject({ issuetype: { name: 'Bug' }, priority: { name: 'High' } });
    const records = [...(aws.tables.get(TABLE)?.values() ?? [])];
    expect(records).toHaveLength(2);
    for (const record of records) {
      expect(record.status?.S).toBe('COMPLETED');
      expect(Number(record.expiration?.N)).toBeGreaterThan(Date.now() / 1000 + 6 * 24 * 3600);
      expect(record.id?.S).toMatch(/^iam-alerts-forwarder-(slack|jira)#[A-Za-z0-9+/]{22}==$/);
    }
  });

  it('reads each secret from SSM with decryption, once per warm container', () => {
    const reads = aws.calls.filter((call) => call.target === 'AmazonSSM.GetParameter');
    expect(reads.map((call) => call.body)).toEqual(
      expect.arrayContaining([
        { Name: '/iam-change-alerts/slack-webhook-url', WithDecryption: true },
        { Name: '/iam-change-alerts/jira-api-token', WithDecryption: true },
      ]),
    );
    expect(reads).toHaveLength(2);
  });

  it('on a retry after a Slack failure, posts to Slack again but does not touch Jira', async () => {
    // Arrange
    const event = snsEvent(snsRecord(trustPolicyAlert()));
    slack.script({ kind: 'status', status: 400, body: 'invalid_blocks' });
    // Act + Assert: first delivery fails loudly, the Jira issue is already open.
    await expect(handler(event, lambdaContext())).rejects.toMatchObject({
      name: 'WebhookError',
      status: 400,
    });
    expect(jira.issues).toHaveLength(2);
    const jiraCalls = jira.requests.length;
    // Lambda's retry: Slack gets the message, Jira is skipped by its idempotency record.
    await handler(event, lambdaContext());
    expect(slack.accepted).toHaveLength(2);
    expect(jira.requests).toHaveLength(jiraCalls);
    expect(jira.issues).toHaveLength(2);
  });

  it('logs the failure once at the boundary and never logs a secret', () => {
    const errors = logs.filter((line) => line.includes('forwarding failed'));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain('Slack webhook answered 400: invalid_blocks');
    const all = logs.join('\n');
    expect(all).toContain('forwarder configured');
    expect(all).not.toContain(slack.url);
    expect(all).not.toContain('/services/T000');
    expect(all).not.toContain(JIRA.token);
  });
});
