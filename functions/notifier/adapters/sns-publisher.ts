// The only notifier code that calls SNS.
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { describeError, PublishError } from '../../../shared/errors.js';
import { SNS_MAX_BYTES, type SnsMessage, snsMessageBytes } from '../../../shared/format/sns-message.js';

/** How one publish is made. */
export interface PublishOptions {
  /**
   * An earlier attempt may already have published this alert (its answer was lost, or an earlier invocation
   * did not record its outcome): the message says that it may be a repeat.
   */
  possibleRepeat?: boolean;
  /** Time left in the invocation; no attempt starts that could not finish inside it. */
  remainingMs?: () => number;
}

/** What a publish did. */
export interface PublishResult {
  messageId?: string;
  /** The published message was marked as a possible repeat. */
  possibleRepeat?: boolean;
}

/** Sends a rendered alert to the topic. Throws `PublishError` when it cannot. */
export interface AlertPublisher {
  publish(message: SnsMessage, options?: PublishOptions): Promise<PublishResult>;
}

/** The note a possibly repeated alert carries, in the e-mail text and in the JSON alert's `notes`. */
export const POSSIBLE_REPEAT_NOTE =
  'This may repeat an alert already sent: an earlier attempt to publish it may have reached SNS (its answer was lost).';

/**
 * The message marked as a possible repeat: a `possibleRepeat` String attribute (`true`), the JSON alert with
 * `possibleRepeat: true` and the note, the note at the top of the e-mail text, and `(repeat?)` in the subject.
 * The formatter keeps 4 KB under SNS's 256 KB; if the marked text would still not fit, only the attribute and
 * the JSON flag are added.
 */
export const markAsPossibleRepeat = (message: SnsMessage): SnsMessage => {
  const attributes = { ...message.MessageAttributes };
  const alert = attributes.alert;
  if (alert) {
    try {
      const parsed = JSON.parse(alert.StringValue) as Record<string, unknown>;
      const notes = Array.isArray(parsed.notes) ? parsed.notes : [];
      attributes.alert = {
        ...alert,
        StringValue: JSON.stringify({
          ...parsed,
          possibleRepeat: true,
          notes: [...notes, POSSIBLE_REPEAT_NOTE],
        }),
      };
    } catch {
      // Not JSON: the formatter always writes JSON, so this cannot happen; the attribute below still marks it.
    }
  }
  attributes.possibleRepeat = { DataType: 'String', StringValue: 'true' };
  const marked: SnsMessage = {
    ...message,
    // SNS subjects are under 100 ASCII characters.
    Subject: `(repeat?) ${message.Subject}`.slice(0, 99),
    Message: `${POSSIBLE_REPEAT_NOTE}\n\n${message.Message}`,
    MessageAttributes: attributes,
  };
  if (snsMessageBytes(marked) <= SNS_MAX_BYTES) return marked;
  return {
    ...message,
    MessageAttributes: { ...message.MessageAttributes, possibleRepeat: attributes.possibleRepeat },
  };
};

const THROTTLING = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'KMSThrottlingException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
]);
// Network errors that prove the request never reached SNS.
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH']);

/**
 * What a failed Publish means: `refused` (SNS answered 4xx: retrying cannot help), `not-sent` (throttled, or
 * no connection: retry as is), `unknown` (timeout after connecting, dropped connection, 5xx: SNS may have
 * accepted it; a retry is marked as a possible repeat).
 */
export const classifyPublishFailure = (error: unknown): 'refused' | 'not-sent' | 'unknown' => {
  const e = (typeof error === 'object' && error !== null ? error : {}) as {
    name?: string;
    code?: string;
    message?: string;
    $metadata?: { httpStatusCode?: number };
  };
  const status = e.$metadata?.httpStatusCode;
  if (THROTTLING.has(e.name ?? '')) return 'not-sent';
  if (status !== undefined && status >= 400 && status < 500) return 'refused';
  if (status !== undefined && status >= 500) return 'unknown';
  if (NOT_SENT.has(e.code ?? '')) return 'not-sent';
  // @smithy/node-http-handler's connectionTimeout: the socket never connected.
  if (/without establishing a connection/i.test(e.message ?? '')) return 'not-sent';
  return 'unknown';
};

/** Settings of {@link createSnsPublisher}. */
export interface SnsPublisherOptions {
  /** Attempts in all (the client itself makes one: `maxAttempts: 1`, so that this loop sees every failure). */
  maxAttempts: number;
  /** First backoff; doubles per attempt, with jitter (between the step and twice the step). */
  baseDelayMs: number;
  /** Longest one attempt can take (the client's connect + request timeout): no attempt starts without it. */
  attemptMs: number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

/**
 * Publishes rendered alerts to an SNS topic, retrying throttling and lost answers itself (the SNS client is
 * built with `maxAttempts: 1`): the SDK's own retries would re-send a Publish whose answer was lost, and SNS
 * standard topics do not deduplicate, so every such retry would be a second e-mail. After an attempt whose
 * outcome is unknown, the next one is marked as a possible repeat ({@link markAsPossibleRepeat}). What still
 * fails is thrown as `PublishError` (with `mayHaveDelivered` when an attempt may have been accepted), so Lambda
 * retries the event and, after that, routes it to the on-failure destination.
 * @see https://docs.aws.amazon.com/sns/latest/api/API_Publish.html
 * @see https://docs.aws.amazon.com/sns/latest/dg/fifo-message-dedup.html (deduplication exists for FIFO topics only)
 */
export const createSnsPublisher = (
  client: SNSClient,
  topicArn: string,
  options: SnsPublisherOptions,
): AlertPublisher => {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const random = options.random ?? Math.random;
  return {
    async publish(message, { possibleRepeat = false, remainingMs = () => Number.POSITIVE_INFINITY } = {}) {
      let marked = possibleRepeat;
      let mayHaveDelivered = false;
      let lastError: unknown;
      let attempts = 0;
      for (let attempt = 1; attempt <= options.maxAttempts; attempt += 1) {
        if (attempt > 1 && remainingMs() < options.attemptMs + 1_000) break;
        attempts = attempt;
        try {
          const body = marked ? markAsPossibleRepeat(message) : message;
          const output = await client.send(new PublishCommand({ TopicArn: topicArn, ...body }));
          return { messageId: output.MessageId, ...(marked ? { possibleRepeat: true } : {}) };
        } catch (error) {
          lastError = error;
          const failure = classifyPublishFailure(error);
          if (failure === 'refused') break;
          if (failure === 'unknown') {
            mayHaveDelivered = true;
            marked = true;
          }
          if (attempt === options.maxAttempts) break;
          const step = options.baseDelayMs * 2 ** (attempt - 1);
          await sleep(step + Math.floor(random() * step));
        }
      }
      const failure = new PublishError(
        `SNS Publish to ${topicArn} failed after ${attempts} attempt(s): ${describeError(lastError)}`,
        { cause: lastError },
      );
      throw Object.assign(failure, { mayHaveDelivered });
    },
  };
};

/**
 * A publisher for local runs with no topic configured: writes what it would publish, so
 * `npm start` and `serverless invoke local` work without an AWS account.
 */
export const createPrintingPublisher = (write: (text: string) => void): AlertPublisher => ({
  async publish(message: SnsMessage) {
    const { alert, ...filterKeys } = message.MessageAttributes;
    const keys = Object.entries(filterKeys)
      .map(([name, attr]) => `${name}=${attr.StringValue}`)
      .join(' ');
    write(
      [
        '─'.repeat(100),
        `Subject: ${message.Subject}`,
        `Attributes: ${keys} (+ alert: ${alert?.StringValue.length ?? 0} characters of JSON)`,
        '',
        message.Message,
      ].join('\n'),
    );
    return { messageId: undefined };
  },
});
