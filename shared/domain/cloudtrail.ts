// [parse] → classify → enrich → format → publish
import * as z from 'zod/mini';
import { InvalidEventError } from '../errors.js';
import type { CloudTrailRecord, EventBridgeEnvelope, IamEvent } from './types.js';
import { isObject } from './values.js';

// Schemas are loose: CloudTrail adds fields over time and a new field must never reject an alert.
// zod/mini rather than full zod: the same checks at a fraction of the cold-start cost (see README, "Design").

const optionalString = z.optional(z.nullable(z.string()));

/** The string fields of `userIdentity` the pipeline reads, in schema order. */
const IDENTITY_STRINGS = [
  'type',
  'principalId',
  'arn',
  'accountId',
  'accessKeyId',
  'userName',
  'invokedBy',
] as const;

const userIdentitySchema = z.looseObject({
  ...Object.fromEntries(IDENTITY_STRINGS.map((key) => [key, optionalString])),
  sessionContext: z.optional(
    z.nullable(
      z.looseObject({
        sessionIssuer: z.optional(z.nullable(z.looseObject({}))),
        attributes: z.optional(
          z.nullable(
            z.looseObject({
              // CloudTrail writes the string "true"/"false"; a few producers write a boolean.
              mfaAuthenticated: z.optional(z.nullable(z.union([z.string(), z.boolean()]))),
            }),
          ),
        ),
        ec2RoleDelivery: optionalString,
      }),
    ),
  ),
});

const jsonObjectOrNull = z.optional(z.nullable(z.record(z.string(), z.unknown())));

/** What a record's known field must be: the one list both the schema and {@link conformsToRecordSchema} read. */
type FieldKind = 'string' | 'required' | 'identity' | 'object' | 'boolean';

/** The record's known fields, in schema order (which is the order the parsed record keeps them in). */
const RECORD_FIELDS: readonly (readonly [string, FieldKind])[] = [
  ['eventVersion', 'string'],
  ['userIdentity', 'identity'],
  ['eventTime', 'string'],
  ['eventSource', 'required'],
  ['eventName', 'required'],
  ['awsRegion', 'string'],
  ['sourceIPAddress', 'string'],
  ['userAgent', 'string'],
  ['errorCode', 'string'],
  ['errorMessage', 'string'],
  ['requestParameters', 'object'],
  ['responseElements', 'object'],
  ['eventID', 'string'],
  ['eventType', 'string'],
  ['readOnly', 'boolean'],
  ['recipientAccountId', 'string'],
  ['vpcEndpointId', 'string'],
];
const RECORD_KEYS: ReadonlySet<string> = new Set(RECORD_FIELDS.map(([key]) => key));

const FIELD_SCHEMAS: Record<FieldKind, z.ZodMiniType> = {
  string: optionalString,
  required: z.string().check(z.minLength(1)),
  identity: z.optional(z.nullable(userIdentitySchema)),
  object: jsonObjectOrNull,
  boolean: z.optional(z.nullable(z.boolean())),
};

const recordSchema = z.looseObject(
  Object.fromEntries(RECORD_FIELDS.map(([key, kind]) => [key, FIELD_SCHEMAS[kind]])),
);

const envelopeSchema = z.looseObject({
  id: z.string(),
  source: z.string(),
  'detail-type': z.string(),
  account: z.string(),
  region: z.string(),
  time: z.string(),
  detail: z.unknown(),
});

const isAbsent = (value: unknown): boolean => value === undefined || value === null;
const isOptionalString = (value: unknown): boolean => isAbsent(value) || typeof value === 'string';

/**
 * What zod's `record(string, unknown)` accepts: a plain object as zod's `isPlainObject` tells one (no constructor, or
 * one whose prototype has its own `isPrototypeOf`, in any realm) without symbol keys.
 */
const isPlainRecord = (value: unknown): boolean => {
  if (!isObject(value) || Object.getOwnPropertySymbols(value).length > 0) return false;
  const maker: unknown = value.constructor;
  if (typeof maker !== 'function') return true;
  const prototype: unknown = maker.prototype;
  return isObject(prototype) && Object.hasOwn(prototype, 'isPrototypeOf');
};

const conformsToIdentity = (value: unknown): boolean => {
  if (isAbsent(value)) return true;
  if (!isObject(value)) return false;
  for (const key of IDENTITY_STRINGS) if (!isOptionalString(value[key])) return false;
  const session = value.sessionContext;
  if (isAbsent(session)) return true;
  if (!isObject(session)) return false;
  if (!isAbsent(session.sessionIssuer) && !isObject(session.sessionIssuer)) return false;
  if (!isOptionalString(session.ec2RoleDelivery)) return false;
  const attributes = session.attributes;
  if (isAbsent(attributes)) return true;
  if (!isObject(attributes)) return false;
  const mfa = attributes.mfaAuthenticated;
  return isOptionalString(mfa) || typeof mfa === 'boolean';
};

const conformsToField = (kind: FieldKind, value: unknown): boolean => {
  switch (kind) {
    case 'string':
      return isOptionalString(value);
    case 'required':
      return typeof value === 'string' && value.length > 0;
    case 'identity':
      return conformsToIdentity(value);
    case 'object':
      return isAbsent(value) || isPlainRecord(value);
    case 'boolean':
      return isAbsent(value) || typeof value === 'boolean';
  }
};

/**
 * True when the record schema surely accepts `raw` as it is: every known field has its type. Then the record is
 * read without zod ({@link recordFields}), which costs a fraction of a `safeParse`; otherwise zod parses it and names
 * what is wrong. Conservative: false for anything zod might see differently (a parameters object with a class).
 */
export const conformsToRecordSchema = (raw: Record<string, unknown>): boolean => {
  for (const [key, kind] of RECORD_FIELDS) if (!conformsToField(kind, raw[key])) return false;
  return true;
};

/**
 * The fields of a conforming record as `recordSchema.safeParse` followed by {@link withoutNulls} gives them: the known
 * fields the record has, in schema order, then the others in their own order (`__proto__` dropped), nulls left out.
 */
const recordFields = (raw: Record<string, unknown>): Record<string, unknown> => {
  const fields: Record<string, unknown> = {};
  for (const [key] of RECORD_FIELDS) {
    if (!(key in raw)) continue;
    const value = raw[key];
    if (value !== null) fields[key] = value;
  }
  for (const key in raw) {
    if (RECORD_KEYS.has(key) || key === '__proto__') continue;
    const value = raw[key];
    if (value !== null) fields[key] = value;
  }
  return fields;
};

/** Drops `null` values CloudTrail writes for absent optional fields, so downstream code sees `undefined`. */
const withoutNulls = <T extends Record<string, unknown>>(value: T): T =>
  Object.fromEntries(Object.entries(value).filter(([, v]) => v !== null)) as T;

// zod/mini ships no locale (that is part of its size saving), so issues are described here.
const describeIssue = (issue: z.core.$ZodIssue | undefined, input: unknown): string => {
  if (!issue) return 'invalid';
  if (issue.code === 'invalid_type') {
    const actual = issue.path.reduce<unknown>(
      (value, key) => (isObject(value) ? value[String(key)] : undefined),
      input,
    );
    if (actual === undefined) return `missing (expected ${issue.expected})`;
    return `expected ${issue.expected}, got ${actual === null ? 'null' : Array.isArray(actual) ? 'array' : typeof actual}`;
  }
  if (issue.code === 'too_small') return 'must not be empty';
  return issue.message || issue.code;
};

const issueAt = (
  issue: z.core.$ZodIssue | undefined,
  prefix: string,
  input: unknown,
): { field: string; description: string } => {
  const path = [prefix, ...(issue?.path ?? []).map(String)].filter(Boolean).join('.');
  return { field: path || '(root)', description: describeIssue(issue, input) };
};

const firstIssue = (
  error: z.core.$ZodError,
  prefix: string,
  input: unknown,
  issue = error.issues[0],
): InvalidEventError => {
  const { field, description } = issueAt(issue, prefix, input);
  return new InvalidEventError(field, `not a CloudTrail record: ${field}: ${description}`, { cause: error });
};

/** The fields without which a record says nothing: the only ones whose absence or type rejects it. */
const REQUIRED: ReadonlySet<string> = new Set(['eventSource', 'eventName']);

/** A copy of `value` without the property at `path`, copying only along the path (no deep clone). */
const without = (value: Record<string, unknown>, path: readonly PropertyKey[]): Record<string, unknown> => {
  const [head, ...rest] = path;
  const key = String(head);
  // A spread copies own properties as own properties, `__proto__` included.
  const copy = { ...value };
  const child = copy[key];
  if (rest.length === 0 || !isObject(child)) delete copy[key];
  else copy[key] = without(child, rest);
  return copy;
};

/**
 * Parses one CloudTrail record (the object CloudTrail writes in a log file's `Records` array).
 * Accepts every source, not only IAM: guard-rail events from CloudTrail, Organizations,
 * EventBridge, SNS and Lambda go through the same pipeline. Unknown fields are kept. Only a record that is not a
 * CloudTrail record at all is rejected: not an object, or without a non-empty string `eventSource` and
 * `eventName`. Any other field of the wrong type (a number for `userAgent`) is dropped, as if CloudTrail had not
 * written it, and described in `ignored` when given; an alert is never lost to a malformed optional field.
 * @throws InvalidEventError naming the first field at fault.
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html
 */
export const parseCloudTrailRecord = (
  raw: unknown,
  fieldPrefix = '',
  ignored: string[] = [],
): CloudTrailRecord => {
  if (!isObject(raw)) {
    const field = fieldPrefix || '(root)';
    throw new InvalidEventError(field, `not a CloudTrail record: ${field}: expected a JSON object`);
  }
  if (conformsToRecordSchema(raw)) return recordOf(recordFields(raw), raw);
  return parseRecordWithSchema(raw, fieldPrefix, ignored);
};

/**
 * {@link parseCloudTrailRecord} by zod alone, for an object: what the fast path for conforming records must equal
 * (the tests compare them), and the path of every record that does not conform.
 * @throws InvalidEventError naming the first field at fault.
 */
export const parseRecordWithSchema = (
  raw: Record<string, unknown>,
  fieldPrefix = '',
  ignored: string[] = [],
): CloudTrailRecord => {
  let candidate = raw;
  let result = recordSchema.safeParse(candidate);
  // Each pass drops every field at fault; a later pass can only find what an earlier drop uncovered.
  for (let pass = 0; !result.success; pass += 1) {
    const { issues } = result.error;
    const fatal = issues.find((issue) => issue.path.length === 0 || REQUIRED.has(String(issue.path[0])));
    if (fatal || pass >= 3) throw firstIssue(result.error, fieldPrefix, raw, fatal);
    for (const issue of issues) {
      const { field, description } = issueAt(issue, fieldPrefix, candidate);
      ignored.push(`${field} ignored: ${description}`);
      candidate = without(candidate, issue.path);
    }
    result = recordSchema.safeParse(candidate);
  }
  return recordOf(withoutNulls(result.data) as Record<string, unknown>, candidate);
};

/**
 * The parsed record: `fields` (a fresh object, which it completes and returns), with the nested objects as the
 * (possibly pruned) input has them. A nested field keeps its place among the fields, or comes last when absent.
 */
const recordOf = (fields: Record<string, unknown>, candidate: Record<string, unknown>): CloudTrailRecord => {
  fields.userIdentity = isObject(candidate.userIdentity) ? candidate.userIdentity : {};
  fields.requestParameters = isObject(candidate.requestParameters) ? candidate.requestParameters : null;
  fields.responseElements = isObject(candidate.responseElements) ? candidate.responseElements : null;
  return fields as unknown as CloudTrailRecord;
};

const ENVELOPE_STRINGS = ['id', 'source', 'detail-type', 'account', 'region', 'time'] as const;

/** The envelope's fields: as they are when all are strings (no zod needed), else as zod reads them. */
const readEnvelope = (raw: Record<string, unknown>): z.output<typeof envelopeSchema> => {
  if (ENVELOPE_STRINGS.every((key) => typeof raw[key] === 'string')) {
    return raw as z.output<typeof envelopeSchema>;
  }
  const result = envelopeSchema.safeParse(raw);
  if (!result.success) throw firstIssue(result.error, '', raw);
  return result.data;
};

/**
 * Parses what the notifier receives: an EventBridge event whose `detail` is a CloudTrail record
 * ("AWS API Call via CloudTrail", "AWS Console Sign In via CloudTrail", "AWS Service Event via CloudTrail"),
 * or a bare CloudTrail record (CLI, replay). Fields of the wrong type are dropped and described in `ignored`
 * (see {@link parseCloudTrailRecord}).
 * @throws InvalidEventError naming the field at fault, e.g. `detail.eventName`.
 * @see https://docs.aws.amazon.com/eventbridge/latest/ref/events-structure.html
 */
export const parseIamEvent = (raw: unknown, ignored: string[] = []): IamEvent => {
  if (isObject(raw) && 'detail' in raw && ('detail-type' in raw || 'source' in raw)) {
    const data = readEnvelope(raw);
    const envelope: EventBridgeEnvelope = {
      id: data.id,
      source: data.source,
      detailType: data['detail-type'],
      account: data.account,
      region: data.region,
      time: data.time,
    };
    return iamEventOf(parseCloudTrailRecord(data.detail, 'detail', ignored), envelope);
  }
  return iamEventOf(parseCloudTrailRecord(raw, '', ignored), undefined);
};

/** The parsed event with its changed account (see `IamEvent.account`). */
export const iamEventOf = (record: CloudTrailRecord, envelope: EventBridgeEnvelope | undefined): IamEvent => {
  const account = record.recipientAccountId ?? envelope?.account ?? record.userIdentity.accountId;
  return { record, ...(envelope ? { envelope } : {}), account };
};

/** The EventBridge `detail-type` CloudTrail uses for a record's `eventType`. */
export const detailTypeFor = (eventType: string | undefined): string => {
  switch (eventType) {
    case 'AwsConsoleSignIn':
    case 'AwsConsoleSignin':
      return 'AWS Console Sign In via CloudTrail';
    case 'AwsServiceEvent':
      return 'AWS Service Event via CloudTrail';
    case 'AwsConsoleAction':
      return 'AWS Console Action via CloudTrail';
    case 'AwsCloudTrailInsight':
      return 'AWS Insight via CloudTrail';
    default:
      return 'AWS API Call via CloudTrail';
  }
};

/**
 * Wraps a CloudTrail record as CloudTrail delivers it to EventBridge: `source` is `aws.` plus the
 * service prefix of `eventSource`, `detail-type` follows `eventType`, `resources` is empty.
 * @see https://docs.aws.amazon.com/eventbridge/latest/ref/events-ref-cloudtrail.html
 */
export const toEventBridgeEvent = (record: CloudTrailRecord): Record<string, unknown> => ({
  version: '0',
  id: record.eventID ?? '00000000-0000-0000-0000-000000000000',
  'detail-type': detailTypeFor(record.eventType),
  source: `aws.${record.eventSource.replace(/\.amazonaws\.com$/, '')}`,
  // `userIdentity` is optional chained: replay wraps raw records before (and without) parsing them.
  account: record.recipientAccountId ?? record.userIdentity?.accountId ?? '000000000000',
  time: record.eventTime ?? new Date(0).toISOString(),
  region: record.awsRegion ?? 'us-east-1',
  resources: [],
  detail: record,
});
