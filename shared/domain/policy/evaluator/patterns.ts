// Wildcard patterns (`*`, `?`) as IAM matches them in Action, Resource, StringLike and ArnLike, with policy
// variables substituted from the request context first.
import { type Context, lookup } from './context.js';
import type { ConditionTest } from './types.js';

/** A pattern after variable substitution: policy text (wildcards active) and substituted text (literal). */
export type PatternPart = { text: string; literal: boolean };

/** The outcome of substituting a value's policy variables. */
export type Substituted =
  | { kind: 'ok'; parts: PatternPart[] }
  /** A variable's key is absent from the request (and has no default): the value matches nothing. */
  | { kind: 'absent' }
  /** A variable's key is unknown: the match depends on it. */
  | { kind: 'unknown'; keys: string[] };

const VARIABLE = /\$\{([^}]*)\}/g;
const SPECIAL: Readonly<Record<string, string>> = Object.assign(Object.create(null), {
  '*': '*',
  '?': '?',
  $: '$',
});

/**
 * Substitutes `${key}` and `${key, 'default'}` variables; `${*}`, `${?}` and `${$}` stand for the literal
 * characters. A variable whose key is absent (or multivalued) takes its default, or makes the value match
 * nothing, as the IAM User Guide documents for policy variables with no value. With `variables` false (a document
 * whose `Version` is not `2012-10-17`) the text is taken as written.
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
 */
export const substitute = (value: string, context: Context, variables = true): Substituted => {
  if (!variables || !value.includes('${')) return { kind: 'ok', parts: [{ text: value, literal: false }] };
  const parts: PatternPart[] = [];
  const unknown: string[] = [];
  let absent = false;
  let last = 0;
  for (const match of value.matchAll(VARIABLE)) {
    const index = match.index ?? 0;
    if (index > last) parts.push({ text: value.slice(last, index), literal: false });
    last = index + match[0].length;
    const body = (match[1] ?? '').trim();
    const special = SPECIAL[body];
    if (special !== undefined) {
      parts.push({ text: special, literal: true });
      continue;
    }
    const withDefault = /^([^,\s]+)\s*,\s*'((?:[^']|'')*)'$/.exec(body);
    const key = withDefault?.[1] ?? body;
    const found = lookup(context, key);
    if (found.kind === 'present' && found.values.length === 1) {
      parts.push({ text: found.values[0] ?? '', literal: true });
    } else if (found.kind === 'unknown') {
      unknown.push(key);
    } else if (withDefault) {
      parts.push({ text: (withDefault[2] ?? '').replace(/''/g, "'"), literal: true });
    } else {
      absent = true;
    }
  }
  if (last < value.length) parts.push({ text: value.slice(last), literal: false });
  if (unknown.length > 0) return { kind: 'unknown', keys: unknown };
  return absent ? { kind: 'absent' } : { kind: 'ok', parts };
};

const LITERAL = 0;
const STAR = 1;
const ONE = 2;

/**
 * Matches a pattern against a value: `*` and `?` in policy text are wildcards, substituted text is literal.
 * Runs in time proportional to pattern × value length whatever the pattern (no regular expression: a hostile
 * document full of `*` cannot make it backtrack for ever).
 * `meter`, when given, counts the steps taken (for tests that the work stays bounded).
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_String-wildcard
 */
export const globMatches = (
  parts: readonly PatternPart[],
  value: string,
  ignoreCase: boolean,
  meter?: { steps: number },
): boolean => {
  const chars: string[] = [];
  const kinds: number[] = [];
  // Compared by UTF-16 unit, as `?` matches one; lower-casing may lengthen a character, so it is done first.
  const literal = (text: string) => {
    for (const unit of ignoreCase ? text.toLowerCase() : text) {
      for (let index = 0; index < unit.length; index += 1) {
        chars.push(unit[index] ?? '');
        kinds.push(LITERAL);
      }
    }
  };
  for (const part of parts) {
    if (part.literal) {
      literal(part.text);
      continue;
    }
    for (const char of part.text) {
      if (char === '*' || char === '?') {
        chars.push(char);
        kinds.push(char === '*' ? STAR : ONE);
      } else {
        literal(char);
      }
    }
  }
  const text = ignoreCase ? value.toLowerCase() : value;
  let p = 0;
  let v = 0;
  let star = -1;
  let mark = 0;
  while (v < text.length) {
    if (meter) meter.steps += 1;
    const kind = kinds[p];
    if (p < kinds.length && (kind === ONE || (kind === LITERAL && chars[p] === text[v]))) {
      p += 1;
      v += 1;
    } else if (kind === STAR) {
      star = p;
      p += 1;
      mark = v;
    } else if (star >= 0) {
      p = star + 1;
      mark += 1;
      v = mark;
    } else {
      return false;
    }
  }
  while (kinds[p] === STAR) p += 1;
  return p === kinds.length;
};

/** The text of a substituted value, wildcards kept as characters (for the `Equals` operators). */
export const toText = (parts: readonly PatternPart[]): string => parts.map((part) => part.text).join('');

/**
 * Matches a wildcard pattern with no variables, as Action (case-insensitive) and Resource (case-sensitive) do.
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html
 */
export const wildcardMatches = (pattern: string, value: string, ignoreCase: boolean): boolean => {
  if (pattern === '*') return true;
  if (!pattern.includes('*') && !pattern.includes('?')) {
    return ignoreCase ? pattern.toLowerCase() === value.toLowerCase() : pattern === value;
  }
  // Lower-casing a whole ASCII pattern is lower-casing it character by character, as globMatches does.
  if (!ignoreCase) return globText(pattern, value);
  if (isAscii(pattern)) return globText(pattern.toLowerCase(), value.toLowerCase());
  return globMatches([{ text: pattern, literal: false }], value, ignoreCase);
};

const isAscii = (text: string): boolean => {
  for (let index = 0; index < text.length; index += 1) if (text.charCodeAt(index) > 0x7f) return false;
  return true;
};
const STAR_CODE = 42;
const ONE_CODE = 63;

/** {@link globMatches} for a pattern of policy text alone (every `*` and `?` a wildcard), on the strings themselves. */
const globText = (pattern: string, text: string): boolean => {
  let p = 0;
  let v = 0;
  let star = -1;
  let mark = 0;
  while (v < text.length) {
    const code = p < pattern.length ? pattern.charCodeAt(p) : -1;
    if (code === ONE_CODE || (code >= 0 && code !== STAR_CODE && code === text.charCodeAt(v))) {
      p += 1;
      v += 1;
    } else if (code === STAR_CODE) {
      star = p;
      p += 1;
      mark = v;
    } else if (star >= 0) {
      p = star + 1;
      mark += 1;
      v = mark;
    } else {
      return false;
    }
  }
  while (pattern.charCodeAt(p) === STAR_CODE) p += 1;
  return p === pattern.length;
};

/**
 * True when some string matches both wildcard patterns (`*`, `?`): used to tell whether a statement's Resource
 * can name a resource of an action's type. Case-sensitive, like ARNs.
 */
export const patternsOverlap = (a: string, b: string): boolean => {
  // Dynamic programming from the ends: next[j] holds whether a[i+1:] and b[j:] overlap, row[j] the same for a[i:].
  let next = new Uint8Array(b.length + 1);
  for (let i = a.length; i >= 0; i -= 1) {
    const row = new Uint8Array(b.length + 1);
    for (let j = b.length; j >= 0; j -= 1) {
      let overlap: boolean;
      if (i === a.length && j === b.length) overlap = true;
      else if (i < a.length && a[i] === '*') overlap = next[j] === 1 || (j < b.length && row[j + 1] === 1);
      else if (j < b.length && b[j] === '*') overlap = row[j + 1] === 1 || (i < a.length && next[j] === 1);
      else if (i === a.length || j === b.length) overlap = false;
      else overlap = (a[i] === '?' || b[j] === '?' || a[i] === b[j]) && next[j + 1] === 1;
      row[j] = overlap ? 1 : 0;
    }
    next = row;
  }
  return next[0] === 1;
};

/** The pending test recorded when a Resource or condition value depends on a variable the context left unknown. */
export const variableTest = (keys: readonly string[], where: string): ConditionTest => ({
  operator: 'PolicyVariable',
  key: keys.join(', '),
  values: [where],
});
