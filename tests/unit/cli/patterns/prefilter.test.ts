import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import {
  expandInputs,
  type InputItem,
  readInputs,
  readTextItems,
} from '../../../../cli/input/read-inputs.js';
import { compileEventPattern } from '../../../../cli/patterns/event-pattern.js';
import {
  coverOf,
  createPrefilter,
  createRawPrefilter,
  createUnionRawPrefilter,
  needleTreeOf,
  sufficientOf,
} from '../../../../cli/patterns/prefilter.js';
import { toEventBridgeEvent } from '../../../../shared/domain/cloudtrail.js';
import {
  deployedRules,
  GUARD_RAIL_PATTERN,
  IDENTITY_RULES_PATTERN,
  PRESET_NAMES,
  PRESETS,
} from '../../../../shared/domain/patterns.js';
import type { CloudTrailRecord } from '../../../../shared/domain/types.js';
import { FIXTURES_DIR, loadCorpus } from '../../../helpers/fixtures.js';

/** The identity fixtures' records (root, sign-ins, denied instance credentials), as the reader reads them. */
const identityRecords = (): CloudTrailRecord[] =>
  ['identity-rules.jsonl', 'aws-cli-examples.jsonl'].flatMap((file) =>
    readTextItems(readFileSync(join(FIXTURES_DIR, 'identity', file), 'utf8'), file).flatMap((item) =>
      item.kind === 'record' ? [item.value as CloudTrailRecord] : [],
    ),
  );

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

describe('the union prefilter of the deployed rules', () => {
  const records = () => [...loadCorpus().map((entry) => entry.record), ...identityRecords()];

  it.each(
    PRESET_NAMES.flatMap((preset) => [
      [preset, true, []],
      [preset, false, []],
      [preset, true, ['10.0.0.0/8', '2001:db8::/32']],
    ]) as [(typeof PRESET_NAMES)[number], boolean, string[]][],
  )(
    'preset %s, identity rules %s, egress %j: never rules out a record one of the rules matches',
    (preset, identityRules, egress) => {
      const rules = deployedRules({ preset, identityRules, instanceEgressCidrs: egress });
      const matchers = rules.map((rule) => compileEventPattern(rule.pattern));
      const prefilter = createUnionRawPrefilter(rules.map((rule) => rule.pattern));
      if (egress.length > 0) {
        // The egress rule matches calls from any service by address alone: no needle can prove it does not match.
        expect(prefilter).toBeUndefined();
        return;
      }
      expect(prefilter).toBeDefined();
      let ruledOut = 0;
      let matched = 0;
      for (const record of records()) {
        const matches = matchers.some((matcher) => matcher.matches(toEventBridgeEvent(record)));
        if (matches) matched++;
        if (prefilter?.mayMatch(JSON.stringify(record)) === false) {
          ruledOut++;
          expect({ eventID: record.eventID, matches }).toEqual({ eventID: record.eventID, matches: false });
        }
      }
      expect(matched).toBeGreaterThan(0);
      // It still rules out most of the corpus, which is other services' calls by other principals.
      expect(ruledOut).toBeGreaterThan(records().length / 2);
    },
  );

  it('derives needles from values, prefixes and wildcards, under $or, and none from field names', () => {
    expect(needleTreeOf(PRESETS.writes)).toBe('"iam.amazonaws.com"');
    const identity = JSON.stringify(needleTreeOf(IDENTITY_RULES_PATTERN));
    expect(identity).toContain(JSON.stringify('"Root"'));
    expect(identity).toContain(JSON.stringify('"signin.amazonaws.com"'));
    expect(identity).toContain('explicit deny in a service control policy');
    expect(identity).not.toContain('ec2RoleDelivery');
    expect(JSON.stringify(needleTreeOf(GUARD_RAIL_PATTERN))).toContain('iam-change-alerts-');
    // Under a field Athena holds as JSON text, an exact value is certain only up to its closing quote.
    expect(needleTreeOf({ detail: { responseElements: { ConsoleLogin: ['Success'] } } })).toBe('"Success');
    // `exists`, `anything-but`, numbers: nothing certain in the text, so no prefilter for the union.
    expect(needleTreeOf({ detail: { userIdentity: { sessionContext: { x: [{ exists: true }] } } } })).toBe(
      undefined,
    );
    expect(createUnionRawPrefilter([PRESETS.writes, { detail: { readOnly: [true] } }])).toBeUndefined();
  });

  it('covers a tree with a few needles: every part of an OR, the rarest-looking part of an AND', () => {
    expect(coverOf({ any: ['"a"', { all: ['"IAMUser"', '"signin.amazonaws.com"'] }] })).toEqual([
      '"a"',
      '"signin.amazonaws.com"',
    ]);
    // Fewer needles win over longer ones: one of them must be in the text either way.
    expect(coverOf({ all: [{ any: ['"x.amazonaws.com"', '"y.amazonaws.com"'] }, '"Root"'] })).toEqual([
      '"Root"',
    ]);
    const union = createUnionRawPrefilter(deployedRules().map((rule) => rule.pattern));
    expect(union?.needles).not.toContain('"IAMUser"');
    expect(union?.needles).toContain('"Root"');
  });

  it('names the needles that alone satisfy the tree, and mayMatch agrees on each', () => {
    expect(
      sufficientOf({ any: ['"a"', { all: ['"b"', '"c"'] }, { all: ['"d"', { any: ['"d"', '"e"'] }] }] }),
    ).toEqual(['"a"', '"d"']);
    const union = createUnionRawPrefilter(deployedRules().map((rule) => rule.pattern));
    // The preset's event source and root activity each decide alone; a guard rail's source does not.
    expect(union?.sufficient).toEqual(expect.arrayContaining(['"iam.amazonaws.com"', '"Root"']));
    expect(union?.sufficient).not.toContain('"cloudtrail.amazonaws.com"');
    for (const needle of union?.sufficient ?? []) expect(union?.mayMatch(`{"x":${needle}}`)).toBe(true);
    for (const needle of (union?.needles ?? []).filter((n) => !union?.sufficient?.includes(n)))
      expect(union?.mayMatch(`{"x":${needle}}`)).toBe(false);
  });

  it('answers as mayMatch for every corpus record that holds a needle, without looking for the needles again', () => {
    const union = createUnionRawPrefilter(deployedRules().map((rule) => rule.pattern));
    const texts = loadCorpus()
      .map((entry) => JSON.stringify(entry.record))
      .filter((text) => union?.needles.some((needle) => text.includes(needle)));
    expect(texts.length).toBeGreaterThan(100);
    expect(texts.map((text) => union?.mayMatchMarked?.(text))).toEqual(
      texts.map((text) => union?.mayMatch(text)),
    );
    expect(texts.some((text) => union?.mayMatch(text) === false)).toBe(true);
  });

  it('keeps an Athena row whose JSON text columns hold the value escaped', () => {
    const prefilter = createUnionRawPrefilter([IDENTITY_RULES_PATTERN]);
    const row = {
      eventsource: 'signin.amazonaws.com',
      eventname: 'ConsoleLogin',
      useridentity: { type: 'IAMUser' },
      responseelements: JSON.stringify({ ConsoleLogin: 'Failure' }),
    };
    expect(prefilter?.mayMatch(JSON.stringify(row))).toBe(true);
  });

  it('in a log file, parses only the records whose text satisfies the tree, not every one holding a needle', async () => {
    const prefilter = createUnionRawPrefilter([IDENTITY_RULES_PATTERN]);
    const s3 = { eventSource: 's3.amazonaws.com', eventName: 'GetObject', eventTime: '2024-01-01T00:00:00Z' };
    // Holds the needle "signin.amazonaws.com" but not "ConsoleLogin": cannot match a sign-in clause.
    const mfa = {
      eventSource: 'signin.amazonaws.com',
      eventName: 'CheckMfa',
      eventTime: '2024-01-02T00:00:00Z',
    };
    const root = {
      eventSource: 's3.amazonaws.com',
      eventName: 'ListBuckets',
      eventTime: '2024-01-03T00:00:00Z',
      userIdentity: { type: 'Root' },
    };
    const dir = mkdtempSync(join(tmpdir(), 'prefilter-'));
    writeFileSync(join(dir, 'log.json'), JSON.stringify({ Records: [s3, mfa, root] }));
    const items: InputItem[] = [];
    try {
      const { files } = await expandInputs(['log.json'], dir);
      for await (const item of readInputs(files, {
        cwd: dir,
        stdin: Readable.from([]),
        ...(prefilter ? { prefilter } : {}),
      }))
        items.push(item);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const records = items.find((item) => item.kind === 'records');
    expect(records?.kind === 'records' && records.values.map((value) => value?.constructor.name)).toEqual([
      'UnparsedRecord',
      'UnparsedRecord',
      'Object',
    ]);
  });
});
