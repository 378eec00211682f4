// The Athena path end to end on a real SQL engine: Athena's CloudTrail table recreated in DuckDB, the fixtures
// loaded into it as Athena's SerDe reads them, the SQL of every preset run, the rows exported as JSON Lines as
// `UNLOAD … WITH (format = 'JSON')` writes them, replayed, and compared with replaying the raw fixtures.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { expandInputs, readInputs } from '../../../../cli/input/read-inputs.js';
import { patternToSql, patternToUnload } from '../../../../cli/patterns/pattern-sql.js';
import { replayItems } from '../../../../cli/replay/replay.js';
import { createAlert } from '../../../../shared/domain/alert.js';
import {
  needsReadOnlyEvents,
  PRESET_NAMES,
  PRESETS,
  type PresetName,
} from '../../../../shared/domain/patterns.js';
import type { Alert } from '../../../../shared/domain/types.js';
import { CORPUS_FILES, FIXTURES_DIR } from '../../../helpers/fixtures.js';

/**
 * The columns of `CREATE EXTERNAL TABLE cloudtrail_logs` exactly as AWS documents them for Athena (Hive DDL;
 * the partition columns and the SerDe clauses left out, as they do not shape a row).
 * @see https://docs.aws.amazon.com/athena/latest/ug/create-cloudtrail-table.html
 */
const ATHENA_COLUMNS = `
eventversion STRING,
useridentity STRUCT<
               type:STRING,
               principalid:STRING,
               arn:STRING,
               accountid:STRING,
               invokedby:STRING,
               accesskeyid:STRING,
               username:STRING,
               onbehalfof: STRUCT<
                    userid: STRING,
                    identitystorearn: STRING>,
  sessioncontext:STRUCT<
    attributes:STRUCT<
               mfaauthenticated:STRING,
               creationdate:STRING>,
    sessionissuer:STRUCT<
               type:STRING,
               principalid:STRING,
               arn:STRING,
               accountid:STRING,
               username:STRING>,
    ec2roledelivery:string,
    webidfederationdata: STRUCT<
               federatedprovider: STRING,
               attributes: map<string,string>>
  >
>,
eventtime STRING,
eventsource STRING,
eventname STRING,
awsregion STRING,
sourceipaddress STRING,
useragent STRING,
errorcode STRING,
errormessage STRING,
requestparameters STRING,
responseelements STRING,
additionaleventdata STRING,
requestid STRING,
eventid STRING,
resources ARRAY<STRUCT<
               arn:STRING,
               accountid:STRING,
               type:STRING>>,
eventtype STRING,
apiversion STRING,
readonly STRING,
recipientaccountid STRING,
serviceeventdetails STRING,
sharedeventid STRING,
vpcendpointid STRING,
vpcendpointaccountid STRING,
eventcategory STRING,
addendum STRUCT<
  reason:STRING,
  updatedfields:STRING,
  originalrequestid:STRING,
  originaleventid:STRING>,
sessioncredentialfromconsole STRING,
edgedevicedetails STRING,
tlsdetails STRUCT<
  tlsversion:STRING,
  ciphersuite:STRING,
  clientprovidedhostheader:STRING>`;

/**
 * Where Hive's DDL (Athena) and DuckDB's truly differ, and nothing else: each translation, applied in order.
 * The queries themselves (`LIKE … ESCAPE`, `TRY_CAST`, `lower`, `IN`, struct field access `useridentity.arn`) run
 * unchanged.
 */
const DDL_TRANSLATIONS: Array<[RegExp, string, string]> = [
  [/map<string,string>/gi, 'MAP(VARCHAR, VARCHAR)', 'Hive map<k,v> is DuckDB MAP(k, v)'],
  [/ARRAY<(STRUCT<[^>]*>)>/g, '$1[]', 'Hive ARRAY<T> is DuckDB T[]'],
  [/STRUCT</g, 'STRUCT(', 'Hive STRUCT<…> is DuckDB STRUCT(…)'],
  [/>/g, ')', '… closed with ) instead of >'],
  [/(\w+)\s*:\s*(?=\w)/g, '$1 ', 'Hive struct fields name:TYPE are DuckDB name TYPE'],
  [/\bSTRING\b/gi, 'VARCHAR', 'Hive STRING is DuckDB VARCHAR'],
];

const duckDdl = (): string =>
  `CREATE TABLE cloudtrail_logs (${DDL_TRANSLATIONS.reduce((ddl, [from, to]) => ddl.replace(from, to), ATHENA_COLUMNS)})`;

/** Columns Athena declares STRING whose CloudTrail value is JSON: the SerDe keeps their JSON text. */
const lowerKeys = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(lowerKeys);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, field]) => [key.toLowerCase(), lowerKeys(field)]),
  );
};

/**
 * A CloudTrail record as a row of Athena's table reads it: column and struct-field names matched without regard
 * to case, a STRING column holding an object keeps its JSON text, a boolean or number its text; fields the table
 * does not declare are not in the row.
 */
const rowOf = (record: Record<string, unknown>, structColumns: Set<string>): Record<string, unknown> => {
  const row: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) {
    const column = key.toLowerCase();
    if (value === null || value === undefined) row[column] = null;
    else if (structColumns.has(column)) row[column] = lowerKeys(value);
    else row[column] = typeof value === 'object' ? JSON.stringify(value) : String(value);
  }
  return row;
};

const STRUCT_COLUMNS = new Set(['useridentity', 'resources', 'addendum', 'tlsdetails']);

/** Every alert a replay of the given paths gives, in a canonical order (by eventID, then content). */
const replayAlerts = async (preset: PresetName, paths: string[], cwd: string): Promise<Alert[]> => {
  const alerts: Alert[] = [];
  const { files, problems } = await expandInputs(paths, cwd);
  expect(problems).toEqual([]);
  const summary = await replayItems(readInputs(files, { cwd, stdin: Readable.from([]) }), {
    preset,
    // The SQL is the preset's filter: compared with the preset's rule alone.
    rules: { preset, identityRules: false, egressCidrs: [], presetOnly: true },
    createAlert,
    onAlert: (alert) => {
      alerts.push(alert);
    },
  });
  expect(summary.problems.count).toBe(0);
  const key = (alert: Alert) => `${alert.eventId ?? ''}\u0000${JSON.stringify(alert)}`;
  return alerts.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
};

describe("Athena's CloudTrail table on DuckDB: the exported rows replay to the same alerts as the raw logs", () => {
  let dir: string;
  let instance: DuckDBInstance;
  let db: DuckDBConnection;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'athena-duckdb-'));
    instance = await DuckDBInstance.create(':memory:');
    db = await instance.connect();
    await db.run(duckDdl());
    const rows = CORPUS_FILES.flatMap((file) =>
      readFileSync(join(FIXTURES_DIR, 'cloudtrail', `${file}.jsonl`), 'utf8')
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => JSON.stringify(rowOf(JSON.parse(line), STRUCT_COLUMNS))),
    );
    writeFileSync(join(dir, 'rows.jsonl'), `${rows.join('\n')}\n`);
    await db.run(`COPY cloudtrail_logs FROM '${join(dir, 'rows.jsonl')}' (FORMAT JSON)`);
  }, 60_000);

  afterAll(() => {
    db?.closeSync();
    instance?.closeSync();
    rmSync(dir, { recursive: true, force: true });
  });

  it('holds every fixture record', async () => {
    const result = await db.runAndReadAll('SELECT count(*) AS n FROM cloudtrail_logs');
    const lines = CORPUS_FILES.flatMap((file) =>
      readFileSync(join(FIXTURES_DIR, 'cloudtrail', `${file}.jsonl`), 'utf8')
        .split('\n')
        .filter((line) => line.trim() !== ''),
    );
    expect(Number(result.getRowObjects()[0]?.n)).toBe(lines.length);
  });

  it.each(PRESET_NAMES.map((preset) => [preset]))(
    'preset %s: the SQL selects the records the pattern matches, and their rows replay to identical alerts',
    async (preset) => {
      const sql = patternToSql(PRESETS[preset], {
        dialect: 'athena',
        excludeReadOnly: !needsReadOnlyEvents(preset),
      });
      const out = join(dir, `${preset}-rows.json`);
      // What UNLOAD runs is the same SELECT without its ORDER BY.
      const unload = patternToUnload(PRESETS[preset], {
        excludeReadOnly: !needsReadOnlyEvents(preset),
        location: 's3://amzn-s3-demo-bucket/x/',
      });
      expect(unload).toContain(sql.replace(/\nORDER BY [^\n]*$/, ''));
      await db.run(`COPY (${sql}) TO '${out}' (FORMAT JSON)`);

      const raw = await replayAlerts(
        preset,
        CORPUS_FILES.map((file) => `${file}.jsonl`),
        join(FIXTURES_DIR, 'cloudtrail'),
      );
      const exported = await replayAlerts(preset, [out], dir);
      expect(raw.length).toBeGreaterThan(0);
      expect(exported.map((alert) => alert.eventId)).toEqual(raw.map((alert) => alert.eventId));
      raw.forEach((alert, i) => {
        expect({ eventId: alert.eventId, alert: exported[i] }).toEqual({ eventId: alert.eventId, alert });
      });
    },
    60_000,
  );
});
