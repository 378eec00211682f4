// The fake Slack's validator is the oracle of every Slack test: it must reject what Slack rejects.
import { validateSlackMessage } from '../../helpers/slack-server.js';

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
