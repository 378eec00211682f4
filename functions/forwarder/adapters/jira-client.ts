// Jira Cloud REST v3 adapter: finds an issue by label (JQL) and creates issues.
import type { JiraIssueBody } from '../../../shared/format/jira-adf.js';
import {
  type Clock,
  DEFAULT_RETRY,
  type RemainingTime,
  type RetryPolicy,
  sendWithRetry,
  systemClock,
} from './http.js';

/** A created issue, as Jira answers `POST /rest/api/3/issue` (201). */
export interface JiraCreatedIssue {
  id: string;
  key: string;
  self: string;
}

/** What the forwarder needs from Jira. Methods throw `WebhookError` when Jira rejects or fails a call. */
export interface JiraClient {
  /** The key of an issue of `projectKey` carrying `label`, or `undefined`. Eventually consistent (search index). */
  findIssueByLabel(
    projectKey: string,
    label: string,
    remainingMs: RemainingTime,
    options?: { patient?: boolean },
  ): Promise<string | undefined>;
  /**
   * Creates the issue. `label` is the issue's `ct-<eventId>` label: if an attempt's answer is lost (timeout,
   * dropped connection, 5xx), the issue is searched for patiently (the index lags) before a second create, and
   * a second create carries the `possible-repeat` label. Returns `found: true` when the search found it.
   */
  createIssue(
    body: JiraIssueBody,
    remainingMs: RemainingTime,
    label?: string,
  ): Promise<JiraCreatedIssue & { found?: boolean; possibleRepeat?: boolean }>;
}

/** The label of an issue created while an earlier create of the same event may have succeeded. */
export const POSSIBLE_REPEAT_LABEL = 'possible-repeat';

/** Waits between patient searches: Jira's search index usually catches up within seconds. */
export const SEARCH_LAG_WAITS_MS = [1_000, 2_000, 4_000];

/** Time a patient search leaves for the create that may follow it. */
const CREATE_RESERVE_MS = 8_000;

/** Settings of {@link createJiraClient}. */
export interface JiraClientOptions {
  /** `https://<site>.atlassian.net`, no trailing slash. */
  baseUrl: string;
  email: string;
  /** Resolves the API token (a secret). */
  apiToken: () => Promise<string>;
  policy?: Partial<RetryPolicy>;
  clock?: Clock;
  fetch?: typeof fetch;
}

/**
 * Jira's error body `{"errorMessages":[…],"errors":{"field":"message"}}` as one line, e.g.
 * `summary: Summary must be less than 255 characters.`; other bodies are cut to 300 characters.
 * @see https://developer.atlassian.com/cloud/jira/platform/rest/v3/intro/#status-codes
 */
export const describeJiraError = (body: string): string => {
  try {
    const parsed = JSON.parse(body) as { errorMessages?: unknown; errors?: unknown };
    const messages = Array.isArray(parsed.errorMessages) ? parsed.errorMessages.map(String) : [];
    const fields =
      typeof parsed.errors === 'object' && parsed.errors !== null
        ? Object.entries(parsed.errors).map(([field, message]) => `${field}: ${String(message)}`)
        : [];
    const all = [...messages, ...fields].join('; ');
    if (all) return all.slice(0, 1000);
  } catch {
    // Not JSON (a proxy or an HTML error page): fall through to the raw excerpt.
  }
  return body.replace(/\s+/g, ' ').trim().slice(0, 300);
};

/** JQL string literal: double-quoted, with `"` and `\` escaped. */
const jqlString = (value: string): string => `"${value.replace(/["\\]/g, (char) => `\\${char}`)}"`;

/**
 * Creates the Jira Cloud adapter (Basic auth with e-mail and API token).
 * @see https://developer.atlassian.com/cloud/jira/platform/basic-auth-for-rest-apis/
 * @see https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issue-search/#api-rest-api-3-search-jql-post
 * @see https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issues/#api-rest-api-3-issue-post
 */
export const createJiraClient = (options: JiraClientOptions): JiraClient => {
  const clock = options.clock ?? systemClock;
  const policy = { ...DEFAULT_RETRY, ...options.policy };
  const call = async (
    path: string,
    body: unknown,
    remainingMs: RemainingTime,
    afterUncertain?: Parameters<typeof sendWithRetry>[1]['afterUncertain'],
  ): Promise<string> => {
    const token = await options.apiToken();
    const response = await sendWithRetry(
      {
        method: 'POST',
        url: `${options.baseUrl}${path}`,
        headers: {
          authorization: `Basic ${Buffer.from(`${options.email}:${token}`).toString('base64')}`,
          accept: 'application/json',
          'content-type': 'application/json',
        },
        body: JSON.stringify(body),
      },
      {
        destination: `Jira POST ${path}`,
        policy,
        clock,
        remainingMs,
        describeBody: describeJiraError,
        ...(afterUncertain ? { afterUncertain } : {}),
        ...(options.fetch ? { fetch: options.fetch } : {}),
      },
    );
    return response.body;
  };
  const search = async (projectKey: string, label: string, remainingMs: RemainingTime) => {
    const jql = `project = ${jqlString(projectKey)} AND labels = ${jqlString(label)}`;
    const body = await call(
      '/rest/api/3/search/jql',
      { jql, maxResults: 1, fields: ['summary'] },
      remainingMs,
    );
    const parsed = JSON.parse(body) as { issues?: { id?: string; key?: string }[] };
    const issue = parsed.issues?.[0];
    return issue ? (issue.key ?? issue.id) : undefined;
  };
  /** Searches, then again after each lag wait while the invocation has time for it and for a create. */
  const searchPatiently = async (projectKey: string, label: string, remainingMs: RemainingTime) => {
    const found = await search(projectKey, label, remainingMs);
    if (found) return found;
    for (const wait of SEARCH_LAG_WAITS_MS) {
      if (remainingMs() - wait < CREATE_RESERVE_MS + policy.reserveMs) break;
      await clock.sleep(wait);
      const later = await search(projectKey, label, remainingMs);
      if (later) return later;
    }
    return undefined;
  };
  return {
    findIssueByLabel: (projectKey, label, remainingMs, searchOptions) =>
      searchOptions?.patient
        ? searchPatiently(projectKey, label, remainingMs)
        : search(projectKey, label, remainingMs),
    async createIssue(issue, remainingMs, label) {
      let found: string | undefined;
      let possibleRepeat = false;
      const projectKey = issue.fields.project.key;
      const body = await call('/rest/api/3/issue', issue, remainingMs, async () => {
        found = label
          ? await searchPatiently(projectKey, label, remainingMs).catch(() => undefined)
          : undefined;
        if (found)
          return { delivered: { status: 200, body: JSON.stringify({ key: found, id: '', self: '' }) } };
        possibleRepeat = true;
        const marked: JiraIssueBody = {
          fields: { ...issue.fields, labels: [...issue.fields.labels, POSSIBLE_REPEAT_LABEL] },
        };
        const token = await options.apiToken();
        return {
          request: {
            method: 'POST',
            url: `${options.baseUrl}/rest/api/3/issue`,
            headers: {
              authorization: `Basic ${Buffer.from(`${options.email}:${token}`).toString('base64')}`,
              accept: 'application/json',
              'content-type': 'application/json',
            },
            body: JSON.stringify(marked),
          },
        };
      });
      const created = JSON.parse(body) as JiraCreatedIssue;
      return { ...created, ...(found ? { found: true } : {}), ...(possibleRepeat ? { possibleRepeat } : {}) };
    },
  };
};
