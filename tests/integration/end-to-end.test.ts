// Both Lambdas wired as deployed, every AWS and SaaS peer a fake on 127.0.0.1 speaking its real wire protocol:
// CloudTrail event → notifier (IAM enrichment on) → SNS → the published message as SNS delivers it to a
// Lambda → forwarder → Slack and Jira.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import type { SNSEvent, SNSEventRecord } from 'aws-lambda';
import { createLambdaContext } from '../../scripts/lambda-context.js';
import { captureConsole } from '../helpers/console.js';
import { type FakeIamServer, startFakeIam } from '../helpers/iam-server.js';
import { type JiraServer, startJiraServer } from '../helpers/jira-server.js';
import { type SlackServer, startSlackServer } from '../helpers/slack-server.js';
import { type FakeSns, type ReceivedPublish, startFakeSns } from '../helpers/sns-server.js';

const ROOT = join(import.meta.dirname, '..', '..');
const TOPIC = 'arn:aws:sns:us-east-1:229654561268:iam-change-alerts-alerts';
const POLICY_ARN = 'arn:aws:iam::229654561268:policy/ci-deploy';
const JIRA = { email: 'secops@example.com', token: 'jira-token-e2e', projectKey: 'SEC' };

type Handler = (event: unknown, context: unknown) => Promise<unknown>;
let sns: FakeSns;
let iam: FakeIamServer;
let slack: SlackServer;
let jira: JiraServer;
let notifier: Handler;
let forwarder: Handler;
const savedEnv = { ...process.env };

/** The SNS → Lambda record SNS builds from a Publish: attributes become `{ Type, Value }`. */
const deliveredRecord = (publish: ReceivedPublish, messageId: string): SNSEventRecord => ({
  EventSource: 'aws:sns',
  EventVersion: '1.0',
  EventSubscriptionArn: `${TOPIC}:8a21d07d-5cb2-4c0e-9a3b-1d6a6a0d7e10`,
  Sns: {
    Type: 'Notification',
    MessageId: messageId,
    TopicArn: publish.topicArn ?? '',
    Subject: publish.subject ?? '',
    Message: publish.message,
    Timestamp: '2026-11-28T10:00:01.000Z',
    SignatureVersion: '1',
    Signature: 'EXAMPLE',
    SigningCertUrl: 'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-EXAMPLE.pem',
    UnsubscribeUrl: 'https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe',
    MessageAttributes: Object.fromEntries(
      Object.entries(publish.attributes).map(([name, attr]) => [
        name,
        { Type: attr.dataType, Value: attr.value },
      ]),
    ),
  },
});

beforeAll(async () => {
  [sns, iam, slack, jira] = await Promise.all([
    startFakeSns(),
    startFakeIam(),
    startSlackServer(),
    startJiraServer(JIRA),
  ]);
  iam.policies.set(POLICY_ARN, {
    name: 'ci-deploy',
    defaultVersionId: 'v3',
    versions: {
      v3: {
        document: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Action: ['iam:PassRole', 'lambda:CreateFunction', 'lambda:InvokeFunction'],
              Resource: '*',
            },
          ],
        }),
      },
    },
  });
  Object.assign(process.env, {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    AWS_ENDPOINT_URL_SNS: sns.endpoint,
    AWS_ENDPOINT_URL_IAM: iam.endpoint,
    ALERT_TOPIC_ARN: TOPIC,
    IAM_ENRICHMENT: 'on',
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    // Metrics are asserted in notifier.test.ts and forwarder-handler.test.ts; here they would only print.
    POWERTOOLS_METRICS_DISABLED: 'true',
    SLACK_WEBHOOK_URL: slack.url,
    SLACK_MIN_INTERVAL_MS: '0',
    JIRA_BASE_URL: jira.baseUrl,
    JIRA_EMAIL: JIRA.email,
    JIRA_API_TOKEN: JIRA.token,
    JIRA_PROJECT_KEY: JIRA.projectKey,
  });
  for (const key of ['IDEMPOTENCY_TABLE', 'SLACK_WEBHOOK_URL_PARAMETER', 'JIRA_API_TOKEN_PARAMETER'])
    delete process.env[key];
  // The forwarder logs its configuration once at cold start; keep test output clean.
  captureConsole();
  notifier = ((await import('../../functions/notifier/handler.js')) as unknown as { handler: Handler })
    .handler;
  forwarder = ((await import('../../functions/forwarder/handler.js')) as unknown as { handler: Handler })
    .handler;
});

afterAll(async () => {
  jest.restoreAllMocks();
  process.env = savedEnv;
  await Promise.all([sns.close(), iam.close(), slack.close(), jira.close()]);
});

describe('CloudTrail event to Slack and Jira', () => {
  it('says what a customer-managed policy grants, in e-mail, Slack and one Jira issue', async () => {
    const event = JSON.parse(readFileSync(join(ROOT, 'events/attach-user-policy-admin.json'), 'utf8'));
    event.detail.requestParameters.policyArn = POLICY_ARN;

    await notifier(event, createLambdaContext('notifier'));

    // The notifier fetched the policy through the IAM wire protocol.
    expect(iam.requests.map((r) => r.action)).toEqual(
      expect.arrayContaining(['GetPolicy', 'GetPolicyVersion']),
    );
    expect(sns.received).toHaveLength(1);
    const publish = sns.received[0] as ReceivedPublish;
    expect(publish.subject).toMatch(/^\[HIGH\] ci-deploy attached to IAM user malicious-iam-user/);
    expect(publish.message).toContain('iam:PassRole');

    const delivered: SNSEvent = { Records: [deliveredRecord(publish, 'e2e-1')] };
    await forwarder(delivered, createLambdaContext('forwarder'));
    // SNS delivers at least once: the same message again must not open a second issue.
    await forwarder(structuredClone(delivered), createLambdaContext('forwarder'));

    // No idempotency table here: the container's in-memory attempt marks stop the repeat (another container
    // would post again: the documented local limit).
    expect(slack.accepted).toHaveLength(1);
    expect(JSON.stringify(slack.accepted[0])).toContain('iam:PassRole');
    expect(jira.issues).toHaveLength(1);
    expect(jira.issues[0]?.fields).toMatchObject({
      project: { key: 'SEC' },
      summary: expect.stringMatching(/ci-deploy attached to IAM user malicious-iam-user/),
      labels: expect.arrayContaining([`ct-${event.detail.eventID}`]),
    });
  });

  it('still alerts when the policy cannot be read, with a note saying why', async () => {
    sns.received.length = 0;
    iam.fail({ action: 'GetPolicy', code: 'AccessDenied', times: 5 });
    const event = JSON.parse(readFileSync(join(ROOT, 'events/attach-user-policy-admin.json'), 'utf8'));
    event.detail.eventID = 'e2e-access-denied-0001';
    event.detail.requestParameters.policyArn = 'arn:aws:iam::229654561268:policy/unreadable';

    await notifier(event, createLambdaContext('notifier'));

    expect(sns.received).toHaveLength(1);
    const alert = JSON.parse(sns.received[0]?.attributes.alert?.value ?? '{}') as { notes: string[] };
    expect(alert.notes.join('\n')).toMatch(/AccessDenied/);
    expect(sns.received[0]?.message).toContain('Notes');
  });
});
