// Translates an EventBridge pattern over CloudTrail events into SQL, so the same filter runs over
// organization-scale archives in Athena or CloudTrail Lake. Pure: the SQL is derived from the pattern data.
import { AppError } from '../errors.js';
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

/** EventBridge `detail-type` → CloudTrail `eventType`: the inverse of `detailTypeFor`. */
const EVENT_TYPES: Record<string, string> = {
  'AWS API Call via CloudTrail': 'AwsApiCall',
  'AWS Console Sign In via CloudTrail': 'AwsConsoleSignIn',
  'AWS Service Event via CloudTrail': 'AwsServiceEvent',
  'AWS Console Action via CloudTrail': 'AwsConsoleAction',
  'AWS Insight via CloudTrail': 'AwsCloudTrailInsight',
};

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
      return exact((v) => (Object.hasOwn(EVENT_TYPES, v) ? EVENT_TYPES[v] : undefined), 'eventType');
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

/**
 * The SQL `WHERE` condition equivalent to a pattern over CloudTrail events (one condition per line,
 * duplicates — like `source` and `detail.eventSource` — merged).
 * @throws InvalidPatternError for a malformed pattern, PatternSqlError for operators with no translation.
 */
export const patternToSqlCondition = (pattern: Record<string, unknown>, options: SqlOptions): string[] => {
  compileEventPattern(pattern);
  const conditions: string[] = [];
  conditionsOf(pattern, [], options.dialect, conditions);
  if (options.excludeReadOnly) {
    conditions.push(fieldSql([false], columnFor(['readOnly'], options.dialect), 'readOnly'));
  }
  return [...new Set(conditions)];
};

/** Default table: the Athena docs' `cloudtrail_logs`; CloudTrail Lake needs the event data store ID. */
export const DEFAULT_SQL_TABLE: Record<SqlDialect, string> = {
  athena: 'cloudtrail_logs',
  lake: '<event-data-store-id>',
};

/**
 * A complete `SELECT` over CloudTrail for the events a pattern matches: Athena's CloudTrail table
 * (every column a STRING, `readonly` included) or a CloudTrail Lake event data store (Trino SQL,
 * `FROM` the event data store ID, `readOnly` a boolean).
 * @see https://docs.aws.amazon.com/athena/latest/ug/create-cloudtrail-table.html
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/query-limitations.html
 */
export const patternToSql = (pattern: Record<string, unknown>, options: SqlOptions): string => {
  const conditions = patternToSqlCondition(pattern, options);
  const col = (path: string) => columnFor(path.split('.'), options.dialect).sql;
  const columns = [
    'eventTime',
    'eventSource',
    'eventName',
    'userIdentity.type',
    'userIdentity.arn',
    'sourceIPAddress',
    'errorCode',
    'readOnly',
    'eventID',
  ].map(col);
  return [
    `SELECT ${columns.join(', ')}`,
    `FROM ${options.table ?? DEFAULT_SQL_TABLE[options.dialect]}`,
    `WHERE ${conditions.join('\n  AND ')}`,
    `ORDER BY ${col('eventTime')}`,
  ].join('\n');
};
