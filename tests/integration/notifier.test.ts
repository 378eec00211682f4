// The exported middy handler, with the real SNS client speaking SNS's wire protocol to a fake on 127.0.0.1.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLambdaContext } from '../../scripts/lambda-context.js';
import type { Alert } from '../../shared/domain/types.js';
import { type FakeSns, startFakeSns } from '../helpers/sns-server.js';

const EVENTS_DIR = join(import.meta.dirname, '..', '..', 'events');
const TOPIC = 'arn:aws:sns:us-east-1:123456789012:iam-change-alerts-alerts';
const loadEvent = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(join(EVENTS_DIR, name), 'utf8')) as Record<string, unknown>;

let sns: FakeSns;
let handler: (event: unknown, context: unknown) => Promise<unknown>;

beforeAll(async () => {
  sns = await startFakeSns();
  Object.assign(process.env, {
    ALERT_TOPIC_ARN: TOPIC,
    AWS_ENDPOINT_URL_SNS: sns.endpoint,
    AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    AWS_REGION: 'us-east-1',
    IAM_ENRICHMENT: 'off',
    POWERTOOLS_LOG_LEVEL: 'SILENT',
  });
  ({ handler } = (await import('../../functions/notifier/handler.js')) as unknown as {
    handler: typeof handler;
  });
});

afterAll(() => sns.close());

beforeEach(() => {
  sns.received.length = 0;
  sns.requests = 0;
  sns.answers.length = 0;
});

const invoke = (event: unknown) => handler(event, createLambdaContext('notifier'));

describe('notifier handler', () => {
  it('publishes one signed, String-structured message with filter attributes and the JSON alert', async () => {
    const event = loadEvent('attach-user-policy-admin.json');
    await invoke(event);

    expect(sns.received).toHaveLength(1);
    const [publish] = sns.received;
    expect(publish?.topicArn).toBe(TOPIC);
    expect(publish?.messageStructure).toBeUndefined();
    expect(publish?.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE\/\d{8}\/us-east-1\/sns\/aws4_request/,
    );
    expect(publish?.subject).toMatch(
      /^\[HIGH\] AdministratorAccess attached to IAM user malicious-iam-user by christophe/,
    );
    expect(publish?.message).toMatch(
      /^HIGH {2}AdministratorAccess attached to IAM user malicious-iam-user\n/,
    );

    const attributes = publish?.attributes ?? {};
    expect(Object.keys(attributes).sort()).toEqual(
      ['account', 'alert', 'category', 'eventName', 'family', 'severity', 'severityRank'].sort(),
    );
    expect(attributes.eventName).toEqual({ dataType: 'String', value: 'AttachUserPolicy' });
    expect(attributes.family).toEqual({ dataType: 'String', value: 'Attach' });
    expect(attributes.category).toEqual({ dataType: 'String', value: 'permissions' });
    expect(attributes.severityRank?.dataType).toBe('Number');
    const alert = JSON.parse(attributes.alert?.value ?? '{}') as Alert;
    expect(alert.schema).toBe('iam-change-alerts/alert@1');
    expect(alert.eventId).toBe((event.detail as { eventID: string }).eventID);
    expect(attributes.severity?.value).toBe(alert.severity);
    expect(attributes.account?.value).toBe(
      (event.detail as { recipientAccountId: string }).recipientAccountId,
    );
  });

  it('publishes every sample event', async () => {
    const files = readdirSync(EVENTS_DIR).filter((f) => f.endsWith('.json'));
    for (const file of files) await invoke(loadEvent(file));
    expect(sns.received).toHaveLength(files.length);
    const severities = sns.received.map((p) => p.attributes.severity?.value);
    expect(severities).toContain('critical');
    expect(severities).toContain('info');
  });

  it('retries SNS throttling and server errors, then succeeds', async () => {
    sns.answers.push('throttle', 'internal-error');
    await invoke(loadEvent('create-role.json'));
    expect(sns.requests).toBe(3);
    expect(sns.received).toHaveLength(1);
  });

  it('fails the invocation when SNS keeps failing, so Lambda retries and the on-failure destination keeps the event', async () => {
    sns.answers.push(
      'internal-error',
      'internal-error',
      'internal-error',
      'internal-error',
      'internal-error',
    );
    await expect(invoke(loadEvent('create-role.json'))).rejects.toMatchObject({
      name: 'PublishError',
      message: expect.stringContaining(TOPIC),
    });
    expect(sns.requests).toBe(4);
    expect(sns.received).toHaveLength(0);
  });

  it('rejects input that is not a CloudTrail record, naming the field, without publishing', async () => {
    const event = loadEvent('create-role.json');
    const broken = { ...event, detail: { ...(event.detail as object), eventName: undefined } };
    await expect(invoke(broken)).rejects.toMatchObject({
      name: 'InvalidEventError',
      field: 'detail.eventName',
    });
    expect(sns.requests).toBe(0);
  });
});
