// A Jira Cloud site on 127.0.0.1 that checks requests as Jira's REST v3 documents: Basic auth (401 otherwise),
// `POST /rest/api/3/issue` validates project, issue type, summary (< 255, one line), labels (no spaces),
// priority and the ADF description (400 `{"errorMessages":[],"errors":{…}}`), answers 201 `{id,key,self}`;
// `POST /rest/api/3/search/jql` answers `{issues,isLast}`; the removed `/rest/api/3/search` answers 410.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { validateAdf } from './adf-validator.js';

/** An issue the fake created. */
export interface FakeIssue {
  id: string;
  key: string;
  fields: Record<string, unknown>;
  /** Searchable through JQL (false models Jira's search index lag). */
  indexed: boolean;
}

/**
 * A scripted answer for the next request(s). `throttle` and `status` answer before normal handling;
 * `lose-answer` handles the request normally (a create creates the issue), then drops the connection, never
 * answers, or answers 502 as a failing proxy would: the issue exists and the client does not know it.
 */
export type JiraScript =
  | { kind: 'throttle'; retryAfterSeconds: number }
  | { kind: 'status'; status: number; body: string }
  | { kind: 'lose-answer'; how: 'drop' | 'hang' | 'bad-gateway' };

/** A running fake site. */
export interface JiraServer {
  baseUrl: string;
  issues: FakeIssue[];
  requests: { method: string; path: string; authorization?: string; body: string }[];
  script(...answers: JiraScript[]): void;
  /** When false, new issues are invisible to search until `indexAll()` (eventual consistency). */
  setIndexImmediately(value: boolean): void;
  indexAll(): void;
  close(): Promise<void>;
}

/** Settings of the fake: the credentials it accepts and the project it knows. */
export interface JiraServerOptions {
  email: string;
  token: string;
  projectKey: string;
  /** Other projects of the same site (routes of alerts.yml with their own `jira.project`). */
  otherProjects?: string[];
  issueTypes?: string[];
  priorities?: string[];
}

const json = (response: ServerResponse, status: number, body: unknown): void => {
  response.writeHead(status, { 'content-type': 'application/json;charset=UTF-8' });
  response.end(JSON.stringify(body));
};
const fieldErrors = (response: ServerResponse, errors: Record<string, string>): void =>
  json(response, 400, { errorMessages: [], errors });

const readBody = async (request: IncomingMessage): Promise<string> => {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
};

/** Validates a create-issue body the way Jira does; returns Jira's `errors` map (empty when valid). */
export const validateCreateIssue = (body: unknown, options: JiraServerOptions): Record<string, string> => {
  const errors: Record<string, string> = {};
  const fields = (body as { fields?: Record<string, unknown> } | null)?.fields;
  if (!fields) return { fields: 'fields is required' };
  const project = fields.project as { key?: unknown } | undefined;
  if (project?.key !== options.projectKey && !(options.otherProjects ?? []).includes(String(project?.key)))
    errors.project = 'valid project is required';
  const issueType = fields.issuetype as { name?: unknown } | undefined;
  if (!(options.issueTypes ?? ['Task', 'Bug']).includes(String(issueType?.name)))
    errors.issuetype = 'Specify a valid issue type';
  const { summary } = fields;
  if (typeof summary !== 'string' || summary.trim() === '')
    errors.summary = 'You must specify a summary of the issue.';
  // Jira's own message: 255 characters is already one too many.
  else if (summary.length >= 255) errors.summary = 'Summary must be less than 255 characters.';
  else if (/[\r\n]/.test(summary))
    errors.summary = 'The summary is invalid because it contains newline characters.';
  if (fields.labels !== undefined) {
    const labels = fields.labels;
    if (!Array.isArray(labels)) errors.labels = 'labels must be an array';
    else {
      const bad = labels.find(
        (label) => typeof label !== 'string' || /\s/.test(label) || label.length > 255 || label === '',
      );
      if (bad !== undefined) errors.labels = `The label '${String(bad)}' contains spaces which is invalid.`;
    }
  }
  if (fields.priority !== undefined) {
    const name = (fields.priority as { name?: unknown }).name;
    if (!(options.priorities ?? ['Highest', 'High', 'Medium', 'Low', 'Lowest']).includes(String(name))) {
      errors.priority = `Specify a valid 'id' or 'name' for Priority`;
    }
  }
  if (fields.description !== undefined) {
    const problems = validateAdf(fields.description);
    if (problems.length > 0)
      errors.description = `Operation value must be an Atlassian Document (see the Atlassian Document Format): ${problems[0]}`;
    else if (JSON.stringify(fields.description).length > 32_767) {
      errors.description = 'The entered text is too long. It exceeds the allowed limit of 32,767 characters.';
    }
  }
  return errors;
};

/** Starts the fake Jira site on an ephemeral port. */
export const startJiraServer = async (options: JiraServerOptions): Promise<JiraServer> => {
  const issues: FakeIssue[] = [];
  const requests: JiraServer['requests'] = [];
  const queue: JiraScript[] = [];
  let indexImmediately = true;
  const expectedAuth = `Basic ${Buffer.from(`${options.email}:${options.token}`).toString('base64')}`;
  let baseUrl = '';

  const server = createServer((request, response) => {
    void (async () => {
      const body = await readBody(request);
      const path = (request.url ?? '').split('?')[0] ?? '';
      requests.push({
        method: request.method ?? '',
        path,
        authorization: request.headers.authorization,
        body,
      });
      const scripted = queue.shift();
      const lost = scripted?.kind === 'lose-answer' ? scripted.how : undefined;
      /** Answers as Jira would, unless the script loses the answer after the request was handled. */
      const answer = (status: number, value: unknown): void => {
        if (lost === 'drop') request.socket.destroy();
        else if (lost === 'bad-gateway') {
          response.writeHead(502, { 'content-type': 'text/html' });
          response.end('<html><body>502 Bad Gateway</body></html>');
        } else if (!lost) json(response, status, value);
      };
      if (scripted?.kind === 'throttle') {
        response.writeHead(429, {
          'retry-after': String(scripted.retryAfterSeconds),
          'content-type': 'application/json',
        });
        response.end(JSON.stringify({ errorMessages: ['Rate limit exceeded.'] }));
        return;
      }
      if (scripted?.kind === 'status') {
        response.writeHead(scripted.status, { 'content-type': 'application/json' });
        response.end(scripted.body);
        return;
      }
      if (request.headers.authorization !== expectedAuth) {
        response.writeHead(401, { 'content-type': 'text/plain' });
        response.end('Client must be authenticated to access this resource.');
        return;
      }
      if (path === '/rest/api/3/search') {
        answer(410, {
          errorMessages: [
            'The requested API has been removed. Please migrate to the /rest/api/3/search/jql API.',
          ],
        });
        return;
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(body);
      } catch {
        answer(400, { errorMessages: ['Unexpected character in JSON body'], errors: {} });
        return;
      }
      if (request.method === 'POST' && path === '/rest/api/3/search/jql') {
        const { jql, ...rest } = parsed as { jql?: unknown; [key: string]: unknown };
        const unknown = Object.keys(rest).filter(
          (key) => !['maxResults', 'fields', 'nextPageToken', 'expand', 'properties'].includes(key),
        );
        if (typeof jql !== 'string' || unknown.length > 0) {
          answer(400, {
            errorMessages: ['Invalid request payload. Refer to the REST API documentation and try again.'],
          });
          return;
        }
        const project = /project\s*=\s*"([^"]+)"/.exec(jql)?.[1];
        const label = /labels\s*=\s*"([^"]+)"/.exec(jql)?.[1];
        const found = issues.filter(
          (issue) =>
            issue.indexed &&
            (project === undefined || issue.key.startsWith(`${project}-`)) &&
            (label === undefined || (issue.fields.labels as string[] | undefined)?.includes(label)),
        );
        answer(200, { issues: found.map(({ id, key }) => ({ id, key, fields: {} })), isLast: true });
        return;
      }
      if (request.method === 'POST' && path === '/rest/api/3/issue') {
        const errors = validateCreateIssue(parsed, options);
        if (Object.keys(errors).length > 0) {
          fieldErrors(response, errors);
          return;
        }
        const id = String(10_000 + issues.length + 1);
        // Jira numbers issues per project.
        const project = String((parsed as { fields: { project: { key: string } } }).fields.project.key);
        const key = `${project}-${issues.filter((issue) => issue.key.startsWith(`${project}-`)).length + 1}`;
        issues.push({
          id,
          key,
          fields: (parsed as { fields: Record<string, unknown> }).fields,
          indexed: indexImmediately,
        });
        answer(201, { id, key, self: `${baseUrl}/rest/api/3/issue/${id}` });
        return;
      }
      answer(404, { errorMessages: ['Not found'], errors: {} });
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    baseUrl,
    issues,
    requests,
    script: (...answers) => queue.push(...answers),
    setIndexImmediately: (value) => {
      indexImmediately = value;
    },
    indexAll: () => {
      for (const issue of issues) issue.indexed = true;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
};
