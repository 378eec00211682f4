// Splits a CloudTrail log file (`{"Records":[{…},{…}]}`) into its records straight from the decompressed bytes, and
// in the same pass checks each record's JSON grammar and tells which records may match the deployed patterns, so
// that the others are never decoded or parsed. One loop over the bytes, no whole-file string: the scan costs a
// fraction of `JSON.parse` on the same text.

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
 * The record must be parsed whatever the needles say: a `\u` escape (which can spell a needle another way); no
 * top-level `eventSource` or `eventName` string; a top-level `detail` (an EventBridge event, whose record is nested);
 * an `eventTime` that is not a plain string.
 */
export const FLAG_PARSE = 2;
/** The record's own top-level `readOnly` is the literal `true` (the last occurrence, as `JSON.parse` reads it). */
export const FLAG_READ_ONLY = 8;
/**
 * The needle found may matter to a read-only record (`RawPrefilter.readOnlyNeedles`): a read-only record holding no
 * such needle matches no pattern, since every pattern whose needles it holds asks for `readOnly: false`.
 */
export const FLAG_READ_OK = 16;

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
 * Compiles a prefilter's needles for `scanLogFile`; those also in `sufficient` set `FLAG_SURE` besides `FLAG_NEEDLE`,
 * and those in `readOk` (every needle when it is not given) set `FLAG_READ_OK`.
 */
export const createNeedleMatcher = (
  needles: readonly string[],
  sufficient: readonly string[] = [],
  readOk: readonly string[] = needles,
): NeedleMatcher => {
  const mayMatterWhenReadOnly = new Set(readOk);
  const tokens: Array<Uint8Array[] | undefined> = [];
  const tokenFlags: Array<number[] | undefined> = [];
  const substrings: Buffer[] = [];
  const substringFlags: number[] = [];
  const sure = new Set(sufficient);
  let longest = 0;
  for (const needle of new Set(needles)) {
    const flags =
      (sure.has(needle) ? FLAG_NEEDLE | FLAG_SURE : FLAG_NEEDLE) |
      (mayMatterWhenReadOnly.has(needle) ? FLAG_READ_OK : 0);
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
  // Several substring needles that share a long run (the SCP phrases share ` service control policy`) are searched as
  // that run alone: one native pass instead of one per needle. Every text holding a needle holds the run, so no
  // record is missed; a record marked by the run alone is only marked, not sure, and the tree decides on its text.
  const shared =
    substrings.length > 1 ? longestSharedRun(substrings.map((needle) => needle.toString('utf8'))) : '';
  if (shared.length >= MIN_SHARED_RUN)
    return {
      tokens,
      tokenFlags,
      longest,
      substrings: [Buffer.from(shared, 'utf8')],
      substringFlags: [
        FLAG_NEEDLE | (substringFlags.some((flags) => flags & FLAG_READ_OK) ? FLAG_READ_OK : 0),
      ],
    };
  return { tokens, tokenFlags, longest, substrings, substringFlags };
};

/** The shortest run of text worth searching instead of the needles it is part of: rare enough in CloudTrail. */
const MIN_SHARED_RUN = 12;

/** The longest run of characters that every one of `texts` contains (the first such run, by position in the first). */
export const longestSharedRun = (texts: readonly string[]): string => {
  const [first = '', ...rest] = [...texts].sort((a, b) => a.length - b.length);
  for (let length = first.length; length > 0; length--)
    for (let start = 0; start + length <= first.length; start++) {
      const run = first.slice(start, start + length);
      if (rest.every((text) => text.includes(run))) return run;
    }
  return '';
};

const bytesOf = (text: string): Uint8Array => Uint8Array.from(text, (char) => char.charCodeAt(0));
const EVENT_SOURCE = bytesOf('"eventSource"');
const EVENT_NAME = bytesOf('"eventName"');
const EVENT_TIME = bytesOf('"eventTime"');
const DETAIL = bytesOf('"detail"');
const RECORDS = bytesOf('"Records"');
const READ_ONLY = bytesOf('"readOnly"');

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
const KEY_READ_ONLY = 5;

const keyOf = (bytes: Uint8Array, at: number, length: number): number => {
  if (length === 13) return equalsAt(bytes, at, EVENT_SOURCE) ? KEY_SOURCE : KEY_OTHER;
  if (length === 11) {
    if (equalsAt(bytes, at, EVENT_NAME)) return KEY_NAME;
    if (equalsAt(bytes, at, EVENT_TIME)) return KEY_TIME;
    return KEY_OTHER;
  }
  if (length === 10) return equalsAt(bytes, at, READ_ONLY) ? KEY_READ_ONLY : KEY_OTHER;
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

// What may come next outside strings, as bits: the grammar of a record is checked on the bytes the scan already
// branches on (structure, and the few bytes of numbers and literals between strings).
const EXPECT_VALUE = 1;
const EXPECT_KEY = 2;
const EXPECT_COLON = 4;
const EXPECT_COMMA = 8;
const EXPECT_CLOSE_OBJECT = 16;
const EXPECT_CLOSE_ARRAY = 32;
const AFTER_MEMBER = EXPECT_COMMA | EXPECT_CLOSE_OBJECT;
const AFTER_ELEMENT = EXPECT_COMMA | EXPECT_CLOSE_ARRAY;

/** The bytes JSON allows after a backslash (`\u` is checked on its own: four hex digits follow). */
const ESCAPES = new Uint8Array(256);
for (const char of '"\\/bfnrt') ESCAPES[char.charCodeAt(0)] = 1;
const HEX = new Uint8Array(256);
for (const char of '0123456789abcdefABCDEF') HEX[char.charCodeAt(0)] = 1;

const isDigit = (byte: number | undefined): boolean => (byte as number) >= 0x30 && (byte as number) <= 0x39;

/**
 * The index just past the number or literal (`true`, `false`, `null`) starting at `at`, or -1 when JSON's grammar
 * does not allow it (`01`, `1.`, `.5`, `+1`, `1e`, `tru`, any other byte). What follows is checked by the caller.
 * @see https://www.rfc-editor.org/rfc/rfc8259#section-6
 */
const endOfScalar = (bytes: Uint8Array, at: number): number => {
  let byte = bytes[at];
  if (byte === 0x74)
    return bytes[at + 1] === 0x72 && bytes[at + 2] === 0x75 && bytes[at + 3] === 0x65 ? at + 4 : -1;
  if (byte === 0x66)
    return bytes[at + 1] === 0x61 &&
      bytes[at + 2] === 0x6c &&
      bytes[at + 3] === 0x73 &&
      bytes[at + 4] === 0x65
      ? at + 5
      : -1;
  if (byte === 0x6e)
    return bytes[at + 1] === 0x75 && bytes[at + 2] === 0x6c && bytes[at + 3] === 0x6c ? at + 4 : -1;
  if (byte === 0x2d) byte = bytes[++at];
  if (byte === 0x30) byte = bytes[++at];
  else if (isDigit(byte)) {
    do byte = bytes[++at];
    while (isDigit(byte));
  } else return -1;
  if (byte === 0x2e) {
    if (!isDigit(bytes[++at])) return -1;
    do byte = bytes[++at];
    while (isDigit(byte));
  }
  if (byte === 0x65 || byte === 0x45) {
    byte = bytes[++at];
    if (byte === 0x2b || byte === 0x2d) byte = bytes[++at];
    if (!isDigit(byte)) return -1;
    do byte = bytes[++at];
    while (isDigit(byte));
  }
  return at;
};

/** Per depth, whether the container open there is an object (1) or an array (0); grown when a record nests deeper. */
let containers = new Uint8Array(64);

/**
 * Scans one record, from its `{` at `start`: pushes its `RECORD_FIELDS` numbers onto `records` and returns the index
 * just past its `}`, or -1 when it never closes or is not JSON: its grammar is checked as it is scanned (keys are
 * strings followed by `:`, values are followed by `,` or the bracket that closes their container, brackets close
 * by kind, no trailing comma, numbers and literals as JSON spells them, no raw control character or unknown escape
 * inside a string), so a record left unparsed is one `JSON.parse` would accept. Bytes that are not UTF-8 are not
 * checked: decoding replaces them (never a byte JSON gives meaning to) and `JSON.parse` accepts the replacement in a
 * string, while outside strings any byte the grammar does not expect is refused. One small function called per
 * record (rather than one loop over the whole file) is what V8 optimizes early: the first file of a run is not spent
 * in the interpreter.
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
  containers[1] = 1;
  let expect = EXPECT_KEY | EXPECT_CLOSE_OBJECT;
  // What may follow a value in the innermost container.
  let after = AFTER_MEMBER;
  let flags = 0;
  let key = KEY_OTHER;
  // 0: absent; 1: a string; 2: another value. The last occurrence counts, as in `JSON.parse`.
  let source = 0;
  let name = 0;
  let hasDetail = false;
  // The top-level `readOnly` is the literal `true` (any other value, or none, is not).
  let readOnly = false;
  let timeStart = -1;
  let timeEnd = -1;
  let timeEscaped = false;
  while (at < n) {
    const byte = bytes[at] as number;
    if (byte === QUOTE) {
      if ((expect & (EXPECT_VALUE | EXPECT_KEY)) === 0) return -1;
      const token = at;
      let escaped = false;
      at++;
      for (;;) {
        if ((at & 3) === 0) {
          // Four bytes at a time while none is a quote, a backslash or a control character. `hasLess(x, k)`, the
          // high bit of each byte of `(x - k * 0x01010101) & ~x`, finds a byte below k: `word ^ 0x02020202` has a
          // byte below 0x21 where `word` has a quote (0x22 → 0x20) or a byte below 0x20 (kept below 0x20), and
          // `word ^ 0x5c5c5c5c` a zero byte where it has a backslash. One test for two, so the grammar costs no more.
          let w = at >> 2;
          while (w < wordCount) {
            const word = words[w] as number;
            const quote = word ^ 0x02020202;
            const slash = word ^ 0x5c5c5c5c;
            const found = ((quote - 0x21212121) & ~quote) | ((slash - 0x01010101) & ~slash);
            if ((found & 0x80808080) !== 0) break;
            w++;
          }
          at = w << 2;
        }
        if (at >= n) return -1;
        const inner = bytes[at] as number;
        if (inner === QUOTE) break;
        if (inner === BACKSLASH) {
          escaped = true;
          const next = bytes[at + 1] as number;
          if (next === LETTER_U) {
            flags |= FLAG_PARSE;
            const hex =
              (HEX[bytes[at + 2] as number] as number) &
              (HEX[bytes[at + 3] as number] as number) &
              (HEX[bytes[at + 4] as number] as number) &
              (HEX[bytes[at + 5] as number] as number);
            if (hex !== 1) return -1;
            at += 6;
          } else if (ESCAPES[next] === 1) at += 2;
          else return -1;
        } else if (inner < 0x20) return -1;
        else at++;
      }
      at++;
      const length = at - token;
      if (length <= longest) flags |= needleFlagsOf(bytes, token, tokens[length], tokenFlags[length]);
      if ((expect & EXPECT_KEY) !== 0) {
        expect = EXPECT_COLON;
        if (depth === 1) {
          key = keyOf(bytes, token, length);
          // Provisionally another value; a string right after the colon makes it a string.
          if (key === KEY_SOURCE) source = 2;
          else if (key === KEY_NAME) name = 2;
          else if (key === KEY_TIME) timeStart = -1;
          else if (key === KEY_DETAIL) hasDetail = true;
          else if (key === KEY_READ_ONLY) readOnly = false;
        }
      } else {
        expect = after;
        if (depth === 1) {
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
    switch (byte) {
      case COMMA:
        if ((expect & EXPECT_COMMA) === 0) return -1;
        if (after === AFTER_MEMBER) {
          expect = EXPECT_KEY;
          if (depth === 1) key = KEY_OTHER;
        } else expect = EXPECT_VALUE;
        break;
      case COLON:
        if (expect !== EXPECT_COLON) return -1;
        expect = EXPECT_VALUE;
        break;
      case OPEN_BRACE:
      case OPEN_BRACKET:
        if ((expect & EXPECT_VALUE) === 0) return -1;
        if (++depth === containers.length) {
          const deeper = new Uint8Array(depth * 2);
          deeper.set(containers);
          containers = deeper;
        }
        if (byte === OPEN_BRACE) {
          containers[depth] = 1;
          expect = EXPECT_KEY | EXPECT_CLOSE_OBJECT;
          after = AFTER_MEMBER;
        } else {
          containers[depth] = 0;
          expect = EXPECT_VALUE | EXPECT_CLOSE_ARRAY;
          after = AFTER_ELEMENT;
        }
        break;
      case CLOSE_BRACE:
      case CLOSE_BRACKET:
        if ((expect & (byte === CLOSE_BRACE ? EXPECT_CLOSE_OBJECT : EXPECT_CLOSE_ARRAY)) === 0) return -1;
        if (--depth === 0) {
          if (source !== 1 || name !== 1 || hasDetail || (timeStart !== -1 && timeEscaped))
            flags |= FLAG_PARSE;
          if (readOnly) flags |= FLAG_READ_ONLY;
          records.push(start, at, flags, timeStart, timeEnd);
          return at;
        }
        after = containers[depth] === 1 ? AFTER_MEMBER : AFTER_ELEMENT;
        expect = after;
        break;
      case 0x20:
      case 0x0a:
      case 0x0d:
      case 0x09:
        break;
      default:
        if ((expect & EXPECT_VALUE) === 0) return -1;
        if (depth === 1 && key === KEY_READ_ONLY) readOnly = byte === 0x74;
        at = endOfScalar(bytes, at - 1);
        if (at === -1) return -1;
        expect = after;
    }
  }
  return -1;
};

/**
 * Scans the bytes of a CloudTrail log file: where each record of its `Records` array starts and ends, which records
 * hold a needle, which must be parsed anyway, and where each one's top-level `eventTime` string is. `undefined` when
 * the bytes are not a well-formed `{"Records":[…]}` document of objects (the caller then parses them in full, which
 * reports the fault), or when a record is not JSON that `JSON.parse` would accept (see `scanRecord`): whether a
 * record is parsed never changes whether the file is refused. Depth is tracked, so an object nested in a record (or
 * text inside a string) is never taken for a record, and only the record's own top-level keys count. A duplicated
 * key counts as `JSON.parse` reads it: the last one.
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
