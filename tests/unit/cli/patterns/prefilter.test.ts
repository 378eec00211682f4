import { Readable } from 'node:stream';
import { readInputs } from '../../../../cli/input/read-inputs.js';
import { compileEventPattern } from '../../../../cli/patterns/event-pattern.js';
import { createPrefilter, createRawPrefilter } from '../../../../cli/patterns/prefilter.js';
import { toEventBridgeEvent } from '../../../../shared/domain/cloudtrail.js';
import { PRESET_NAMES, PRESETS } from '../../../../shared/domain/patterns.js';
import type { CloudTrailRecord } from '../../../../shared/domain/types.js';
import { loadCorpus } from '../../../helpers/fixtures.js';

describe('createPrefilter', () => {
  it('takes the exact eventSource list of every preset', () => {
    for (const preset of PRESET_NAMES) {
      const prefilter = createPrefilter(PRESETS[preset]);
      expect(prefilter?.field).toBe('eventSource');
      expect([...(prefilter?.values ?? [])]).toEqual(['iam.amazonaws.com']);
    }
  });

  it('never rules out a record the pattern matches, parsed or raw (whole corpus, every preset)', () => {
    const corpus = loadCorpus();
    for (const preset of PRESET_NAMES) {
      const matcher = compileEventPattern(PRESETS[preset]);
      const prefilter = createPrefilter(PRESETS[preset]);
      let ruledOut = 0;
      for (const { record } of corpus) {
        const raw = JSON.stringify(record);
        const parsedOut = !prefilter?.values.has(record.eventSource);
        const rawOut = prefilter?.raw?.mayMatch(raw) === false;
        if (parsedOut || rawOut) {
          ruledOut++;
          expect(matcher.matches(toEventBridgeEvent(record as CloudTrailRecord))).toBe(false);
        }
      }
      // It does rule out: most of the corpus is other services.
      expect(ruledOut).toBeGreaterThan(corpus.length / 2);
    }
  });

  it('has no prefilter for a pattern without an exact string field, or with values JSON may spell two ways', () => {
    expect(createPrefilter({ source: ['aws.iam'] })).toBeUndefined();
    expect(createPrefilter({ detail: { eventName: [{ prefix: 'Create' }] } })).toBeUndefined();
    expect(createPrefilter({ detail: { eventSource: ['a/b'] } })?.raw).toBeUndefined();
    expect(createRawPrefilter(['say "hi"'])).toBeUndefined();
  });
});

describe('readInputs with a prefilter', () => {
  const read = async (text: string) => {
    const items = [];
    const prefilter = createPrefilter(PRESETS.writes)?.raw;
    for await (const item of readInputs(['-'], {
      cwd: '/',
      stdin: Readable.from([text]),
      ...(prefilter ? { prefilter } : {}),
    }))
      items.push(item);
    return items.filter((item) => item.kind !== 'file');
  };

  it('leaves lines that cannot match unparsed, with their eventTime, and parses the rest', async () => {
    const s3 = { eventSource: 's3.amazonaws.com', eventName: 'GetObject', eventTime: '2024-01-02T03:04:05Z' };
    const iam = {
      eventSource: 'iam.amazonaws.com',
      eventName: 'CreateUser',
      eventTime: '2024-01-03T00:00:00Z',
    };
    const items = await read(`${JSON.stringify(s3)}\n${JSON.stringify(iam)}\n`);
    expect(items).toEqual([
      { kind: 'skipped', source: '-', line: 1, eventTime: '2024-01-02T03:04:05Z' },
      { kind: 'record', source: '-', line: 2, value: iam },
    ]);
  });

  it('parses a line whose text could spell the value with an escape, and still reports bad lines', async () => {
    const escaped = '{"eventSource":"iam\\u002eamazonaws.com","eventName":"CreateUser"}';
    const items = await read(`${escaped}\n{"eventSource":"s3.amazonaws.com", broken}\n`);
    expect(items[0]).toMatchObject({ kind: 'record', value: { eventSource: 'iam.amazonaws.com' } });
    expect(items[1]).toMatchObject({
      kind: 'problem',
      line: 2,
      message: expect.stringContaining('malformed JSON'),
    });
  });
});
