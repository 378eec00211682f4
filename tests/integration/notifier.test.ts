// The exported middy handler, with the real SNS client speaking SNS's wire protocol to a fake on 127.0.0.1.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import { createLambdaContext } from '../../scripts/lambda-context.js';
import type { Alert } from '../../shared/domain/types.js';
import { type FakeSns, startFakeSns } from '../helpers/sns-server.js';

const EVENTS_DIR = join(import.meta.dirname, '..', '..', 'events');
const TOPIC = 'arn:aws:sns:us-east-1:123456789012:iam-change-alerts-alerts';
const loadEvent = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(join(EVENTS_DIR, name), 'utf8')) as Record<string, unknown>;

let sns: FakeSns;
let handler: (event: unknown, context: unknown) => Promise<unknown>;
// Powertools writes logs and EMF metrics as JSON lines (errors on stderr): collected here, parsed per test.
let output: string[] = [];
const lines = (): Record<string, unknown>[] =>
  output
    .flatMap((chunk) => chunk.split('\n'))
    .flatMap((line) => (line.startsWith('{') ? [JSON.parse(line)] : []));
const metricValues = (name: string) => lines().filter((line) => name in line);

beforeAll(async () => {
  sns = await startFakeSns();
  Object.assign(process.env, {
    ALERT_TOPIC_ARN: TOPIC,
    AWS_ENDPOINT_URL_SNS: sns.endpoint,
    AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    AWS_REGION: 'us-east-1',
    IAM_ENRICHMENT: 'off',
    POWERTOOLS_LOG_LEVEL: 'ERROR',
  });
  for (const stream of [process.stdout, process.stderr]) {
    jest.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
      output.push(String(chunk));
      return true;
    });
  }
  ({ handler } = (await import('../../functions/notifier/handler.js')) as unknown as {
    handler: typeof handler;
  });
});

afterAll(() => {
  jest.restoreAllMocks();
  return sns.close();
});

beforeEach(() => {
  output = [];
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
    // One error line at the boundary, with the event's id and why; one failure counted by kind.
    const errors = lines().filter((line) => line.level === 'ERROR');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({
      message: 'alert not published',
      eventId: (loadEvent('create-role.json').detail as { eventID: string }).eventID,
      kind: 'PublishError',
      reason: expect.stringContaining('PublishError: SNS Publish to'),
    });
    expect(metricValues('failures')).toEqual([
      expect.objectContaining({ failures: 1, kind: 'PublishError' }),
    ]);
    expect(metricValues('alertsPublished')).toEqual([]);
  });

  it('counts each published alert as an EMF metric in the IamChangeAlerts namespace', async () => {
    await invoke(loadEvent('create-role.json'));
    await invoke(loadEvent('attach-user-policy-admin.json'));
    const published = metricValues('alertsPublished');
    expect(published).toHaveLength(2);
    expect(published[0]).toMatchObject({
      alertsPublished: 1,
      service: 'iam-change-alerts-notifier',
      _aws: {
        CloudWatchMetrics: [
          { Namespace: 'IamChangeAlerts', Metrics: [{ Name: 'alertsPublished', Unit: 'Count' }] },
        ],
      },
    });
    expect(lines().filter((line) => line.level === 'ERROR')).toEqual([]);
  });

  it('rejects input that is not a CloudTrail record, naming the field, without publishing', async () => {
    const event = loadEvent('create-role.json');
    const broken = { ...event, detail: { ...(event.detail as object), eventName: undefined } };
    await expect(invoke(broken)).rejects.toMatchObject({
      name: 'InvalidEventError',
      field: 'detail.eventName',
    });
    expect(sns.requests).toBe(0);
    const errors = lines().filter((line) => line.level === 'ERROR');
    expect(errors).toEqual([
      expect.objectContaining({
        message: 'event rejected',
        eventId: (event.detail as { eventID: string }).eventID,
        kind: 'InvalidEventError',
        field: 'detail.eventName',
      }),
    ]);
    expect(metricValues('failures')).toEqual([
      expect.objectContaining({ failures: 1, kind: 'InvalidEventError' }),
    ]);
  });
});
