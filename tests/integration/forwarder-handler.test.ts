// The exported middy handler as deployed: secrets from SSM (Powertools parameters) and idempotency records in
// DynamoDB (Powertools DynamoDBPersistenceLayer), with the real SDK clients pointed at a fake AWS endpoint.
import { jest } from '@jest/globals';
import type { Context, SNSEvent } from 'aws-lambda';
import { attachAdminAlert, trustPolicyAlert } from '../helpers/alerts.js';
import { type AwsServer, isSaveSuccess, startAwsServer } from '../helpers/aws-server.js';
import { captureConsole } from '../helpers/console.js';
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
/** The EMF metric lines logged since `from`. */
const metricLines = (from: number): Record<string, unknown>[] =>
  logs
    .slice(from)
    .filter((line) => line.includes('"CloudWatchMetrics"'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
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
    // Dev mode turns metrics off; on here, their EMF lines go to the captured console like the logs.
    POWERTOOLS_METRICS_DISABLED: 'false',
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
    // A hung DynamoDB costs 3 attempts of this.
    AWS_CALL_TIMEOUT_MS: '400',
  });
  delete process.env.SLACK_WEBHOOK_URL;
  delete process.env.JIRA_API_TOKEN;
  captureConsole(logs);
  ({ handler } = (await import('../../functions/forwarder/handler.js')) as unknown as {
    handler: typeof handler;
  });
});

// Each test starts from empty fakes and its own eventIDs, so it passes alone and in any order. Two things are
// container state and stay: the SSM cache (warm container) and the cold-start log line.
beforeEach(() => {
  slack.requests.length = 0;
  slack.accepted.length = 0;
  jira.requests.length = 0;
  jira.issues.length = 0;
  jira.setIndexImmediately(true);
  aws.tables.clear();
  aws.faults.length = 0;
});

/** A minute later, when Lambda retries: the in-progress records of the failed invocation have expired. */
const expireInProgressRecords = (): void => {
  for (const item of aws.tables.get(TABLE)?.values() ?? []) {
    if (item.status?.S === 'INPROGRESS') item.in_progress_expiration = { N: '0' };
  }
};
const isMarkDelivered = (body: Record<string, unknown>): boolean =>
  JSON.stringify(body.ExpressionAttributeValues ?? {}).includes('":result"');

afterAll(async () => {
  jest.restoreAllMocks();
  process.env = savedEnv;
  await Promise.all([aws.close(), slack.close(), jira.close()]);
});

describe('forwarder handler (deployed configuration)', () => {
  it('delivers once per eventID even when Jira search has not indexed the first issue yet', async () => {
    // Arrange: Jira search lags, so only the idempotency record can stop a second issue.
    jira.setIndexImmediately(false);
    const event = snsEvent(snsRecord(attachAdminAlert({ eventId: '7a1e0001-0000-4000-8000-000000000001' })));
    const from = logs.length;
    // Act: SNS delivers the same message twice.
    await handler(event, lambdaContext());
    await handler(structuredClone(event), lambdaContext());
    // Assert
    expect(slack.accepted).toHaveLength(1);
    expect(jira.issues).toHaveLength(1);
    expect(jira.issues[0]?.fields).toMatchObject({ issuetype: { name: 'Bug' }, priority: { name: 'High' } });
    const items = [...(aws.tables.get(TABLE)?.values() ?? [])];
    const records = items.filter((item) => item.status !== undefined);
    expect(records).toHaveLength(2);
    // Beside each Powertools record, the attempt mark with the delivery's result.
    const marks = items.filter((item) => item.status === undefined);
    expect(marks.map((mark) => mark.id?.S?.replace(/#.*/, '')).sort()).toEqual([
      'iam-alerts-forwarder-jira-attempt',
      'iam-alerts-forwarder-slack-attempt',
    ]);
    for (const mark of marks) expect(mark.result?.S).toMatch(/^\{/);
    for (const record of records) {
      expect(record.status?.S).toBe('COMPLETED');
      expect(Number(record.expiration?.N)).toBeGreaterThan(Date.now() / 1000 + 6 * 24 * 3600);
      expect(record.id?.S).toMatch(/^iam-alerts-forwarder-(slack|jira)#[A-Za-z0-9+/]{22}==$/);
    }
    // Both deliveries count as forwarded; the second one's two destinations count as repeats skipped.
    const metrics = metricLines(from);
    expect(metrics.filter((line) => line.alertsForwarded === 1)).toHaveLength(2);
    expect(metrics.filter((line) => 'repeatsSkipped' in line)).toEqual([
      expect.objectContaining({ repeatsSkipped: 2, service: 'iam-change-alerts-forwarder' }),
    ]);
  });

  it('reads each secret from SSM with decryption, once per warm container', async () => {
    // Act: two deliveries of two alerts (the first SSM read happens here unless another test ran before).
    await handler(
      snsEvent(snsRecord(attachAdminAlert({ eventId: '7a1e0002-0000-4000-8000-000000000001' }))),
      lambdaContext(),
    );
    await handler(
      snsEvent(snsRecord(attachAdminAlert({ eventId: '7a1e0002-0000-4000-8000-000000000002' }))),
      lambdaContext(),
    );
    // Assert: over the whole container, exactly one read per parameter, both decrypted.
    expect(slack.accepted).toHaveLength(2);
    const reads = aws.calls
      .filter((call) => call.target === 'AmazonSSM.GetParameter')
      .map((call) => call.body)
      .sort((a, b) => String(a.Name).localeCompare(String(b.Name)));
    expect(reads).toEqual([
      { Name: '/iam-change-alerts/jira-api-token', WithDecryption: true },
      { Name: '/iam-change-alerts/slack-webhook-url', WithDecryption: true },
    ]);
  });

  it('on a retry after a Slack failure, posts to Slack again but does not touch Jira', async () => {
    // Arrange
    const event = snsEvent(snsRecord(trustPolicyAlert({ eventId: '7a1e0003-0000-4000-8000-000000000001' })));
    slack.script({ kind: 'status', status: 400, body: 'invalid_blocks' });
    // Act + Assert: first delivery fails loudly, the Jira issue is already open.
    await expect(handler(event, lambdaContext())).rejects.toMatchObject({
      name: 'WebhookError',
      status: 400,
    });
    expect(slack.accepted).toHaveLength(0);
    expect(jira.issues).toHaveLength(1);
    const jiraCalls = jira.requests.length;
    // Lambda's retry: Slack gets the message, Jira is skipped by its idempotency record.
    await handler(event, lambdaContext());
    expect(slack.accepted).toHaveLength(1);
    expect(jira.requests).toHaveLength(jiraCalls);
    expect(jira.issues).toHaveLength(1);
  });

  it('logs the failure once at the boundary and never logs a secret', async () => {
    // Arrange: only this test's lines are counted (the cold-start line was logged once, in beforeAll).
    const from = logs.length;
    slack.script({ kind: 'status', status: 400, body: 'invalid_blocks' });
    // Act
    await expect(
      handler(
        snsEvent(snsRecord(attachAdminAlert({ eventId: '7a1e0004-0000-4000-8000-000000000001' }))),
        lambdaContext(),
      ),
    ).rejects.toMatchObject({ name: 'WebhookError' });
    // Assert
    const lines = logs.slice(from);
    const errors = lines.filter((line) => line.includes('forwarding failed'));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain('Slack webhook answered 400: invalid_blocks');
    expect(JSON.parse(errors[0] ?? '{}')).toMatchObject({
      level: 'ERROR',
      eventId: '7a1e0004-0000-4000-8000-000000000001',
      kind: 'WebhookError',
    });
    expect(metricLines(from)).toEqual([expect.objectContaining({ failures: 1, kind: 'WebhookError' })]);
    expect(logs.filter((line) => line.includes('forwarder configured'))).toHaveLength(1);
    const all = logs.join('\n');
    expect(all).not.toContain(slack.url);
    expect(all).not.toContain('/services/T000');
    expect(all).not.toContain(JIRA.token);
  });

  it('does not post or create again when the "save success" write fails after delivery (attempt mark holds)', async () => {
    // Arrange: Powertools' COMPLETED writes fail (every SDK attempt, both destinations); the marks still work.
    aws.faults.push(
      ...Array.from({ length: 6 }, () => ({
        target: 'DynamoDB_20120810.UpdateItem',
        when: isSaveSuccess,
        kind: 'error' as const,
      })),
    );
    const event = snsEvent(snsRecord(attachAdminAlert({ eventId: '7a1e0005-0000-4000-8000-000000000001' })));
    // Act: the first invocation delivers, then fails on the write; Lambda retries it later.
    await expect(handler(event, lambdaContext())).rejects.toThrow(
      /idempotency store|every destination failed/,
    );
    expect(slack.accepted).toHaveLength(1);
    expect(jira.issues).toHaveLength(1);
    expireInProgressRecords();
    await handler(event, lambdaContext());
    // Assert: exactly one message and one issue.
    expect(slack.accepted).toHaveLength(1);
    expect(jira.issues).toHaveLength(1);
  });

  it('when every write after delivery fails: Jira search finds the issue, the webhook re-post says it may repeat', async () => {
    // Arrange: DynamoDB fails every write that would record the delivery (Powertools record and attempt mark).
    aws.faults.push(
      ...Array.from({ length: 12 }, () => ({
        target: 'DynamoDB_20120810.UpdateItem',
        when: (body: Record<string, unknown>) => isSaveSuccess(body) || isMarkDelivered(body),
        kind: 'error' as const,
      })),
    );
    const event = snsEvent(snsRecord(attachAdminAlert({ eventId: '7a1e0006-0000-4000-8000-000000000001' })));
    await expect(handler(event, lambdaContext())).rejects.toThrow();
    aws.faults.length = 0;
    expireInProgressRecords();
    // Act: Lambda's retry.
    await handler(event, lambdaContext());
    // Assert: one issue (found by label); a second Slack message, marked as a possible repeat.
    expect(jira.issues).toHaveLength(1);
    expect(slack.accepted).toHaveLength(2);
    const second = slack.accepted[1] as { text: string; blocks: { elements?: { text: string }[] }[] };
    expect(second.text).toMatch(/^\(possible repeat\) /);
    expect(second.blocks.at(-1)?.elements?.[0]?.text).toContain('Possible repeat');
  });

  it('fails within the configured AWS timeout when DynamoDB never answers, and logs it once', async () => {
    // Arrange: DynamoDB accepts the connection and never answers (every attempt).
    aws.faults.push(
      ...Array.from({ length: 6 }, () => ({ target: 'DynamoDB_20120810.PutItem', kind: 'hang' as const })),
    );
    const from = logs.length;
    const started = Date.now();
    // Act
    await expect(
      handler(
        snsEvent(snsRecord(attachAdminAlert({ eventId: '7a1e0007-0000-4000-8000-000000000001' }))),
        lambdaContext(),
      ),
    ).rejects.toThrow();
    // Assert: 3 attempts × 400 ms and backoff, far inside the 30 s of the context; one error line with the eventID.
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(slack.accepted).toHaveLength(0);
    expect(jira.issues).toHaveLength(0);
    const errors = logs.slice(from).filter((line) => line.includes('forwarding failed'));
    expect(errors).toHaveLength(1);
    expect(JSON.parse(errors[0] ?? '{}')).toMatchObject({
      level: 'ERROR',
      message: 'forwarding failed',
      eventId: '7a1e0007-0000-4000-8000-000000000001',
      reason: expect.stringContaining('exceeded the configured 400 ms requestTimeout'),
    });
  });
});
