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

const escapeRegex = (text: string): string => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** Compiles a pattern to an anchored regular expression; `*` and `?` in policy text are wildcards. */
export const toRegex = (parts: readonly PatternPart[], ignoreCase: boolean): RegExp => {
  let source = '';
  for (const part of parts) {
    if (part.literal) source += escapeRegex(part.text);
    else source += [...part.text].map((c) => (c === '*' ? '.*' : c === '?' ? '.' : escapeRegex(c))).join('');
  }
  return new RegExp(`^${source}$`, ignoreCase ? 'is' : 's');
};

/** The text of a substituted value, wildcards kept as characters (for the `Equals` operators). */
export const toText = (parts: readonly PatternPart[]): string => parts.map((part) => part.text).join('');

const cache = new Map<string, RegExp>();

/**
 * Matches a wildcard pattern with no variables, as Action (case-insensitive) and Resource (case-sensitive) do.
 * Compiled patterns are cached: the same statements are asked many times.
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html
 */
export const wildcardMatches = (pattern: string, value: string, ignoreCase: boolean): boolean => {
  if (pattern === '*') return true;
  if (!pattern.includes('*') && !pattern.includes('?')) {
    return ignoreCase ? pattern.toLowerCase() === value.toLowerCase() : pattern === value;
  }
  const id = `${ignoreCase ? 'i' : 's'}${pattern}`;
  let regex = cache.get(id);
  if (!regex) {
    regex = toRegex([{ text: pattern, literal: false }], ignoreCase);
    if (cache.size > 5000) cache.clear();
    cache.set(id, regex);
  }
  return regex.test(value);
};

/**
 * True when some string matches both wildcard patterns (`*`, `?`): used to tell whether a statement's Resource
 * can name a resource of an action's type. Case-sensitive, like ARNs.
 */
export const patternsOverlap = (a: string, b: string): boolean => {
  const memo = new Map<number, boolean>();
  const width = b.length + 1;
  const go = (i: number, j: number): boolean => {
    const id = i * width + j;
    const known = memo.get(id);
    if (known !== undefined) return known;
    let result: boolean;
    if (i === a.length && j === b.length) result = true;
    else if (i < a.length && a[i] === '*') result = go(i + 1, j) || (j < b.length && go(i, j + 1));
    else if (j < b.length && b[j] === '*') result = go(i, j + 1) || (i < a.length && go(i + 1, j));
    else if (i === a.length || j === b.length) result = false;
    else result = (a[i] === '?' || b[j] === '?' || a[i] === b[j]) && go(i + 1, j + 1);
    memo.set(id, result);
    return result;
  };
  return go(0, 0);
};

/** The pending test recorded when a Resource or condition value depends on a variable the context left unknown. */
export const variableTest = (keys: readonly string[], where: string): ConditionTest => ({
  operator: 'PolicyVariable',
  key: keys.join(', '),
  values: [where],
});
