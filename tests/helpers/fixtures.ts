// Loads the CloudTrail fixtures copied from the reference corpus (see tests/fixtures/cloudtrail/README.md).
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readTextItems } from '../../cli/input/read-inputs.js';
import { compileEventPattern } from '../../cli/patterns/event-pattern.js';
import { toEventBridgeEvent } from '../../shared/domain/cloudtrail.js';
import { GUARD_RAIL_PATTERN, IDENTITY_RULES_PATTERN } from '../../shared/domain/patterns.js';
import type { CloudTrailRecord } from '../../shared/domain/types.js';

export const FIXTURES_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');

export const CORPUS_FILES = [
  'stratus-red-team',
  'invictus-ir-aws-dataset',
  'otrf-security-datasets',
  'awsdocs-examples',
] as const;

/** A corpus record with where it came from, for readable test names. */
export interface CorpusRecord {
  file: string;
  line: number;
  record: CloudTrailRecord;
}

let cache: CorpusRecord[] | undefined;

/**
 * Every record of the copied corpus, read by the CLI's own input reader as raw JSON (not through the project's
 * parser). A line the reader cannot read fails the load, so no test runs on a silently shortened corpus.
 */
export const loadCorpus = (): CorpusRecord[] => {
  cache ??= CORPUS_FILES.flatMap((file) =>
    readTextItems(
      readFileSync(join(FIXTURES_DIR, 'cloudtrail', `${file}.jsonl`), 'utf8'),
      `${file}.jsonl`,
    ).map((item, index) => {
      if (item.kind !== 'record')
        throw new Error(`${file}.jsonl item ${index + 1}: not one record (${item.kind})`);
      return { file, line: item.line ?? index + 1, record: item.value as CloudTrailRecord };
    }),
  );
  return cache.map((entry) => ({ ...entry, record: structuredClone(entry.record) }));
};

/** The first corpus record matching a predicate; throws if none does, so a test never passes vacuously. */
export const findRecord = (predicate: (record: CloudTrailRecord) => boolean): CloudTrailRecord => {
  const found = loadCorpus().find((entry) => predicate(entry.record));
  if (!found) throw new Error('no corpus record matches');
  return found.record;
};

/** The 176 IAM operation names of botocore's service model (tests/fixtures/cloudtrail/iam-operations.txt). */
export const loadIamOperations = (): string[] =>
  readFileSync(join(FIXTURES_DIR, 'cloudtrail', 'iam-operations.txt'), 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);

/** Reads a JSON file under tests/fixtures. */
export const loadJson = <T = unknown>(relativePath: string): T =>
  JSON.parse(readFileSync(join(FIXTURES_DIR, relativePath), 'utf8')) as T;

/**
 * A preset `writes` match written as the spec says it, without the pattern: an IAM API call that is not read-only
 * (records without `eventType` are API calls, as replay wraps them).
 */
export const isIamWrite = (r: { eventSource: string; readOnly?: boolean; eventType?: string }): boolean =>
  r.eventSource === 'iam.amazonaws.com' &&
  r.readOnly === false &&
  (r.eventType ?? 'AwsApiCall') === 'AwsApiCall';

/**
 * Which of a default deployment's rules would deliver a record, each decided on its own: the preset `writes` by the
 * plain filter above; the guard rails (rule state `ENABLED`: no read-only events) and the identity rules (all
 * management events) by the local matcher on each pattern alone. For independent counts in replay tests.
 */
export const defaultDeploymentMatches = (
  record: CloudTrailRecord,
): { preset: boolean; guardRail: boolean; identity: boolean } => {
  const event = toEventBridgeEvent(record);
  return {
    preset: isIamWrite(record),
    guardRail: guardRailMatcher.matches(event) && record.readOnly !== true,
    identity: identityMatcher.matches(event),
  };
};

const guardRailMatcher = compileEventPattern(GUARD_RAIL_PATTERN);
const identityMatcher = compileEventPattern(IDENTITY_RULES_PATTERN);

/** True when a default deployment would deliver the record by any of its rules. */
export const defaultDeploymentDelivers = (record: CloudTrailRecord): boolean => {
  const matches = defaultDeploymentMatches(record);
  return matches.preset || matches.guardRail || matches.identity;
};

/**
 * A folder of named fixture records (`records.jsonl`, one record per line, and `cases.ndjson`, the case name of each
 * line in the same order): the case names in order, and `record(name)`, a fresh copy of that case's record.
 */
export const loadNamedRecords = (
  folder: string,
): { cases: string[]; record: (name: string) => CloudTrailRecord } => {
  const lines = (file: string) =>
    readFileSync(join(FIXTURES_DIR, folder, file), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  const records = lines('records.jsonl') as unknown as CloudTrailRecord[];
  const cases = lines('cases.ndjson').map((entry) => String(entry.case));
  const byCase = new Map(cases.map((name, index) => [name, records[index] as CloudTrailRecord]));
  const record = (name: string): CloudTrailRecord => {
    const found = byCase.get(name);
    if (!found) throw new Error(`no fixture ${name}`);
    return structuredClone(found);
  };
  return { cases, record };
};
