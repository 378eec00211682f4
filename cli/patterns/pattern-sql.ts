// Translates an EventBridge pattern over CloudTrail events into SQL, so the same filter runs over
// organization-scale archives in Athena or CloudTrail Lake. Pure: the SQL is derived from the pattern data.
import { AppError } from '../../shared/errors.js';
import { compileEventPattern } from './event-pattern.js';

/** Which SQL engine and table layout to target. */
export type SqlDialect = 'athena' | 'lake';

/** A pattern (or part of one) with no SQL equivalent in this translation, e.g. `cidr`. */
export class PatternSqlError extends AppError {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(`cannot translate ${path} to SQL: ${message}`);
    this.name = 'PatternSqlError';
  }
}

/** Options of `patternToSql`. */
export interface SqlOptions {
  dialect: SqlDialect;
  /** Athena table name or CloudTrail Lake event data store ID. */
  table?: string;
  /**
   * Also require `readOnly = false`: a rule in state `ENABLED` (every preset but `all`) is never
   * delivered read-only management events, so the SQL must leave them out to answer the same question.
   */
  excludeReadOnly?: boolean;
}

/**
 * CloudTrail `eventType` → EventBridge `detail-type`, as `detailTypeFor` (shared/domain/cloudtrail.ts) wraps a
 * record for replay; a test checks the two agree entry by entry. Any other `eventType`, or none (records older
 * than the field), is wrapped as an API call: `API_CALL` below.
 */
export const DETAIL_TYPES: ReadonlyMap<string, string> = new Map([
  ['AwsApiCall', 'AWS API Call via CloudTrail'],
  ['AwsConsoleSignIn', 'AWS Console Sign In via CloudTrail'],
  ['AwsConsoleSignin', 'AWS Console Sign In via CloudTrail'],
  ['AwsServiceEvent', 'AWS Service Event via CloudTrail'],
  ['AwsConsoleAction', 'AWS Console Action via CloudTrail'],
  ['AwsCloudTrailInsight', 'AWS Insight via CloudTrail'],
]);

/** The detail-type of every `eventType` not listed in `DETAIL_TYPES`, and of a record without one. */
const API_CALL = 'AWS API Call via CloudTrail';

interface Column {
  /** The column expression in the target dialect. */
  sql: string;
  /** Athena's CloudTrail table declares every scalar as STRING, `readonly` included. */
  booleansAsStrings: boolean;
}

/**
 * The column for a pattern path. Athena's table uses lowercase names (`eventsource`, `useridentity.arn`);
 * CloudTrail Lake keeps the record's names (`eventSource`, `userIdentity.arn`).
 */
const columnFor = (path: string[], dialect: SqlDialect): Column => {
  const name = (field: string) => (dialect === 'athena' ? field.toLowerCase() : field);
  return { sql: path.map(name).join('.'), booleansAsStrings: dialect === 'athena' };
};

const quote = (text: string): string => `'${text.replaceAll("'", "''")}'`;

/** Stands for a `%` run in a LIKE pattern. */
const ANY = Symbol('any');

/** A LIKE pattern from literal pieces and `%` runs; adds `ESCAPE '\'` only when a literal needs it. */
const like = (column: string, pieces: Array<string | typeof ANY>, negate = false): string => {
  let escaped = false;
  const body = pieces
    .map((piece) => {
      if (piece === ANY) return '%';
      return piece.replace(/[\\%_]/g, (char) => {
        escaped = true;
        return `\\${char}`;
      });
    })
    .join('');
  return `${column} ${negate ? 'NOT LIKE' : 'LIKE'} ${quote(body)}${escaped ? " ESCAPE '\\'" : ''}`;
};

/** Splits an EventBridge wildcard into literal pieces and `*` runs (its escapes already validated). */
const wildcardPieces = (wildcard: string): Array<string | typeof ANY> => {
  const pieces: Array<string | typeof ANY> = [];
  let literal = '';
  for (let i = 0; i < wildcard.length; i++) {
    const char = wildcard[i] as string;
    if (char === '\\') {
      literal += wildcard[i + 1] ?? '';
      i++;
    } else if (char === '*') {
      pieces.push(literal, ANY);
      literal = '';
    } else literal += char;
  }
  pieces.push(literal);
  return pieces;
};

const literalFor = (value: string | number | boolean, column: Column): string => {
  if (typeof value === 'string') return quote(value);
  if (typeof value === 'boolean') return column.booleansAsStrings ? quote(String(value)) : String(value);
  return column.booleansAsStrings ? quote(String(value)) : String(value);
};

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const or = (parts: string[]): string =>
  parts.length === 1 ? (parts[0] as string) : `(${parts.join(' OR ')})`;

/** Translates one matcher object (`{prefix: …}`, `{anything-but: …}`, …) on a column. */
const matcherSql = (spec: Record<string, unknown>, column: Column, at: string): string => {
  const [key, value] = Object.entries(spec)[0] as [string, unknown];
  const col = column.sql;
  switch (key) {
    case 'prefix':
    case 'suffix': {
      const ignoreCase = isObject(value);
      const text = ignoreCase ? String(value['equals-ignore-case']).toLowerCase() : String(value);
      const target = ignoreCase ? `lower(${col})` : col;
      return like(target, key === 'prefix' ? [text, ANY] : [ANY, text]);
    }
    case 'equals-ignore-case':
      return `lower(${col}) = ${quote(String(value).toLowerCase())}`;
    case 'wildcard':
      return like(col, wildcardPieces(String(value)));
    case 'exists':
      return value ? `${col} IS NOT NULL` : `${col} IS NULL`;
    case 'numeric': {
      const spec = value as Array<string | number>;
      const parts: string[] = [];
      for (let i = 0; i < spec.length; i += 2) {
        parts.push(`TRY_CAST(${col} AS double) ${spec[i] === '=' ? '=' : spec[i]} ${spec[i + 1]}`);
      }
      return parts.length === 1 ? (parts[0] as string) : `(${parts.join(' AND ')})`;
    }
    case 'anything-but': {
      if (isObject(value)) {
        const [innerKey, inner] = Object.entries(value)[0] as [string, unknown];
        const list = Array.isArray(inner) ? (inner as string[]) : [String(inner)];
        switch (innerKey) {
          case 'prefix':
            return like(col, [String(inner), ANY], true);
          case 'suffix':
            return like(col, [ANY, String(inner)], true);
          case 'equals-ignore-case':
            return `lower(${col}) NOT IN (${list.map((v) => quote(v.toLowerCase())).join(', ')})`;
          case 'wildcard':
            return list.map((w) => like(col, wildcardPieces(w), true)).join(' AND ');
          default:
            throw new PatternSqlError(`${at}.anything-but.${innerKey}`, 'unsupported operator');
        }
      }
      const list = (Array.isArray(value) ? value : [value]) as Array<string | number>;
      return `${col} NOT IN (${list.map((v) => literalFor(v, column)).join(', ')})`;
    }
    default:
      throw new PatternSqlError(`${at}.${key}`, `the ${key} operator has no SQL translation here`);
  }
};

/** Translates a field's value list: exact values become one `IN`, matchers are OR-ed with it. */
const fieldSql = (values: unknown[], column: Column, at: string): string => {
  const exact: Array<string | number | boolean> = [];
  const parts: string[] = [];
  values.forEach((value, i) => {
    if (value === null) parts.push(`${column.sql} IS NULL`);
    else if (isObject(value)) parts.push(matcherSql(value, column, `${at}[${i}]`));
    else exact.push(value as string | number | boolean);
  });
  if (exact.length === 1) parts.unshift(`${column.sql} = ${literalFor(exact[0] as string, column)}`);
  if (exact.length > 1)
    parts.unshift(`${column.sql} IN (${exact.map((v) => literalFor(v, column)).join(', ')})`);
  return or(parts);
};

/**
 * `detail-type` values as a condition on `eventType`, matching exactly the records that replay wraps with that
 * detail-type: the API-call detail-type also stands for a missing or unlisted `eventType`.
 */
const detailTypeSql = (values: unknown[], column: Column): string => {
  const parts = values.map((value, i) => {
    const eventTypes = [...DETAIL_TYPES]
      .filter(([, detailType]) => detailType === value)
      .map(([type]) => type);
    if (typeof value !== 'string' || eventTypes.length === 0)
      throw new PatternSqlError(`detail-type[${i}]`, 'only exact known values translate');
    if (value !== API_CALL) return fieldSql(eventTypes, column, `detail-type[${i}]`);
    const others = [...DETAIL_TYPES]
      .filter(([, detailType]) => detailType !== API_CALL)
      .map(([type]) => type);
    return `(${column.sql} IS NULL OR ${column.sql} NOT IN (${others.map(quote).join(', ')}))`;
  });
  return or(parts);
};

/** Envelope fields of an EventBridge event and the CloudTrail column (and value mapping) they come from. */
const envelopeSql = (key: string, values: unknown[], dialect: SqlDialect): string => {
  const exact = (mapValue: (v: string) => string | undefined, column: string) => {
    const mapped = values.map((v, i) => {
      const result = typeof v === 'string' ? mapValue(v) : undefined;
      if (result === undefined)
        throw new PatternSqlError(`${key}[${i}]`, 'only exact known values translate');
      return result;
    });
    return fieldSql(mapped, columnFor([column], dialect), key);
  };
  switch (key) {
    case 'source':
      // CloudTrail delivers `aws.<service>` for `<service>.amazonaws.com` (see toEventBridgeEvent).
      return exact((v) => (v.startsWith('aws.') ? `${v.slice(4)}.amazonaws.com` : undefined), 'eventSource');
    case 'detail-type':
      return detailTypeSql(values, columnFor(['eventType'], dialect));
    case 'region':
      return fieldSql(values, columnFor(['awsRegion'], dialect), key);
    case 'account':
      return fieldSql(values, columnFor(['recipientAccountId'], dialect), key);
    default:
      throw new PatternSqlError(key, 'no CloudTrail column holds this envelope field');
  }
};

const conditionsOf = (
  pattern: Record<string, unknown>,
  prefix: string[],
  dialect: SqlDialect,
  into: string[],
): void => {
  for (const [key, value] of Object.entries(pattern)) {
    const path = [...prefix, key];
    const at = path.join('.');
    if (key === '$or' && Array.isArray(value)) {
      into.push(
        or(
          value.map((branch) => {
            const inner: string[] = [];
            conditionsOf(branch as Record<string, unknown>, prefix, dialect, inner);
            return inner.length === 1 ? (inner[0] as string) : `(${inner.join(' AND ')})`;
          }),
        ),
      );
    } else if (prefix.length === 0 && key === 'detail' && isObject(value)) {
      conditionsOf(value, ['detail'], dialect, into);
    } else if (prefix.length === 0 && Array.isArray(value)) {
      into.push(envelopeSql(key, value, dialect));
    } else if (isObject(value)) {
      conditionsOf(value, path, dialect, into);
    } else if (Array.isArray(value)) {
      // detail.x.y → column x.y: the CloudTrail record is the detail.
      into.push(fieldSql(value, columnFor(path.slice(1), dialect), at));
    } else {
      throw new PatternSqlError(at, 'unexpected value');
    }
  }
};

/** Whether the pattern itself already requires `detail.readOnly` to be `false`. */
const requiresNotReadOnly = (pattern: Record<string, unknown>): boolean => {
  const detail = pattern.detail;
  if (!isObject(detail)) return false;
  const readOnly = detail.readOnly;
  return Array.isArray(readOnly) && readOnly.length === 1 && readOnly[0] === false;
};

/**
 * The SQL `WHERE` condition equivalent to a pattern over CloudTrail events (one condition per line,
 * duplicates — like `source` and `detail.eventSource` — merged).
 * @throws InvalidPatternError for a malformed pattern, PatternSqlError for operators with no translation.
 */
export const patternToSqlCondition = (pattern: Record<string, unknown>, options: SqlOptions): string[] => {
  compileEventPattern(pattern);
  const conditions: string[] = [];
  conditionsOf(pattern, [], options.dialect, conditions);
  if (options.excludeReadOnly && !requiresNotReadOnly(pattern)) {
    // As replay (and EventBridge) treat it: only a record that says `readOnly: true` is read-only.
    const column = columnFor(['readOnly'], options.dialect);
    conditions.push(`(${column.sql} IS NULL OR ${column.sql} <> ${literalFor(true, column)})`);
  }
  return [...new Set(conditions)];
};

/** Default table: the Athena docs' `cloudtrail_logs`; CloudTrail Lake needs the event data store ID. */
export const DEFAULT_SQL_TABLE: Record<SqlDialect, string> = {
  athena: 'cloudtrail_logs',
  lake: '<event-data-store-id>',
};

/**
 * Every column of Athena's CloudTrail table, in the order AWS's DDL declares them (CloudTrail's own field names;
 * Athena writes them in lower case): the classifier and the alert read the record as a whole (identity, request
 * and response, error, TLS and endpoint details), so the export keeps every one of them.
 * @see https://docs.aws.amazon.com/athena/latest/ug/create-cloudtrail-table.html
 */
export const CLOUDTRAIL_COLUMNS = [
  'eventVersion',
  'userIdentity',
  'eventTime',
  'eventSource',
  'eventName',
  'awsRegion',
  'sourceIPAddress',
  'userAgent',
  'errorCode',
  'errorMessage',
  'requestParameters',
  'responseElements',
  'additionalEventData',
  'requestID',
  'eventID',
  'resources',
  'eventType',
  'apiVersion',
  'readOnly',
  'recipientAccountId',
  'serviceEventDetails',
  'sharedEventID',
  'vpcEndpointId',
  'vpcEndpointAccountId',
  'eventCategory',
  'addendum',
  'sessionCredentialFromConsole',
  'edgeDeviceDetails',
  'tlsDetails',
] as const;

/** An Athena table name: an identifier, optionally qualified by its database (`db.table`). */
const ATHENA_TABLE = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$/;
/** A CloudTrail Lake event data store ID (letters, digits and hyphens), or the placeholder. */
const LAKE_TABLE = /^([A-Za-z0-9][A-Za-z0-9-]*|<event-data-store-id>)$/;

/**
 * Whether a `--table` value is a plain table reference for the dialect: for Athena an identifier or
 * `database.identifier`; for CloudTrail Lake an event data store ID. Anything else (quotes, spaces, semicolons,
 * comments) is refused, so the value can never change what the statement does.
 */
export const isValidSqlTable = (table: string, dialect: SqlDialect): boolean =>
  (dialect === 'athena' ? ATHENA_TABLE : LAKE_TABLE).test(table);

/**
 * A complete `SELECT` over CloudTrail for the events a pattern matches, of every column of the record
 * (`CLOUDTRAIL_COLUMNS`), so that its rows can be replayed: Athena's CloudTrail table (every scalar a STRING,
 * `readonly` included) or a CloudTrail Lake event data store (Trino SQL, `FROM` the event data store ID, `readOnly`
 * a boolean).
 * @throws PatternSqlError for a table name that is not a plain identifier (see `isValidSqlTable`).
 * @see https://docs.aws.amazon.com/athena/latest/ug/create-cloudtrail-table.html
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/query-limitations.html
 */
export const patternToSql = (pattern: Record<string, unknown>, options: SqlOptions): string => {
  const table = options.table ?? DEFAULT_SQL_TABLE[options.dialect];
  if (!isValidSqlTable(table, options.dialect)) {
    throw new PatternSqlError(
      'table',
      `not a ${options.dialect === 'athena' ? 'table name' : 'event data store ID'}: ${JSON.stringify(table)}`,
    );
  }
  const conditions = patternToSqlCondition(pattern, options);
  const col = (path: string) => columnFor(path.split('.'), options.dialect).sql;
  return [
    `SELECT ${CLOUDTRAIL_COLUMNS.map(col).join(', ')}`,
    `FROM ${table}`,
    `WHERE ${conditions.join('\n  AND ')}`,
    `ORDER BY ${col('eventTime')}`,
  ].join('\n');
};

/**
 * The Athena statement that exports what `patternToSql` selects as gzipped JSON Lines to S3, ready for
 * `iam-alerts replay`: `UNLOAD` writes one JSON object per row with Athena's lower-case column names, structs as
 * objects and the STRING columns that hold JSON (`requestparameters`, …) as JSON strings; replay reads them back.
 * The `ORDER BY` is dropped: `UNLOAD` writes files in parallel with no order between them.
 * @see https://docs.aws.amazon.com/athena/latest/ug/unload.html
 */
export const patternToUnload = (
  pattern: Record<string, unknown>,
  options: Omit<SqlOptions, 'dialect'> & { location: string },
): string => {
  if (!/^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/[^'\\\s]*)?$/.test(options.location)) {
    throw new PatternSqlError('location', `not an s3:// location: ${JSON.stringify(options.location)}`);
  }
  const select = patternToSql(pattern, { ...options, dialect: 'athena' }).replace(/\nORDER BY [^\n]*$/, '');
  const location = options.location.endsWith('/') ? options.location : `${options.location}/`;
  return `UNLOAD (\n${select}\n)\nTO ${quote(location)}\nWITH (format = 'JSON', compression = 'GZIP')`;
};
