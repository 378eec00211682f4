import { compileEventPattern } from '../../../../cli/patterns/event-pattern.js';
import {
  CLOUDTRAIL_COLUMNS,
  DETAIL_TYPES,
  isValidSqlTable,
  PatternSqlError,
  patternToSql,
  patternToSqlCondition,
  patternToUnload,
} from '../../../../cli/patterns/pattern-sql.js';
import { detailTypeFor, toEventBridgeEvent } from '../../../../shared/domain/cloudtrail.js';
import { PRESET_NAMES, PRESETS, type PresetName } from '../../../../shared/domain/patterns.js';
import { loadIamOperations } from '../../../helpers/fixtures.js';

/**
 * Evaluates the eventName part of a generated condition over a name: `IN (...)` lists and `LIKE` patterns
 * joined by OR, which is all the presets produce. Enough to check the SQL says what the pattern says.
 */
const eventNameClause = (conditions: string[], column: string): ((name: string) => boolean) => {
  const clause = conditions.find((c) => c.includes(column));
  if (!clause) return () => true;
  const inList = [...clause.matchAll(new RegExp(`${column} IN \\(([^)]*)\\)`, 'g'))].flatMap((m) =>
    (m[1] ?? '').split(', ').map((v) => v.slice(1, -1)),
  );
  const equals = [...clause.matchAll(new RegExp(`${column} = '([^']*)'`, 'g'))].map((m) => m[1] ?? '');
  const likes = [...clause.matchAll(new RegExp(`${column} LIKE '([^']*)'`, 'g'))].map(
    (m) =>
      new RegExp(
        `^${(m[1] ?? '')
          .split('%')
          .map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
          .join('.*')}$`,
      ),
  );
  return (name) => inList.includes(name) || equals.includes(name) || likes.some((re) => re.test(name));
};

describe('patternToSqlCondition', () => {
  it.each(PRESET_NAMES.map((n) => [n]))(
    '%s: the SQL eventName filter agrees with the matcher on all 176 operations',
    (name) => {
      const preset = name as PresetName;
      const matcher = compileEventPattern(PRESETS[preset]);
      for (const dialect of ['athena', 'lake'] as const) {
        const column = dialect === 'athena' ? 'eventname' : 'eventName';
        const sqlSays = eventNameClause(patternToSqlCondition(PRESETS[preset], { dialect }), column);
        const disagreements = loadIamOperations().filter((op) => {
          const event = toEventBridgeEvent({
            eventSource: 'iam.amazonaws.com',
            eventName: op,
            readOnly: false,
            userIdentity: {},
            requestParameters: null,
            responseElements: null,
          });
          return matcher.matches(event) !== sqlSays(op);
        });
        expect([dialect, disagreements]).toEqual([dialect, []]);
      }
    },
  );

  it('maps the envelope to CloudTrail columns and readOnly to each table type', () => {
    expect(patternToSqlCondition(PRESETS.writes, { dialect: 'athena' })).toEqual([
      "eventsource = 'iam.amazonaws.com'",
      "(eventtype IS NULL OR eventtype NOT IN ('AwsConsoleSignIn', 'AwsConsoleSignin', 'AwsServiceEvent', 'AwsConsoleAction', 'AwsCloudTrailInsight'))",
      "readonly = 'false'",
    ]);
    expect(patternToSqlCondition(PRESETS.writes, { dialect: 'lake' })).toEqual([
      "eventSource = 'iam.amazonaws.com'",
      "(eventType IS NULL OR eventType NOT IN ('AwsConsoleSignIn', 'AwsConsoleSignin', 'AwsServiceEvent', 'AwsConsoleAction', 'AwsCloudTrailInsight'))",
      'readOnly = false',
    ]);
  });

  it('leaves out what says readOnly: true for rules in state ENABLED (a record without the field is kept), once', () => {
    expect(patternToSqlCondition(PRESETS.changes, { dialect: 'lake', excludeReadOnly: true }).at(-1)).toBe(
      '(readOnly IS NULL OR readOnly <> true)',
    );
    expect(patternToSqlCondition(PRESETS.changes, { dialect: 'athena', excludeReadOnly: true }).at(-1)).toBe(
      "(readonly IS NULL OR readonly <> 'true')",
    );
    expect(
      patternToSqlCondition(PRESETS.writes, { dialect: 'lake', excludeReadOnly: true }).filter((c) =>
        c.includes('readOnly'),
      ),
    ).toHaveLength(1);
  });

  it('translates the other operators and escapes literals', () => {
    const conditions = patternToSqlCondition(
      {
        detail: {
          errorCode: [{ exists: false }],
          userIdentity: { type: [{ 'anything-but': ['AWSService', 'AWSAccount'] }] },
          userAgent: [{ wildcard: "O'Brien_50%*" }],
          awsRegion: [{ 'anything-but': { prefix: 'us-' } }],
          sourceIPAddress: [{ 'equals-ignore-case': 'AWS Internal' }],
        },
      },
      { dialect: 'athena' },
    );
    expect(conditions).toEqual([
      'errorcode IS NULL',
      "useridentity.type NOT IN ('AWSService', 'AWSAccount')",
      "useragent LIKE 'O''Brien\\_50\\%%' ESCAPE '\\'",
      "awsregion NOT LIKE 'us-%'",
      "lower(sourceipaddress) = 'aws internal'",
    ]);
  });

  it('ORs $or branches', () => {
    expect(
      patternToSqlCondition(
        { detail: { $or: [{ eventName: ['A'] }, { errorCode: ['B'], readOnly: [true] }] } },
        { dialect: 'lake' },
      ),
    ).toEqual(["(eventName = 'A' OR (errorCode = 'B' AND readOnly = true))"]);
  });

  it('refuses operators it cannot translate instead of widening the filter', () => {
    expect(() =>
      patternToSqlCondition({ detail: { sourceIPAddress: [{ cidr: '10.0.0.0/8' }] } }, { dialect: 'athena' }),
    ).toThrow(PatternSqlError);
    expect(() => patternToSqlCondition({ source: [{ prefix: 'aws.' }] }, { dialect: 'athena' })).toThrow(
      PatternSqlError,
    );
  });
});

describe('patternToSql', () => {
  it('selects from the Athena table or the Lake event data store', () => {
    expect(patternToSql(PRESETS.writes, { dialect: 'athena' })).toMatch(
      /^SELECT eventversion, useridentity, eventtime, .*\nFROM cloudtrail_logs\nWHERE /,
    );
    expect(patternToSql(PRESETS.writes, { dialect: 'lake', table: 'eds-1234' })).toMatch(
      /\nFROM eds-1234\nWHERE /,
    );
    expect(patternToSql(PRESETS.writes, { dialect: 'lake' })).toContain('FROM <event-data-store-id>');
  });

  it('selects every column of the record, so that the rows can be replayed', () => {
    const select = patternToSql(PRESETS.writes, { dialect: 'athena' }).split('\n')[0];
    expect(select).toBe(`SELECT ${CLOUDTRAIL_COLUMNS.map((c) => c.toLowerCase()).join(', ')}`);
    expect(CLOUDTRAIL_COLUMNS).toEqual(
      expect.arrayContaining(['userIdentity', 'requestParameters', 'responseElements']),
    );
  });

  it.each([
    ['db.cloudtrail_logs', 'athena', true],
    ['cloudtrail_logs', 'athena', true],
    ['a.b.c', 'athena', false],
    ['logs; DROP TABLE x', 'athena', false],
    ['logs --', 'athena', false],
    ['"quoted"', 'athena', false],
    ['', 'athena', false],
    ['EXAMPLE-f852-4e8f-8bd1-bcf6cEXAMPLE', 'lake', true],
    ['eds 1', 'lake', false],
  ] as const)('table %j for %s is valid: %s', (table, dialect, valid) => {
    expect(isValidSqlTable(table, dialect)).toBe(valid);
    if (!valid) expect(() => patternToSql(PRESETS.writes, { dialect, table })).toThrow(PatternSqlError);
  });
});

describe('patternToUnload', () => {
  it('exports the SELECT without its ORDER BY as gzipped JSON to the S3 prefix', () => {
    const unload = patternToUnload(PRESETS.changes, {
      table: 'security.cloudtrail_logs',
      excludeReadOnly: true,
      location: 's3://amzn-s3-demo-bucket/replay',
    });
    const select = patternToSql(PRESETS.changes, {
      dialect: 'athena',
      table: 'security.cloudtrail_logs',
      excludeReadOnly: true,
    });
    expect(unload).toBe(
      `UNLOAD (\n${select.replace(/\nORDER BY eventtime$/, '')}\n)\nTO 's3://amzn-s3-demo-bucket/replay/'\nWITH (format = 'JSON', compression = 'GZIP')`,
    );
    expect(() => patternToUnload(PRESETS.changes, { location: "s3://b/x' --" })).toThrow(PatternSqlError);
  });
});

describe('DETAIL_TYPES', () => {
  it('agrees with how replay wraps a record (detailTypeFor), entry by entry', () => {
    for (const [eventType, detailType] of DETAIL_TYPES) expect(detailTypeFor(eventType)).toBe(detailType);
    expect(detailTypeFor(undefined)).toBe('AWS API Call via CloudTrail');
  });
});
