// alerts.yml in the deployed notifier (issue 12): the exported handler with ALERT_RULES set as `serverless package`
// sets it, the real SNS client against the loopback SNS fake, the DynamoDB idempotency table on the AWS fake.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import { createLambdaContext } from '../../scripts/lambda-context.js';
import { compileRules } from '../../shared/domain/rules/model.js';
import { validateRules } from '../../shared/domain/rules/schema.js';
import type { Alert } from '../../shared/domain/types.js';
import { MAX_SNS_ATTRIBUTES } from '../../shared/format/sns-message.js';
import { type AwsServer, startAwsServer } from '../helpers/aws-server.js';
import { type FakeSns, startFakeSns } from '../helpers/sns-server.js';

const EVENTS_DIR = join(import.meta.dirname, '..', '..', 'events');
const TOPIC = 'arn:aws:sns:us-east-1:123456789012:iam-change-alerts-alerts';
const loadEvent = (name: string, eventID: string): Record<string, unknown> => {
  const event = JSON.parse(readFileSync(join(EVENTS_DIR, name), 'utf8')) as Record<string, unknown>;
  return { ...event, detail: { ...(event.detail as object), eventID } };
};

// Rules that would hide what they may and more: the engine's guarantees decide what stays visible.
const RULES = {
  suppress: [
    { id: 'tf-routine', reason: 'terraform applies', match: { via: ['terraform'], maxSeverity: 'medium' } },
    // Matches a critical alert without includeCritical: kept.
    { id: 'user-creation', reason: 'onboarding', match: { eventName: ['CreateUser'] } },
    // Matches a guard rail (StopLogging is tampering with the alerting): kept whatever the rule says.
    {
      id: 'trail-noise',
      reason: 'trail maintenance',
      includeCritical: true,
      match: { eventName: ['StopLogging'], maxSeverity: 'critical' },
    },
  ],
  routes: [
    {
      name: 'prod',
      match: { account: ['229654561268'], minSeverity: 'high' },
      email: ['secops@example.com'],
    },
  ],
};
const compiled = validateRules(RULES, { mode: 'cli', today: '2026-11-30' });

let sns: FakeSns;
let aws: AwsServer;
let handler: (event: unknown, context: unknown) => Promise<unknown>;
let output: string[] = [];
const lines = (): Record<string, unknown>[] =>
  output
    .flatMap((chunk) => chunk.split('\n'))
    .flatMap((line) => (line.startsWith('{') ? [JSON.parse(line)] : []));

beforeAll(async () => {
  if (!compiled.config) throw new Error(JSON.stringify(compiled.problems));
  [sns, aws] = await Promise.all([startFakeSns(), startAwsServer()]);
  Object.assign(process.env, {
    ALERT_TOPIC_ARN: TOPIC,
    AWS_ENDPOINT_URL_SNS: sns.endpoint,
    AWS_ENDPOINT_URL_DYNAMODB: aws.endpoint,
    IDEMPOTENCY_TABLE: 'iam-change-alerts-idempotency',
    SNS_TIMEOUT_MS: '300',
    AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    AWS_REGION: 'us-east-1',
    IAM_ENRICHMENT: 'off',
    POWERTOOLS_LOG_LEVEL: 'INFO',
    // As resources/derived.cjs writes it: one line of compileRules' JSON.
    ALERT_RULES: JSON.stringify(JSON.parse(compileRules(compiled.config))),
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
  delete process.env.ALERT_RULES;
  await Promise.all([sns.close(), aws.close()]);
});

beforeEach(() => {
  output = [];
  sns.received.length = 0;
});

const invoke = (event: unknown) => handler(event, createLambdaContext('notifier'));
const suppressedMetrics = () => lines().filter((line) => 'AlertsSuppressed' in line);

describe('notifier with alerts.yml: suppression', () => {
  it('publishes nothing for a hidden alert, logs it with rule, reason and eventID, and counts it per rule (EMF)', async () => {
    await invoke(loadEvent('delete-role-policy.json', 'rules-hidden-1'));
    expect(sns.received).toHaveLength(0);
    const logged = lines().filter((line) => line.message === 'alert suppressed');
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({
      rule: 'tf-routine',
      reason: 'terraform applies',
      eventId: 'rules-hidden-1',
      severity: 'low',
    });
    const metrics = suppressedMetrics();
    expect(metrics).toHaveLength(1);
    expect(metrics[0]).toMatchObject({
      AlertsSuppressed: 1,
      rule: 'tf-routine',
      service: 'iam-change-alerts-notifier',
      _aws: {
        CloudWatchMetrics: [
          {
            Namespace: 'IamChangeAlerts',
            Dimensions: [expect.arrayContaining(['rule'])],
            Metrics: [{ Name: 'AlertsSuppressed', Unit: 'Count' }],
          },
        ],
      },
    });
    expect(lines().some((line) => 'alertsPublished' in line)).toBe(false);
  });

  it('counts a hidden alert once when EventBridge delivers it twice', async () => {
    const event = loadEvent('put-role-policy.json', 'rules-hidden-twice');
    await invoke(event);
    await invoke(event);
    expect(sns.received).toHaveLength(0);
    expect(suppressedMetrics()).toHaveLength(1);
    expect(lines().filter((line) => line.message === 'duplicate delivery: already published')).toHaveLength(
      1,
    );
  });

  it('never hides a critical alert without includeCritical, nor a guard-rail alert', async () => {
    await invoke(loadEvent('create-user-scp-denied-ec2-credentials.json', 'rules-critical'));
    await invoke(loadEvent('cloudtrail-stop-logging.json', 'rules-guard-rail'));
    expect(sns.received.map((publish) => publish.attributes.severity?.value)).toEqual([
      'critical',
      'critical',
    ]);
    expect(suppressedMetrics()).toEqual([]);
    const guardRail = JSON.parse(sns.received[1]?.attributes.alert?.value ?? '{}') as Alert;
    expect(guardRail.routes).toEqual(['default']);
    expect(guardRail.group).toBeNull();
  });
});

describe('notifier with alerts.yml: routes and bursts on the published message', () => {
  it('routes a high alert of the prod account to prod, ungrouped', async () => {
    await invoke(loadEvent('attach-user-policy-admin.json', 'rules-prod'));
    const attributes = sns.received[0]?.attributes ?? {};
    expect(attributes.routes).toEqual({ dataType: 'String.Array', value: '["prod"]' });
    expect(attributes.grouped).toEqual({ dataType: 'String', value: 'false' });
    const alert = JSON.parse(attributes.alert?.value ?? '{}') as Alert;
    expect(alert.routes).toEqual(['prod']);
    expect(alert.group).toBeNull();
  });

  it('puts a medium alert on the default route in its caller session burst', async () => {
    await invoke(loadEvent('add-user-to-group.json', 'rules-burst'));
    const attributes = sns.received[0]?.attributes ?? {};
    expect(attributes.routes).toEqual({ dataType: 'String.Array', value: '["default"]' });
    expect(attributes.grouped).toEqual({ dataType: 'String', value: 'true' });
    const alert = JSON.parse(attributes.alert?.value ?? '{}') as Alert;
    expect(alert.group).toBe('123456789012 arn:aws:iam::123456789012:user/Alice');
  });

  it('keeps at most 10 attributes with a created access key, marked as a possible repeat', async () => {
    await invoke(loadEvent('create-access-key-other-user.json', 'rules-key'));
    const attributes = sns.received[0]?.attributes ?? {};
    expect(attributes.createdAccessKeyId?.value).toMatch(/^AKIA|^ASIA/);
    expect(attributes.routes?.value).toBe('["prod"]');
    // grouped would be the 11th with possibleRepeat: absent means "false".
    expect(attributes.grouped).toBeUndefined();
    expect(Object.keys(attributes).length + 1).toBeLessThanOrEqual(MAX_SNS_ATTRIBUTES);
  });
});
