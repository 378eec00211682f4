// Slack delivery: an incoming webhook (no way to look back) or a bot token (chat.postMessage, and
// conversations.history to look for an earlier post before a re-send). Posts are spaced per container.
import { WebhookError } from '../../../shared/errors.js';
import type { SlackBlock, SlackMessage } from '../../../shared/format/slack-blocks.js';
import type { RunContext } from '../../../shared/idempotency.js';
import {
  type Clock,
  DEFAULT_RETRY,
  type HttpRequest,
  type RemainingTime,
  type RetryPolicy,
  sendWithRetry,
  systemClock,
  UncertainDeliveryError,
} from './http.js';

/** What a post is told about the alert behind it. */
export interface SlackPostContext extends RunContext {
  /** The CloudTrail eventID, looked for in the channel's history (bot mode). */
  eventId?: string;
}

/** What a post did: `posted`, or (bot mode) `found` an earlier post of the same event and posted nothing. */
export type SlackPostOutcome = 'posted' | 'posted, marked as a possible repeat' | 'found in channel history';

/** Posts one message. Throws `WebhookError` when Slack rejects or fails it. */
export interface SlackWebhook {
  post(
    message: SlackMessage,
    remainingMs: RemainingTime,
    context: SlackPostContext,
  ): Promise<SlackPostOutcome>;
}

/** The context line that says a message may repeat one already posted (the webhook cannot look back). */
export const POSSIBLE_REPEAT_TEXT =
  ':warning: *Possible repeat*: an earlier attempt to post this alert may have reached Slack (its answer was lost). Check the channel for the same event ID.';

/** The message with a context line saying that it may be a repeat. Adds one block (formatters use ≤ 9 of 50). */
export const markAsPossibleRepeat = (message: SlackMessage): SlackMessage => ({
  ...message,
  text: `(possible repeat) ${message.text}`,
  blocks: [
    ...message.blocks,
    { type: 'context', elements: [{ type: 'mrkdwn', text: POSSIBLE_REPEAT_TEXT }] } as SlackBlock,
  ],
});

/** Settings common to both Slack modes. */
interface SpacingOptions {
  /** Minimum time between two posts from this container (Slack: about one message per second per channel). */
  minIntervalMs: number;
  policy?: Partial<RetryPolicy>;
  clock?: Clock;
  fetch?: typeof fetch;
}

/** Settings of {@link createSlackWebhook}. */
export interface SlackWebhookOptions extends SpacingOptions {
  /** Resolves the webhook URL (a secret: from SSM or the environment); called per post, cached by the resolver. */
  webhookUrl: () => Promise<string>;
}

const spacer = (clock: Clock, minIntervalMs: number) => {
  let lastPostAt = Number.NEGATIVE_INFINITY;
  return async <T>(post: () => Promise<T>): Promise<T> => {
    const wait = lastPostAt + minIntervalMs - clock.now();
    if (wait > 0) await clock.sleep(wait);
    try {
      return await post();
    } finally {
      lastPostAt = clock.now();
    }
  };
};

/**
 * Creates the incoming-webhook adapter. Create it once at module scope: the spacing between posts then holds
 * across records of one invocation and across warm invocations of the container. Slack answers errors in
 * plain text (`invalid_blocks`, `invalid_payload`, `no_service`, …); that text is the error's reason. A webhook
 * cannot read the channel, so a re-send after a lost answer (or after an earlier invocation that may have
 * posted) carries a context line saying it may be a repeat: a possible repeat, never a possible loss.
 * @see https://docs.slack.dev/messaging/sending-messages-using-incoming-webhooks/
 * @see https://docs.slack.dev/apis/web-api/rate-limits/
 */
export const createSlackWebhook = (options: SlackWebhookOptions): SlackWebhook => {
  const clock = options.clock ?? systemClock;
  const policy = { ...DEFAULT_RETRY, ...options.policy };
  const spaced = spacer(clock, options.minIntervalMs);
  return {
    post: (message, remainingMs, context) =>
      spaced(async () => {
        const url = await options.webhookUrl();
        const request = (body: SlackMessage): HttpRequest => ({
          method: 'POST',
          url,
          headers: { 'content-type': 'application/json; charset=utf-8' },
          body: JSON.stringify(body),
        });
        let marked = context.suspectRepeat;
        await sendWithRetry(request(marked ? markAsPossibleRepeat(message) : message), {
          destination: 'Slack webhook',
          policy,
          clock,
          remainingMs,
          afterUncertain: async () => {
            marked = true;
            return { request: request(markAsPossibleRepeat(message)) };
          },
          ...(options.fetch ? { fetch: options.fetch } : {}),
        });
        return marked ? 'posted, marked as a possible repeat' : 'posted';
      }),
  };
};

/** Settings of {@link createSlackBot}. */
export interface SlackBotOptions extends SpacingOptions {
  /** Resolves the bot token (`xoxb-…`, a secret). */
  botToken: () => Promise<string>;
  /** The channel ID (`C…`) the bot posts to; the bot must be a member (scopes `chat:write`, `channels:history`). */
  channelId: string;
  /** Slack's Web API base, `https://slack.com/api` (a loopback fake in tests). */
  apiUrl: string;
  /** How far back the history check looks, seconds: at least how long Lambda keeps retrying an event. */
  historyWindowSeconds: number;
}

/** Slack's Web API answer: HTTP 200 with `ok`, or `ok: false` and an `error` code. */
interface SlackApiAnswer {
  ok?: boolean;
  error?: string;
  ts?: string;
  has_more?: boolean;
  messages?: { text?: string; metadata?: { event_type?: string; event_payload?: Record<string, unknown> } }[];
}

/** The metadata event type the bot attaches to each post, so that the history check can find it by eventID. */
export const SLACK_METADATA_EVENT_TYPE = 'iam_change_alert';

/**
 * Creates the bot-token adapter: `chat.postMessage` with the eventID in the message metadata. Before a re-send
 * (a lost answer, or an earlier invocation that may have posted), it reads the channel's recent history
 * (`conversations.history`, `oldest` = now − `historyWindowSeconds`, with metadata) and posts nothing if a
 * message of the same eventID is there. If the history cannot be read, or does not reach back to `oldest` in
 * one page (Slack allows non-Marketplace apps 15 messages per call, one call a minute), it posts with the
 * possible-repeat line: a possible repeat, never a possible loss.
 * @see https://docs.slack.dev/reference/methods/chat.postMessage
 * @see https://docs.slack.dev/reference/methods/conversations.history
 * @see https://docs.slack.dev/messaging/message-metadata
 */
export const createSlackBot = (options: SlackBotOptions): SlackWebhook => {
  const clock = options.clock ?? systemClock;
  const policy = { ...DEFAULT_RETRY, ...options.policy };
  const spaced = spacer(clock, options.minIntervalMs);

  const callApi = async (
    method: string,
    request: Omit<HttpRequest, 'headers'> & { contentType?: string },
    remainingMs: RemainingTime,
    extra: Pick<Parameters<typeof sendWithRetry>[1], 'afterUncertain'> = {},
  ): Promise<SlackApiAnswer> => {
    const token = await options.botToken();
    const response = await sendWithRetry(
      {
        method: request.method,
        url: request.url,
        headers: {
          authorization: `Bearer ${token}`,
          ...(request.contentType ? { 'content-type': request.contentType } : {}),
        },
        ...(request.body === undefined ? {} : { body: request.body }),
      },
      {
        destination: `Slack ${method}`,
        policy,
        clock,
        remainingMs,
        ...extra,
        ...(options.fetch ? { fetch: options.fetch } : {}),
      },
    );
    const answer = JSON.parse(response.body) as SlackApiAnswer;
    return answer;
  };

  /** `true`: found; `false`: certainly not in the window; `undefined`: could not tell. */
  const findInHistory = async (eventId: string, remainingMs: RemainingTime): Promise<boolean | undefined> => {
    const oldest = (clock.now() / 1000 - options.historyWindowSeconds).toFixed(6);
    const query = new URLSearchParams({
      channel: options.channelId,
      oldest,
      limit: '15',
      include_all_metadata: 'true',
    });
    try {
      const answer = await callApi(
        'conversations.history',
        { method: 'GET', url: `${options.apiUrl}/conversations.history?${query}` },
        remainingMs,
      );
      if (!answer.ok) return undefined;
      const found = (answer.messages ?? []).some(
        (message) =>
          (message.metadata?.event_type === SLACK_METADATA_EVENT_TYPE &&
            message.metadata.event_payload?.event_id === eventId) ||
          (message.text ?? '').includes(eventId),
      );
      if (found) return true;
      return answer.has_more ? undefined : false;
    } catch {
      // Unreadable history is "cannot tell": the re-send then says it may be a repeat.
      return undefined;
    }
  };

  return {
    post: (message, remainingMs, context) =>
      spaced(async () => {
        const { eventId } = context;
        let marked = false;
        const body = (payload: SlackMessage) =>
          JSON.stringify({
            channel: options.channelId,
            ...payload,
            unfurl_links: false,
            ...(eventId
              ? { metadata: { event_type: SLACK_METADATA_EVENT_TYPE, event_payload: { event_id: eventId } } }
              : {}),
          });
        /** Before a re-send: `found`, or the body to send (marked when the history could not tell). */
        const check = async (): Promise<'found' | string> => {
          const seen = eventId ? await findInHistory(eventId, remainingMs) : undefined;
          if (seen === true) return 'found';
          marked = seen === undefined;
          return body(marked ? markAsPossibleRepeat(message) : message);
        };
        let first = body(message);
        if (context.suspectRepeat) {
          const checked = await check();
          if (checked === 'found') return 'found in channel history';
          first = checked;
        }
        let found = false;
        const request = (payload: string) => ({
          method: 'POST' as const,
          url: `${options.apiUrl}/chat.postMessage`,
          contentType: 'application/json; charset=utf-8',
          body: payload,
        });
        const answer = await callApi('chat.postMessage', request(first), remainingMs, {
          afterUncertain: async () => {
            const checked = await check();
            if (checked === 'found') {
              found = true;
              return { delivered: { status: 200, body: '{"ok":true}' } };
            }
            return {
              request: {
                method: 'POST',
                url: `${options.apiUrl}/chat.postMessage`,
                headers: {
                  authorization: `Bearer ${await options.botToken()}`,
                  'content-type': 'application/json; charset=utf-8',
                },
                body: checked,
              },
            };
          },
        });
        if (found) return 'found in channel history';
        if (!answer.ok) {
          // Slack's transient errors may come after the post was stored: keep the attempt mark.
          const transient = ['internal_error', 'fatal_error', 'service_unavailable', 'request_timeout'];
          const Failure = transient.includes(answer.error ?? '') ? UncertainDeliveryError : WebhookError;
          throw new Failure(
            'Slack chat.postMessage',
            200,
            `Slack chat.postMessage answered ${answer.error ?? 'not ok'}`,
          );
        }
        return marked ? 'posted, marked as a possible repeat' : 'posted';
      }),
  };
};
