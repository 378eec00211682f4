import {
  createNeedleMatcher,
  FLAG_NEEDLE,
  FLAG_PARSE,
  type LogFileScan,
  RECORD_FIELDS,
  scanLogFile,
} from '../../../../cli/input/scan-records.js';
import { loadCorpus } from '../../../helpers/fixtures.js';

const NO_NEEDLES = createNeedleMatcher([]);

/** What the scan says of each record: its text, its flags and its `eventTime`, decoded as the reader does. */
const describeScan = (bytes: Buffer, scan: LogFileScan | undefined) =>
  scan &&
  Array.from({ length: scan.count }, (_, i) => {
    const [start, end, flags, timeStart, timeEnd] = scan.records.slice(
      i * RECORD_FIELDS,
      (i + 1) * RECORD_FIELDS,
    ) as [number, number, number, number, number];
    return {
      text: bytes.toString('utf8', start, end),
      needle: (flags & FLAG_NEEDLE) !== 0,
      parse: (flags & FLAG_PARSE) !== 0,
      eventTime: timeStart === -1 ? undefined : bytes.toString('utf8', timeStart, timeEnd),
    };
  });

const scanText = (text: string, needles: string[] = []) => {
  const bytes = Buffer.from(text);
  return describeScan(bytes, scanLogFile(bytes, needles.length ? createNeedleMatcher(needles) : NO_NEEDLES));
};

const texts = (text: string) => scanText(text)?.map((record) => record.text);

describe('scanLogFile', () => {
  it('splits a log file into the exact text of each record, as JSON.parse reads it', () => {
    const records = loadCorpus().map((entry) => entry.record);
    const split = texts(JSON.stringify({ Records: records }));
    expect(split).toHaveLength(records.length);
    expect(split?.map((t) => JSON.parse(t))).toEqual(records);
  });

  it('is not fooled by braces, brackets and escaped quotes inside strings, or by whitespace', () => {
    const tricky = [
      { a: '}{"Records":[', b: 'x\\"}', c: ['\\\\', { d: '"]}' }] },
      { e: '\\\\"', f: null, g: [1, [2, { h: '}' }]] },
    ];
    const pretty = JSON.stringify({ Records: tricky }, null, 2);
    expect(texts(pretty)?.map((t) => JSON.parse(t))).toEqual(tricky);
    expect(texts('{"Records":[]}')).toEqual([]);
    expect(texts(' \n{ "Records" : [ ] }\r\n')).toEqual([]);
  });

  it.each([
    ['truncated', '{"Records":[{"a":1}'],
    ['an unterminated string', '{"Records":[{"a":"1}]}'],
    ['an unterminated escape at the end', '{"Records":[{"a":"1\\'],
    ['another shape', '{"records":[{"a":1}]}'],
    ['a non-object record', '{"Records":[1,2]}'],
    ['trailing data', '{"Records":[{"a":1}]} {}'],
    ['another key after Records', '{"Records":[{"a":1}],"x":1}'],
    ['another key before Records', '{"x":1,"Records":[{"a":1}]}'],
    ['a missing comma', '{"Records":[{"a":1}{"b":2}]}'],
    ['a byte-order mark', '\ufeff{"Records":[{"a":1}]}'],
  ])('gives up on %s, so the caller parses the file and reports the fault', (_, text) => {
    expect(scanText(text)).toBeUndefined();
  });
});
