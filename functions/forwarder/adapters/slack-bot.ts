// Slack delivery with a bot token: chat.postMessage, and conversations.history to look for an earlier post of the
// same event before a re-send.
import { WebhookError } from '../../../shared/errors.js';
import type { SlackMessage } from '../../../shared/format/slack-blocks.js';
import {
  DEFAULT_RETRY,
  type HttpRequest,
  type RemainingTime,
  sendWithRetry,
  systemClock,
  UncertainDeliveryError,
} from './http.js';
import {
  createPostSpacer,
  markAsPossibleRepeat,
  type SlackWebhook,
  type SpacingOptions,
} from './slack-webhook.js';

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

/** How long the bot waits after a lost answer before it reads the history (the post may still be in flight). */
export const HISTORY_SETTLE_MS = 1_000;

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
  const spaced = createPostSpacer(clock, options.minIntervalMs);

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
        const check = async (settle: boolean): Promise<'found' | string> => {
          // Right after a lost answer the post may still be in flight: give Slack a moment to store it.
          if (settle)
            await clock.sleep(
              Math.max(0, Math.min(HISTORY_SETTLE_MS, remainingMs() - policy.reserveMs - 2_000)),
            );
          const seen = eventId ? await findInHistory(eventId, remainingMs) : undefined;
          if (seen === true) return 'found';
          marked = seen === undefined;
          return body(marked ? markAsPossibleRepeat(message) : message);
        };
        let first = body(message);
        if (context.suspectRepeat) {
          const checked = await check(false);
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
            const checked = await check(true);
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
