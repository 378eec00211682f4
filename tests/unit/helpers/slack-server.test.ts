// The fake Slack's validator is the oracle of every Slack test: it must reject what Slack rejects.
import { SLACK_BOT, startSlackServer, validateSlackMessage } from '../../helpers/slack-server.js';

const header = (text: string) => ({ type: 'header', text: { type: 'plain_text', text } });
const section = (text: string) => ({ type: 'section', text: { type: 'mrkdwn', text } });
const field = (text: string) => ({ type: 'mrkdwn', text });
const message = (...blocks: unknown[]) => ({ text: 'fallback', blocks });

describe('validateSlackMessage (the fake Slack oracle itself)', () => {
  it('accepts a message at every Block Kit limit', () => {
    const body = message(
      header('h'.repeat(150)),
      section('s'.repeat(3000)),
      { type: 'section', fields: Array.from({ length: 10 }, () => field('f'.repeat(2000))) },
      { type: 'context', elements: Array.from({ length: 10 }, () => field('c')) },
      ...Array.from({ length: 46 }, () => ({ type: 'divider' })),
    );
    expect(body.blocks).toHaveLength(50);
    expect(validateSlackMessage(body)).toEqual([]);
  });

  it.each([
    ['a 151-character header', message(header('h'.repeat(151))), 'blocks[0]: text length 151 not in 1–150'],
    ['a mrkdwn header', message({ type: 'header', text: field('h') }), 'blocks[0]: type must be plain_text'],
    ['51 blocks', message(...Array.from({ length: 51 }, () => section('s'))), 'blocks: 51 (1–50 allowed)'],
    ['no blocks', message(), 'blocks: 0 (1–50 allowed)'],
    ['an empty section text', message(section('')), 'blocks[0].text: text length 0 not in 1–3000'],
    [
      'a 3001-character section text',
      message(section('s'.repeat(3001))),
      'blocks[0].text: text length 3001 not in 1–3000',
    ],
    [
      'a section with neither text nor fields',
      message({ type: 'section' }),
      'blocks[0]: section needs text or fields',
    ],
    [
      '11 fields',
      message({ type: 'section', fields: Array.from({ length: 11 }, () => field('f')) }),
      'blocks[0]: 1–10 fields',
    ],
    [
      'a 2001-character field',
      message({ type: 'section', fields: [field('f'.repeat(2001))] }),
      'blocks[0].fields[0]: text length 2001 not in 1–2000',
    ],
    [
      '11 context elements',
      message({ type: 'context', elements: Array.from({ length: 11 }, () => field('c')) }),
      'blocks[0]: 1–10 elements',
    ],
    ['an unknown block type', message({ type: 'carousel' }), 'blocks[0]: unsupported block type carousel'],
    ['no text fallback', { blocks: [section('s')] }, 'text must be a non-empty string'],
    ['a 40,001-character text', { text: 't'.repeat(40_001), blocks: [section('s')] }, 'text over 40000'],
    ['blocks that are not an array', { text: 't', blocks: {} }, 'blocks must be an array'],
    ['a body that is not an object', 'text=hello', 'body is not an object'],
  ])('rejects %s', (_case, body, problem) => {
    expect(validateSlackMessage(body)).toContain(problem);
  });
});

describe('the fake Slack Web API (the oracle of bot-mode tests)', () => {
  const post = (apiUrl: string, body: unknown, token: string | undefined = SLACK_BOT.token) =>
    fetch(`${apiUrl}/chat.postMessage`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json; charset=utf-8',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: JSON.stringify(body),
    }).then(async (response) => ({ status: response.status, json: await response.json() }));

  it('answers like Slack: ok with a ts, errors as 200 ok:false, history newest first with metadata on request', async () => {
    const slack = await startSlackServer();
    try {
      const good = {
        channel: SLACK_BOT.channelId,
        ...message(section('hello')),
        metadata: { event_type: 'iam_change_alert', event_payload: { event_id: 'e-1' } },
      };
      expect(await post(slack.apiUrl, good)).toEqual({
        status: 200,
        json: expect.objectContaining({
          ok: true,
          channel: SLACK_BOT.channelId,
          ts: expect.stringMatching(/^\d+\.\d{6}$/),
        }),
      });
      expect((await post(slack.apiUrl, good, '')).json).toEqual({ ok: false, error: 'not_authed' });
      expect((await post(slack.apiUrl, good, 'xoxb-wrong')).json).toEqual({
        ok: false,
        error: 'invalid_auth',
      });
      expect((await post(slack.apiUrl, { ...good, channel: 'C0OTHER' })).json).toEqual({
        ok: false,
        error: 'channel_not_found',
      });
      expect((await post(slack.apiUrl, { ...good, ...message(header('h'.repeat(151))) })).json).toEqual({
        ok: false,
        error: 'invalid_blocks',
      });
      const history = async (query: string) =>
        (await fetch(`${slack.apiUrl}/conversations.history?${query}`, {
          headers: { authorization: `Bearer ${SLACK_BOT.token}` },
        }).then((response) => response.json())) as {
          ok: boolean;
          messages: { metadata?: unknown }[];
          has_more: boolean;
        };
      const withMetadata = await history(`channel=${SLACK_BOT.channelId}&oldest=0&include_all_metadata=true`);
      expect(withMetadata).toMatchObject({ ok: true, has_more: false });
      expect(withMetadata.messages.map((m) => m.metadata)).toEqual([good.metadata]);
      expect(
        (await history(`channel=${SLACK_BOT.channelId}&oldest=0`)).messages[0]?.metadata,
      ).toBeUndefined();
      expect((await history(`channel=${SLACK_BOT.channelId}&oldest=9999999999`)).messages).toEqual([]);
      slack.script({ kind: 'throttle', retryAfterSeconds: 30 });
      const throttled = await fetch(`${slack.apiUrl}/conversations.history?channel=${SLACK_BOT.channelId}`, {
        headers: { authorization: `Bearer ${SLACK_BOT.token}` },
      });
      expect(throttled.status).toBe(429);
      expect(throttled.headers.get('retry-after')).toBe('30');
      expect(await throttled.json()).toEqual({ ok: false, error: 'ratelimited' });
    } finally {
      await slack.close();
    }
  });
});
