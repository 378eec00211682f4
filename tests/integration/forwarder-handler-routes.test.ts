// The exported handler as deployed with ALERT_RULES (issue 12): a route's Slack webhook read from its own SSM
// parameter, and an SQS batch from the grouped alerts' queue answered with `batchItemFailures`.
import type { Context, SNSEvent, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { compileRules, type RulesConfig } from '../../shared/domain/rules/model.js';
import { attachAdminAlert } from '../helpers/alerts.js';
import { type AwsServer, startAwsServer } from '../helpers/aws-server.js';
import { captureConsole } from '../helpers/console.js';
import { type JiraServer, startJiraServer } from '../helpers/jira-server.js';
import { type SlackServer, startSlackServer } from '../helpers/slack-server.js';
import { lambdaContext, snsEvent, snsRecord } from '../helpers/sns-event.js';
import { sqsEvent, sqsRecord } from '../helpers/sqs-event.js';

const JIRA = { email: 'secops@example.com', token: 'jira-token-from-ssm', projectKey: 'SEC' };
const RULES: RulesConfig = {
  suppress: [],
  routes: [
    {
      name: 'prod',
      match: { account: ['111122223333'] },
      slack: '/iam-change-alerts/slack/prod',
      jira: { project: 'SECPROD' },
    },
  ],
  grouping: { windowSeconds: 300, maxSeverity: 'medium' },
};

let aws: AwsServer;
let slack: SlackServer;
let prodSlack: SlackServer;
let jira: JiraServer;
let handler: (event: SNSEvent | SQSEvent, context: Context) => Promise<SQSBatchResponse | undefined>;
const logs: string[] = [];
const savedEnv = { ...process.env };

beforeAll(async () => {
  [aws, slack, prodSlack, jira] = await Promise.all([
    startAwsServer(),
    startSlackServer(),
    startSlackServer(),
    startJiraServer({ ...JIRA, otherProjects: ['SECPROD'] }),
  ]);
  aws.parameters.set('/iam-change-alerts/slack-webhook-url', slack.url);
  aws.parameters.set('/iam-change-alerts/slack/prod', prodSlack.url);
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
    IDEMPOTENCY_TABLE: 'iam-change-alerts-forwarder-idempotency',
    SLACK_MIN_INTERVAL_MS: '0',
    FORWARDER_MINIMUM_SEVERITY: 'medium',
    ALERT_RULES: compileRules(RULES),
  });
  delete process.env.SLACK_WEBHOOK_URL;
  delete process.env.JIRA_API_TOKEN;
  captureConsole(logs);
  ({ handler } = (await import('../../functions/forwarder/handler.js')) as unknown as {
    handler: typeof handler;
  });
});

afterAll(async () => {
  process.env = savedEnv;
  await Promise.all([aws.close(), slack.close(), prodSlack.close(), jira.close()]);
});

const session = 'arn:aws:sts::111122223333:assumed-role/terraform-deploy/ci-9';
const grouped = (n: number) =>
  attachAdminAlert({
    eventId: `9a000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    eventName: 'CreateRole',
    severity: 'low',
    account: '111122223333',
    eventTime: `2026-11-01T10:0${Math.floor(n / 10)}:${String((n % 10) * 5).padStart(2, '0')}Z`,
    title: `IAM role app-${n} created`,
  });

describe('forwarder handler with routes (deployed configuration)', () => {
  it("posts a route's alert with the webhook of the route's own SSM parameter and opens it in the route's project", async () => {
    const alert = attachAdminAlert({
      eventId: '9b000000-0000-4000-8000-000000000001',
      account: '111122223333',
    });
    await handler(snsEvent(snsRecord(alert, 'm-prod', { routes: ['prod'], group: null })), lambdaContext());
    expect(prodSlack.accepted).toHaveLength(1);
    expect(slack.accepted).toHaveLength(0);
    expect(jira.issues.map((issue) => issue.key)).toEqual(['SECPROD-1']);
    const reads = aws.calls
      .filter((call) => call.target === 'AmazonSSM.GetParameter')
      .map((call) => call.body as { Name: string; WithDecryption: boolean });
    expect(reads).toContainEqual(
      expect.objectContaining({ Name: '/iam-change-alerts/slack/prod', WithDecryption: true }),
    );
    expect(logs.join('\n')).toContain('prod: Slack route prod (alerts.yml), Jira SECPROD');
  });

  it('answers an SQS batch with the failed messages only, and posts one message per burst', async () => {
    // Arrange: 12 alerts of one session for route prod; prod's Slack refuses once, so that burst fails.
    const records = Array.from({ length: 12 }, (_, n) =>
      sqsRecord(grouped(n), { routes: ['prod'], group: `111122223333 ${session}` }),
    );
    prodSlack.script(
      { kind: 'status', status: 500, body: 'internal_error' },
      ...Array(4).fill({ kind: 'status', status: 500, body: 'internal_error' }),
    );
    const before = prodSlack.accepted.length;
    // Act
    const failed = await handler(sqsEvent(...records), lambdaContext());
    // Assert: every message of the burst goes back to the queue; none was posted.
    expect(failed?.batchItemFailures.map((item) => item.itemIdentifier).sort()).toEqual(
      records.map((record) => record.messageId).sort(),
    );
    expect(prodSlack.accepted.length).toBe(before);
    // Act: the retry (same messages, Slack back): one post for the 12 alerts, Jira not opened twice.
    const retried = await handler(sqsEvent(...records), lambdaContext());
    expect(retried).toEqual({ batchItemFailures: [] });
    expect(prodSlack.accepted.length).toBe(before + 1);
    expect(JSON.stringify(prodSlack.accepted.at(-1))).toContain('Burst of 12 changes');
    expect(jira.issues.filter((issue) => JSON.stringify(issue.fields).includes('Burst:'))).toHaveLength(1);
  });
});
