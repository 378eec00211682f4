// Decides, before a record is parsed or wrapped, whether a pattern can match it at all, so that replay spends
// its time only on records that may alert. Derived from the pattern itself: nothing here names a service.
import type { RawPrefilter } from '../input/read-inputs.js';

/** A field of `detail` that every match must hold with one of a few exact string values. */
export interface PatternPrefilter {
  /** The field of the CloudTrail record (`eventSource`). */
  field: string;
  /** Its allowed values; a record whose field is another string cannot match. */
  values: ReadonlySet<string>;
  /** The same test on a record's raw JSON text, when the values allow it (see `createRawPrefilter`). */
  raw?: RawPrefilter;
}

/** Characters a value may hold for its JSON text to be spelled only one way (no `\/`, no escapes). */
const PLAIN = /^[A-Za-z0-9 ._:@+=,-]*$/;

/**
 * The prefilter of a pattern: the first field of its `detail` (outside any `$or`) whose value list holds only
 * exact strings, e.g. `detail.eventSource: ["iam.amazonaws.com"]`. Every event the pattern matches has that
 * field equal to one of the strings (or an array holding one, which the caller leaves to the full matcher).
 * `undefined` when no such field exists: then every record is parsed and matched.
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html
 */
export const createPrefilter = (pattern: Record<string, unknown>): PatternPrefilter | undefined => {
  const detail = pattern.detail;
  if (typeof detail !== 'object' || detail === null || Array.isArray(detail)) return undefined;
  const entries = Object.entries(detail).filter(
    ([key, value]) =>
      key !== '$or' &&
      Array.isArray(value) &&
      value.length > 0 &&
      value.every((item) => typeof item === 'string'),
  );
  const [field, list] = entries.find(([key]) => key === 'eventSource') ?? entries[0] ?? [];
  if (field === undefined || !Array.isArray(list)) return undefined;
  const values = new Set(list as string[]);
  return { field, values, raw: createRawPrefilter([...values]) };
};

/**
 * A raw-text test: a record whose JSON text holds none of the values as a JSON string literal (`"iam.amazonaws.com"`)
 * cannot have the field equal to one of them. Sound only for text without `\u` escapes, which the reader parses
 * in full; `undefined` when a value could be spelled another way in JSON.
 */
export const createRawPrefilter = (values: string[]): RawPrefilter | undefined => {
  if (!values.every((value) => PLAIN.test(value))) return undefined;
  const needles = values.map((value) => JSON.stringify(value));
  if (needles.length === 1) {
    const needle = needles[0] as string;
    return { needles, exact: true, mayMatch: (text) => text.includes(needle) };
  }
  return { needles, exact: true, mayMatch: (text) => needles.some((needle) => text.includes(needle)) };
};

/**
 * A proof obligation on a record's raw text: a needle (the text must contain it), `all` (every part holds) or `any`
 * (some part holds). Built so that every record a pattern matches satisfies it (see `needleTreeOf`).
 */
export type NeedleTree = string | { all: NeedleTree[] } | { any: NeedleTree[] };

/**
 * Fields of a record that Athena's CloudTrail table holds as JSON text (`UNLOAD` writes them as a string with `\"`
 * escapes), so a value under them appears in a row as `\"Success\"`: only its opening `"Success` is certain.
 */
const JSON_TEXT_FIELDS = new Set([
  'requestParameters',
  'responseElements',
  'additionalEventData',
  'serviceEventDetails',
  'edgeDeviceDetails',
]);

/** The needles a value list (values OR) guarantees, or `undefined` when one of its values guarantees none. */
const needlesOfValues = (values: unknown[], inJsonText: boolean): NeedleTree | undefined => {
  const parts: NeedleTree[] = [];
  for (const value of values) {
    if (typeof value === 'string') {
      if (value === '' || !PLAIN.test(value)) return undefined;
      // An exact string is its JSON literal; inside JSON text only its opening quote and letters are certain.
      parts.push(inJsonText ? `"${value}` : JSON.stringify(value));
      continue;
    }
    if (!isRecord(value)) return undefined;
    const keys = Object.keys(value);
    if (keys.length !== 1) return undefined;
    if (typeof value.prefix === 'string' && value.prefix !== '' && PLAIN.test(value.prefix)) {
      parts.push(`"${value.prefix}`);
      continue;
    }
    if (typeof value.wildcard === 'string' && !value.wildcard.includes('\\')) {
      // Every literal run between `*` is in the value's text, escaped the same way as long as it is plain.
      const runs = value.wildcard.split('*').filter((run) => run !== '');
      if (runs.length === 0 || !runs.every((run) => PLAIN.test(run))) return undefined;
      parts.push(runs.length === 1 ? (runs[0] as string) : { all: runs });
      continue;
    }
    return undefined;
  }
  if (parts.length === 0) return undefined;
  return parts.length === 1 ? parts[0] : { any: parts };
};

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The needles an object of a pattern (fields AND, `$or` its branches OR) guarantees: every field that guarantees
 * some needles, all of them; `undefined` when none does. Field names are never needles: Athena rows spell them in
 * lower case.
 */
const needlesOfObject = (object: Record<string, unknown>, inJsonText: boolean): NeedleTree | undefined => {
  const parts: NeedleTree[] = [];
  for (const [key, value] of Object.entries(object)) {
    let part: NeedleTree | undefined;
    if (key === '$or') {
      if (!Array.isArray(value) || value.length === 0) continue;
      const branches = value.map((branch) =>
        isRecord(branch) ? needlesOfObject(branch, inJsonText) : undefined,
      );
      if (branches.every((branch): branch is NeedleTree => branch !== undefined))
        part = branches.length === 1 ? branches[0] : { any: branches };
    } else if (Array.isArray(value)) part = needlesOfValues(value, inJsonText);
    else if (isRecord(value)) part = needlesOfObject(value, inJsonText || JSON_TEXT_FIELDS.has(key));
    if (part !== undefined) parts.push(part);
  }
  if (parts.length === 0) return undefined;
  return parts.length === 1 ? parts[0] : { all: parts };
};

/**
 * What the raw text of every record that `pattern` matches must contain, derived from its `detail`: exact strings
 * as JSON literals, `prefix` as `"` and the prefix, `wildcard` as its literal runs; fields AND, values and `$or`
 * branches OR. `undefined` when the pattern guarantees nothing (then every record must be parsed). Only values of
 * plain characters (`PLAIN`) are used: JSON can spell them another way only with a `\u` escape, and text holding
 * one is always parsed.
 */
export const needleTreeOf = (pattern: Record<string, unknown>): NeedleTree | undefined =>
  isRecord(pattern.detail) ? needlesOfObject(pattern.detail, false) : undefined;

/**
 * A few needles of which every text satisfying the tree holds at least one: the needle itself; for `any`, the
 * union of its parts' covers; for `all`, the cover of one part, the one with the fewest needles and, among those,
 * the longest shortest needle (a longer literal is rarer: `"signin.amazonaws.com"` rather than `"IAMUser"`). The
 * reader looks for these in a whole log file at once, and tests the full tree only on the records they mark.
 */
export const coverOf = (tree: NeedleTree): string[] => {
  if (typeof tree === 'string') return [tree];
  if ('any' in tree) return [...new Set(tree.any.flatMap(coverOf))];
  const shortest = (cover: string[]) => Math.min(...cover.map((needle) => needle.length));
  return tree.all
    .map(coverOf)
    .reduce((best, cover) =>
      cover.length < best.length || (cover.length === best.length && shortest(cover) > shortest(best))
        ? cover
        : best,
    );
};

/**
 * The needles whose presence alone satisfies the tree: a needle itself; for `any`, those of any part; for `all`, those
 * of every part (`"iam.amazonaws.com"` and `"Root"` for the default deployment, each a whole rule's needle).
 */
export const sufficientOf = (tree: NeedleTree): string[] => {
  if (typeof tree === 'string') return [tree];
  if ('any' in tree) return [...new Set(tree.any.flatMap(sufficientOf))];
  const [first, ...rest] = tree.all.map(sufficientOf);
  return (first ?? []).filter((needle) => rest.every((part) => part.includes(needle)));
};

/**
 * Whether a pattern matches only records whose `readOnly` is `false`: its `detail.readOnly` lists `false` alone (an
 * exact match on the boolean), as the presets but `all` do. A record whose `readOnly` is `true` cannot match it.
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html
 */
export const asksForWrites = (pattern: Record<string, unknown>): boolean => {
  const readOnly = isRecord(pattern.detail) ? pattern.detail.readOnly : undefined;
  return Array.isArray(readOnly) && readOnly.length > 0 && readOnly.every((value) => value === false);
};

const holds = (tree: NeedleTree, text: string): boolean => {
  if (typeof tree === 'string') return text.includes(tree);
  if ('all' in tree) return tree.all.every((part) => holds(part, text));
  return tree.any.some((part) => holds(part, text));
};

/**
 * The raw prefilter of a union of patterns (the rules a deployment deploys): a record may match when its text
 * satisfies the needle tree of some pattern. `undefined` when one pattern guarantees no needle: then every record
 * may match one of them and must be parsed. `needles` is the tree's cover (`coverOf`): a record holding none of
 * them satisfies no tree.
 */
export const createUnionRawPrefilter = (
  patterns: readonly Record<string, unknown>[],
): RawPrefilter | undefined => {
  const trees = patterns.map(needleTreeOf);
  if (trees.length === 0 || !trees.every((tree): tree is NeedleTree => tree !== undefined)) return undefined;
  const tree: NeedleTree = trees.length === 1 ? (trees[0] as NeedleTree) : { any: trees };
  const needles = coverOf(tree);
  // The cover of the patterns a read-only record can match (those not asking for `readOnly: false`): a subset of
  // `needles`, since the cover of `any` is the union of its parts' covers.
  const readTrees = trees.filter((_, index) => !asksForWrites(patterns[index] as Record<string, unknown>));
  const readOnlyNeedles =
    readTrees.length === trees.length ? undefined : readTrees.length === 0 ? [] : coverOf({ any: readTrees });
  const gate = readOnlyNeedles ? { readOnlyNeedles } : {};
  if (typeof tree === 'string')
    return { needles, exact: true, mayMatch: (text) => text.includes(tree), ...gate };
  return {
    ...gate,
    needles,
    sufficient: sufficientOf(tree).filter((needle) => needles.includes(needle)),
    mayMatch: (text) => needles.some((needle) => text.includes(needle)) && holds(tree, text),
    mayMatchMarked: (text) => holds(tree, text),
  };
};
