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
  ): Promise<string | undefined>;
  createIssue(body: JiraIssueBody, remainingMs: RemainingTime): Promise<JiraCreatedIssue>;
}

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
  const call = async (path: string, body: unknown, remainingMs: RemainingTime): Promise<string> => {
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
        ...(options.fetch ? { fetch: options.fetch } : {}),
      },
    );
    return response.body;
  };
  return {
    async findIssueByLabel(projectKey, label, remainingMs) {
      const jql = `project = ${jqlString(projectKey)} AND labels = ${jqlString(label)}`;
      const body = await call(
        '/rest/api/3/search/jql',
        { jql, maxResults: 1, fields: ['summary'] },
        remainingMs,
      );
      const parsed = JSON.parse(body) as { issues?: { id?: string; key?: string }[] };
      const issue = parsed.issues?.[0];
      return issue ? (issue.key ?? issue.id) : undefined;
    },
    async createIssue(issue, remainingMs) {
      return JSON.parse(await call('/rest/api/3/issue', issue, remainingMs)) as JiraCreatedIssue;
    },
  };
};
