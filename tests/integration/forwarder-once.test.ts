// Lost answers: the destination got the message, the forwarder did not hear so. forwardRecord with the real
// adapters and fetch against the fakes, which accept a post or create an issue and then drop the connection,
// never answer, or answer 502. Each test counts what the destination holds.
import type { Clock } from '../../functions/forwarder/adapters/http.js';
import { createJiraClient, POSSIBLE_REPEAT_LABEL } from '../../functions/forwarder/adapters/jira-client.js';
import { createSlackBot } from '../../functions/forwarder/adapters/slack-bot.js';
import {
  createSlackWebhook,
  POSSIBLE_REPEAT_TEXT,
} from '../../functions/forwarder/adapters/slack-webhook.js';
import { type ForwarderDeps, forwardRecord } from '../../functions/forwarder/forward.js';
import {
  type AttemptMarks,
  createLocalGuard,
  createMemoryMarks,
  type OnceGuard,
  passThroughGuard,
} from '../../shared/idempotency.js';
import { attachAdminAlert } from '../helpers/alerts.js';
import { type JiraServer, startJiraServer } from '../helpers/jira-server.js';
import { SLACK_BOT, type SlackServer, startSlackServer } from '../helpers/slack-server.js';
import { snsRecord } from '../helpers/sns-event.js';

const JIRA = { email: 'secops@example.com', token: 'jira-token', projectKey: 'SEC' };
// Short per-request timeouts: a "hang" costs this much real time per attempt.
const TIMEOUT_MS = 300;

/** Real time for `now` (Slack history timestamps), recorded sleeps; `onSleep` lets a test act during a wait. */
const recordingClock = (onSleep: (ms: number) => void = () => undefined): Clock & { sleeps: number[] } => {
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => Date.now(),
    sleep: async (ms) => {
      sleeps.push(ms);
      onSleep(ms);
    },
    random: () => 0,
  };
};

let slack: SlackServer;
let jira: JiraServer;
beforeEach(async () => {
  [slack, jira] = await Promise.all([startSlackServer(), startJiraServer(JIRA)]);
});
afterEach(async () => {
  await Promise.all([slack.close(), jira.close()]);
});

type SlackMode = 'webhook' | 'bot';
const deps = (
  clock: Clock,
  options: { slack?: SlackMode; jira?: boolean; guard?: OnceGuard; remainingMs?: number } = {},
): ForwarderDeps => {
  const policy = { timeoutMs: TIMEOUT_MS };
  const spacing = { minIntervalMs: 0, clock, policy };
  return {
    guard: options.guard ?? passThroughGuard,
    remainingMs: () => options.remainingMs ?? 30_000,
    ...(options.slack === 'webhook'
      ? { slack: createSlackWebhook({ webhookUrl: async () => slack.url, ...spacing }) }
      : options.slack === 'bot'
        ? {
            slack: createSlackBot({
              botToken: async () => SLACK_BOT.token,
              channelId: SLACK_BOT.channelId,
              apiUrl: slack.apiUrl,
              historyWindowSeconds: 7 * 3600,
              ...spacing,
            }),
          }
        : {}),
    ...(options.jira
      ? {
          jira: {
            client: createJiraClient({
              baseUrl: jira.baseUrl,
              email: JIRA.email,
              apiToken: async () => JIRA.token,
              clock,
              policy,
            }),
            options: { projectKey: 'SEC', issueType: 'Task' },
          },
        }
      : {}),
  };
};

const lastBlockText = (message: unknown): string | undefined => {
  const blocks = (message as { blocks: { elements?: { text?: string }[] }[] }).blocks;
  return blocks.at(-1)?.elements?.[0]?.text;
};

describe('Slack bot: a lost answer is checked in the channel history, never posted twice', () => {
  it.each(['drop', 'hang'] as const)('posts once when the answer is lost (%s)', async (how) => {
    // Arrange: Slack stores the post, then the answer is lost.
    slack.script({ kind: 'lose-answer', how });
    const alert = attachAdminAlert({ eventId: '0e000001-0000-4000-8000-000000000001' });
    const clock = recordingClock();
    // Act
    const outcome = await forwardRecord(snsRecord(alert), deps(clock, { slack: 'bot' }));
    // Assert: one message in the channel, found by its metadata; after the backoff and a second for the post to
    // settle, the retry read the history and posted nothing.
    expect(slack.channel).toHaveLength(1);
    expect(slack.channel[0]?.metadata).toEqual({
      event_type: 'iam_change_alert',
      event_payload: { event_id: alert.eventId },
    });
    expect(outcome.slack).toBe('found in channel history');
    expect(clock.sleeps).toEqual([200, 1_000]);
    expect(slack.requests.map((request) => request.path.split('?')[0])).toEqual([
      '/api/chat.postMessage',
      '/api/conversations.history',
    ]);
    const history = new URLSearchParams(slack.requests[1]?.path.split('?')[1]);
    expect(history.get('channel')).toBe(SLACK_BOT.channelId);
    expect(Number(history.get('oldest'))).toBeGreaterThan(Date.now() / 1000 - 7 * 3600 - 60);
    expect(history.get('include_all_metadata')).toBe('true');
  });

  it('posts (unmarked) when the first attempt never reached the channel', async () => {
    slack.script({ kind: 'drop' });
    const outcome = await forwardRecord(
      snsRecord(attachAdminAlert()),
      deps(recordingClock(), { slack: 'bot' }),
    );
    expect(outcome.slack).toBe('posted');
    expect(slack.channel).toHaveLength(1);
    expect(lastBlockText(slack.channel[0])).not.toBe(POSSIBLE_REPEAT_TEXT);
  });

  it('marks the re-post as a possible repeat when the history cannot be read', async () => {
    // Arrange: the post is stored and its answer lost; the history call is refused (429 beyond the deadline).
    slack.script({ kind: 'lose-answer', how: 'drop' }, { kind: 'throttle', retryAfterSeconds: 120 });
    // Act
    const outcome = await forwardRecord(
      snsRecord(attachAdminAlert()),
      deps(recordingClock(), { slack: 'bot' }),
    );
    // Assert: two messages, the second one saying that it may repeat the first: a repeat, never a loss.
    expect(slack.channel).toHaveLength(2);
    expect(lastBlockText(slack.channel[1])).toBe(POSSIBLE_REPEAT_TEXT);
    expect(outcome.slack).toBe('posted, marked as a possible repeat');
  });

  it('on a retry after a "save success" write failed, finds the post and does not post again', async () => {
    // Arrange: the attempt marks cannot record the delivery (DynamoDB failing after the post).
    const memory = createMemoryMarks();
    const marks: AttemptMarks = {
      ...memory,
      delivered: async () => {
        throw new Error('DynamoDB InternalServerError');
      },
    };
    const guard = createLocalGuard(marks);
    const record = snsRecord(attachAdminAlert({ eventId: '0e000004-0000-4000-8000-000000000001' }));
    // Act: first delivery posts; Lambda's retry of the same event runs with suspectRepeat.
    expect((await forwardRecord(record, deps(recordingClock(), { slack: 'bot', guard }))).slack).toBe(
      'posted',
    );
    const retry = await forwardRecord(record, deps(recordingClock(), { slack: 'bot', guard }));
    // Assert
    expect(retry.slack).toBe('found in channel history');
    expect(slack.channel).toHaveLength(1);
  });

  it("reports a Web API error (ok: false) as a failure naming Slack's error code", async () => {
    const bot = createSlackBot({
      botToken: async () => SLACK_BOT.token,
      channelId: 'C0NOTMEMBER',
      apiUrl: slack.apiUrl,
      historyWindowSeconds: 3600,
      minIntervalMs: 0,
      clock: recordingClock(),
    });
    await expect(
      forwardRecord(snsRecord(attachAdminAlert()), {
        guard: passThroughGuard,
        remainingMs: () => 30_000,
        slack: bot,
      }),
    ).rejects.toMatchObject({
      name: 'WebhookError',
      message: 'Slack chat.postMessage answered channel_not_found',
    });
    expect(slack.channel).toHaveLength(0);
  });

  it('waits for Retry-After plus jitter when Slack answers 429 ratelimited', async () => {
    const clock = { ...recordingClock(), random: () => 0.5 };
    slack.script({ kind: 'throttle', retryAfterSeconds: 3 });
    await forwardRecord(snsRecord(attachAdminAlert()), deps(clock, { slack: 'bot' }));
    expect(clock.sleeps).toEqual([3_500]);
    expect(slack.channel).toHaveLength(1);
  });
});

describe('Slack webhook: no way to look back, so a re-send says it may be a repeat', () => {
  it.each(['drop', 'hang'] as const)(
    'marks the second post when the first answer is lost (%s)',
    async (how) => {
      slack.script({ kind: 'lose-answer', how });
      const outcome = await forwardRecord(
        snsRecord(attachAdminAlert()),
        deps(recordingClock(), { slack: 'webhook' }),
      );
      expect(slack.accepted).toHaveLength(2);
      expect(lastBlockText(slack.accepted[0])).not.toBe(POSSIBLE_REPEAT_TEXT);
      expect(lastBlockText(slack.accepted[1])).toBe(POSSIBLE_REPEAT_TEXT);
      expect((slack.accepted[1] as { text: string }).text).toMatch(/^\(possible repeat\) /);
      expect(outcome.slack).toBe('posted, marked as a possible repeat');
    },
  );
});

describe('Jira: a lost create answer is searched for, allowing for the index lag, before a second create', () => {
  it.each(['drop', 'hang', 'bad-gateway'] as const)(
    'opens one issue when the create answer is lost (%s)',
    async (how) => {
      // Arrange: the create's answer is lost; the search index catches up during the first lag wait.
      jira.setIndexImmediately(false);
      jira.script(
        { kind: 'status', status: 200, body: '{"issues":[],"isLast":true}' },
        { kind: 'lose-answer', how },
      );
      const clock = recordingClock((ms) => {
        if (ms === 1_000) jira.indexAll();
      });
      // Act
      const outcome = await forwardRecord(snsRecord(attachAdminAlert()), deps(clock, { jira: true }));
      // Assert
      expect(jira.issues).toHaveLength(1);
      expect(outcome.jira).toEqual({ key: 'SEC-1', outcome: 'found by label' });
      expect(jira.requests.map((request) => request.path)).toEqual([
        '/rest/api/3/search/jql',
        '/rest/api/3/issue',
        '/rest/api/3/search/jql',
        '/rest/api/3/search/jql',
      ]);
    },
  );

  it('creates a second issue labelled possible-repeat when the search never finds the first', async () => {
    // Arrange: the index never catches up within the invocation.
    jira.setIndexImmediately(false);
    jira.script(
      { kind: 'status', status: 200, body: '{"issues":[],"isLast":true}' },
      { kind: 'lose-answer', how: 'drop' },
    );
    const clock = recordingClock();
    // Act
    const outcome = await forwardRecord(snsRecord(attachAdminAlert()), deps(clock, { jira: true }));
    // Assert: patient search (3 lag waits), then a create that says it may repeat one.
    expect(clock.sleeps).toEqual([200, 1_000, 2_000, 4_000]);
    expect(jira.issues).toHaveLength(2);
    expect(jira.issues[0]?.fields.labels).not.toContain(POSSIBLE_REPEAT_LABEL);
    expect(jira.issues[1]?.fields.labels).toContain(POSSIBLE_REPEAT_LABEL);
    expect(outcome.jira).toEqual({ key: 'SEC-2', outcome: 'created, labelled possible-repeat' });
  });

  it('on a retry after a "save success" write failed, finds the issue and does not create another', async () => {
    const memory = createMemoryMarks();
    const guard = createLocalGuard({
      ...memory,
      delivered: async () => {
        throw new Error('DynamoDB InternalServerError');
      },
    });
    const record = snsRecord(attachAdminAlert({ eventId: '0e000005-0000-4000-8000-000000000001' }));
    jira.setIndexImmediately(false);
    await forwardRecord(record, deps(recordingClock(), { jira: true, guard }));
    const retry = await forwardRecord(
      record,
      deps(
        recordingClock((ms) => {
          if (ms === 1_000) jira.indexAll();
        }),
        { jira: true, guard },
      ),
    );
    expect(jira.issues).toHaveLength(1);
    expect(retry.jira).toEqual({ key: 'SEC-1', outcome: 'found by label' });
  });
});

describe('a destination that never answers', () => {
  it('fails within the attempts × timeout budget, marked as possibly delivered', async () => {
    slack.script(
      ...Array.from({ length: 4 }, () => ({ kind: 'lose-answer' as const, how: 'hang' as const })),
    );
    const started = Date.now();
    const error = await forwardRecord(
      snsRecord(attachAdminAlert()),
      deps(recordingClock(), { slack: 'webhook' }),
    ).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ name: 'WebhookError', mayHaveDelivered: true, status: 0 });
    expect((error as Error).message).toBe('Slack webhook: request failed (timed out)');
    expect(Date.now() - started).toBeLessThan(4 * TIMEOUT_MS + 1_000);
    // Four attempts reached Slack; every re-send said it may be a repeat.
    expect(slack.accepted).toHaveLength(4);
    expect(slack.accepted.slice(1).map(lastBlockText)).toEqual([
      POSSIBLE_REPEAT_TEXT,
      POSSIBLE_REPEAT_TEXT,
      POSSIBLE_REPEAT_TEXT,
    ]);
  });
});
