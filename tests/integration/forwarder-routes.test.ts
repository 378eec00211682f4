// Issue 12 on the forwarder: routes (each with its own Slack webhook and Jira project) and bursts grouped from an
// SQS batch, with the real adapters and the real fetch against the loopback Slack and Jira fakes.
import type { Clock } from '../../functions/forwarder/adapters/http.js';
import { createJiraClient } from '../../functions/forwarder/adapters/jira-client.js';
import { createSlackWebhook } from '../../functions/forwarder/adapters/slack-webhook.js';
import { type ForwarderDeps, forwardRecord } from '../../functions/forwarder/forward.js';
import { forwardBatch } from '../../functions/forwarder/forward-batch.js';
import type { Alert, Severity } from '../../shared/domain/types.js';
import { createLocalGuard, type OnceGuard, passThroughGuard } from '../../shared/idempotency.js';
import { attachAdminAlert } from '../helpers/alerts.js';
import { type JiraServer, startJiraServer } from '../helpers/jira-server.js';
import { type SlackServer, startSlackServer, validateSlackMessage } from '../helpers/slack-server.js';
import { snsRecord } from '../helpers/sns-event.js';
import { sqsRecord } from '../helpers/sqs-event.js';

const JIRA = { email: 'secops@example.com', token: 'jira-token-not-for-logs', projectKey: 'SEC' };
const SESSION = 'arn:aws:sts::123456789012:assumed-role/terraform-deploy/ci-4711';
const GROUP = `123456789012 ${SESSION}`;

const clock: Clock = { now: () => 1_000_000, random: () => 0, sleep: async () => undefined };

let slack: SlackServer;
let prodSlack: SlackServer;
let jira: JiraServer;
beforeEach(async () => {
  [slack, prodSlack, jira] = await Promise.all([
    startSlackServer(),
    startSlackServer(),
    startJiraServer({ ...JIRA, otherProjects: ['SECPROD'] }),
  ]);
});
afterEach(async () => {
  await Promise.all([slack.close(), prodSlack.close(), jira.close()]);
});

const webhook = (server: SlackServer) =>
  createSlackWebhook({
    webhookUrl: async () => server.url,
    minIntervalMs: 0,
    clock,
    policy: { timeoutMs: 2_000 },
  });

const deps = (guard: OnceGuard = passThroughGuard, minimumSeverity: Severity = 'info'): ForwarderDeps => ({
  guard,
  remainingMs: () => 30_000,
  minimumSeverity,
  slack: webhook(slack),
  jira: {
    client: createJiraClient({
      baseUrl: jira.baseUrl,
      email: JIRA.email,
      apiToken: async () => JIRA.token,
      clock,
      policy: { timeoutMs: 2_000, maxAttempts: 1 },
    }),
    options: { projectKey: 'SEC', issueType: 'Task' },
  },
  routes: new Map([['prod', { slack: webhook(prodSlack), jiraProject: 'SECPROD' }]]),
});

/** The n-th change of a Terraform apply: roles created, then policies attached, one every 5 seconds. */
const burstAlert = (n: number): Alert => {
  const creates = n < 28;
  const second = 5 * n;
  return attachAdminAlert({
    eventId: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    eventName: creates ? 'CreateRole' : 'AttachRolePolicy',
    family: creates ? 'Create' : 'Attach',
    category: creates ? 'identity' : 'permissions',
    severity: n % 3 === 0 ? 'medium' : 'low',
    eventTime: new Date(Date.UTC(2026, 10, 1, 10, 0, second)).toISOString().replace('.000', ''),
    title: creates ? `IAM role app-${n} created` : `Policy ReadOnly attached to role app-${n}`,
    principal: {
      ...attachAdminAlert().principal,
      type: 'AssumedRole',
      name: 'terraform-deploy',
      arn: SESSION,
      issuerName: 'terraform-deploy',
      sessionName: 'ci-4711',
      via: 'terraform',
      viaLabel: 'Terraform',
    },
  });
};

const postedTexts = (server: SlackServer): string[] => server.accepted.map((body) => JSON.stringify(body));

describe('bursts from the grouped alerts queue', () => {
  it('turns a burst of 40 changes from one session into one Slack post and one Jira issue', async () => {
    // Arrange: 40 grouped alerts in one SQS batch (the batching window gathered them).
    const records = Array.from({ length: 40 }, (_, n) => sqsRecord(burstAlert(n), { group: GROUP }));
    // Act
    const result = await forwardBatch(records, deps());
    // Assert
    expect(result.batchItemFailures).toEqual([]);
    expect(slack.accepted).toHaveLength(1);
    expect(validateSlackMessage(slack.accepted[0])).toEqual([]);
    const message = JSON.stringify(slack.accepted[0]);
    expect(message).toContain('Burst of 40 changes');
    expect(message).toContain('made 40 IAM changes in 3 minutes: CreateRole ×28, AttachRolePolicy ×12');
    expect(message).toContain('MEDIUM');
    expect(jira.issues).toHaveLength(1);
    const fields = jira.issues[0]?.fields as { summary: string; labels: string[]; description: unknown };
    expect(fields.summary).toMatch(
      /^\[MEDIUM\] Burst: terraform-deploy \(session ci-4711\) made 40 IAM changes/,
    );
    expect(fields.labels).toEqual(expect.arrayContaining(['iam-alert-burst', 'severity-medium']));
    // Every event is listed in the issue (40 ≤ the 200 it lists), oldest first.
    const listed = JSON.stringify(fields.description).match(/00000000-0000-4000-8000-\d{12}/g) ?? [];
    expect(listed).toEqual(records.map((_, n) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`));
  });

  it('delivers a critical change of the same session at once, on its own, not in the burst', async () => {
    // Arrange: the critical alert has no group: the notifier published it for the direct SNS subscription.
    const critical = attachAdminAlert({
      ...burstAlert(40),
      eventId: 'cccccccc-0000-4000-8000-000000000001',
      severity: 'critical',
      title: 'AdministratorAccess attached to role terraform-deploy',
    });
    const records = Array.from({ length: 40 }, (_, n) => sqsRecord(burstAlert(n), { group: GROUP }));
    // Act: the direct path first (no batching window), then the batch the window closes minutes later.
    const direct = await forwardRecord(
      snsRecord(critical, 'msg-critical', { routes: ['default'], group: null }),
      deps(),
    );
    expect(slack.accepted).toHaveLength(1);
    expect(jira.issues).toHaveLength(1);
    await forwardBatch(records, deps());
    // Assert
    expect(direct).toMatchObject({
      severity: 'critical',
      slack: 'posted',
      jira: { key: 'SEC-1', outcome: 'created' },
    });
    expect(slack.accepted).toHaveLength(2);
    expect(postedTexts(slack)[0]).toContain('CRITICAL');
    expect(postedTexts(slack)[1]).not.toContain(critical.eventId);
    expect(postedTexts(slack)[1]).toContain('Burst of 40 changes');
    expect(JSON.stringify(jira.issues[1]?.fields)).not.toContain(critical.eventId);
  });

  it('reports a failed burst alone, so only its messages return to the queue', async () => {
    // Arrange: two sessions; Slack refuses the first post (the first burst), accepts the second.
    const other = 'arn:aws:sts::123456789012:assumed-role/sso-admin/bob';
    const first = Array.from({ length: 3 }, (_, n) => sqsRecord(burstAlert(n), { group: GROUP }));
    const second = Array.from({ length: 3 }, (_, n) =>
      sqsRecord(
        {
          ...burstAlert(n + 100),
          principal: { ...burstAlert(0).principal, arn: other, issuerName: 'sso-admin', sessionName: 'bob' },
        },
        { group: `123456789012 ${other}` },
      ),
    );
    slack.script({ kind: 'status', status: 400, body: 'invalid_payload' });
    // Act
    const result = await forwardBatch([...first, ...second], deps());
    // Assert
    expect(result.batchItemFailures.map((failure) => failure.itemIdentifier).sort()).toEqual(
      first.map((record) => record.messageId).sort(),
    );
    expect(slack.accepted).toHaveLength(1);
    expect(JSON.stringify(slack.accepted[0])).toContain('sso-admin');
  });

  it('does not post the burst again when the retried batch holds the same messages and only Jira failed', async () => {
    const guard = createLocalGuard();
    const records = Array.from({ length: 5 }, (_, n) => sqsRecord(burstAlert(n), { group: GROUP }));
    jira.script({
      kind: 'status',
      status: 400,
      body: JSON.stringify({ errorMessages: ['Project is archived'], errors: {} }),
    });
    const failed = await forwardBatch(records, deps(guard));
    expect(failed.batchItemFailures).toHaveLength(5);
    expect(slack.accepted).toHaveLength(1);
    // Act: Lambda returns the five messages to the queue; the next batch holds them again.
    const retried = await forwardBatch(records, deps(guard));
    // Assert
    expect(retried.batchItemFailures).toEqual([]);
    expect(slack.accepted).toHaveLength(1);
    expect(jira.issues).toHaveLength(1);
  });
});

describe('bursts and routes', () => {
  it('sends one message per route a burst names, each listing only the alerts of that route', async () => {
    // Arrange: one session; 4 changes in the prod account (route prod), 3 elsewhere (default route).
    const records = Array.from({ length: 7 }, (_, n) =>
      sqsRecord(burstAlert(n), { group: GROUP, routes: n < 4 ? ['prod'] : ['default'] }),
    );
    // Act
    const result = await forwardBatch(records, deps());
    // Assert
    expect(result.batchItemFailures).toEqual([]);
    expect(prodSlack.accepted).toHaveLength(1);
    expect(slack.accepted).toHaveLength(1);
    expect(postedTexts(prodSlack)[0]).toContain('Burst of 4 changes');
    expect(postedTexts(slack)[0]).toContain('Burst of 3 changes');
    expect(jira.issues.map((issue) => issue.key).sort()).toEqual(['SEC-1', 'SECPROD-1']);
    expect(result.delivered).toEqual([
      expect.objectContaining({
        group: GROUP,
        events: 7,
        routes: {
          prod: { slack: 'posted', jira: { key: 'SECPROD-1', outcome: 'created' } },
          default: { slack: 'posted', jira: { key: 'SEC-1', outcome: 'created' } },
        },
      }),
    ]);
  });
});

describe('routes', () => {
  it("sends a route's alerts to its own Slack webhook and Jira project, and nothing else there", async () => {
    // Arrange: one alert routed to prod only, one to the default route only, one to both (a guard-rail alert).
    const prodOnly = attachAdminAlert({
      eventId: 'aaaaaaaa-0000-4000-8000-000000000001',
      title: 'prod change',
    });
    const defaultOnly = attachAdminAlert({
      eventId: 'aaaaaaaa-0000-4000-8000-000000000002',
      title: 'dev change',
    });
    const both = attachAdminAlert({ eventId: 'aaaaaaaa-0000-4000-8000-000000000003', title: 'guard rail' });
    // Act
    const outcomes = [
      await forwardRecord(snsRecord(prodOnly, 'm1', { routes: ['prod'], group: null }), deps()),
      await forwardRecord(snsRecord(defaultOnly, 'm2', { routes: ['default'], group: null }), deps()),
      await forwardRecord(snsRecord(both, 'm3', { routes: ['default', 'prod'], group: null }), deps()),
    ];
    // Assert
    const titles = (server: SlackServer) =>
      postedTexts(server).map((text) =>
        ['prod change', 'dev change', 'guard rail'].find((t) => text.includes(t)),
      );
    expect(titles(prodSlack)).toEqual(['prod change', 'guard rail']);
    expect(titles(slack)).toEqual(['dev change', 'guard rail']);
    expect(jira.issues.map((issue) => issue.key).sort()).toEqual([
      'SEC-1',
      'SEC-2',
      'SECPROD-1',
      'SECPROD-2',
    ]);
    const prodIssues = jira.issues.filter((issue) => issue.key.startsWith('SECPROD-'));
    expect(
      prodIssues.map((issue) => (issue.fields.labels as string[]).find((l) => l.startsWith('ct-'))),
    ).toEqual([`ct-${prodOnly.eventId}`, `ct-${both.eventId}`]);
    expect(outcomes[0]).toEqual({
      messageId: 'm1',
      eventId: prodOnly.eventId,
      eventName: 'AttachUserPolicy',
      severity: 'high',
      routes: { prod: { slack: 'posted', jira: { key: 'SECPROD-1', outcome: 'created' } } },
    });
  });

  it('retries only the route that failed: the delivered route is not posted again', async () => {
    // Arrange: the prod webhook fails the first time; the default route's deliveries succeed.
    const guard = createLocalGuard();
    const alert = attachAdminAlert({ eventId: 'bbbbbbbb-0000-4000-8000-000000000001' });
    const record = snsRecord(alert, 'm-retry', { routes: ['default', 'prod'], group: null });
    prodSlack.script({ kind: 'status', status: 404, body: 'no_service' });
    await expect(forwardRecord(record, deps(guard))).rejects.toThrow(/no_service/);
    expect(slack.accepted).toHaveLength(1);
    expect(prodSlack.accepted).toHaveLength(0);
    expect(jira.issues).toHaveLength(2);
    // Act: Lambda retries the invocation.
    const retry = await forwardRecord(record, deps(guard));
    // Assert: only prod's Slack post happens now.
    expect(slack.accepted).toHaveLength(1);
    expect(prodSlack.accepted).toHaveLength(1);
    expect(jira.issues).toHaveLength(2);
    expect(retry).toMatchObject({
      slack: 'already posted',
      jira: { outcome: 'already created' },
      routes: { prod: { slack: 'posted', jira: { outcome: 'already created' } } },
    });
  });

  it('delivers a route it does not know on the default route, never dropping the alert', async () => {
    const alert = attachAdminAlert({ eventId: 'dddddddd-0000-4000-8000-000000000001' });
    const outcome = await forwardRecord(
      snsRecord(alert, 'm-unknown', { routes: ['staging'], group: null }),
      deps(),
    );
    expect(slack.accepted).toHaveLength(1);
    expect(prodSlack.accepted).toHaveLength(0);
    expect(outcome.notes).toEqual([
      'route staging is unknown to this forwarder: delivered on the default route',
    ]);
  });

  it("holds the default route to its minimum severity when the alert came by another route's filter", async () => {
    const alert = attachAdminAlert({ eventId: 'eeeeeeee-0000-4000-8000-000000000001', severity: 'low' });
    await forwardRecord(
      snsRecord(alert, 'm-low', { routes: ['default', 'prod'], group: null }),
      deps(passThroughGuard, 'medium'),
    );
    expect(slack.accepted).toHaveLength(0);
    expect(prodSlack.accepted).toHaveLength(1);
  });

  it('treats an alert of an older notifier (no routes, no group) as the default route', async () => {
    const outcome = await forwardRecord(snsRecord(attachAdminAlert()), deps());
    expect(outcome).toMatchObject({ slack: 'posted', jira: { key: 'SEC-1' } });
    expect(outcome.routes).toBeUndefined();
    expect(prodSlack.accepted).toHaveLength(0);
  });
});
