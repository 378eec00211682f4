// parse → [classify] → enrich → format → publish
// The operation catalogue: one entry per operation the product knows, keyed by event source and event name.
// To add an operation, write its entry in the file of its service (iam/<category>.ts, sts.ts, signin.ts,
// guard-rails.ts) or add a new service file to SOURCES below; classification, headlines, targets and the guard-rail
// pattern all read it from here.
import type { Category, Severity } from '../types.js';
import {
  CLOUDTRAIL_GUARD_RAILS,
  DYNAMODB_GUARD_RAILS,
  EVENTBRIDGE_GUARD_RAILS,
  KMS_GUARD_RAILS,
  LAMBDA_GUARD_RAILS,
  ORGANIZATIONS_GUARD_RAILS,
  SNS_GUARD_RAILS,
  SSM_GUARD_RAILS,
} from './guard-rails.js';
import { IAM_SPECS } from './iam/index.js';
import type { Operation, OperationSpec } from './operation.js';
import { SIGN_IN_OPERATIONS } from './signin.js';
import { STS_OPERATIONS } from './sts.js';

/**
 * The operation name without the API-version suffix some services put in `eventName`
 * (Lambda writes `UpdateFunctionCode20150331v2`, `PutFunctionConcurrency20171031`).
 * @see https://docs.aws.amazon.com/lambda/latest/dg/logging-using-cloudtrail.html
 */
export const baseEventName = (eventName: string): string => eventName.replace(/20\d{6}(?:v\d+)?$/, '');

/**
 * The family of an event: the leading verb of its name (`CreatePolicyVersion` → `Create`,
 * `UpdateFunctionCode20150331v2` → `Update`). A name that does not start with a capitalised word is its own family.
 */
export const leadingVerb = (eventName: string): string => {
  const name = baseEventName(eventName);
  // A capital followed by lower case letters; an all-caps prefix (`MFA…`) stops before the next word.
  const match = /^[A-Z][a-z]+/.exec(name) ?? /^[A-Z]+(?=[A-Z][a-z]|$)/.exec(name);
  return match?.[0] ?? name;
};

/** Every catalogue file, by the `eventSource` CloudTrail writes for its service. */
const SOURCES: ReadonlyArray<readonly [string, Iterable<readonly [string, OperationSpec]>]> = [
  ['iam.amazonaws.com', IAM_SPECS],
  ['sts.amazonaws.com', Object.entries(STS_OPERATIONS)],
  ['signin.amazonaws.com', Object.entries(SIGN_IN_OPERATIONS)],
  ['cloudtrail.amazonaws.com', Object.entries(CLOUDTRAIL_GUARD_RAILS)],
  ['organizations.amazonaws.com', Object.entries(ORGANIZATIONS_GUARD_RAILS)],
  ['events.amazonaws.com', Object.entries(EVENTBRIDGE_GUARD_RAILS)],
  ['sns.amazonaws.com', Object.entries(SNS_GUARD_RAILS)],
  ['lambda.amazonaws.com', Object.entries(LAMBDA_GUARD_RAILS)],
  ['dynamodb.amazonaws.com', Object.entries(DYNAMODB_GUARD_RAILS)],
  ['kms.amazonaws.com', Object.entries(KMS_GUARD_RAILS)],
  ['ssm.amazonaws.com', Object.entries(SSM_GUARD_RAILS)],
];

const toOperation = (eventSource: string, name: string, spec: OperationSpec): Operation => ({
  ...spec,
  eventSource,
  name,
  family: leadingVerb(name),
  isRead: spec.isRead ?? spec.category === 'read',
});

/**
 * The catalogue: event source → event name (without an API-version suffix) → operation. Maps all the way, so an
 * `eventName` of `constructor` or `__proto__` finds nothing.
 */
export const CATALOGUE: ReadonlyMap<string, ReadonlyMap<string, Operation>> = new Map(
  SOURCES.map(([eventSource, specs]) => [
    eventSource,
    new Map([...specs].map(([name, spec]) => [name, toOperation(eventSource, name, spec)])),
  ]),
);

/** The catalogue's entry for an event, `undefined` for an operation the product does not know. */
export const findOperation = (eventSource: string, eventName: string): Operation | undefined =>
  CATALOGUE.get(eventSource)?.get(baseEventName(eventName));

/** Every entry, service by service in the order of SOURCES, each service in the order its file writes them. */
export const OPERATIONS: readonly Operation[] = [...CATALOGUE.values()].flatMap((byName) => [
  ...byName.values(),
]);

/** The entries that are guard rails, in catalogue order (the order of the deployed pattern). */
export const GUARD_RAIL_OPERATIONS: readonly Operation[] = OPERATIONS.filter(
  (operation) => operation.guardRail,
);

/** The sign-in steps the identity rules watch (`signIn`), in catalogue order (the order of the deployed pattern). */
export const SIGN_IN_WATCHED_OPERATIONS: readonly Operation[] = OPERATIONS.filter(
  (operation) => operation.signIn,
);

/** What one IAM operation is, before anything about the caller or the request is known. */
export interface IamOperation {
  category: Category;
  /** Base severity: `info` only for reads; a change is at least `low`. */
  severity: Severity;
  /** What the operation does, in a few words (lower case, for "why it matters" lists). */
  summary: string;
}

/**
 * IAM's entries as `{ category, severity, summary }` by `eventName`: a view of the catalogue for tests and
 * documentation (null prototype: `IAM_OPERATIONS.constructor` is `undefined`). Classification uses `findOperation`.
 */
export const IAM_OPERATIONS: Readonly<Record<string, IamOperation>> = Object.assign(
  Object.create(null) as Record<string, IamOperation>,
  Object.fromEntries(
    [...(CATALOGUE.get('iam.amazonaws.com')?.values() ?? [])].map((operation) => [
      operation.name,
      { category: operation.category, severity: operation.severity, summary: operation.summary({}) },
    ]),
  ),
);
