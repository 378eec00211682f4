// The exported middy handler, with the real SNS client speaking SNS's wire protocol to a fake on 127.0.0.1.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import { POSSIBLE_REPEAT_NOTE } from '../../functions/notifier/adapters/sns-publisher.js';
import { createLambdaContext } from '../../scripts/lambda-context.js';
import type { Alert } from '../../shared/domain/types.js';
import { type AwsServer, isSaveSuccess, startAwsServer } from '../helpers/aws-server.js';
import { type FakeSns, startFakeSns } from '../helpers/sns-server.js';

const EVENTS_DIR = join(import.meta.dirname, '..', '..', 'events');
const TOPIC = 'arn:aws:sns:us-east-1:123456789012:iam-change-alerts-alerts';
const loadEvent = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(join(EVENTS_DIR, name), 'utf8')) as Record<string, unknown>;

const TABLE = 'iam-change-alerts-idempotency';
let sns: FakeSns;
let aws: AwsServer;
let handler: (event: unknown, context: unknown) => Promise<unknown>;
// Powertools writes logs and EMF metrics as JSON lines (errors on stderr): collected here, parsed per test.
let output: string[] = [];
const lines = (): Record<string, unknown>[] =>
  output
    .flatMap((chunk) => chunk.split('\n'))
    .flatMap((line) => (line.startsWith('{') ? [JSON.parse(line)] : []));
const metricValues = (name: string) => lines().filter((line) => name in line);

beforeAll(async () => {
  [sns, aws] = await Promise.all([startFakeSns(), startAwsServer()]);
  Object.assign(process.env, {
    ALERT_TOPIC_ARN: TOPIC,
    AWS_ENDPOINT_URL_SNS: sns.endpoint,
    AWS_ENDPOINT_URL_DYNAMODB: aws.endpoint,
    IDEMPOTENCY_TABLE: TABLE,
    // A hung SNS costs 4 attempts of this (connect ≤ 300 ms, then request 300 ms).
    SNS_TIMEOUT_MS: '300',
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

afterAll(async () => {
  jest.restoreAllMocks();
  await Promise.all([sns.close(), aws.close()]);
});

beforeEach(() => {
  output = [];
  sns.received.length = 0;
  sns.requests = 0;
  sns.answers.length = 0;
  aws.tables.clear();
  aws.faults.length = 0;
});

const eventIdOf = (event: Record<string, unknown>): string => (event.detail as { eventID: string }).eventID;
/** The same event under another eventID, so that tests do not share idempotency records. */
const withEventId = (name: string, eventID: string): Record<string, unknown> => {
  const event = loadEvent(name);
  return { ...event, detail: { ...(event.detail as object), eventID } };
};
const alertOf = (index: number): Alert & { possibleRepeat?: boolean } =>
  JSON.parse(sns.received[index]?.attributes.alert?.value ?? '{}') as Alert & { possibleRepeat?: boolean };
/** A minute later, when Lambda retries: the failed invocation's in-progress record has expired. */
const expireInProgressRecords = (): void => {
  for (const item of aws.tables.get(TABLE)?.values() ?? []) {
    if (item.status?.S === 'INPROGRESS') item.in_progress_expiration = { N: '0' };
  }
};

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
      [
        'account',
        'alert',
        'category',
        'eventName',
        'family',
        'severity',
        'severityRank',
        'routes',
        'grouped',
      ].sort(),
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

describe('notifier: one alert per CloudTrail eventID', () => {
  it('publishes a duplicate delivery once, and counts the duplicate', async () => {
    // Arrange: EventBridge delivers the same event twice (at-least-once delivery).
    const event = withEventId('create-role.json', '11110001-0000-4000-8000-000000000001');
    // Act
    await invoke(event);
    const second = await invoke(structuredClone(event));
    // Assert
    expect(sns.received).toHaveLength(1);
    expect(second).toEqual({ eventId: '11110001-0000-4000-8000-000000000001', duplicate: true });
    expect(metricValues('duplicatesSkipped')).toEqual([expect.objectContaining({ duplicatesSkipped: 1 })]);
    const keys = [...(aws.tables.get(TABLE)?.values() ?? [])].map((item) => item.id?.S?.replace(/#.*/, ''));
    expect(keys.sort()).toEqual(['iam-alerts-notifier-sns', 'iam-alerts-notifier-sns-attempt']);
  });

  it.each(['accept-then-drop', 'accept-then-hang'] as const)(
    'when SNS accepts and the answer is lost (%s), the one re-publish is marked as a possible repeat',
    async (answer) => {
      // Arrange: SNS takes the message, then the connection drops or the answer never comes.
      sns.answers.push(answer);
      const event = withEventId(
        'attach-user-policy-admin.json',
        `1111000${answer.length}-0000-4000-8000-000000000002`,
      );
      // Act
      await invoke(event);
      // Assert: two messages reached SNS; the second says it may repeat the first (standard topics do not
      // deduplicate; a loss is not an option).
      expect(sns.received).toHaveLength(2);
      expect(sns.received[0]?.attributes.possibleRepeat).toBeUndefined();
      expect(sns.received[1]?.attributes.possibleRepeat).toEqual({ dataType: 'String', value: 'true' });
      expect(sns.received[1]?.subject).toMatch(/^\(repeat\?\) \[HIGH\] /);
      expect(sns.received[1]?.message.startsWith(POSSIBLE_REPEAT_NOTE)).toBe(true);
      expect(alertOf(1).possibleRepeat).toBe(true);
      expect(alertOf(1).notes).toContain(POSSIBLE_REPEAT_NOTE);
      expect(alertOf(0).notes).not.toContain(POSSIBLE_REPEAT_NOTE);
      expect(metricValues('possibleRepeatsPublished')).toHaveLength(1);
      // Lambda's next duplicate delivery of the same event publishes nothing.
      await invoke(structuredClone(event));
      expect(sns.received).toHaveLength(2);
    },
  );

  it('after an invocation whose every answer was lost, the retry is marked as a possible repeat', async () => {
    sns.answers.push('accept-then-drop', 'accept-then-drop', 'accept-then-drop', 'accept-then-drop');
    const event = withEventId('create-role.json', '11110003-0000-4000-8000-000000000003');
    await expect(invoke(event)).rejects.toMatchObject({ name: 'PublishError', mayHaveDelivered: true });
    expect(sns.received).toHaveLength(4);
    expireInProgressRecords();
    // Act: Lambda retries the event.
    await invoke(event);
    // Assert
    expect(sns.received).toHaveLength(5);
    expect(sns.received[4]?.attributes.possibleRepeat?.value).toBe('true');
  });

  it('does not publish again when the "save success" write fails after SNS accepted (the attempt mark holds)', async () => {
    // Arrange: Powertools' COMPLETED write fails on every SDK attempt.
    aws.faults.push(
      ...Array.from({ length: 3 }, () => ({
        target: 'DynamoDB_20120810.UpdateItem',
        when: isSaveSuccess,
        kind: 'error' as const,
      })),
    );
    const event = withEventId('create-role.json', '11110004-0000-4000-8000-000000000004');
    await expect(invoke(event)).rejects.toMatchObject({ name: 'IdempotencyPersistenceLayerError' });
    expect(sns.received).toHaveLength(1);
    expireInProgressRecords();
    // Act
    await invoke(event);
    // Assert
    expect(sns.received).toHaveLength(1);
  });

  it('when every write after the publish fails, the retry publishes once more, marked as a possible repeat', async () => {
    aws.faults.push(
      ...Array.from({ length: 6 }, () => ({
        target: 'DynamoDB_20120810.UpdateItem',
        when: (body: Record<string, unknown>) =>
          isSaveSuccess(body) || JSON.stringify(body.ExpressionAttributeValues).includes('":result"'),
        kind: 'error' as const,
      })),
    );
    const event = withEventId('create-role.json', '11110005-0000-4000-8000-000000000005');
    await expect(invoke(event)).rejects.toThrow();
    aws.faults.length = 0;
    expireInProgressRecords();
    await invoke(event);
    expect(sns.received).toHaveLength(2);
    expect(sns.received[1]?.attributes.possibleRepeat?.value).toBe('true');
  });

  it('fails within its configured timeouts when SNS never answers, and logs the failure once with the eventID', async () => {
    // Arrange: SNS accepts connections and never answers.
    sns.answers.push('hang', 'hang', 'hang', 'hang');
    const event = withEventId('create-role.json', '11110006-0000-4000-8000-000000000006');
    const started = Date.now();
    // Act
    await expect(invoke(event)).rejects.toMatchObject({ name: 'PublishError' });
    // Assert: 4 attempts × 300 ms plus backoff, far inside the function's 30 s.
    expect(Date.now() - started).toBeLessThan(4_000);
    expect(sns.requests).toBe(4);
    const errors = lines().filter((line) => line.level === 'ERROR');
    expect(errors).toEqual([
      expect.objectContaining({
        message: 'alert not published',
        eventId: eventIdOf(event),
        kind: 'PublishError',
        reason: expect.stringContaining('exceeded the configured 300 ms requestTimeout'),
      }),
    ]);
    expect(metricValues('failures')).toEqual([
      expect.objectContaining({ failures: 1, kind: 'PublishError' }),
    ]);
  });
  // Last in the file: the timed-out invocation's calls go on in the background until the servers close.
  it('logs a Lambda-deadline timeout like any other failure, with the eventID (middy fails 1 s early)', async () => {
    // Arrange: DynamoDB accepts and never answers (3 attempts × 2 s), more than the 2.5 s the invocation has.
    aws.faults.push(
      ...Array.from({ length: 3 }, () => ({ target: 'DynamoDB_20120810.PutItem', kind: 'hang' as const })),
    );
    const event = withEventId('create-role.json', '11110007-0000-4000-8000-000000000007');
    const started = Date.now();
    // Act
    await expect(handler(event, createLambdaContext('notifier', 2_500))).rejects.toMatchObject({
      name: 'TimeoutError',
    });
    // Assert: failed about a second before the deadline, logged and counted once as a TimeoutError.
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(sns.received).toHaveLength(0);
    const errors = lines().filter((line) => line.level === 'ERROR');
    expect(errors).toEqual([
      expect.objectContaining({
        message: 'alert not published',
        eventId: eventIdOf(event),
        kind: 'TimeoutError',
      }),
    ]);
    expect(metricValues('failures')).toEqual([
      expect.objectContaining({ failures: 1, kind: 'TimeoutError' }),
    ]);
  });
});
