import { scanLogFileRecords } from '../../../../cli/input/scan-records.js';
import { loadCorpus } from '../../../helpers/fixtures.js';

describe('scanLogFileRecords', () => {
  it('splits a log file into the exact text of each record, as JSON.parse reads it', () => {
    const records = loadCorpus().map((entry) => entry.record);
    const text = JSON.stringify({ Records: records });
    const texts = scanLogFileRecords(text);
    expect(texts).toHaveLength(records.length);
    expect(texts?.map((t) => JSON.parse(t))).toEqual(records);
  });

  it('is not fooled by braces, brackets and escaped quotes inside strings, or by whitespace', () => {
    const tricky = [
      { a: '}{"Records":[', b: 'x\\"}', c: ['\\\\', { d: '"]}' }] },
      { e: '\\\\"', f: null, g: [1, [2, { h: '}' }]] },
    ];
    const pretty = JSON.stringify({ Records: tricky }, null, 2);
    expect(scanLogFileRecords(pretty)?.map((t) => JSON.parse(t))).toEqual(tricky);
    expect(scanLogFileRecords('{"Records":[]}')).toEqual([]);
  });

  it.each([
    ['truncated', '{"Records":[{"a":1}'],
    ['an unterminated string', '{"Records":[{"a":"1}]}'],
    ['another shape', '{"records":[{"a":1}]}'],
    ['a non-object record', '{"Records":[1,2]}'],
    ['trailing data', '{"Records":[{"a":1}]} {}'],
    ['another key after Records', '{"Records":[{"a":1}],"x":1}'],
    ['a missing comma', '{"Records":[{"a":1}{"b":2}]}'],
  ])('gives up on %s, so the caller parses the file and reports the fault', (_, text) => {
    expect(scanLogFileRecords(text)).toBeUndefined();
  });
});
