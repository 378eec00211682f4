// Splits a CloudTrail log file (`{"Records":[{…},{…}]}`) into its records straight from the decompressed bytes, and
// in the same pass tells which records may match the deployed patterns, so that the others are never decoded or
// parsed. One loop over the bytes, no whole-file string: the scan costs a fraction of `JSON.parse` on the same text.

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COMMA = 0x2c;
const COLON = 0x3a;
const LETTER_U = 0x75;

/** Per record, in `LogFileScan.records`: its start, end, `FLAG_*` bits and its `eventTime` string's start and end. */
export const RECORD_FIELDS = 5;
/** A string token of the record equals a whole-token needle, or a substring needle lies inside the record. */
export const FLAG_NEEDLE = 1;
/** A needle that alone satisfies the prefilter (`RawPrefilter.sufficient`): the record is parsed, no `mayMatch`. */
export const FLAG_SURE = 4;
/**
 * The record must be parsed whatever the needles say: a `\u` escape (which can spell a needle another way) or a
 * backslash outside a string; no top-level `eventSource` or `eventName` string; a top-level `detail` (an
 * EventBridge event, whose record is nested); an `eventTime` that is not a plain string.
 */
export const FLAG_PARSE = 2;

/** The records of a log file, as offsets into its bytes (see `RECORD_FIELDS`). */
export interface LogFileScan {
  /** `count` groups of `RECORD_FIELDS` numbers; `eventTime` start -1 when the record has no plain one. */
  records: number[];
  count: number;
}

/**
 * The needles of a raw prefilter, compiled for `scanLogFile`. A needle that is a whole JSON string literal (`"X"`,
 * no quote or backslash inside) is compared with each string token as the scan passes it: without a `\u` escape
 * (flagged), a string value X is spelled in the text only as that token, so comparing tokens finds every value
 * that a pattern's exact match needs. Any other needle (a prefix `"P`, a wildcard's run, an error message phrase)
 * is searched in the whole text, with `Buffer.indexOf`.
 */
export interface NeedleMatcher {
  /** Whole-token needles as bytes, indexed by length (quotes included). */
  tokens: Array<Uint8Array[] | undefined>;
  /** The flags each whole-token needle sets, in the same places as `tokens`. */
  tokenFlags: Array<number[] | undefined>;
  /** Longest whole-token needle. */
  longest: number;
  /** Needles searched as substrings of the whole text. */
  substrings: Buffer[];
  /** The flags each substring needle sets. */
  substringFlags: number[];
}

const isWholeToken = (needle: string): boolean =>
  needle.length >= 2 &&
  needle.startsWith('"') &&
  needle.endsWith('"') &&
  !/["\\]/.test(needle.slice(1, -1)) &&
  // Bytes compared one by one: only ASCII needles are compared as tokens.
  /^[\x20-\x7e]*$/.test(needle);

/**
 * Compiles a prefilter's needles for `scanLogFile`; those also in `sufficient` set `FLAG_SURE` besides `FLAG_NEEDLE`.
 */
export const createNeedleMatcher = (
  needles: readonly string[],
  sufficient: readonly string[] = [],
): NeedleMatcher => {
  const tokens: Array<Uint8Array[] | undefined> = [];
  const tokenFlags: Array<number[] | undefined> = [];
  const substrings: Buffer[] = [];
  const substringFlags: number[] = [];
  const sure = new Set(sufficient);
  let longest = 0;
  for (const needle of new Set(needles)) {
    const flags = sure.has(needle) ? FLAG_NEEDLE | FLAG_SURE : FLAG_NEEDLE;
    if (isWholeToken(needle)) {
      const bytes = Buffer.from(needle, 'latin1');
      tokens[bytes.length] = [...(tokens[bytes.length] ?? []), bytes];
      tokenFlags[bytes.length] = [...(tokenFlags[bytes.length] ?? []), flags];
      longest = Math.max(longest, bytes.length);
    } else {
      substrings.push(Buffer.from(needle, 'utf8'));
      substringFlags.push(flags);
    }
  }
  return { tokens, tokenFlags, longest, substrings, substringFlags };
};

const bytesOf = (text: string): Uint8Array => Uint8Array.from(text, (char) => char.charCodeAt(0));
const EVENT_SOURCE = bytesOf('"eventSource"');
const EVENT_NAME = bytesOf('"eventName"');
const EVENT_TIME = bytesOf('"eventTime"');
const DETAIL = bytesOf('"detail"');
const RECORDS = bytesOf('"Records"');

const equalsAt = (bytes: Uint8Array, at: number, expected: Uint8Array): boolean => {
  for (let i = 0; i < expected.length; i++) if (bytes[at + i] !== expected[i]) return false;
  return true;
};

/**
 * The bytes as 32-bit words, for skipping string contents four bytes at a time; the bytes are copied when they do not
 * start on a word boundary (Node's own large buffers do). Bytes past the last whole word are read one by one.
 */
const wordsOf = (bytes: Uint8Array): Int32Array => {
  const aligned = bytes.byteOffset % 4 === 0 ? bytes : new Uint8Array(bytes);
  return new Int32Array(aligned.buffer, aligned.byteOffset, aligned.byteLength >> 2);
};

const isSpace = (byte: number | undefined): boolean =>
  byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;

/** Top-level keys the scan tells apart (by their token, quotes included). */
const KEY_OTHER = 0;
const KEY_SOURCE = 1;
const KEY_NAME = 2;
const KEY_TIME = 3;
const KEY_DETAIL = 4;

const keyOf = (bytes: Uint8Array, at: number, length: number): number => {
  if (length === 13) return equalsAt(bytes, at, EVENT_SOURCE) ? KEY_SOURCE : KEY_OTHER;
  if (length === 11) {
    if (equalsAt(bytes, at, EVENT_NAME)) return KEY_NAME;
    if (equalsAt(bytes, at, EVENT_TIME)) return KEY_TIME;
    return KEY_OTHER;
  }
  return length === 8 && equalsAt(bytes, at, DETAIL) ? KEY_DETAIL : KEY_OTHER;
};

/** The flags of the whole-token needle the token at `at` equals (the needles of its length are `list`), or 0. */
const needleFlagsOf = (
  bytes: Uint8Array,
  at: number,
  list: Uint8Array[] | undefined,
  flags: number[] | undefined,
): number => {
  if (list === undefined || flags === undefined) return 0;
  for (let i = 0; i < list.length; i++)
    if (equalsAt(bytes, at, list[i] as Uint8Array)) return flags[i] as number;
  return 0;
};

/**
 * Scans one record, from its `{` at `start`: pushes its `RECORD_FIELDS` numbers onto `records` and returns the index
 * just past its `}`, or -1 when it never closes. One small function called per record (rather than one loop over the
 * whole file) is what V8 optimizes early: the first file of a run is not spent in the interpreter.
 */
const scanRecord = (
  bytes: Uint8Array,
  words: Int32Array,
  start: number,
  matcher: NeedleMatcher,
  records: number[],
): number => {
  const { tokens, tokenFlags, longest } = matcher;
  const n = bytes.length;
  const wordCount = words.length;
  let at = start + 1;
  let depth = 1;
  let flags = 0;
  let expectKey = true;
  let key = KEY_OTHER;
  // 0: absent; 1: a string; 2: another value. The last occurrence counts, as in `JSON.parse`.
  let source = 0;
  let name = 0;
  let hasDetail = false;
  let timeStart = -1;
  let timeEnd = -1;
  let timeEscaped = false;
  while (at < n) {
    const byte = bytes[at] as number;
    if (byte === QUOTE) {
      const token = at;
      let escaped = false;
      at++;
      for (;;) {
        if ((at & 3) === 0) {
          // Four bytes at a time while none is a quote or a backslash (a zero byte of `word ^ 0x22222222` is a quote).
          let w = at >> 2;
          while (w < wordCount) {
            const word = words[w] as number;
            const quote = word ^ 0x22222222;
            const slash = word ^ 0x5c5c5c5c;
            if (((((quote - 0x01010101) & ~quote) | ((slash - 0x01010101) & ~slash)) & 0x80808080) !== 0)
              break;
            w++;
          }
          at = w << 2;
        }
        if (at >= n) return -1;
        const inner = bytes[at] as number;
        if (inner === QUOTE) break;
        if (inner === BACKSLASH) {
          escaped = true;
          if (bytes[at + 1] === LETTER_U) flags |= FLAG_PARSE;
          at += 2;
        } else at++;
      }
      at++;
      const length = at - token;
      if (length <= longest) flags |= needleFlagsOf(bytes, token, tokens[length], tokenFlags[length]);
      if (depth === 1) {
        if (expectKey) {
          key = keyOf(bytes, token, length);
          expectKey = false;
          // Provisionally another value; a string right after the colon makes it a string.
          if (key === KEY_SOURCE) source = 2;
          else if (key === KEY_NAME) name = 2;
          else if (key === KEY_TIME) timeStart = -1;
          else if (key === KEY_DETAIL) hasDetail = true;
        } else {
          if (key === KEY_SOURCE) source = 1;
          else if (key === KEY_NAME) name = 1;
          else if (key === KEY_TIME) {
            timeStart = token + 1;
            timeEnd = at - 1;
            timeEscaped = escaped;
          }
          key = KEY_OTHER;
        }
      }
      continue;
    }
    at++;
    if (byte === OPEN_BRACE || byte === OPEN_BRACKET) depth++;
    else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) {
      if (--depth === 0) {
        if (source !== 1 || name !== 1 || hasDetail || (timeStart !== -1 && timeEscaped)) flags |= FLAG_PARSE;
        records.push(start, at, flags, timeStart, timeEnd);
        return at;
      }
    } else if (byte === COMMA) {
      if (depth === 1) {
        expectKey = true;
        key = KEY_OTHER;
      }
    } else if (byte === BACKSLASH) flags |= FLAG_PARSE;
  }
  return -1;
};

/**
 * Scans the bytes of a CloudTrail log file: where each record of its `Records` array starts and ends, which records
 * hold a needle, which must be parsed anyway, and where each one's top-level `eventTime` string is. `undefined` when
 * the bytes are not a well-formed `{"Records":[…]}` document of objects (the caller then parses them in full, which
 * reports the fault). Only the structure is checked: a record's own grammar is checked by `JSON.parse` when it is
 * parsed. Depth is tracked, so an object nested in a record (or text inside a string) is never taken for a record,
 * and only the record's own top-level keys count. A duplicated key counts as `JSON.parse` reads it: the last one.
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-examples.html
 */
export const scanLogFile = (bytes: Uint8Array, matcher: NeedleMatcher): LogFileScan | undefined => {
  const n = bytes.length;
  let at = 0;
  const skipSpace = () => {
    while (at < n && isSpace(bytes[at])) at++;
  };
  skipSpace();
  if (bytes[at] !== OPEN_BRACE) return undefined;
  at++;
  skipSpace();
  if (!equalsAt(bytes, at, RECORDS)) return undefined;
  at += RECORDS.length;
  skipSpace();
  if (bytes[at] !== COLON) return undefined;
  at++;
  skipSpace();
  if (bytes[at] !== OPEN_BRACKET) return undefined;
  at++;
  skipSpace();
  const records: number[] = [];
  const words = wordsOf(bytes);
  if (bytes[at] === CLOSE_BRACKET) at++;
  else {
    for (;;) {
      if (bytes[at] !== OPEN_BRACE) return undefined;
      at = scanRecord(bytes, words, at, matcher, records);
      if (at === -1) return undefined;
      skipSpace();
      if (bytes[at] === COMMA) {
        at++;
        skipSpace();
        continue;
      }
      if (bytes[at] === CLOSE_BRACKET) {
        at++;
        break;
      }
      return undefined;
    }
  }
  skipSpace();
  if (bytes[at] !== CLOSE_BRACE) return undefined;
  at++;
  skipSpace();
  if (at !== n) return undefined;
  const count = records.length / RECORD_FIELDS;
  markSubstrings(bytes, matcher, records, count);
  return { records, count };
};

/** Flags the records that hold a substring needle: one native search per needle over the whole text. */
const markSubstrings = (
  bytes: Uint8Array,
  matcher: NeedleMatcher,
  records: number[],
  count: number,
): void => {
  if (matcher.substrings.length === 0 || count === 0) return;
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (const [index, needle] of matcher.substrings.entries()) {
    const flags = matcher.substringFlags[index] as number;
    let record = 0;
    for (let found = buffer.indexOf(needle); found !== -1; found = buffer.indexOf(needle, found + 1)) {
      // Occurrences come in order: advance to the record that ends after this one.
      while (record < count && (records[record * RECORD_FIELDS + 1] as number) <= found) record++;
      if (record === count) break;
      const base = record * RECORD_FIELDS;
      if ((records[base] as number) <= found) records[base + 2] = (records[base + 2] as number) | flags;
    }
  }
};
