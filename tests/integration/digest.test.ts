// The daily suppression digest (functions/digest): the exported handler with the real CloudWatch and SNS clients,
// CloudWatch answered by a loopback fake of its JSON protocol (AWS JSON 1.0, `GraniteServiceVersion20100801.*`),
// SNS by the loopback SNS fake.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { jest } from '@jest/globals';
import { runDigest, yesterdayOf } from '../../functions/digest/digest.js';
import { createLambdaContext } from '../../scripts/lambda-context.js';
import { EMPTY_RULES } from '../../shared/domain/rules/model.js';
import { type FakeSns, startFakeSns } from '../helpers/sns-server.js';

const TOPIC = 'arn:aws:sns:us-east-1:123456789012:iam-change-alerts-alerts';

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
  sns = await startFakeSns();
  const endpoint = await startFakeCloudWatch();
  Object.assign(process.env, {
    ALERT_TOPIC_ARN: TOPIC,
    AWS_ENDPOINT_URL_SNS: sns.endpoint,
    AWS_ENDPOINT_URL_CLOUDWATCH: endpoint,
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
  await Promise.all([sns.close(), new Promise((resolve) => cloudWatch.close(resolve))]);
});

beforeEach(() => {
  output = [];
  cloudWatchCalls = [];
  cloudWatchFails = false;
  sns.received.length = 0;
});

describe('digest handler', () => {
  it("publishes yesterday's counts per rule, summed across services, and the expired rules", async () => {
    await handler({ source: 'aws.events', 'detail-type': 'Scheduled Event' }, createLambdaContext('digest'));
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

  it('fails the invocation, logged once, when CloudWatch refuses (no digest that would say 0 hidden)', async () => {
    cloudWatchFails = true;
    await expect(handler({}, createLambdaContext('digest'))).rejects.toThrow();
    expect(sns.received).toHaveLength(0);
    const failures = output
      .flatMap((chunk) => chunk.split('\n'))
      .filter((line) => line.includes('"digest not published"'));
    expect(failures).toHaveLength(1);
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
      now: () => new Date('2026-12-01T00:05:00Z'),
    });
    expect(result).toEqual({
      date: '2026-11-30',
      text: 'yesterday: 0 alerts suppressed; 0 rules expired',
      total: 0,
      messageId: 'm-1',
    });
    expect(windows).toEqual([[new Date('2026-11-30T00:00:00Z'), new Date('2026-12-01T00:00:00Z')]]);
    expect(published[0]).toContain('suppression digest for 2026-11-30 (UTC)');
  });
});
