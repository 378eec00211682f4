// Policy documents as CloudTrail and IAM hand them over: raw JSON text in requestParameters,
// URL-encoded JSON in responseElements and GetPolicyVersion, sometimes cut at 100 KB, sometimes hostile.
// Everything here is total: a bad document becomes a `failure`, never a throw.
import { BoundedCache, deepFreeze } from '../memo.js';

/** One normalised statement: every list is an array, action patterns are kept as written. */
export interface PolicyStatement {
  sid?: string;
  effect: 'Allow' | 'Deny';
  /** `Action` entries; undefined when the statement uses `NotAction`. */
  actions?: string[];
  notActions?: string[];
  resources?: string[];
  notResources?: string[];
  /** Principals by type (`AWS`, `Service`, `Federated`, `CanonicalUser`, or `*` for `"Principal": "*"`). */
  principals?: Record<string, string[]>;
  notPrincipals?: Record<string, string[]>;
  /** `Condition` as written: operator → key → values (values normalised to string arrays). */
  conditions: Record<string, Record<string, string[]>>;
  /** Entries of `Action`/`NotAction`/`Resource`/`NotResource` beyond the analysis cap: counted, not kept. */
  omitted?: Partial<Record<'actions' | 'notActions' | 'resources' | 'notResources', number>>;
}

/** A parsed policy document. */
export interface PolicyDocument {
  version?: string;
  statements: PolicyStatement[];
  /** Parts that were ignored because they were malformed, in words. */
  warnings: string[];
  /** Parts left out because the document is larger than the analysis reads (not malformed), in words. */
  limits: string[];
}

/** Why a document could not be read. */
export type PolicyParseFailure = { kind: 'truncated' | 'malformed' | 'missing'; detail: string };

/** The outcome of reading a document. */
export type PolicyParseResult =
  | { ok: true; document: PolicyDocument; text: string }
  | { ok: false; failure: PolicyParseFailure; text?: string };

/** CloudTrail cuts requestParameters/responseElements at 100 KB; a document that size or larger is suspect. */
export const CLOUDTRAIL_FIELD_LIMIT = 100 * 1024;

// Statements beyond this are not analysed: IAM's own size limits (6,144 characters for a managed policy,
// 10,240 for a role's inline policies) keep real documents far below it, and a hostile one cannot stall us.
const MAX_STATEMENTS = 500;
const MAX_ENTRIES = 2000;

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Decodes a policy document's text: raw JSON as sent, or the RFC 3986 URL-encoding that CloudTrail
 * `responseElements` and IAM's `GetPolicyVersion` use. Returns the text unchanged when it is not encoded
 * or when decoding fails (a stray `%` in raw JSON must not lose the document).
 * @see https://docs.aws.amazon.com/IAM/latest/APIReference/API_PolicyVersion.html
 */
export const decodePolicyText = (text: string): string => {
  const trimmed = text.trim();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) return trimmed;
  if (!/%[0-9a-fA-F]{2}/.test(trimmed)) return trimmed;
  try {
    // Form encoding writes spaces as '+'; RFC 3986 (what IAM uses) never leaves a bare '+' for a space,
    // so only a document that does not decode to JSON otherwise gets the '+' treatment.
    const decoded = decodeURIComponent(trimmed);
    if (decoded.trim().startsWith('{')) return decoded.trim();
    const plus = decodeURIComponent(trimmed.replace(/\+/g, ' '));
    return plus.trim();
  } catch {
    return trimmed;
  }
};

/** Where a list's problems are reported: malformed entries and size caps are told apart. */
interface Sink {
  warnings: string[];
  limits: string[];
}

const toStringList = (
  value: unknown,
  field: string,
  noun: string,
  sink: Sink,
): { list: string[]; omitted: number } | undefined => {
  if (value === undefined) return undefined;
  const list = Array.isArray(value) ? value : [value];
  const strings: string[] = [];
  for (const item of list.slice(0, MAX_ENTRIES)) {
    if (typeof item === 'string') strings.push(item);
    else sink.warnings.push(`${field}: ignored a ${item === null ? 'null' : typeof item} entry`);
  }
  const omitted = Math.max(0, list.length - MAX_ENTRIES);
  if (omitted > 0) {
    sink.limits.push(
      `only the first ${MAX_ENTRIES} of ${list.length} ${noun} of ${field.replace(/\.\w+$/, '')} analysed`,
    );
  }
  return { list: strings, omitted };
};

const toPrincipals = (value: unknown, field: string, sink: Sink): Record<string, string[]> | undefined => {
  if (value === undefined) return undefined;
  if (value === '*') return { '*': ['*'] };
  if (!isObject(value)) {
    sink.warnings.push(`${field}: not an object`);
    return {};
  }
  const principals: Record<string, string[]> = Object.create(null); // keyed by document text: no prototype
  for (const [type, entries] of Object.entries(value)) {
    principals[type] = toStringList(entries, `${field}.${type}`, `${type} principals`, sink)?.list ?? [];
  }
  return principals;
};

const toConditions = (value: unknown, warnings: string[]): Record<string, Record<string, string[]>> => {
  if (value === undefined) return {};
  if (!isObject(value)) {
    warnings.push('Condition: not an object');
    return {};
  }
  const conditions: Record<string, Record<string, string[]>> = Object.create(null); // keyed by document text
  for (const [operator, block] of Object.entries(value)) {
    if (!isObject(block)) {
      warnings.push(`Condition.${operator}: not an object`);
      continue;
    }
    const keys: Record<string, string[]> = Object.create(null); // keyed by document text
    for (const [key, raw] of Object.entries(block)) {
      const list = Array.isArray(raw) ? raw : [raw];
      keys[key] = list.map((item) => (typeof item === 'string' ? item : JSON.stringify(item)));
    }
    conditions[operator] = keys;
  }
  return conditions;
};

const toStatement = (raw: unknown, index: number, sink: Sink): PolicyStatement | undefined => {
  const { warnings } = sink;
  const at = `Statement[${index}]`;
  if (!isObject(raw)) {
    warnings.push(`${at}: not an object, ignored`);
    return undefined;
  }
  // IAM matches element names case-sensitively, but a hostile or hand-written document may not: read
  // keys case-insensitively so `effect`/`action` cannot hide a grant from the analysis.
  const get = (name: string): unknown => {
    if (name in raw) return raw[name];
    const key = Object.keys(raw).find((candidate) => candidate.toLowerCase() === name.toLowerCase());
    return key === undefined ? undefined : raw[key];
  };
  const effect = get('Effect');
  if (typeof effect !== 'string' || !['allow', 'deny'].includes(effect.toLowerCase())) {
    warnings.push(`${at}: Effect is not Allow or Deny, ignored`);
    return undefined;
  }
  const statement: PolicyStatement = {
    effect: effect.toLowerCase() === 'allow' ? 'Allow' : 'Deny',
    conditions: toConditions(get('Condition'), warnings),
  };
  const sid = get('Sid');
  if (typeof sid === 'string' && sid !== '') statement.sid = sid;
  const lists = {
    actions: toStringList(get('Action'), `${at}.Action`, 'actions', sink),
    notActions: toStringList(get('NotAction'), `${at}.NotAction`, 'NotAction entries', sink),
    resources: toStringList(get('Resource'), `${at}.Resource`, 'resources', sink),
    notResources: toStringList(get('NotResource'), `${at}.NotResource`, 'NotResource entries', sink),
  };
  for (const key of ['actions', 'notActions', 'resources', 'notResources'] as const) {
    const entry = lists[key];
    if (!entry) continue;
    statement[key] = entry.list;
    if (entry.omitted > 0) statement.omitted = { ...statement.omitted, [key]: entry.omitted };
  }
  const principals = toPrincipals(get('Principal'), `${at}.Principal`, sink);
  const notPrincipals = toPrincipals(get('NotPrincipal'), `${at}.NotPrincipal`, sink);
  if (principals) statement.principals = principals;
  if (notPrincipals) statement.notPrincipals = notPrincipals;
  return statement;
};

/** Normalises an already-parsed JSON value into a {@link PolicyDocument}. */
export const normalisePolicy = (value: unknown): PolicyDocument | PolicyParseFailure => {
  if (!isObject(value)) return { kind: 'malformed', detail: 'the document is not a JSON object' };
  const sink: Sink = { warnings: [], limits: [] };
  const statementKey = Object.keys(value).find((key) => key.toLowerCase() === 'statement');
  const rawStatements = statementKey === undefined ? undefined : value[statementKey];
  if (rawStatements === undefined) return { kind: 'malformed', detail: 'the document has no Statement' };
  // A single statement object instead of an array is valid IAM grammar.
  const list = Array.isArray(rawStatements) ? rawStatements : [rawStatements];
  if (list.length > MAX_STATEMENTS) {
    sink.limits.push(`only the first ${MAX_STATEMENTS} of ${list.length} statements analysed`);
  }
  const statements = list
    .slice(0, MAX_STATEMENTS)
    .map((raw, index) => toStatement(raw, index, sink))
    .filter((statement): statement is PolicyStatement => statement !== undefined);
  const document: PolicyDocument = { statements, warnings: sink.warnings, limits: sink.limits };
  if (typeof value.Version === 'string') document.version = value.Version;
  return document;
};

// Documents repeat from event to event (the same Terraform role, the same AWS managed policy): the last few hundred
// texts are kept parsed. IAM's own limits (6,144 characters for a managed policy, 10,240 for a role's inline
// policies) keep real documents under the size cached; a larger text is parsed every time, so that hostile
// documents cannot hold much memory.
const PARSED = new BoundedCache<string, PolicyParseResult>(256);
const MAX_CACHED_TEXT = 16 * 1024;

/**
 * Reads a policy document from whatever CloudTrail or IAM gave: JSON text, URL-encoded JSON text, or an
 * already-parsed object (some producers embed the document as an object). Never throws. A result read from text is
 * memoised by the text and frozen whole (see `memo.ts`), so that the analyses of a document can be memoised too.
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html
 */
export const parsePolicyDocument = (input: unknown): PolicyParseResult => {
  if (typeof input !== 'string' || input.length > MAX_CACHED_TEXT) return readPolicyDocument(input);
  const known = PARSED.get(input);
  if (known) return known;
  const result = deepFreeze(readPolicyDocument(input));
  PARSED.set(input, result);
  return result;
};

const readPolicyDocument = (input: unknown): PolicyParseResult => {
  if (input === undefined || input === null || input === '') {
    return { ok: false, failure: { kind: 'missing', detail: 'no policy document in the event' } };
  }
  if (isObject(input)) {
    const normalised = normalisePolicy(input);
    const text = JSON.stringify(input);
    return 'statements' in normalised
      ? { ok: true, document: normalised, text }
      : { ok: false, failure: normalised, text };
  }
  if (typeof input !== 'string') {
    return { ok: false, failure: { kind: 'malformed', detail: `the document is a ${typeof input}` } };
  }
  const text = decodePolicyText(input);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const truncated = input.length >= CLOUDTRAIL_FIELD_LIMIT - 1024 || !text.trimEnd().endsWith('}');
    const reason = error instanceof Error ? error.message : String(error);
    return {
      ok: false,
      text,
      failure: truncated
        ? {
            kind: 'truncated',
            detail: `the document is incomplete (${input.length} characters; CloudTrail cuts fields at 100 KB)`,
          }
        : { kind: 'malformed', detail: `the document is not valid JSON (${reason.slice(0, 120)})` },
    };
  }
  const normalised = normalisePolicy(value);
  return 'statements' in normalised
    ? { ok: true, document: normalised, text }
    : { ok: false, failure: normalised, text };
};
