import {
  createNeedleMatcher,
  FLAG_NEEDLE,
  FLAG_PARSE,
  FLAG_READ_OK,
  FLAG_READ_ONLY,
  FLAG_SURE,
  type LogFileScan,
  longestSharedRun,
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

  // Whether a record is parsed must not decide whether the file is refused: a record the scan accepts is one
  // JSON.parse accepts, and every grammar fault makes the scan give up as JSON.parse would.
  it.each([
    ['[1}', '{"a":[1}}'],
    ['{]', '{"a":{]}'],
    ['a trailing comma', '{"a":1,}'],
    ['a trailing comma in an array', '{"a":[1,]}'],
    ['a leading comma', '{,"a":1}'],
    ['tru', '{"a":tru}'],
    ['True', '{"a":True}'],
    ['01', '{"a":01}'],
    ['-01', '{"a":-01}'],
    ['1.', '{"a":1.}'],
    ['1.e5', '{"a":1.e5}'],
    ['1e+', '{"a":1e+}'],
    ['- 1', '{"a":- 1}'],
    ['Infinity', '{"a":Infinity}'],
    ['a raw newline in a string', '{"a":"x\ny"}'],
    ['a raw NUL in a string', '{"a":"x\u0000y"}'],
    ...[37, 38, 39, 40].map((run) => [
      `a raw control character after ${run} bytes of a string (skipped by words, at each alignment)`,
      `{"a":"${'x'.repeat(run)}\u001f${'y'.repeat(9)}"}`,
    ]),
    ['\\x', '{"a":"\\x"}'],
    ['\\U', '{"a":"\\U0041"}'],
    ['\\u with three hex digits', '{"a":"\\u004"}'],
    ['a key that is not a string', '{a:1}'],
    ['an object as key', '{{}:1}'],
    ['a missing colon', '{"a" 1}'],
    ['two colons', '{"a"::1}'],
    ['a missing value', '{"a":}'],
    ['two values without a comma', '{"a":1 "b":2}'],
    ['two strings without a comma', '{"a":"x""y"}'],
    ['an array without commas', '{"a":[1 2]}'],
    ['a colon in an array', '{"a":[1:2]}'],
    ['a backslash outside a string', '{"a":\\"x"}'],
    ['a byte that is not JSON', '{"a":1é}'],
  ])('gives up on a record JSON.parse refuses: %s', (_, record) => {
    const text = `{"Records":[{"eventSource":"s3.amazonaws.com","eventName":"GetObject"},${record}]}`;
    expect(() => JSON.parse(text)).toThrow(SyntaxError);
    expect(scanText(text)).toBeUndefined();
  });

  it('accepts every spelling of numbers, literals, escapes and whitespace that JSON allows', () => {
    const records = [
      '{"a":0,"b":-0,"c":-0.0e0,"d":12.5E+3,"e":1e-7,"f":9007199254740993,"g":true,"h":false,"i":null}',
      '{ "a" : [ ] , "b" : { } , "c" :\t[ [ ] , [ { } ] , { "d" : [ 1 , "x" ] } ]\r\n}',
      '{"a":"\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\uD83D\\uDE00","b":"é😀\u007f","c":""}',
      `{"a":${'['.repeat(200)}${']'.repeat(200)},"b":"${'x'.repeat(41)}"}`,
    ];
    const text = `{"Records":[${records.join(',')}]}`;
    expect(texts(text)?.map((t) => JSON.parse(t))).toEqual(JSON.parse(text).Records);
  });

  it('reads bytes that are not UTF-8 inside a string as JSON.parse reads the decoded text: accepted', () => {
    const bytes = Buffer.concat([
      Buffer.from('{"Records":[{"a":"x'),
      Buffer.from([0xe2, 0xff, 0xc3]),
      Buffer.from('"}]}'),
    ]);
    expect(JSON.parse(bytes.toString()).Records[0].a).toBe('x\ufffd\ufffd\ufffd');
    expect(scanLogFile(bytes, NO_NEEDLES)?.count).toBe(1);
  });
});

describe('scanLogFile: needles, top-level keys and escapes', () => {
  const record = (fields: Record<string, unknown>) => ({
    eventTime: '2024-05-01T10:00:00Z',
    eventSource: 's3.amazonaws.com',
    eventName: 'GetObject',
    ...fields,
  });
  const scanRecords = (records: unknown[], needles = ['"iam.amazonaws.com"', 'explicit deny in a service']) =>
    scanText(JSON.stringify({ Records: records }), needles);

  it('marks a record whose string value is a whole-token needle, not one holding it inside a longer string', () => {
    const scan = scanRecords([
      record({ eventSource: 'iam.amazonaws.com' }),
      record({ errorMessage: 'see "iam.amazonaws.com" for details' }),
      record({ userAgent: 'iam.amazonaws.com' }),
      record({ requestParameters: { nested: ['x', 'iam.amazonaws.com'] } }),
    ]);
    expect(scan?.map((r) => r.needle)).toEqual([true, false, true, true]);
    expect(scan?.map((r) => r.parse)).toEqual([false, false, false, false]);
  });

  it('marks the record holding a substring needle, wherever it is in the record', () => {
    const scan = scanRecords([
      record({}),
      record({ errorMessage: 'User: x is not authorized with an explicit deny in a service control policy' }),
      record({ requestParameters: { a: { b: ['prefix explicit deny in a service suffix'] } } }),
      record({}),
    ]);
    expect(scan?.map((r) => r.needle)).toEqual([false, true, true, false]);
  });

  it('flags a sufficient needle as sure, token or substring, and the others as needles only', () => {
    const bytes = Buffer.from(
      JSON.stringify({
        Records: [
          record({ eventSource: 'iam.amazonaws.com' }),
          record({ eventSource: 'cloudtrail.amazonaws.com' }),
          record({ errorMessage: 'an explicit deny in a service control policy' }),
          record({}),
        ],
      }),
    );
    const matcher = createNeedleMatcher(
      ['"iam.amazonaws.com"', '"cloudtrail.amazonaws.com"', 'explicit deny in a service'],
      ['"iam.amazonaws.com"', 'explicit deny in a service'],
    );
    const scan = scanLogFile(bytes, matcher);
    const flags = Array.from(
      { length: scan?.count ?? 0 },
      (_, i) => (scan?.records[i * RECORD_FIELDS + 2] as number) & ~FLAG_READ_OK,
    );
    expect(flags).toEqual([FLAG_NEEDLE | FLAG_SURE, FLAG_NEEDLE, FLAG_NEEDLE | FLAG_SURE, 0]);
  });

  it('sends to JSON.parse a record with a \\u escape anywhere, which could spell a needle another way', () => {
    const text = `{"Records":[${[
      '{"eventSource":"i\\u0061m.amazonaws.com","eventName":"CreateUser"}',
      '{"eventSource":"s3.amazonaws.com","eventName":"GetObject","errorMessage":"explicit deny in a\\u0020service"}',
      '{"eventSource":"s3.amazonaws.com","eventName":"GetObject","a":"\\\\u0061"}',
      '{"eventSource":"s3.amazonaws.com","eventName":"GetObject","a":"\\"\\n\\t\\\\"}',
    ].join(',')}]}`;
    const scan = scanText(text, ['"iam.amazonaws.com"', 'explicit deny in a service']);
    // An escaped backslash followed by `u` is no escape; other escapes cannot spell a needle's characters.
    expect(scan?.map((r) => r.parse)).toEqual([true, true, false, false]);
    expect(scan?.map((r) => r.needle)).toEqual([false, false, false, false]);
  });

  it('counts only the record’s own top-level eventSource, eventName, eventTime and detail', () => {
    const scan = scanRecords([
      // eventSource only inside a nested object: not a CloudTrail record, JSON.parse and replay report it.
      { eventName: 'GetObject', requestParameters: { eventSource: 's3.amazonaws.com' } },
      { eventSource: 's3.amazonaws.com', eventName: 7 },
      { eventSource: ['s3.amazonaws.com'], eventName: 'GetObject' },
      // An EventBridge event: its record is under detail.
      { detail: record({}), source: 'aws.s3' },
      // A nested eventTime before the record's own.
      {
        requestParameters: {
          eventTime: '1999-01-01T00:00:00Z',
          list: [{ eventTime: '1998-01-01T00:00:00Z' }],
        },
        ...record({ eventTime: '2024-05-02T10:00:00Z' }),
      },
      { eventSource: 's3.amazonaws.com', eventName: 'GetObject', eventTime: { at: 1 } },
      { eventSource: 's3.amazonaws.com', eventName: 'GetObject', eventTime: '2024-05-03T10:00:00\n' },
    ]);
    expect(scan?.map((r) => r.parse)).toEqual([true, true, true, true, false, false, true]);
    expect(scan?.[4]?.eventTime).toBe('2024-05-02T10:00:00Z');
    expect(scan?.[5]?.eventTime).toBeUndefined();
  });

  it('reads a duplicated key as JSON.parse does: the last one counts', () => {
    const text =
      '{"Records":[{"eventTime":"2024-01-01T00:00:00Z","eventSource":"s3.amazonaws.com","eventName":"A",' +
      '"eventTime":"2024-02-02T00:00:00Z","eventSource":1}]}';
    const [scanned] = scanText(text) ?? [];
    expect(scanned).toMatchObject({ parse: true, eventTime: '2024-02-02T00:00:00Z' });
    expect(JSON.parse(scanned?.text ?? '')).toMatchObject({
      eventTime: '2024-02-02T00:00:00Z',
      eventSource: 1,
    });
  });

  it('never takes an object inside a string or a tag list for a record', () => {
    const forged = '},{"eventSource":"iam.amazonaws.com","eventName":"CreateUser"},{';
    const scan = scanRecords([
      record({ userAgent: forged }),
      record({
        requestParameters: { tags: [{ eventSource: 'iam.amazonaws.com', eventName: 'CreateUser' }] },
      }),
    ]);
    expect(scan).toHaveLength(2);
    expect(scan?.map((r) => JSON.parse(r.text).eventSource)).toEqual([
      's3.amazonaws.com',
      's3.amazonaws.com',
    ]);
    expect(scan?.map((r) => r.needle)).toEqual([false, true]);
  });

  it('reads non-ASCII text byte for byte: offsets, needles and eventTime stay right after multi-byte characters', () => {
    const records = [
      record({ userIdentity: { userName: 'José 日本 😀' }, eventSource: 'iam.amazonaws.com' }),
      record({ eventTime: '2024-05-01T10:00:00Z', errorMessage: 'ünïcödé explicit deny in a service 🔒' }),
      record({ eventTime: '２０２４' }),
    ];
    const scan = scanRecords(records);
    expect(scan?.map((r) => JSON.parse(r.text))).toEqual(records);
    expect(scan?.map((r) => r.needle)).toEqual([true, true, false]);
    expect(scan?.map((r) => r.eventTime)).toEqual([
      '2024-05-01T10:00:00Z',
      '2024-05-01T10:00:00Z',
      '２０２４',
    ]);
  });

  it('splits and flags random records exactly, whatever their alignment in memory (strings skipped by words)', () => {
    // A deterministic generator: strings full of quotes, backslashes, braces, escapes and multi-byte characters.
    let seed = 42;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const alphabet = [
      'a',
      'b',
      '"',
      '\\',
      '{',
      '}',
      '[',
      ']',
      ',',
      ':',
      ' ',
      'é',
      '日',
      '😀',
      '\n',
      '\u0001',
      'u',
    ];
    const randomString = () =>
      Array.from({ length: random(40) }, () => alphabet[random(alphabet.length)] as string).join('');
    const records = Array.from({ length: 300 }, (_, i) =>
      record({
        eventSource: i % 7 === 0 ? 'iam.amazonaws.com' : 's3.amazonaws.com',
        userAgent: randomString(),
        requestParameters: { [randomString()]: [randomString(), { x: randomString() }] },
      }),
    );
    const json = JSON.stringify({ Records: records });
    for (let shift = 0; shift < 4; shift++) {
      // The text at every offset modulo 4 in its buffer, and padded with leading spaces.
      const backing = Buffer.alloc(json.length * 4 + 8);
      const length = backing.write(`${' '.repeat(shift)}${json}`, shift);
      const bytes = backing.subarray(shift, shift + length);
      const scan = describeScan(bytes, scanLogFile(bytes, createNeedleMatcher(['"iam.amazonaws.com"'])));
      expect(scan?.map((r) => JSON.parse(r.text))).toEqual(records);
      expect(scan?.map((r) => r.needle)).toEqual(records.map((r) => r.eventSource === 'iam.amazonaws.com'));
      // A `\u` escape (here of U+0001) is what sends a record to JSON.parse; `\\u` is an escaped backslash.
      const escaped = records.map((r) => /\\u/.test(JSON.stringify(r).replaceAll('\\\\', '')));
      expect(escaped).toContain(true);
      expect(escaped).toContain(false);
      expect(scan?.map((r) => r.parse)).toEqual(escaped);
      expect(scan?.every((r) => r.eventTime === '2024-05-01T10:00:00Z')).toBe(true);
    }
  });
});

describe('substring needles that share a run', () => {
  const phrases = ['explicit deny in a service control policy', 'no service control policy allows'];
  it('finds the longest run every needle holds', () => {
    expect(longestSharedRun(phrases)).toBe(' service control policy');
    expect(longestSharedRun(['abc', 'xyz'])).toBe('');
    expect(longestSharedRun(['only'])).toBe('only');
  });
  it('searches the shared run once, marks every record holding either needle, and never marks one sure', () => {
    const matcher = createNeedleMatcher(phrases, phrases);
    expect(matcher.substrings.map(String)).toEqual([' service control policy']);
    const record = (message: string) =>
      JSON.stringify({ eventSource: 's3.amazonaws.com', eventName: 'GetObject', errorMessage: message });
    const texts = [
      record(`User is not authorized with an ${phrases[0]}`),
      record('nothing here'),
      record(`because ${phrases[1]} the action`),
      record('a service control policy (unrelated)'),
    ];
    const bytes = Buffer.from(`{"Records":[${texts.join(',')}]}`);
    const scan = scanLogFile(bytes, matcher);
    const flags = Array.from(
      { length: scan?.count ?? 0 },
      (_, i) => (scan?.records[i * RECORD_FIELDS + 2] as number) & ~FLAG_READ_OK,
    );
    expect(flags).toEqual([FLAG_NEEDLE, 0, FLAG_NEEDLE, FLAG_NEEDLE]);
  });
});

describe('the read-only gate', () => {
  const head = '"eventSource":"iam.amazonaws.com","eventName":"GetUser","eventTime":"2024-05-01T00:00:00Z"';
  const flagsOf = (records: string[], readOk: string[] = []) => {
    const bytes = Buffer.from(`{"Records":[${records.join(',')}]}`);
    const scan = scanLogFile(bytes, createNeedleMatcher(['"iam.amazonaws.com"', '"Root"'], [], readOk));
    return Array.from({ length: scan?.count ?? 0 }, (_, i) => scan?.records[i * RECORD_FIELDS + 2] as number);
  };
  const readOnly = (flags: number) => (flags & FLAG_READ_ONLY) !== 0;

  it('marks a record whose own top-level readOnly is the literal true, the last occurrence as JSON.parse reads it', () => {
    const flags = flagsOf([
      `{${head},"readOnly":true}`,
      `{${head},"readOnly":false}`,
      `{${head}}`,
      `{${head},"readOnly":"true"}`,
      `{${head},"readOnly":[true]}`,
      `{${head},"readOnly":false,"requestParameters":{"readOnly":true}}`,
      `{${head},"readOnly":false,"x":1,"readOnly":true}`,
      `{${head},"readOnly":true,"x":1,"readOnly":false}`,
      `{${head},"readOnly":true,"readOnly":null}`,
      `{${head},"readOnly" : true }`,
    ]);
    expect(flags.map(readOnly)).toEqual([true, false, false, false, false, false, true, false, false, true]);
  });

  it('marks a needle that may matter to a read-only record, and only that one', () => {
    const [iamOnly, root] = flagsOf(
      [`{${head},"readOnly":true}`, `{${head},"readOnly":true,"userIdentity":{"type":"Root"}}`],
      ['"Root"'],
    ) as [number, number];
    expect(iamOnly & (FLAG_NEEDLE | FLAG_READ_OK)).toBe(FLAG_NEEDLE);
    expect(root & (FLAG_NEEDLE | FLAG_READ_OK)).toBe(FLAG_NEEDLE | FLAG_READ_OK);
    // Without a list, every needle may matter (no gate).
    const bytes = Buffer.from(`{"Records":[{${head},"readOnly":true}]}`);
    expect(
      (scanLogFile(bytes, createNeedleMatcher(['"iam.amazonaws.com"']))?.records[2] as number) & FLAG_READ_OK,
    ).toBe(FLAG_READ_OK);
  });
});
