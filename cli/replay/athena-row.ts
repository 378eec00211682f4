// Turns a row of Athena's CloudTrail table, as `UNLOAD … WITH (format = 'JSON')` writes it, back into the
// CloudTrail record it was read from: Athena's lower-case column and field names, `readonly` as a string, and
// the JSON text of `requestparameters`, `responseelements` and the other STRING columns that hold JSON.
import { isObject } from '../../shared/domain/values.js';
import { CLOUDTRAIL_COLUMNS } from '../patterns/pattern-sql.js';

/**
 * Field names inside the table's columns (the `userIdentity`, `addendum` and `tlsDetails` structs) and CloudTrail
 * fields the table has no column for, beside {@link CLOUDTRAIL_COLUMNS}.
 */
const NESTED_AND_EXTRA_FIELDS = [
  'type',
  'principalId',
  'arn',
  'accountId',
  'invokedBy',
  'accessKeyId',
  'userName',
  'onBehalfOf',
  'userId',
  'identityStoreArn',
  'sessionContext',
  'attributes',
  'mfaAuthenticated',
  'creationDate',
  'sessionIssuer',
  'ec2RoleDelivery',
  'webIdFederationData',
  'federatedProvider',
  'sourceIdentity',
  'reason',
  'updatedFields',
  'originalRequestID',
  'originalEventID',
  'tlsVersion',
  'cipherSuite',
  'clientProvidedHostHeader',
  'managementEvent',
];

/** CloudTrail's field names, found by their lower-case form (Athena's column and struct-field names). */
const NAMES = new Map(
  [...CLOUDTRAIL_COLUMNS, ...NESTED_AND_EXTRA_FIELDS].map((name) => [name.toLowerCase(), name]),
);

/** Columns Athena declares STRING although CloudTrail writes JSON there: their text is parsed back. */
const JSON_TEXT = new Set([
  'requestParameters',
  'responseElements',
  'additionalEventData',
  'serviceEventDetails',
  'edgeDeviceDetails',
]);

/** Whether a parsed JSON value is a row of Athena's CloudTrail table rather than a CloudTrail record. */
export const isAthenaRow = (value: unknown): value is Record<string, unknown> =>
  isObject(value) && typeof value.eventsource === 'string' && !('eventSource' in value);

const parseJsonText = (value: unknown): unknown => {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
};

/** Renames the keys of a struct (recursively); `null` fields are dropped, as absent in the record. */
const renameStruct = (value: unknown, inResources: boolean): unknown => {
  if (Array.isArray(value)) return value.map((item) => renameStruct(item, inResources));
  if (!isObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) {
    if (field === null) continue;
    // A resource's ARN is upper case in CloudTrail records (`resources[].ARN`).
    const name = inResources && key === 'arn' ? 'ARN' : (NAMES.get(key) ?? key);
    out[name] = renameStruct(field, false);
  }
  return out;
};

/**
 * The CloudTrail record an Athena row was read from. Fields Athena's table does not declare are not in the row,
 * so they cannot come back; the columns `iam-alerts patterns --sql athena` selects are every one the table has.
 * @see https://docs.aws.amazon.com/athena/latest/ug/create-cloudtrail-table.html
 * @see https://docs.aws.amazon.com/athena/latest/ug/unload.html
 */
export const recordFromAthenaRow = (row: Record<string, unknown>): Record<string, unknown> => {
  const record: Record<string, unknown> = {};
  for (const [column, value] of Object.entries(row)) {
    if (value === null) continue;
    const name = NAMES.get(column) ?? column;
    if (name === 'readOnly' || name === 'managementEvent') {
      record[name] = value === 'true' ? true : value === 'false' ? false : value;
    } else if (JSON_TEXT.has(name)) record[name] = parseJsonText(value);
    else record[name] = renameStruct(value, name === 'resources');
  }
  return record;
};
