// A Slack incoming webhook on 127.0.0.1 that checks what it receives the way Slack documents:
// 200 `ok`; 400 `invalid_payload` (not JSON / no text or blocks) and `invalid_blocks` (a Block Kit limit
// broken); 404 `no_service` (unknown or revoked webhook); 429 with Retry-After when told to throttle.
// The same server answers Slack's Web API for a bot token: `POST /api/chat.postMessage` (JSON, Bearer token)
// and `GET /api/conversations.history` (query string), with HTTP 200 `{"ok":false,"error":…}` for errors
// (`not_authed`, `invalid_auth`, `channel_not_found`, `invalid_blocks`, `invalid_arguments`) and 429
// `ratelimited` with Retry-After.
// @see https://docs.slack.dev/messaging/sending-messages-using-incoming-webhooks/#handling-errors
// @see https://docs.slack.dev/reference/methods/chat.postMessage
// @see https://docs.slack.dev/reference/methods/conversations.history
// @see https://docs.slack.dev/apis/web-api/rate-limits/
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Problems with a webhook body under Slack's Block Kit limits (empty when Slack would accept it). */
export const validateSlackMessage = (body: unknown): string[] => {
  const errors: string[] = [];
  if (typeof body !== 'object' || body === null) return ['body is not an object'];
  const { text, blocks } = body as { text?: unknown; blocks?: unknown };
  if (typeof text !== 'string' || text.length === 0) errors.push('text must be a non-empty string');
  else if (text.length > 40_000) errors.push('text over 40000');
  if (!Array.isArray(blocks)) return [...errors, 'blocks must be an array'];
  if (blocks.length === 0 || blocks.length > 50) errors.push(`blocks: ${blocks.length} (1–50 allowed)`);
  const textObject = (where: string, value: unknown, max: number, types: string[]): void => {
    const object = value as { type?: unknown; text?: unknown } | undefined;
    if (!object || !types.includes(String(object.type)))
      errors.push(`${where}: type must be ${types.join('|')}`);
    else if (typeof object.text !== 'string' || object.text.length < 1 || object.text.length > max) {
      errors.push(
        `${where}: text length ${String((object.text as string | undefined)?.length)} not in 1–${max}`,
      );
    }
  };
  blocks.forEach((block: Record<string, unknown>, index) => {
    const where = `blocks[${index}]`;
    switch (block.type) {
      case 'header':
        textObject(where, block.text, 150, ['plain_text']);
        break;
      case 'section': {
        if (block.text === undefined && block.fields === undefined)
          errors.push(`${where}: section needs text or fields`);
        if (block.text !== undefined) textObject(`${where}.text`, block.text, 3000, ['plain_text', 'mrkdwn']);
        if (block.fields !== undefined) {
          const fields = block.fields as unknown[];
          if (!Array.isArray(fields) || fields.length < 1 || fields.length > 10)
            errors.push(`${where}: 1–10 fields`);
          else
            for (const [i, field] of fields.entries()) {
              textObject(`${where}.fields[${i}]`, field, 2000, ['plain_text', 'mrkdwn']);
            }
        }
        break;
      }
      case 'context': {
        const elements = block.elements as unknown[];
        if (!Array.isArray(elements) || elements.length < 1 || elements.length > 10)
          errors.push(`${where}: 1–10 elements`);
        else
          for (const [i, element] of elements.entries()) {
            textObject(`${where}.elements[${i}]`, element, 3000, ['plain_text', 'mrkdwn']);
          }
        break;
      }
      case 'divider':
        break;
      default:
        errors.push(`${where}: unsupported block type ${String(block.type)}`);
    }
  });
  return errors;
};

/** What the fake received, one entry per request. */
export interface SlackRequest {
  path: string;
  contentType: string | undefined;
  body: string;
  json?: unknown;
  receivedAt: number;
}

/**
 * A scripted answer for the next request(s). `throttle`, `status` and `drop` answer before validation;
 * `lose-answer` validates and accepts the post as usual, then drops the connection or never answers: the
 * message is in the channel and the client does not know it.
 */
export type SlackScript =
  | { kind: 'throttle'; retryAfterSeconds: number }
  | { kind: 'status'; status: number; body: string }
  | { kind: 'drop' }
  | { kind: 'lose-answer'; how: 'drop' | 'hang' };

/** A message posted through the Web API, as `conversations.history` returns it. */
export interface ChannelMessage {
  type: 'message';
  ts: string;
  text: string;
  blocks: unknown[];
  metadata?: { event_type: string; event_payload: Record<string, unknown> };
}

/** The bot's token and its channel, for the Web API. */
export const SLACK_BOT = { token: 'xoxb-test-bot-token', channelId: 'C0SECURITY1' } as const;

/** A running fake webhook. `url` is the webhook URL to configure. */
export interface SlackServer {
  url: string;
  requests: SlackRequest[];
  /** `https://slack.com/api` of this fake. */
  apiUrl: string;
  /** Accepted messages (answered 200 ok, or accepted before a `lose-answer`), webhook and Web API alike. */
  accepted: unknown[];
  /** The bot channel's history, oldest first. */
  channel: ChannelMessage[];
  /** Queue answers for the next requests; once empty, requests are validated and answered normally. */
  script(...answers: SlackScript[]): void;
  close(): Promise<void>;
}

const readBody = async (request: IncomingMessage): Promise<string> => {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
};

/** Starts the fake on an ephemeral port. Only `POST /services/T000/B000/secret` is a live webhook. */
export const startSlackServer = async (): Promise<SlackServer> => {
  const requests: SlackRequest[] = [];
  const accepted: unknown[] = [];
  const queue: SlackScript[] = [];
  const channel: ChannelMessage[] = [];
  let clock = 1_800_000_000;
  /** Slack's Web API answer to one request (always HTTP 200 with `ok`, as Slack answers). */
  const webApiAnswer = (request: IncomingMessage, entry: SlackRequest): Record<string, unknown> => {
    const [path = '', query = ''] = entry.path.split('?');
    const auth = request.headers.authorization;
    if (!auth) return { ok: false, error: 'not_authed' };
    if (auth !== `Bearer ${SLACK_BOT.token}`) return { ok: false, error: 'invalid_auth' };
    if (path === '/api/chat.postMessage') {
      if (request.method !== 'POST' || !String(entry.contentType).startsWith('application/json')) {
        return { ok: false, error: 'invalid_arguments' };
      }
      try {
        entry.json = JSON.parse(entry.body);
      } catch {
        return { ok: false, error: 'invalid_json' };
      }
      const body = entry.json as { channel?: unknown; metadata?: ChannelMessage['metadata'] };
      if (body.channel !== SLACK_BOT.channelId) return { ok: false, error: 'channel_not_found' };
      if (validateSlackMessage(entry.json).length > 0) return { ok: false, error: 'invalid_blocks' };
      const { text, blocks } = entry.json as { text: string; blocks: unknown[] };
      clock += 1;
      const ts = `${clock}.000100`;
      channel.push({
        type: 'message',
        ts,
        text,
        blocks,
        ...(body.metadata ? { metadata: body.metadata } : {}),
      });
      accepted.push(entry.json);
      return { ok: true, channel: SLACK_BOT.channelId, ts, message: { text, ts } };
    }
    if (path === '/api/conversations.history') {
      const params = new URLSearchParams(query);
      if (request.method !== 'GET' && request.method !== 'POST')
        return { ok: false, error: 'invalid_arguments' };
      if (params.get('channel') !== SLACK_BOT.channelId) return { ok: false, error: 'channel_not_found' };
      const oldest = Number(params.get('oldest') ?? '0');
      const limit = Math.min(Number(params.get('limit') ?? '100'), 999);
      const metadata = params.get('include_all_metadata') === 'true';
      const newest = channel.filter((message) => Number(message.ts) > oldest).reverse();
      const page = newest.slice(0, limit).map(({ metadata: meta, ...message }) => ({
        ...message,
        ...(metadata && meta ? { metadata: meta } : {}),
      }));
      return { ok: true, messages: page, has_more: newest.length > limit };
    }
    return { ok: false, error: 'unknown_method' };
  };
  const server: Server = createServer((request, response) => {
    void (async () => {
      const body = await readBody(request);
      const entry: SlackRequest = {
        path: request.url ?? '',
        contentType: request.headers['content-type'],
        body,
        receivedAt: Date.now(),
      };
      requests.push(entry);
      const scripted = queue.shift();
      const lost = scripted?.kind === 'lose-answer' ? scripted.how : undefined;
      /** Answers, unless the script loses the answer after the request was processed. */
      const send = (status: number, headers: Record<string, string>, text: string): void => {
        if (lost === 'drop') request.socket.destroy();
        if (lost) return;
        response.writeHead(status, headers);
        response.end(text);
      };
      const api = (answer: Record<string, unknown>): void =>
        send(200, { 'content-type': 'application/json; charset=utf-8' }, JSON.stringify(answer));
      if (scripted?.kind === 'drop') {
        request.socket.destroy();
        return;
      }
      if (scripted?.kind === 'throttle') {
        const isApi = entry.path.startsWith('/api/');
        response.writeHead(429, {
          'retry-after': String(scripted.retryAfterSeconds),
          'content-type': isApi ? 'application/json' : 'text/plain',
        });
        response.end(isApi ? JSON.stringify({ ok: false, error: 'ratelimited' }) : 'rate_limited');
        return;
      }
      if (scripted?.kind === 'status') {
        response.writeHead(scripted.status, { 'content-type': 'text/plain' });
        response.end(scripted.body);
        return;
      }
      if (entry.path.startsWith('/api/')) {
        api(webApiAnswer(request, entry));
        return;
      }
      if (request.method !== 'POST' || entry.path !== '/services/T000/B000/secret') {
        response.writeHead(404, { 'content-type': 'text/plain' });
        response.end('no_service');
        return;
      }
      try {
        entry.json = JSON.parse(body);
      } catch {
        response.writeHead(400, { 'content-type': 'text/plain' });
        response.end('invalid_payload');
        return;
      }
      const errors = validateSlackMessage(entry.json);
      if (errors.length > 0) {
        response.writeHead(400, { 'content-type': 'text/plain' });
        response.end('invalid_blocks');
        return;
      }
      accepted.push(entry.json);
      send(200, { 'content-type': 'text/plain' }, 'ok');
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/services/T000/B000/secret`,
    apiUrl: `http://127.0.0.1:${port}/api`,
    requests,
    accepted,
    channel,
    script: (...answers) => queue.push(...answers),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
};
