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
    return { needles, mayMatch: (text) => text.includes(needle) };
  }
  return { needles, mayMatch: (text) => needles.some((needle) => text.includes(needle)) };
};
