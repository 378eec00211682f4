// Slack incoming webhook adapter: POSTs a Block Kit message, spaced to Slack's ~1 message/second.
import type { SlackMessage } from '../../../shared/format/slack-blocks.js';
import {
  type Clock,
  DEFAULT_RETRY,
  type RemainingTime,
  type RetryPolicy,
  sendWithRetry,
  systemClock,
} from './http.js';

/** Posts one message to the configured webhook. Throws `WebhookError` when Slack rejects or fails it. */
export interface SlackWebhook {
  post(message: SlackMessage, remainingMs: RemainingTime): Promise<void>;
}

/** Settings of {@link createSlackWebhook}. */
export interface SlackWebhookOptions {
  /** Resolves the webhook URL (a secret: from SSM or the environment); called per post, cached by the resolver. */
  webhookUrl: () => Promise<string>;
  /** Minimum time between two posts from this container (Slack: about one message per second per webhook). */
  minIntervalMs: number;
  policy?: Partial<RetryPolicy>;
  clock?: Clock;
  fetch?: typeof fetch;
}

/**
 * Creates the Slack webhook adapter. Create it once at module scope: the spacing between posts then holds
 * across records of one invocation and across warm invocations of the container. Slack answers errors in
 * plain text (`invalid_blocks`, `invalid_payload`, `no_service`, …); that text is the error's reason.
 * @see https://docs.slack.dev/messaging/sending-messages-using-incoming-webhooks/
 * @see https://docs.slack.dev/apis/web-api/rate-limits/
 */
export const createSlackWebhook = (options: SlackWebhookOptions): SlackWebhook => {
  const clock = options.clock ?? systemClock;
  const policy = { ...DEFAULT_RETRY, ...options.policy };
  let lastPostAt = Number.NEGATIVE_INFINITY;
  return {
    async post(message, remainingMs) {
      const wait = lastPostAt + options.minIntervalMs - clock.now();
      if (wait > 0) await clock.sleep(wait);
      try {
        await sendWithRetry(
          {
            method: 'POST',
            url: await options.webhookUrl(),
            headers: { 'content-type': 'application/json; charset=utf-8' },
            body: JSON.stringify(message),
          },
          {
            destination: 'Slack webhook',
            policy,
            clock,
            remainingMs,
            ...(options.fetch ? { fetch: options.fetch } : {}),
          },
        );
      } finally {
        lastPostAt = clock.now();
      }
    },
  };
};
