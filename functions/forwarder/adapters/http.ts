// The forwarder's HTTP delivery with bounded retries, shared by the Slack and Jira adapters.
import { WebhookError } from '../../../shared/errors.js';

/** Time, injectable so tests do not wait for real. */
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

/** The real clock. */
export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

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
 * Sends a request and returns its 2xx answer. 429 → waits `Retry-After` (default 1 s) if the invocation has
 * that long left, else fails; 5xx and network errors/timeouts → exponential backoff, at most
 * `policy.maxAttempts` attempts in all; any other status (400, 401, 403, 404, …) → fails at once.
 * Failures throw `WebhookError(destination, status, …)` (status 0 for network errors), never include the
 * URL (a Slack webhook URL is a secret) and carry the answer's reason.
 */
export const sendWithRetry = async (request: HttpRequest, options: SendOptions): Promise<HttpResponse> => {
  const { destination, policy, clock, remainingMs } = options;
  const doFetch = options.fetch ?? fetch;
  const describe = options.describeBody ?? excerpt;
  let lastError: WebhookError | undefined;
  for (let attempt = 1; attempt <= policy.maxAttempts; attempt += 1) {
    const budget = remainingMs() - policy.reserveMs;
    if (budget <= 0) break;
    let response: Response;
    try {
      response = await doFetch(request.url, {
        method: request.method,
        headers: request.headers,
        ...(request.body === undefined ? {} : { body: request.body }),
        signal: AbortSignal.timeout(Math.min(policy.timeoutMs, budget)),
      });
    } catch (error) {
      lastError = new WebhookError(
        destination,
        0,
        `${destination}: request failed (${networkReason(error)})`,
        {
          cause: error,
        },
      );
      if (!(await backoff(attempt, policy, clock, remainingMs))) break;
      continue;
    }
    const body = await response.text().catch(() => '');
    if (response.ok) return { status: response.status, body };
    const reason = describe(body) || response.statusText;
    const error = new WebhookError(
      destination,
      response.status,
      `${destination} answered ${response.status}: ${reason}`,
    );
    if (response.status === 429) {
      const wait = parseRetryAfter(response.headers.get('retry-after'), clock.now()) ?? 1_000;
      if (wait > remainingMs() - policy.reserveMs) {
        throw new WebhookError(
          destination,
          429,
          `${destination} answered 429 (rate limited) and asks to wait ${Math.ceil(wait / 1000)} s, more than the invocation has left`,
        );
      }
      lastError = error;
      await clock.sleep(wait);
      continue;
    }
    if (response.status >= 500) {
      lastError = error;
      const hinted = parseRetryAfter(response.headers.get('retry-after'), clock.now());
      if (!(await backoff(attempt, policy, clock, remainingMs, hinted))) break;
      continue;
    }
    throw error;
  }
  throw (
    lastError ??
    new WebhookError(destination, 0, `${destination}: not attempted, the invocation had no time left`)
  );
};

const networkReason = (error: unknown): string => {
  if (error instanceof Error) {
    if (error.name === 'TimeoutError') return 'timed out';
    const cause = (error as { cause?: { code?: string } }).cause;
    return cause?.code ?? error.message;
  }
  return String(error);
};

const backoff = async (
  attempt: number,
  policy: RetryPolicy,
  clock: Clock,
  remainingMs: RemainingTime,
  hintedMs?: number,
): Promise<boolean> => {
  if (attempt >= policy.maxAttempts) return false;
  const delay = Math.min(hintedMs ?? policy.baseDelayMs * 2 ** (attempt - 1), policy.maxDelayMs);
  // Sleeping past the deadline would only turn a clear error into a Lambda timeout: give up instead.
  if (delay >= remainingMs() - policy.reserveMs) return false;
  await clock.sleep(delay);
  return true;
};
