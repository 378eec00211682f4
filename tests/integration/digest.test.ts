// The daily suppression digest (functions/digest): the exported handler with the real CloudWatch, SNS and DynamoDB
// clients, CloudWatch answered by a loopback fake of its JSON protocol (AWS JSON 1.0,
// `GraniteServiceVersion20100801.*`), SNS by the loopback SNS fake, the idempotency table by the loopback DynamoDB fake.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { jest } from '@jest/globals';
import { runDigest, scheduledTimeOf, yesterdayOf } from '../../functions/digest/digest.js';
import { POSSIBLE_REPEAT_NOTE } from '../../functions/notifier/adapters/sns-publisher.js';
import { createLambdaContext } from '../../scripts/lambda-context.js';
import { EMPTY_RULES } from '../../shared/domain/rules/model.js';
import { createLocalGuard } from '../../shared/idempotency.js';
import { type AwsServer, isSaveSuccess, startAwsServer } from '../helpers/aws-server.js';
import { type FakeSns, startFakeSns } from '../helpers/sns-server.js';

const TOPIC = 'arn:aws:sns:us-east-1:123456789012:iam-change-alerts-alerts';
const TABLE = 'iam-change-alerts-idempotency';

interface CloudWatchCall {
  target: string;
  body: Record<string, unknown>;
}

/** Metrics the fake lists and the daily sums it answers, per rule (two services for one rule). */
const METRICS = [
  { rule: 'cfn-deployments', service: 'iam-change-alerts-notifier', sum: 280 },
  { rule: 'cfn-deployments', service: 'iam-change-alerts-notifier-old', sum: 10 },
  { rule: 'sso-provisioning', service: 'iam-change-alerts-notifier', sum: 22 },
  { rule: 'quiet-rule', service: 'iam-change-alerts-notifier', sum: 0 },
];

let cloudWatch: Server;
let cloudWatchCalls: CloudWatchCall[] = [];
let cloudWatchFails = false;
let sns: FakeSns;
let aws: AwsServer;
let handler: (event: unknown, context: unknown) => Promise<unknown>;
let output: string[] = [];

const startFakeCloudWatch = (): Promise<string> =>
  new Promise((resolve) => {
    cloudWatch = createServer((request, response) => {
      let text = '';
      request.on('data', (chunk) => {
        text += chunk;
      });
      request.on('end', () => {
        const target = String(request.headers['x-amz-target'] ?? '');
        const body = JSON.parse(text || '{}') as Record<string, unknown>;
        cloudWatchCalls.push({ target, body });
        response.setHeader('content-type', 'application/x-amz-json-1.0');
        if (cloudWatchFails) {
          response.statusCode = 400;
          response.end(JSON.stringify({ __type: 'AccessDenied', message: 'not allowed' }));
          return;
        }
        if (target.endsWith('.ListMetrics')) {
          response.end(
            JSON.stringify({
              Metrics: METRICS.map(({ rule, service }) => ({
                Namespace: 'IamChangeAlerts',
                MetricName: 'AlertsSuppressed',
                Dimensions: [
                  { Name: 'service', Value: service },
                  { Name: 'rule', Value: rule },
                ],
              })),
            }),
          );
          return;
        }
        if (target.endsWith('.GetMetricData')) {
          const queries = body.MetricDataQueries as {
            Id: string;
            MetricStat: { Metric: { Dimensions: { Name: string; Value: string }[] } };
          }[];
          const results = queries.map((query) => {
            const dims = query.MetricStat.Metric.Dimensions;
            const found = METRICS.find(
              (metric) =>
                dims.some((d) => d.Name === 'rule' && d.Value === metric.rule) &&
                dims.some((d) => d.Name === 'service' && d.Value === metric.service),
            );
            return {
              Id: query.Id,
              Label: 'AlertsSuppressed',
              StatusCode: 'Complete',
              Timestamps: found && found.sum > 0 ? [body.StartTime] : [],
              Values: found && found.sum > 0 ? [found.sum] : [],
            };
          });
          response.end(JSON.stringify({ MetricDataResults: results }));
          return;
        }
        response.statusCode = 400;
        response.end(JSON.stringify({ __type: 'UnknownOperationException' }));
      });
    });
    cloudWatch.listen(0, '127.0.0.1', () =>
      resolve(`http://127.0.0.1:${(cloudWatch.address() as AddressInfo).port}`),
    );
  });

beforeAll(async () => {
  [sns, aws] = await Promise.all([startFakeSns(), startAwsServer()]);
  const endpoint = await startFakeCloudWatch();
  Object.assign(process.env, {
    ALERT_TOPIC_ARN: TOPIC,
    AWS_ENDPOINT_URL_SNS: sns.endpoint,
    AWS_ENDPOINT_URL_CLOUDWATCH: endpoint,
    AWS_ENDPOINT_URL_DYNAMODB: aws.endpoint,
    IDEMPOTENCY_TABLE: TABLE,
    AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    AWS_REGION: 'us-east-1',
    AWS_CALL_TIMEOUT_MS: '500',
    POWERTOOLS_LOG_LEVEL: 'INFO',
    ALERT_RULES: JSON.stringify({
      suppress: [
        { id: 'old-rule', reason: 'r', expires: '2020-01-01', match: { eventName: ['CreateRole'] } },
        { id: 'cfn-deployments', reason: 'r', match: { via: ['cloudformation'] } },
      ],
    }),
  });
  for (const stream of [process.stdout, process.stderr]) {
    jest.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
      output.push(String(chunk));
      return true;
    });
  }
  ({ handler } = (await import('../../functions/digest/handler.js')) as unknown as {
    handler: typeof handler;
  });
});

afterAll(async () => {
  jest.restoreAllMocks();
  delete process.env.ALERT_RULES;
  delete process.env.IDEMPOTENCY_TABLE;
  await Promise.all([sns.close(), aws.close(), new Promise((resolve) => cloudWatch.close(resolve))]);
});

beforeEach(() => {
  output = [];
  cloudWatchCalls = [];
  cloudWatchFails = false;
  sns.received.length = 0;
  sns.answers.length = 0;
  aws.tables.clear();
  aws.faults.length = 0;
});

/** The scheduled event as EventBridge sends it, fired a minute ago (every retry of an invocation carries it). */
const scheduledEvent = (time: Date = new Date(Date.now() - 60_000)) => ({
  version: '0',
  id: '53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa',
  'detail-type': 'Scheduled Event',
  source: 'aws.events',
  account: '123456789012',
  time: time.toISOString().replace(/\.\d{3}Z$/, 'Z'),
  region: 'us-east-1',
  resources: ['arn:aws:events:us-east-1:123456789012:rule/iam-change-alerts-dev-DigestScheduleRule'],
  detail: {},
});
const invoke = (event: unknown = scheduledEvent()) => handler(event, createLambdaContext('digest'));
const logLines = (message: string): Record<string, unknown>[] =>
  output
    .flatMap((chunk) => chunk.split('\n'))
    .flatMap((line) => (line.startsWith('{') ? [JSON.parse(line) as Record<string, unknown>] : []))
    .filter((line) => line.message === message);
/** A minute later, when Lambda retries: the failed invocation's in-progress record has expired. */
const expireInProgressRecords = (): void => {
  for (const item of aws.tables.get(TABLE)?.values() ?? []) {
    if (item.status?.S === 'INPROGRESS') item.in_progress_expiration = { N: '0' };
  }
};

describe('digest handler', () => {
  it("publishes yesterday's counts per rule, summed across services, and the expired rules", async () => {
    await invoke();
    expect(sns.received).toHaveLength(1);
    const [published] = sns.received;
    expect(published?.topicArn).toBe(TOPIC);
    expect(published?.message).toContain(
      'yesterday: 312 alerts suppressed: cfn-deployments 290, sso-provisioning 22; 1 rule expired (old-rule)',
    );
    expect(published?.subject).toMatch(/^\[INFO\] iam-change-alerts: yesterday: 312 alerts suppressed/);
    expect(published?.attributes.kind).toEqual({ dataType: 'String', value: 'suppression-digest' });
    expect(published?.attributes.severity?.value).toBe('info');
    expect(published?.attributes.alert).toBeUndefined();
    expect(published?.attributes.routes).toBeUndefined();

    const list = cloudWatchCalls.find((call) => call.target.endsWith('.ListMetrics'));
    expect(list?.body).toMatchObject({
      Namespace: 'IamChangeAlerts',
      MetricName: 'AlertsSuppressed',
      Dimensions: [{ Name: 'rule' }],
    });
    const data = cloudWatchCalls.find((call) => call.target.endsWith('.GetMetricData'));
    const day = yesterdayOf(new Date());
    expect(data?.body.StartTime).toBe(day.start.getTime() / 1000);
    expect(data?.body.EndTime).toBe(day.end.getTime() / 1000);
    expect(data?.body.MetricDataQueries).toHaveLength(4);
    expect(((data?.body.MetricDataQueries ?? []) as { MetricStat: unknown }[])[0]?.MetricStat).toMatchObject({
      Period: 86_400,
      Stat: 'Sum',
    });
  });

  it('fails the invocation, logged once, when CloudWatch refuses (no digest that would say 0 hidden); the retry publishes it unmarked', async () => {
    cloudWatchFails = true;
    const event = scheduledEvent();
    await expect(invoke(event)).rejects.toThrow();
    expect(sns.received).toHaveLength(0);
    const failures = output
      .flatMap((chunk) => chunk.split('\n'))
      .filter((line) => line.includes('"digest not published"'));
    expect(failures).toHaveLength(1);
    // Act: Lambda retries once CloudWatch answers again. Nothing was sent, so nothing is marked.
    cloudWatchFails = false;
    await invoke(event);
    // Assert
    expect(sns.received).toHaveLength(1);
    expect(sns.received[0]?.attributes.possibleRepeat).toBeUndefined();
  });
});

describe('digest handler: once per day', () => {
  it('a retry after a published digest (or a second schedule delivery) sends nothing and reads no metric', async () => {
    // Arrange
    const event = scheduledEvent();
    const first = (await invoke(event)) as { kind: string; date: string; messageId?: string };
    cloudWatchCalls = [];
    // Act
    const second = await invoke(structuredClone(event));
    // Assert
    expect(sns.received).toHaveLength(1);
    expect(first.kind).toBe('published');
    expect(second).toEqual({ kind: 'duplicate', date: first.date, messageId: first.messageId });
    expect(cloudWatchCalls).toEqual([]);
    expect(logLines('duplicate delivery: digest already published')).toHaveLength(1);
    // The records live under the digest's own prefix, the only keys its role may touch (resources/functions.yml).
    const keys = [...(aws.tables.get(TABLE)?.values() ?? [])].map((item) => item.id?.S?.replace(/#.*/, ''));
    expect(keys.sort()).toEqual(['iam-alerts-digest-sns', 'iam-alerts-digest-sns-attempt']);
  });

  it('guards each day on its own: the next day is published', async () => {
    const today = new Date(Date.now() - 60_000);
    await invoke(scheduledEvent(new Date(today.getTime() - 86_400_000)));
    await invoke(scheduledEvent(today));
    expect(sns.received).toHaveLength(2);
    expect(sns.received[0]?.message).toContain(
      `digest for ${yesterdayOf(new Date(today.getTime() - 86_400_000)).date}`,
    );
    expect(sns.received[1]?.message).toContain(`digest for ${yesterdayOf(today).date}`);
  });

  it.each(['accept-then-drop', 'accept-then-hang'] as const)(
    'when SNS accepts and the answer is lost (%s), the one re-publish is marked as a possible repeat',
    async (answer) => {
      // Arrange: SNS takes the digest, then the connection drops or the answer never comes.
      sns.answers.push(answer);
      const event = scheduledEvent();
      // Act
      const result = await invoke(event);
      // Assert: two messages reached SNS (standard topics do not deduplicate); the second says it may repeat.
      expect(sns.received).toHaveLength(2);
      expect(sns.received[0]?.attributes.possibleRepeat).toBeUndefined();
      expect(sns.received[1]?.attributes.possibleRepeat).toEqual({ dataType: 'String', value: 'true' });
      expect(sns.received[1]?.subject).toMatch(/^\(repeat\?\) \[INFO\] iam-change-alerts: yesterday: /);
      expect(sns.received[1]?.message.startsWith(POSSIBLE_REPEAT_NOTE)).toBe(true);
      expect(sns.received[1]?.attributes.kind?.value).toBe('suppression-digest');
      expect(result).toMatchObject({ kind: 'published', possibleRepeat: true });
      // A later retry of the same scheduled invocation publishes nothing.
      await invoke(structuredClone(event));
      expect(sns.received).toHaveLength(2);
    },
  );

  it('after an invocation whose every answer was lost, the retry is marked as a possible repeat', async () => {
    sns.answers.push('accept-then-drop', 'accept-then-drop', 'accept-then-drop', 'accept-then-drop');
    const event = scheduledEvent();
    await expect(invoke(event)).rejects.toMatchObject({ name: 'PublishError', mayHaveDelivered: true });
    expect(sns.received).toHaveLength(4);
    expireInProgressRecords();
    // Act: Lambda retries the scheduled invocation.
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
    const event = scheduledEvent();
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
    const event = scheduledEvent();
    await expect(invoke(event)).rejects.toThrow();
    aws.faults.length = 0;
    expireInProgressRecords();
    await invoke(event);
    expect(sns.received).toHaveLength(2);
    expect(sns.received[1]?.attributes.possibleRepeat?.value).toBe('true');
  });
});

describe('scheduledTimeOf', () => {
  const now = new Date('2026-12-01T00:20:00Z');
  it("takes the scheduled event's time, so a retry after midnight reports the same day", () => {
    const retriedAt = new Date('2026-12-02T00:01:00Z');
    const time = scheduledTimeOf({ time: '2026-12-01T00:15:00Z' }, retriedAt);
    expect(yesterdayOf(time).date).toBe('2026-11-30');
  });
  it.each([
    ['no event', undefined],
    ['no time', {}],
    ['a time that is not a date', { time: 'yesterday' }],
    ['a time in the future', { time: '2026-12-05T00:15:00Z' }],
    ['a time more than two days old', { time: '2026-11-20T00:15:00Z' }],
  ])('falls back to the clock for %s', (_case, event) => {
    expect(scheduledTimeOf(event, now)).toEqual(now);
  });
});

describe('runDigest', () => {
  it('reports a quiet day too, for the UTC day before now', async () => {
    const published: string[] = [];
    const windows: [Date, Date][] = [];
    const result = await runDigest({
      counts: {
        countsBetween: async (start, end) => {
          windows.push([start, end]);
          return new Map();
        },
      },
      publisher: {
        publish: async (message) => {
          published.push(message.Message);
          return { messageId: 'm-1' };
        },
      },
      rules: EMPTY_RULES,
      guard: createLocalGuard(),
      now: () => new Date('2026-12-01T00:05:00Z'),
    });
    expect(result).toEqual({
      kind: 'published',
      date: '2026-11-30',
      text: 'yesterday: 0 alerts suppressed; 0 rules expired',
      total: 0,
      messageId: 'm-1',
    });
    expect(windows).toEqual([[new Date('2026-11-30T00:00:00Z'), new Date('2026-12-01T00:00:00Z')]]);
    expect(published[0]).toContain('suppression digest for 2026-11-30 (UTC)');
  });
});
