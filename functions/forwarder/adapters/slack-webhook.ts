// Slack delivery by incoming webhook (no way to look back: a re-send is marked), and what both Slack modes share
// (the port, the possible-repeat line, the spacing of posts). The bot-token mode is in slack-bot.ts.
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
export interface SpacingOptions {
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

/**
 * Spaces posts from this container by `minIntervalMs` (the last post's end to the next one's start); shared by
 * the webhook and the bot adapter.
 */
export const createPostSpacer = (clock: Clock, minIntervalMs: number) => {
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
  const spaced = createPostSpacer(clock, options.minIntervalMs);
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
