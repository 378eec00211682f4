// The forwarder's HTTP delivery with bounded retries, shared by the Slack and Jira adapters.
import { WebhookError } from '../../../shared/errors.js';

/** Time, injectable so tests do not wait for real. */
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
  /** A number in [0, 1) for jitter (`Math.random` when absent); tests pass `() => 0`. */
  random?(): number;
}

/** The real clock. */
export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  random: () => Math.random(),
};

/** Jitter added to a `Retry-After` wait, at most: spreads containers throttled at the same moment. */
export const RETRY_AFTER_JITTER_MS = 1_000;

/**
 * A failure after which the destination may nevertheless hold the delivery: the request was sent and its answer
 * was lost (timeout, dropped connection, 5xx). `mayHaveDelivered` tells the idempotency guard to keep its
 * attempt mark, so that a retry checks before it repeats (shared/idempotency.ts).
 */
export class UncertainDeliveryError extends WebhookError {
  readonly mayHaveDelivered = true;
}

/** What to do after an attempt whose answer was lost: send this request next, or stop, the delivery was found. */
export type AfterUncertain = (
  error: WebhookError,
) => Promise<{ request: HttpRequest } | { delivered: HttpResponse }>;

// Network errors that prove nothing was sent: the connection was never made.
const NOT_SENT = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/** How much time the invocation has left (Lambda's `context.getRemainingTimeInMillis`). */
export type RemainingTime = () => number;

/** Retry settings for one destination. */
export interface RetryPolicy {
  /** Attempts in total, first one included. */
  maxAttempts: number;
  /** First backoff after a 5xx or network error; doubles each time, capped by `maxDelayMs`. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** Per-request timeout (AbortSignal.timeout), further capped by the time the invocation has left. */
  timeoutMs: number;
  /** Time kept in reserve at the end of the invocation for logging and failing cleanly. */
  reserveMs: number;
}

/** Defaults: 4 attempts, 200 ms → 400 ms → 800 ms backoff, 5 s per request, 1 s reserve. */
export const DEFAULT_RETRY: RetryPolicy = {
  maxAttempts: 4,
  baseDelayMs: 200,
  maxDelayMs: 5_000,
  timeoutMs: 5_000,
  reserveMs: 1_000,
};

/** One request, as `fetch` takes it. Bodies are strings so a request can be re-sent. */
export interface HttpRequest {
  method: 'GET' | 'POST';
  url: string;
  headers: Record<string, string>;
  body?: string;
}

/** Everything {@link sendWithRetry} needs besides the request. */
export interface SendOptions {
  /** Names the destination in errors and logs, e.g. `Slack webhook`, `Jira POST /rest/api/3/issue`. */
  destination: string;
  policy: RetryPolicy;
  clock: Clock;
  remainingMs: RemainingTime;
  /** Turns an error body into a short reason (Slack: the text; Jira: errorMessages + errors). */
  describeBody?: (body: string) => string;
  /**
   * For a request that is not idempotent (a post, an issue create): called after an attempt whose answer was
   * lost, before the next attempt, to check the destination or mark the next request as a possible repeat.
   * Without it, such an attempt is simply retried (reads, and callers that accept a repeat).
   */
  afterUncertain?: AfterUncertain;
  fetch?: typeof fetch;
}

/** A 2xx answer. */
export interface HttpResponse {
  status: number;
  body: string;
}

/**
 * Parses `Retry-After` (delay-seconds or an HTTP-date) into milliseconds; `undefined` when absent or unreadable.
 * @see https://www.rfc-editor.org/rfc/rfc9110#field.retry-after
 */
export const parseRetryAfter = (header: string | null, now: number): number | undefined => {
  if (header === null || header.trim() === '') return undefined;
  const seconds = Number(header.trim());
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
};

const excerpt = (text: string): string => text.replace(/\s+/g, ' ').trim().slice(0, 500);

/**
 * Sends a request and returns its 2xx answer. 429 → waits `Retry-After` (default 1 s) plus up to 1 s of
 * jitter if the invocation has that long left, else fails; 5xx and network errors/timeouts → exponential
 * backoff with jitter, at most `policy.maxAttempts` attempts in all; any other status (400, 401, 403, 404, …)
 * → fails at once. After an attempt whose answer was lost, `afterUncertain` (if given) decides the next
 * request or finds the delivery. Failures throw `WebhookError(destination, status, …)` (status 0 for network
 * errors; `UncertainDeliveryError` once an answer was lost), never include the URL (a Slack webhook URL is a
 * secret) and carry the answer's reason.
 * @see https://docs.slack.dev/apis/web-api/rate-limits/
 */
export const sendWithRetry = async (first: HttpRequest, options: SendOptions): Promise<HttpResponse> => {
  const { destination, policy, clock, remainingMs } = options;
  const doFetch = options.fetch ?? fetch;
  const describe = options.describeBody ?? excerpt;
  const random = clock.random ?? Math.random;
  let request = first;
  let lastError: WebhookError | undefined;
  let uncertain = false;
  for (let attempt = 1; attempt <= policy.maxAttempts; attempt += 1) {
    const budget = remainingMs() - policy.reserveMs;
    if (budget <= 0) break;
    if (uncertain && options.afterUncertain && lastError) {
      const next = await options.afterUncertain(lastError);
      if ('delivered' in next) return next.delivered;
      request = next.request;
    }
    let response: Response;
    try {
      response = await doFetch(request.url, {
        method: request.method,
        headers: request.headers,
        ...(request.body === undefined ? {} : { body: request.body }),
        signal: AbortSignal.timeout(Math.min(policy.timeoutMs, budget)),
      });
    } catch (error) {
      const reason = networkReason(error);
      const maybeSent = !NOT_SENT.has(reason);
      uncertain ||= maybeSent;
      const Failure = uncertain ? UncertainDeliveryError : WebhookError;
      lastError = new Failure(destination, 0, `${destination}: request failed (${reason})`, { cause: error });
      if (!(await backoff(attempt, policy, clock, remainingMs, random))) break;
      continue;
    }
    const body = await response.text().catch(() => '');
    if (response.ok) return { status: response.status, body };
    const reason = describe(body) || response.statusText;
    const message = `${destination} answered ${response.status}: ${reason}`;
    if (response.status === 429) {
      const asked = parseRetryAfter(response.headers.get('retry-after'), clock.now()) ?? 1_000;
      const wait = asked + Math.floor(random() * RETRY_AFTER_JITTER_MS);
      if (asked > remainingMs() - policy.reserveMs) {
        throw new (uncertain ? UncertainDeliveryError : WebhookError)(
          destination,
          429,
          `${destination} answered 429 (rate limited) and asks to wait ${Math.ceil(asked / 1000)} s, more than the invocation has left`,
        );
      }
      lastError = new (uncertain ? UncertainDeliveryError : WebhookError)(destination, 429, message);
      await clock.sleep(Math.min(wait, remainingMs() - policy.reserveMs));
      continue;
    }
    if (response.status >= 500) {
      // A 5xx may come after the destination acted (Jira created the issue, then failed to answer).
      uncertain = true;
      lastError = new UncertainDeliveryError(destination, response.status, message);
      const hinted = parseRetryAfter(response.headers.get('retry-after'), clock.now());
      if (!(await backoff(attempt, policy, clock, remainingMs, random, hinted))) break;
      continue;
    }
    // A definite refusal; after an earlier lost answer, the destination may still hold that first attempt.
    throw new (uncertain ? UncertainDeliveryError : WebhookError)(destination, response.status, message);
  }
  throw (
    lastError ??
    new WebhookError(destination, 0, `${destination}: not attempted, the invocation had no time left`)
  );
};

// Duck-typed, not `instanceof`: fetch's errors (DOMException, undici's TypeError) may come from another realm.
const networkReason = (error: unknown): string => {
  if (typeof error !== 'object' || error === null) return String(error);
  const { name, message, cause } = error as { name?: unknown; message?: unknown; cause?: { code?: unknown } };
  if (name === 'TimeoutError') return 'timed out';
  if (typeof cause?.code === 'string') return cause.code;
  return typeof message === 'string' ? message : String(error);
};

const backoff = async (
  attempt: number,
  policy: RetryPolicy,
  clock: Clock,
  remainingMs: RemainingTime,
  random: () => number,
  hintedMs?: number,
): Promise<boolean> => {
  if (attempt >= policy.maxAttempts) return false;
  // Exponential backoff with jitter: between the step and twice the step, so that containers failing at the
  // same moment do not retry at the same moment.
  const step = policy.baseDelayMs * 2 ** (attempt - 1);
  const delay = Math.min(hintedMs ?? step + Math.floor(random() * step), policy.maxDelayMs);
  // Sleeping past the deadline would only turn a clear error into a Lambda timeout: give up instead.
  if (delay >= remainingMs() - policy.reserveMs) return false;
  await clock.sleep(delay);
  return true;
};
