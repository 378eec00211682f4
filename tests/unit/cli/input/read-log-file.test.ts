// A CloudTrail log file read with the deployed rules' prefilter (records that cannot match left unparsed) must give
// the replay exactly what parsing every record gives: the same alerts, counts, period and problems. Hostile records
// try to hide a match from the scan or to make it count what is not a record.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import {
  expandInputs,
  type InputItem,
  readInputs,
  UnparsedRecord,
} from '../../../../cli/input/read-inputs.js';
import { compileDeployedRules, defaultRuleOptions } from '../../../../cli/replay/deployed.js';
import { replayItems } from '../../../../cli/replay/replay.js';
import { toEventBridgeEvent } from '../../../../shared/domain/cloudtrail.js';
import type { CloudTrailRecord } from '../../../../shared/domain/types.js';
import { fakeCreateAlert } from '../replay/fake-alert.js';

const base = (fields: Record<string, unknown>) => ({
  eventVersion: '1.08',
  userIdentity: { type: 'IAMUser', userName: 'alice', arn: 'arn:aws:iam::111122223333:user/alice' },
  eventTime: '2024-05-01T10:00:00Z',
  eventSource: 's3.amazonaws.com',
  eventName: 'GetObject',
  awsRegion: 'us-east-1',
  readOnly: false,
  eventType: 'AwsApiCall',
  eventID: `id-${Math.random()}`,
  ...fields,
});
const instance = {
  type: 'AssumedRole',
  arn: 'arn:aws:sts::111122223333:assumed-role/web/i-0abc',
  sessionContext: { ec2RoleDelivery: '2.0', sessionIssuer: { type: 'Role' } },
};
const scpDenial = 'with an explicit deny in a service control policy';

/** Records as JSON text, some written by hand to hold escapes that JSON.stringify would not write. */
const HOSTILE: string[] = [
  // Matches the preset plainly, and with its event source or name spelled with escapes.
  base({ eventName: 'CreateUser', eventID: 'plain', eventSource: 'iam.amazonaws.com' }),
  base({ eventName: 'DeleteUser', eventID: 'escaped-name', eventSource: 'iam.amazonaws.com' }),
  // Root activity with Root spelled with an escape; an SCP denial split by an escape.
  base({ eventID: 'root', userIdentity: { type: 'ROOT' } }),
  base({ eventID: 'scp', userIdentity: instance, errorCode: 'AccessDenied', errorMessage: `x ${scpDenial}` }),
  base({ eventID: 'scp-escaped', userIdentity: instance, errorCode: 'AccessDenied', errorMessage: 'SCP' }),
  // Needles inside longer strings and nested objects of records that cannot match: parsed or not, no alert.
  base({ eventID: 'quoted', errorMessage: 'see "iam.amazonaws.com"', userAgent: '"Root"' }),
  base({
    eventID: 'nested',
    requestParameters: { eventSource: 'iam.amazonaws.com', eventName: 'CreateUser' },
  }),
  base({
    eventID: 'tags',
    requestParameters: { tags: [{ eventSource: 'iam.amazonaws.com', eventName: 'X' }] },
  }),
  // A forged record inside a string.
  base({ eventID: 'forged', userAgent: '},{"eventSource":"iam.amazonaws.com","eventName":"CreateUser"},{' }),
  // Not CloudTrail records: event source only nested, or not a string; reported as problems either way.
  { eventName: 'GetObject', eventTime: '2024-05-09T00:00:00Z', requestParameters: { eventSource: 'iam' } },
  base({ eventID: 'number-source', eventSource: 7 }),
  // An EventBridge event in the Records array, and a duplicated eventSource (JSON.parse keeps the last).
  toEventBridgeEvent(
    base({
      eventSource: 'iam.amazonaws.com',
      eventName: 'CreateRole',
      eventID: 'envelope',
    }) as CloudTrailRecord,
  ),
  // The record's own eventTime after nested ones, non-ASCII text, an eventTime with an escape.
  base({
    eventID: 'times',
    requestParameters: { eventTime: '1999-01-01T00:00:00Z' },
    eventTime: '2024-05-03T00:00:00Z',
  }),
  base({
    eventID: 'unicode',
    userIdentity: { type: 'IAMUser', userName: 'José 日本 😀' },
    eventTime: '2024-05-04T00:00:00Z',
  }),
  base({
    eventID: 'unicode-iam',
    eventSource: 'iam.amazonaws.com',
    eventName: 'CreateUser',
    userIdentity: { type: 'IAMUser', userName: 'Zoë 😀' },
  }),
  // Read-only records (the writes preset asks for `readOnly: false`): an IAM read cannot match it and is left
  // unparsed; a root read still matches the root-activity rule; a guard-rail operation marked read-only matches an
  // ENABLED rule, which is not delivered read-only events (counted apart); a nested readOnly changes nothing.
  base({ eventID: 'ro-iam', eventSource: 'iam.amazonaws.com', eventName: 'GetUser', readOnly: true }),
  base({
    eventID: 'ro-root',
    eventSource: 'iam.amazonaws.com',
    eventName: 'GetUser',
    readOnly: true,
    userIdentity: { type: 'Root', arn: 'arn:aws:iam::111122223333:root' },
  }),
  base({
    eventID: 'ro-rail',
    eventSource: 'cloudtrail.amazonaws.com',
    eventName: 'StopLogging',
    readOnly: true,
  }),
  base({ eventID: 'ro-string', eventSource: 'iam.amazonaws.com', eventName: 'CreateUser', readOnly: 'true' }),
  base({
    eventID: 'ro-nested',
    eventSource: 'iam.amazonaws.com',
    eventName: 'CreateUser',
    requestParameters: { readOnly: true },
  }),
].map((record) => (typeof record === 'string' ? record : JSON.stringify(record)));

/** Hand-written spellings that JSON.stringify never produces. */
const spell = (text: string, id: string, from: string, to: string): string =>
  text.includes(`"eventID":"${id}"`) ? text.replace(from, to) : text;

const hostileTexts = (): string[] =>
  [
    ...HOSTILE,
    JSON.stringify(
      base({ eventName: 'CreateUser', eventID: 'escaped-source', eventSource: 'iam.amazonaws.com' }),
    ),
    '{"eventSource":"s3.amazonaws.com","eventName":"GetObject","eventTime":"2024-05-05T00:00:00Z","eventID":"dup","readOnly":false,' +
      '"eventSource":"iam.amazonaws.com","eventName":"CreateGroup","userIdentity":{"type":"IAMUser"}}',
    '{"eventSource":"iam.amazonaws.com","eventName":"CreateGroup","eventTime":"2024-05-06T00:00:00Z","eventID":"dup2","readOnly":false,' +
      '"eventSource":"s3.amazonaws.com","userIdentity":{"type":"IAMUser"}}',
    '{"eventSource":"s3.amazonaws.com","eventName":"GetObject","eventTime":"2024-05-07T00:00:00\\u005a","eventID":"t"}',
    // Duplicated readOnly: JSON.parse keeps the last, and so does the scan.
    '{"eventSource":"iam.amazonaws.com","eventName":"CreateUser","eventTime":"2024-05-05T00:00:00Z","eventID":"ro-last-true","readOnly":false,' +
      '"userIdentity":{"type":"IAMUser"},"readOnly":true}',
    '{"eventSource":"iam.amazonaws.com","eventName":"CreateUser","eventTime":"2024-05-05T00:00:00Z","eventID":"ro-last-false","readOnly":true,' +
      '"userIdentity":{"type":"IAMUser"},"readOnly":false}',
    '{"eventSource":"s3.amazonaws.com","eventName":"GetObject","eventTime":"2024-05-08T00:00:00Z\\n","eventID":"t2"}',
  ]
    .map((text) => spell(text, 'escaped-source', '"iam.amazonaws.com"', '"i\\u0061m.amazonaws.com"'))
    .map((text) => spell(text, 'escaped-name', '"DeleteUser"', '"Delete\\u0055ser"'))
    .map((text) => spell(text, 'root', '"ROOT"', '"Ro\\u006ft"'))
    .map((text) =>
      spell(text, 'scp-escaped', '"SCP"', `"x with an explicit deny in a service\\u0020control policy"`),
    );

describe('a log file read with the prefilter', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'read-log-file-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const read = async (name: string, prefilter: boolean) => {
    const rules = compileDeployedRules({ preset: 'writes', identityRules: true, egressCidrs: [] });
    const items: InputItem[] = [];
    const { files } = await expandInputs([name], dir);
    for await (const item of readInputs(files, {
      cwd: dir,
      stdin: Readable.from([]),
      ...(prefilter && rules.raw ? { prefilter: rules.raw } : {}),
    }))
      items.push(item);
    async function* again() {
      yield* items;
    }
    const alerts: string[] = [];
    const summary = await replayItems(again(), {
      preset: 'writes',
      compiled: rules,
      createAlert: fakeCreateAlert,
      onAlert: (alert, at) => void alerts.push(`${alert.eventId}@${at.index}`),
    });
    const values = items.flatMap((item) => (item.kind === 'records' ? item.values : []));
    return { summary, alerts, unparsed: values.filter((value) => value instanceof UnparsedRecord).length };
  };

  it.each([
    ['compact', (texts: string[]) => `{"Records":[${texts.join(',')}]}`],
    [
      'pretty-printed',
      (texts: string[]) => JSON.stringify({ Records: texts.map((t) => JSON.parse(t)) }, null, 2),
    ],
  ])('%s: gives the same alerts, counts, period and problems as parsing every record', async (_, write) => {
    const texts = hostileTexts();
    writeFileSync(join(dir, 'log.json.gz'), gzipSync(write(texts)));
    const withPrefilter = await read('log.json.gz', true);
    const parsed = await read('log.json.gz', false);
    expect(withPrefilter.summary).toEqual(parsed.summary);
    expect(withPrefilter.alerts).toEqual(parsed.alerts);
    expect(parsed.unparsed).toBe(0);
    // The prefilter did leave records unparsed: the comparison is not between two full parses.
    expect(withPrefilter.unparsed).toBeGreaterThanOrEqual(3);
    // What each hostile record must give: escapes do not hide a match, forgeries add none.
    const ids = withPrefilter.alerts.map((alert) => alert.split('@')[0]);
    expect(ids).toEqual(
      expect.arrayContaining([
        'plain',
        'escaped-source',
        'escaped-name',
        'root',
        'scp',
        'scp-escaped',
        'envelope',
        'unicode-iam',
        'dup',
      ]),
    );
    expect(ids).not.toEqual(expect.arrayContaining(['forged']));
    expect(ids).not.toContain('nested');
    expect(ids).not.toContain('tags');
    expect(ids).not.toContain('dup2');
    expect(withPrefilter.summary.problems.count).toBe(2);
    expect(withPrefilter.summary.records).toBe(texts.length - 2);
  });

  // A record the prefilter rules out (S3 GetObject) that JSON.parse refuses, before one that alerts: parsing every
  // record reports the file as malformed JSON and replays nothing; the prefilter must not replay the second record.
  const ruledOut = (fields: string) =>
    `{"eventSource":"s3.amazonaws.com","eventName":"GetObject","eventTime":"2024-05-01T10:00:00Z",${fields}}`;
  const alerting = JSON.stringify(
    base({ eventName: 'CreateUser', eventID: 'after-fault', eventSource: 'iam.amazonaws.com' }),
  );
  it.each([
    ['brackets closed by the wrong kind', ruledOut('"x":[1}')],
    ['a brace closing an array of objects', ruledOut('"x":[{"a":1}}}')],
    ['a trailing comma in an object', ruledOut('"x":1,')],
    ['a trailing comma in an array', ruledOut('"x":[1,2,]')],
    ['two commas', ruledOut('"x":1,,"y":2')],
    ['a truncated literal', ruledOut('"x":tru')],
    ['an unknown literal', ruledOut('"x":NaN')],
    ['a literal run on', ruledOut('"x":nulll')],
    ['a leading zero', ruledOut('"x":01')],
    ['a number ending in a dot', ruledOut('"x":1.')],
    ['a number starting with a dot', ruledOut('"x":.5')],
    ['a plus sign', ruledOut('"x":+1')],
    ['a lone minus', ruledOut('"x":-')],
    ['an empty exponent', ruledOut('"x":1e')],
    ['a raw newline in a string', ruledOut('"x":"a\nb"')],
    ['a raw tab in a string', ruledOut('"x":"a\tb"')],
    ['a raw control character in a key', ruledOut('"\u0001":1')],
    ['a bad escape', ruledOut('"x":"\\x"')],
    ['a \\u escape without four hex digits', ruledOut('"x":"\\u12g4"')],
    ['a key that is not a string', ruledOut('x:1')],
    ['a number as key', ruledOut('1:1')],
    ['a missing colon', ruledOut('"x" 1')],
    ['a colon in an array', ruledOut('"x":[1:2]')],
    ['two values without a comma', ruledOut('"x":1 "y":2')],
    ['two array elements without a comma', ruledOut('"x":[1 2]')],
    ['a key without a value', ruledOut('"x":}')],
    ['a backslash outside a string', ruledOut('"x":\\"1"')],
    ['a single-quoted string', ruledOut('"x":\'a\'')],
  ])('%s: gives the same replay as parsing every record (the file is malformed JSON)', async (_, record) => {
    const text = `{"Records":[${record},${alerting}]}`;
    expect(() => JSON.parse(text)).toThrow(SyntaxError);
    writeFileSync(join(dir, 'log.json'), text);
    const withPrefilter = await read('log.json', true);
    const parsed = await read('log.json', false);
    expect(withPrefilter.summary).toEqual(parsed.summary);
    expect(withPrefilter.alerts).toEqual(parsed.alerts);
    expect(withPrefilter.alerts).toEqual([]);
    expect(withPrefilter.summary.problems.count).toBe(1);
  });

  it('still leaves unparsed the records whose grammar is valid however they spell numbers, literals and escapes', async () => {
    const valid = [
      ruledOut('"a":-0.5e+10,"b":1E5,"c":0,"d":-12.25E-3,"e":[true,false,null],"f":{},"g":[],"h":[[],[{}]]'),
      ruledOut(' "a" : "\\"\\\\\\/\\b\\f\\n\\r\\t" , "b" :\t[ 1 ,\r\n2 ] , "c":"é😀\u007f"'),
    ];
    const text = `{"Records":[${valid.join(',')},${alerting}]}`;
    writeFileSync(join(dir, 'log.json'), text);
    const withPrefilter = await read('log.json', true);
    const parsed = await read('log.json', false);
    expect(withPrefilter.summary).toEqual(parsed.summary);
    expect(withPrefilter.alerts).toEqual(parsed.alerts);
    expect(withPrefilter.alerts.map((alert) => alert.split('@')[0])).toEqual(['after-fault']);
    expect(withPrefilter.unparsed).toBe(2);
  });

  it('gives the same replay with and without the prefilter after random JSON-ish mutations of a log file', async () => {
    const texts = hostileTexts();
    const whole = Buffer.from(`{"Records":[${texts.join(',')}]}`);
    // Bytes that matter to JSON's grammar, and a few that do not belong outside strings.
    const alphabet = [...'{}[],:"\\ \n\t0123456789-+.eEtrufalsn/bx\u0001\u001f', 'é'].map((c) =>
      Buffer.from(c),
    );
    const mutation = fc.record({
      at: fc.nat({ max: whole.length - 1 }),
      kind: fc.constantFrom('insert', 'replace', 'delete'),
      with: fc.constantFrom(...alphabet),
    });
    const outcomes = { scanned: 0, malformed: 0 };
    await fc.assert(
      fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 3 }), async (mutations) => {
        let bytes = whole;
        for (const { at, kind, with: inserted } of mutations) {
          const cut = Math.min(at, bytes.length);
          const rest = bytes.subarray(kind === 'insert' ? cut : cut + 1);
          bytes = Buffer.concat([
            bytes.subarray(0, cut),
            kind === 'delete' ? Buffer.alloc(0) : inserted,
            rest,
          ]);
        }
        writeFileSync(join(dir, 'log.json'), bytes);
        const withPrefilter = await read('log.json', true);
        const parsed = await read('log.json', false);
        expect(withPrefilter.summary).toEqual(parsed.summary);
        expect(withPrefilter.alerts).toEqual(parsed.alerts);
        if (withPrefilter.unparsed > 0) outcomes.scanned++;
        if (parsed.summary.records === 0) outcomes.malformed++;
      }),
      { numRuns: 300, seed: 14 },
    );
    // Both sides of the property were exercised: files the scan accepted (records left unparsed) and files refused.
    expect(outcomes.scanned).toBeGreaterThan(20);
    expect(outcomes.malformed).toBeGreaterThan(20);
  }, 60_000);

  it('reads a gzip of several members (its trailer gives only the last member’s size) in full', async () => {
    const texts = hostileTexts();
    const whole = `{"Records":[${texts.join(',')}]}`;
    const cut = whole.length >> 1;
    writeFileSync(join(dir, 'log.json.gz'), gzipSync(whole));
    const one = await read('log.json.gz', true);
    const members = [gzipSync(whole.slice(0, cut)), gzipSync(whole.slice(cut))];
    writeFileSync(join(dir, 'log.json.gz'), Buffer.concat(members));
    const two = await read('log.json.gz', true);
    expect(two.summary).toEqual(one.summary);
    expect(two.alerts).toEqual(one.alerts);
  });
  it.each([
    ['1 byte', 1],
    ['60 MB', 60 * 1024 * 1024],
    ['4 GB', 2 ** 32 - 1],
  ])('reports a gzip whose trailer claims %s as broken, as zlib checks the size', async (_, size) => {
    const gz = gzipSync(`{"Records":[${hostileTexts().join(',')}]}`);
    gz.writeUInt32LE(size, gz.length - 4);
    writeFileSync(join(dir, 'log.json.gz'), gz);
    const { files } = await expandInputs(['log.json.gz'], dir);
    const items: InputItem[] = [];
    for await (const item of readInputs(files, { cwd: dir, stdin: Readable.from([]) })) items.push(item);
    expect(items[1]).toMatchObject({ kind: 'problem', message: expect.stringMatching(/^broken gzip: /) });
  });
});

describe('reading one log file ahead', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'read-ahead-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps input order, reports a file that vanished after listing in its place, and reads the rest', async () => {
    const log = (name: string) =>
      writeFileSync(
        join(dir, name),
        gzipSync(JSON.stringify({ Records: [base({ eventID: name, eventSource: 'iam.amazonaws.com' })] })),
      );
    for (const name of ['a.json.gz', 'b.json.gz', 'c.json.gz', 'd.json.gz']) log(name);
    const { files } = await expandInputs(['.'], dir);
    // Listed, then gone before it is read: b (read ahead while a is replayed) and d (the last, read ahead of c).
    rmSync(join(dir, 'b.json.gz'));
    rmSync(join(dir, 'd.json.gz'));
    const rules = compileDeployedRules(defaultRuleOptions('writes'));
    const items: InputItem[] = [];
    for await (const item of readInputs(files, { cwd: dir, stdin: Readable.from([]), prefilter: rules.raw }))
      items.push(item);
    expect(items.map((item) => `${item.kind} ${'source' in item ? item.source : ''}`)).toEqual([
      'file ./a.json.gz',
      'records ./a.json.gz',
      'file ./b.json.gz',
      'problem ./b.json.gz',
      'file ./c.json.gz',
      'records ./c.json.gz',
      'file ./d.json.gz',
      'problem ./d.json.gz',
    ]);
    expect(items[3]).toMatchObject({ message: expect.stringMatching(/^cannot read: ENOENT/) });
  });

  it('leaves no failed read behind when the reader is stopped early', async () => {
    const { files } = await expandInputs(['.'], dir);
    const rejections: unknown[] = [];
    const onRejection = (reason: unknown) => rejections.push(reason);
    process.on('unhandledRejection', onRejection);
    try {
      writeFileSync(join(dir, 'a.json.gz'), gzipSync('{"Records":[]}'));
      const missing = { path: join(dir, 'gone.json.gz'), source: 'gone.json.gz', size: 1 };
      for await (const item of readInputs([files[0] as (typeof files)[number], missing], {
        cwd: dir,
        stdin: Readable.from([]),
      }))
        if (item.kind === 'records') break;
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(rejections).toEqual([]);
    } finally {
      process.off('unhandledRejection', onRejection);
    }
  });
});

describe('read-only records with the writes preset', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'read-only-gate-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('leaves an IAM read unparsed (the preset asks for readOnly false) and parses a root read', async () => {
    const iamRead = base({
      eventID: 'r1',
      eventSource: 'iam.amazonaws.com',
      eventName: 'GetUser',
      readOnly: true,
    });
    const rootRead = { ...iamRead, eventID: 'r2', userIdentity: { type: 'Root' } };
    const iamWrite = { ...iamRead, eventID: 'w1', eventName: 'CreateUser', readOnly: false };
    writeFileSync(join(dir, 'log.json'), JSON.stringify({ Records: [iamRead, rootRead, iamWrite] }));
    const rules = compileDeployedRules(defaultRuleOptions('writes'));
    expect(rules.raw?.readOnlyNeedles).not.toContain('"iam.amazonaws.com"');
    const { files } = await expandInputs(['log.json'], dir);
    const items: InputItem[] = [];
    for await (const item of readInputs(files, { cwd: dir, stdin: Readable.from([]), prefilter: rules.raw }))
      items.push(item);
    const values = items.find((item) => item.kind === 'records')?.values ?? [];
    expect(values.map((value) => (value instanceof UnparsedRecord ? 'unparsed' : 'parsed'))).toEqual([
      'unparsed',
      'parsed',
      'parsed',
    ]);
  });
});
