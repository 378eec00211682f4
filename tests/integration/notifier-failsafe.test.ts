// The fail-safe end to end: when building the full alert fails, the notifier still publishes the minimal alert,
// through the real SNS client speaking SNS's wire protocol to the loopback fake (which validates Publish as SNS does).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SNSClient } from '@aws-sdk/client-sns';
import { createSnsPublisher } from '../../functions/notifier/adapters/sns-publisher.js';
import { processIamEvent } from '../../functions/notifier/process.js';
import { validateAlert } from '../../shared/domain/alert-schema.js';
import type { Alert } from '../../shared/domain/types.js';
import { formatJiraIssue } from '../../shared/format/jira-adf.js';
import { formatSlackMessage } from '../../shared/format/slack-blocks.js';
import { passThroughGuard } from '../../shared/idempotency.js';
import type { IamDirectory } from '../../shared/ports.js';
import { validateCreateIssue } from '../helpers/jira-server.js';
import { validateSlackMessage } from '../helpers/slack-server.js';
import { type FakeSns, startFakeSns } from '../helpers/sns-server.js';

const TOPIC = 'arn:aws:sns:us-east-1:123456789012:iam-change-alerts-alerts';
const event = JSON.parse(
  readFileSync(join(import.meta.dirname, '..', '..', 'events', 'set-default-policy-version.json'), 'utf8'),
) as { detail: { eventID: string } };

/**
 * An IAM directory answering garbage: every call rejects with a value that cannot even be described (its
 * conversion to text throws), so enrichment's own catches, which describe what failed, throw in turn. After the
 * hardening no JSON record reaches the fail-safe (see tests/unit/functions/hostile-records.test.ts), so the failure
 * is injected through the one dependency that can misbehave.
 */
const garbageIam = (): IamDirectory & { calls: number } => {
  // Converting it to text throws the value itself, so every `describeError` on the way up throws it again.
  const unprintable: Record<PropertyKey, unknown> = {};
  unprintable[Symbol.toPrimitive] = () => {
    throw unprintable;
  };
  const directory = {
    calls: 0,
    reject: async (): Promise<never> => {
      directory.calls += 1;
      throw unprintable;
    },
  };
  return {
    get calls() {
      return directory.calls;
    },
    getPolicy: directory.reject,
    getPolicyVersion: directory.reject,
    listPolicyVersions: directory.reject,
    listAttachedGroupPolicies: directory.reject,
    listGroupPolicies: directory.reject,
    getGroupPolicy: directory.reject,
  };
};

let sns: FakeSns;
let client: SNSClient;

beforeAll(async () => {
  sns = await startFakeSns();
  client = new SNSClient({
    region: 'us-east-1',
    endpoint: sns.endpoint,
    maxAttempts: 1,
    credentials: {
      accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
      secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    },
  });
});

afterAll(async () => {
  client.destroy();
  await sns.close();
});

describe('the notifier fail-safe', () => {
  it('publishes the minimal alert when enrichment crashes on garbage from IAM', async () => {
    const iam = garbageIam();
    const result = await processIamEvent(event, {
      iam,
      publisher: createSnsPublisher(client, TOPIC, { maxAttempts: 1, baseDelayMs: 10, attemptMs: 5_000 }),
      guard: passThroughGuard,
      remainingMs: () => 30_000,
    });
    if (result.kind !== 'published') throw new Error('expected a publish');

    expect(iam.calls).toBeGreaterThan(0);
    expect(result.failure).toEqual({
      stage: 'build',
      reason: expect.stringContaining('cannot be described'),
    });
    // Exactly one message, accepted by the fake (which rejects what SNS would reject).
    expect(sns.received).toHaveLength(1);
    const [publish] = sns.received;
    expect(result.messageId).toBeDefined();
    expect(publish?.subject).toBe(
      '[MEDIUM] SetDefaultPolicyVersion (iam.amazonaws.com): alert incomplete by bert-jan (123837392027)',
    );
    expect(publish?.attributes.severity?.value).toBe('medium');
    expect(publish?.attributes.eventName?.value).toBe('SetDefaultPolicyVersion');
    expect(publish?.attributes.account?.value).toBe('123837392027');

    // The forwarder validates the alert attribute against the schema, then renders it for Slack and Jira.
    const validated = validateAlert(JSON.parse(publish?.attributes.alert?.value ?? 'null'));
    expect(validated).toHaveProperty('alert');
    const alert = (validated as { alert: Alert }).alert;
    expect(alert).toMatchObject({
      eventId: event.detail.eventID,
      eventName: 'SetDefaultPolicyVersion',
      eventSource: 'iam.amazonaws.com',
      eventTime: '2023-07-10T12:24:49Z',
      account: '123837392027',
      severity: 'medium',
      principal: { name: 'bert-jan', arn: 'arn:aws:iam::123837392027:user/bert-jan' },
      links: { event: expect.stringContaining(`#/events/${event.detail.eventID}`) },
    });
    expect(alert.notes).toEqual([expect.stringMatching(/^alert incomplete: the build stage failed: /)]);
    expect(publish?.message).toContain('alert incomplete: the build stage failed');
    expect(validateSlackMessage(JSON.parse(JSON.stringify(formatSlackMessage(alert))))).toEqual([]);
    expect(
      validateCreateIssue(
        JSON.parse(JSON.stringify(formatJiraIssue(alert, { projectKey: 'SEC', issueType: 'Task' }))),
        {
          email: 'a@example.com',
          token: 't',
          projectKey: 'SEC',
        },
      ),
    ).toEqual({});
  });
});

describe('the notifier’s enrichment deadline', () => {
  it('publishes the full alert, saying the policy analysis was cut short, when IAM never answers', async () => {
    let calls = 0;
    const never = async (): Promise<never> => {
      calls += 1;
      return new Promise<never>(() => {});
    };
    const iam: IamDirectory = {
      getPolicy: never,
      getPolicyVersion: never,
      listPolicyVersions: never,
      listAttachedGroupPolicies: never,
      listGroupPolicies: never,
      getGroupPolicy: never,
    };
    const started = Date.now();
    const published = sns.received.length;
    // What the invocation keeps for publishing by default (13 s), plus 100 ms: the enrichment's budget.
    const result = await processIamEvent(event, {
      iam,
      publisher: createSnsPublisher(client, TOPIC, { maxAttempts: 1, baseDelayMs: 10, attemptMs: 5_000 }),
      guard: passThroughGuard,
      remainingMs: () => 13_100 - (Date.now() - started),
    });
    if (result.kind !== 'published') throw new Error('expected a publish');
    expect(calls).toBeGreaterThan(0);
    expect(result.failure).toBeUndefined();
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(sns.received).toHaveLength(published + 1);
    expect(result.alert.notes.some((note) => note.startsWith('policy analysis cut short: '))).toBe(true);
  });
});
