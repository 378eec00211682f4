// forwardRecord with the real Slack and Jira adapters and the real fetch, against fakes on 127.0.0.1.
// A fake clock records the waits instead of sleeping, so retries and Retry-After are asserted, not waited for.

import type { Clock } from '../../functions/forwarder/adapters/http.js';
import { createJiraClient } from '../../functions/forwarder/adapters/jira-client.js';
import { createSlackWebhook } from '../../functions/forwarder/adapters/slack-webhook.js';
import { type ForwarderDeps, forwardRecord } from '../../functions/forwarder/forward.js';
import { InvalidEventError, WebhookError } from '../../shared/errors.js';
import { passThroughGuard } from '../../shared/idempotency.js';
import { attachAdminAlert, hostileAlert } from '../helpers/alerts.js';
import { type JiraServer, startJiraServer } from '../helpers/jira-server.js';
import { type SlackServer, startSlackServer } from '../helpers/slack-server.js';
import { snsRecord } from '../helpers/sns-event.js';

const JIRA = { email: 'secops@example.com', token: 'jira-token-not-for-logs', projectKey: 'SEC' };

const fakeClock = (): Clock & { sleeps: number[] } => {
  let now = 1_000_000;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => now,
    // No jitter: the waits asserted are the policy's own.
    random: () => 0,
    sleep: async (ms) => {
      sleeps.push(ms);
      now += ms;
    },
  };
};

let slackServer: SlackServer;
let jiraServer: JiraServer;
beforeEach(async () => {
  [slackServer, jiraServer] = await Promise.all([startSlackServer(), startJiraServer(JIRA)]);
});
afterEach(async () => {
  await Promise.all([slackServer.close(), jiraServer.close()]);
});

const deps = (
  clock: Clock,
  overrides: {
    remainingMs?: number;
    slackUrl?: string;
    token?: string;
    slack?: boolean;
    jira?: boolean;
  } = {},
): ForwarderDeps => ({
  guard: passThroughGuard,
  remainingMs: () => overrides.remainingMs ?? 30_000,
  ...(overrides.slack === false
    ? {}
    : {
        slack: createSlackWebhook({
          webhookUrl: async () => overrides.slackUrl ?? slackServer.url,
          minIntervalMs: 1_000,
          clock,
          policy: { timeoutMs: 2_000 },
        }),
      }),
  ...(overrides.jira === false
    ? {}
    : {
        jira: {
          client: createJiraClient({
            baseUrl: jiraServer.baseUrl,
            email: JIRA.email,
            apiToken: async () => overrides.token ?? JIRA.token,
            clock,
            policy: { timeoutMs: 2_000 },
          }),
          options: {
            projectKey: 'SEC',
            issueType: 'Task',
            priorityMap: { high: 'High', critical: 'Highest' },
          },
        },
      }),
});

describe('forwardRecord delivery', () => {
  it('posts one Slack message and opens one Jira issue that the fakes accept', async () => {
    // Arrange
    const clock = fakeClock();
    // Act
    const outcome = await forwardRecord(snsRecord(attachAdminAlert()), deps(clock));
    // Assert
    expect(outcome).toEqual({
      messageId: 'msg-6f1c2b9e-4a4f-4d7e-9a51-3b0c8c1d2e3f',
      eventId: '6f1c2b9e-4a4f-4d7e-9a51-3b0c8c1d2e3f',
      eventName: 'AttachUserPolicy',
      severity: 'high',
      slack: 'posted',
      jira: { key: 'SEC-1', outcome: 'created' },
    });
    expect(slackServer.accepted).toHaveLength(1);
    expect(slackServer.requests[0]?.contentType).toBe('application/json; charset=utf-8');
    expect(jiraServer.issues).toHaveLength(1);
    expect(jiraServer.issues[0]?.fields).toMatchObject({
      summary: '[HIGH] AdministratorAccess attached to IAM user deploy-bot by alice (123456789012)',
      priority: { name: 'High' },
      labels: expect.arrayContaining(['ct-6f1c2b9e-4a4f-4d7e-9a51-3b0c8c1d2e3f']),
    });
    // The JQL check ran first, on the new endpoint.
    expect(jiraServer.requests.map((request) => request.path)).toEqual([
      '/rest/api/3/search/jql',
      '/rest/api/3/issue',
    ]);
    expect(JSON.parse(jiraServer.requests[0]?.body ?? '{}')).toEqual({
      jql: 'project = "SEC" AND labels = "ct-6f1c2b9e-4a4f-4d7e-9a51-3b0c8c1d2e3f"',
      maxResults: 1,
      fields: ['summary'],
    });
  });

  it('delivers hostile alerts that both fakes accept', async () => {
    await forwardRecord(snsRecord(hostileAlert()), deps(fakeClock()));
    expect(slackServer.accepted).toHaveLength(1);
    expect(jiraServer.issues).toHaveLength(1);
  });

  it('does not open a second issue when JQL finds the ct-<eventId> label', async () => {
    const clock = fakeClock();
    await forwardRecord(snsRecord(attachAdminAlert()), deps(clock, { slack: false }));
    const outcome = await forwardRecord(
      snsRecord(attachAdminAlert(), 'another-message-id'),
      deps(clock, { slack: false }),
    );
    expect(outcome.jira).toEqual({ key: 'SEC-1', outcome: 'found by label' });
    expect(jiraServer.issues).toHaveLength(1);
  });

  it('waits for Retry-After on Slack 429 and then posts', async () => {
    const clock = fakeClock();
    slackServer.script({ kind: 'throttle', retryAfterSeconds: 3 });
    await forwardRecord(snsRecord(attachAdminAlert()), deps(clock, { jira: false }));
    expect(clock.sleeps).toEqual([3_000]);
    expect(slackServer.requests).toHaveLength(2);
    expect(slackServer.accepted).toHaveLength(1);
  });

  it('fails with a clear 429 error when Retry-After exceeds the remaining time', async () => {
    slackServer.script({ kind: 'throttle', retryAfterSeconds: 60 });
    const error = await forwardRecord(
      snsRecord(attachAdminAlert()),
      deps(fakeClock(), { jira: false, remainingMs: 10_000 }),
    ).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(WebhookError);
    expect(error).toMatchObject({ destination: 'Slack webhook', status: 429 });
    expect(slackServer.requests).toHaveLength(1);
  });

  it('retries 5xx and dropped connections with growing backoff, bounded', async () => {
    const clock = fakeClock();
    slackServer.script({ kind: 'status', status: 503, body: 'service_unavailable' }, { kind: 'drop' });
    await forwardRecord(snsRecord(attachAdminAlert()), deps(clock, { jira: false }));
    expect(clock.sleeps).toEqual([200, 400]);
    expect(slackServer.accepted).toHaveLength(1);

    slackServer.script(
      ...Array.from({ length: 4 }, () => ({ kind: 'status' as const, status: 500, body: 'internal_error' })),
    );
    await expect(
      forwardRecord(snsRecord(attachAdminAlert()), deps(clock, { jira: false })),
    ).rejects.toMatchObject({
      name: 'WebhookError',
      status: 500,
      message: 'Slack webhook answered 500: internal_error',
    });
    expect(slackServer.requests).toHaveLength(3 + 4);
  });

  it('spreads 5xx backoff with jitter: between the step and twice the step', async () => {
    const clock = { ...fakeClock(), random: () => 0.5 };
    jiraServer.script(
      { kind: 'status', status: 503, body: '{"errorMessages":["busy"]}' },
      { kind: 'status', status: 503, body: '{"errorMessages":["busy"]}' },
    );
    await forwardRecord(snsRecord(attachAdminAlert()), deps(clock, { slack: false }));
    expect(clock.sleeps).toEqual([300, 600]);
    expect(jiraServer.issues).toHaveLength(1);
  });

  it.each([
    [400, 'invalid_blocks'],
    [400, 'invalid_payload'],
    [403, 'action_prohibited'],
    [404, 'no_service'],
  ])('fails at once on Slack %i %s, naming destination, status and reason', async (status, body) => {
    slackServer.script({ kind: 'status', status, body });
    await expect(
      forwardRecord(snsRecord(attachAdminAlert()), deps(fakeClock(), { jira: false })),
    ).rejects.toMatchObject({
      name: 'WebhookError',
      destination: 'Slack webhook',
      status,
      message: `Slack webhook answered ${status}: ${body}`,
    });
    expect(slackServer.requests).toHaveLength(1);
  });

  it('fails on a revoked webhook (404 no_service) without putting the secret URL in the error', async () => {
    const error = (await forwardRecord(
      snsRecord(attachAdminAlert()),
      deps(fakeClock(), { jira: false, slackUrl: `${slackServer.url}-revoked` }),
    ).catch((caught: unknown) => caught)) as Error;
    expect(error).toMatchObject({ status: 404, message: 'Slack webhook answered 404: no_service' });
    expect(`${error.message}${error.stack}`).not.toContain('/services/');
  });

  it('reports Jira field errors from a 400', async () => {
    jiraServer.script(
      { kind: 'status', status: 200, body: '{"issues":[],"isLast":true}' },
      {
        kind: 'status',
        status: 400,
        body: JSON.stringify({
          errorMessages: [],
          errors: { summary: 'Summary must be less than 255 characters.' },
        }),
      },
    );
    await expect(
      forwardRecord(snsRecord(attachAdminAlert()), deps(fakeClock(), { slack: false })),
    ).rejects.toMatchObject({
      name: 'WebhookError',
      destination: 'Jira POST /rest/api/3/issue',
      status: 400,
      message: 'Jira POST /rest/api/3/issue answered 400: summary: Summary must be less than 255 characters.',
    });
  });

  it('fails on Jira 401 (bad token) without sending the token anywhere but the auth header', async () => {
    const error = (await forwardRecord(
      snsRecord(attachAdminAlert()),
      deps(fakeClock(), { slack: false, token: 'wrong-token' }),
    ).catch((caught: unknown) => caught)) as WebhookError;
    expect(error).toMatchObject({ status: 401, destination: 'Jira POST /rest/api/3/search/jql' });
    expect(error.message).toContain('Client must be authenticated');
    expect(error.message).not.toContain('wrong-token');
    expect(jiraServer.issues).toHaveLength(0);
  });

  it('waits for Jira 429 Retry-After, then creates the issue', async () => {
    const clock = fakeClock();
    jiraServer.script({ kind: 'throttle', retryAfterSeconds: 2 });
    const outcome = await forwardRecord(snsRecord(attachAdminAlert()), deps(clock, { slack: false }));
    expect(clock.sleeps).toEqual([2_000]);
    expect(outcome.jira?.outcome).toBe('created');
  });

  it('still opens the Jira issue when Slack fails, then throws the Slack error', async () => {
    slackServer.script({ kind: 'status', status: 400, body: 'invalid_blocks' });
    await expect(forwardRecord(snsRecord(attachAdminAlert()), deps(fakeClock()))).rejects.toMatchObject({
      status: 400,
    });
    expect(jiraServer.issues).toHaveLength(1);
  });

  it('throws naming every destination when both fail', async () => {
    slackServer.script({ kind: 'status', status: 404, body: 'no_service' });
    const error = (await forwardRecord(
      snsRecord(attachAdminAlert()),
      deps(fakeClock(), { token: 'bad' }),
    ).catch((caught: unknown) => caught)) as Error;
    expect(error.message).toContain('Slack webhook answered 404: no_service');
    expect(error.message).toContain('Jira POST /rest/api/3/search/jql answered 401');
  });

  it('spaces Slack posts at least a second apart', async () => {
    const clock = fakeClock();
    const shared = deps(clock, { jira: false });
    await forwardRecord(snsRecord(attachAdminAlert()), shared);
    await forwardRecord(snsRecord(attachAdminAlert({ eventId: 'e2' })), shared);
    expect(clock.sleeps).toEqual([1_000]);
    expect(slackServer.accepted).toHaveLength(2);
  });

  it.each([
    [
      'no alert attribute',
      (record: ReturnType<typeof snsRecord>) => delete record.Sns.MessageAttributes.alert,
      /has no "alert" message attribute/,
    ],
    [
      'bad JSON',
      (record: ReturnType<typeof snsRecord>) => {
        record.Sns.MessageAttributes.alert = { Type: 'String', Value: '{not json' };
      },
      /is not JSON/,
    ],
    [
      'wrong schema',
      (record: ReturnType<typeof snsRecord>) => {
        record.Sns.MessageAttributes.alert = {
          Type: 'String',
          Value: JSON.stringify({ ...attachAdminAlert(), schema: 'other@2' }),
        };
      },
      /is not an iam-change-alerts\/alert@1 alert \(schema: /,
    ],
  ])('rejects a record with %s, naming the SNS MessageId', async (_case, mutate, message) => {
    const record = snsRecord(attachAdminAlert(), 'sns-msg-42');
    mutate(record);
    const error = (await forwardRecord(record, deps(fakeClock())).catch(
      (caught: unknown) => caught,
    )) as Error;
    expect(error).toBeInstanceOf(InvalidEventError);
    expect(error.message).toContain('sns-msg-42');
    expect(error.message).toMatch(message);
    expect(slackServer.requests).toHaveLength(0);
  });
});
