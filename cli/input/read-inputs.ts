// The one reader of every input the CLI takes (`render`, `replay`, and the tests' fixture loading): CloudTrail log
// files (`{"Records": [...]}`), single records, EventBridge events, JSON arrays of these, JSON Lines of any of
// them, each plain or gzipped, from files, directories or stdin. Bad input never throws: it becomes a `problem`
// item naming the file and line, and the walk goes on.
import { createReadStream } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { createGunzip, gunzipSync } from 'node:zlib';
import { isObject } from '../../shared/domain/values.js';
import {
  createNeedleMatcher,
  FLAG_NEEDLE,
  FLAG_PARSE,
  FLAG_READ_OK,
  FLAG_READ_ONLY,
  FLAG_SURE,
  type NeedleMatcher,
  RECORD_FIELDS,
  scanLogFile,
} from './scan-records.js';

/** Where a record came from: a file (or `-` for stdin) and a 1-based line (JSONL) or record index (JSON). */
export interface InputLocation {
  source: string;
  line?: number;
  /** Index in a log file's `Records` array or in a JSON array (0-based). */
  index?: number;
}

/** One item of the input stream. */
export type InputItem =
  | { kind: 'file'; source: string }
  | ({ kind: 'record'; value: unknown } & InputLocation)
  /**
   * A log file's `Records` (`container: 'Records'`) or a JSON array (`'array'`) in one item (one async step per
   * file, not per record); `values[i]` is at index i.
   */
  | ({ kind: 'records'; values: unknown[]; container: 'Records' | 'array' } & InputLocation)
  /** A JSON Lines record that the prefilter proved cannot match, left unparsed; its `eventTime` read from the text. */
  | ({ kind: 'skipped'; eventTime?: string } & InputLocation)
  | ({ kind: 'problem'; message: string } & InputLocation);

/**
 * A record of a log file that the prefilter proved cannot match, left unparsed: it stands in `values` of a
 * `records` item, with the `eventTime` read from its text (for the period a replay covers).
 */
export class UnparsedRecord {
  constructor(readonly eventTime: string | undefined) {}
}

/** Decides from a record's raw JSON text whether it may match; `false` must be a proof (see `createRawPrefilter`). */
export interface RawPrefilter {
  mayMatch(text: string): boolean;
  /** The JSON string literals `mayMatch` looks for: a text holding none of them (and no `\u`) cannot match. */
  needles: readonly string[];
  /** True when holding one of `needles` is all `mayMatch` asks: the reader then need not call it on marked text. */
  exact?: boolean;
  /** Needles (of `needles`) that alone make `mayMatch` true: a record holding one is parsed without asking it. */
  sufficient?: readonly string[];
  /** `mayMatch` for a text known to hold one of `needles` (the scan found one), which need not look for them again. */
  mayMatchMarked?(text: string): boolean;
  /**
   * Needles (of `needles`) of which a read-only record (its top-level `readOnly` the literal `true`) must hold one to
   * match: the cover of the patterns that do not ask for `readOnly: false`. Absent: every needle counts.
   */
  readOnlyNeedles?: readonly string[];
}

/** What `readInputs` needs from the process. */
export interface InputOptions {
  cwd: string;
  stdin: NodeJS.ReadableStream;
  /** Name stdin goes by in locations (default `-`). */
  stdinSource?: string;
  /** Called with the number of (compressed) bytes consumed, for a progress bar. */
  onBytes?: (bytes: number) => void;
  /** When given, JSON Lines records it rules out are yielded as `skipped`, without being parsed. */
  prefilter?: RawPrefilter;
}

/** Extensions picked up when walking a directory; a file named explicitly is read whatever its name. */
const INPUT_EXTENSIONS = ['.json', '.json.gz', '.jsonl', '.jsonl.gz'];

const isInputFile = (name: string): boolean => INPUT_EXTENSIONS.some((ext) => name.endsWith(ext));
const isJsonLines = (name: string): boolean => name.endsWith('.jsonl') || name.endsWith('.jsonl.gz');
const isJsonDocument = (name: string): boolean => name.endsWith('.json') || name.endsWith('.json.gz');
const isGzip = (buffer: Uint8Array): boolean => buffer[0] === 0x1f && buffer[1] === 0x8b;

/** The problem reported for a file that is neither text nor gzip. */
export const BINARY_INPUT = 'binary input: not JSON text or gzip';

/**
 * Whether the start of a (decompressed) input is binary rather than UTF-8 text: a NUL byte or an invalid UTF-8
 * sequence in its first 4 KB. A multi-byte character cut at the 4 KB boundary is not counted as invalid.
 */
const isBinary = (head: Uint8Array): boolean => {
  const sample = head.subarray(0, 4096);
  if (sample.includes(0)) return true;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(sample, { stream: true });
    return false;
  } catch {
    return true;
  }
};

/**
 * Describes a read failure. Duck-typed rather than `instanceof Error`: errors from node:fs and node:zlib
 * may come from another realm (jest's VM), where `instanceof` fails.
 */
const describeFailure = (error: unknown): string => {
  if (typeof error === 'object' && error !== null && typeof (error as Error).message === 'string') {
    const { code, message } = error as NodeJS.ErrnoException;
    if (code?.startsWith('Z_')) return `broken gzip: ${message}`;
    return code && !message.includes(code) ? `${code}: ${message}` : message;
  }
  return String(error);
};

/** A problem message for a failed read: a broken gzip says so, anything else is "cannot read". */
const readFailure = (error: unknown): string => {
  const text = describeFailure(error);
  return text.startsWith('broken gzip') ? text : `cannot read: ${text}`;
};

/** A file to read, with its size for progress. */
export interface InputFile {
  path: string;
  /** Shown in reports: the path as given (or under the directory given). */
  source: string;
  size: number;
}

/**
 * Expands the paths given on the command line: directories recursively (sorted, input extensions only),
 * `-` as stdin. Paths that cannot be read are returned as problems, not thrown.
 */
export const expandInputs = async (
  paths: string[],
  cwd: string,
): Promise<{ files: Array<InputFile | '-'>; problems: Array<{ source: string; message: string }> }> => {
  const files: Array<InputFile | '-'> = [];
  const problems: Array<{ source: string; message: string }> = [];
  const walk = async (path: string, source: string, explicit: boolean): Promise<void> => {
    try {
      const info = await stat(path);
      if (info.isDirectory()) {
        const entries = (await readdir(path)).sort();
        for (const entry of entries)
          await walk(resolve(path, entry), `${source.replace(/\/$/, '')}/${entry}`, false);
      } else if (explicit || isInputFile(path)) {
        files.push({ path, source, size: info.size });
      }
    } catch (error) {
      problems.push({ source, message: `cannot read: ${describeFailure(error)}` });
    }
  };
  for (const path of paths) {
    if (path === '-') files.push('-');
    else await walk(resolve(cwd, path), path, true);
  }
  return { files, problems };
};

/** The records in one parsed JSON value: a log file's `Records`, an array, or the value itself. */
const recordsOf = (value: unknown, location: InputLocation): InputItem => {
  if (isObject(value) && Array.isArray(value.Records))
    return { kind: 'records', values: value.Records, container: 'Records', ...location };
  if (Array.isArray(value)) return { kind: 'records', values: value, container: 'array', ...location };
  return { kind: 'record', value, ...location };
};

/** `"eventTime": "…"` in a record's text: the first occurrence, which CloudTrail writes before any nested one. */
const EVENT_TIME = /"eventTime"\s*:\s*"([^"\\]*)"/;

/**
 * Whether a JSON Lines line may be left unparsed: one flat-looking object that names eventSource and eventName,
 * holds no `\u` escape (which could spell a needle differently) and is not a whole log file, and that the
 * prefilter rules out. Anything else is parsed, so that bad lines are still found and reported.
 */
const canSkip = (line: string, prefilter: RawPrefilter): boolean =>
  line.charCodeAt(0) === 0x7b &&
  line.charCodeAt(line.length - 1) === 0x7d &&
  !prefilter.mayMatch(line) &&
  !line.includes('\\u') &&
  !line.includes('"Records"') &&
  (line.includes('"eventSource"') || line.includes('"eventsource"')) &&
  (line.includes('"eventName"') || line.includes('"eventname"'));

/** The compiled needles of each prefilter, so that every file of a run reuses them. */
const MATCHERS = new WeakMap<RawPrefilter, NeedleMatcher>();

const matcherOf = (prefilter: RawPrefilter): NeedleMatcher => {
  let matcher = MATCHERS.get(prefilter);
  if (!matcher) {
    matcher = createNeedleMatcher(prefilter.needles, prefilter.sufficient, prefilter.readOnlyNeedles);
    MATCHERS.set(prefilter, matcher);
  }
  return matcher;
};

/**
 * The text of a record's `eventTime` (no escape inside: the scan sends those to `JSON.parse`). CloudTrail's
 * `2024-05-01T12:34:56Z` is decoded in JavaScript, which costs less than a call into the buffer's decoder per record.
 */
const decodeTime = (bytes: Buffer, start: number, end: number): string => {
  if (end - start !== 20) return bytes.toString('utf8', start, end);
  let ascii = 0;
  for (let i = start; i < end; i++) ascii |= bytes[i] as number;
  if (ascii >= 0x80) return bytes.toString('utf8', start, end);
  const b = (i: number) => bytes[start + i] as number;
  return String.fromCharCode(
    b(0),
    b(1),
    b(2),
    b(3),
    b(4),
    b(5),
    b(6),
    b(7),
    b(8),
    b(9),
    b(10),
    b(11),
    b(12),
    b(13),
    b(14),
    b(15),
    b(16),
    b(17),
    b(18),
    b(19),
  );
};

const sameBytes = (
  bytes: Buffer,
  start: number,
  end: number,
  otherStart: number,
  otherEnd: number,
): boolean => {
  if (end - start !== otherEnd - otherStart) return false;
  for (let i = 0; i < end - start; i++) if (bytes[start + i] !== bytes[otherStart + i]) return false;
  return true;
};

/** An `UnparsedRecord` without a plain `eventTime`: one is enough. */
const NO_EVENT_TIME = new UnparsedRecord(undefined);

/**
 * The records of a log file's bytes with those the prefilter rules out left unparsed (only their `eventTime` is
 * decoded); `undefined` when the file is not a plain `{"Records":[…]}` document, a record breaks JSON's grammar
 * (checked by the scan on every record, parsed or not) or a record that may match does not parse (the caller then
 * parses the whole file and reports the fault as before). A record is left unparsed
 * only when the scan found it a plain CloudTrail record (see `scanLogFile`) holding no needle, or holding one but
 * refused by `mayMatch` on its text.
 */
const valuesOfLogFile = (bytes: Buffer, prefilter: RawPrefilter): unknown[] | undefined => {
  const scan = scanLogFile(bytes, matcherOf(prefilter));
  if (!scan) return undefined;
  const { records, count } = scan;
  const values: unknown[] = new Array(count);
  let previous: UnparsedRecord | undefined;
  let previousStart = 0;
  let previousEnd = 0;
  for (let i = 0; i < count; i++) {
    const base = i * RECORD_FIELDS;
    const start = records[base] as number;
    const end = records[base + 1] as number;
    const flags = records[base + 2] as number;
    let text: string | undefined;
    if ((flags & FLAG_PARSE) === 0) {
      // No needle; or a read-only record holding only needles of patterns that ask for `readOnly: false`.
      let ruledOut =
        (flags & FLAG_NEEDLE) === 0 || ((flags & FLAG_READ_ONLY) !== 0 && (flags & FLAG_READ_OK) === 0);
      if (!ruledOut && !prefilter.exact && (flags & FLAG_SURE) === 0) {
        text = bytes.toString('utf8', start, end);
        ruledOut = !(prefilter.mayMatchMarked ?? prefilter.mayMatch)(text);
      }
      if (ruledOut) {
        const timeStart = records[base + 3] as number;
        if (timeStart === -1) values[i] = NO_EVENT_TIME;
        else {
          const timeEnd = records[base + 4] as number;
          // Neighbouring records often share their second: the previous string is reused, not decoded again.
          if (previous === undefined || !sameBytes(bytes, timeStart, timeEnd, previousStart, previousEnd))
            previous = new UnparsedRecord(decodeTime(bytes, timeStart, timeEnd));
          previousStart = timeStart;
          previousEnd = timeEnd;
          values[i] = previous;
        }
        continue;
      }
    }
    try {
      values[i] = JSON.parse(text ?? bytes.toString('utf8', start, end));
    } catch {
      return undefined;
    }
  }
  return values;
};

/**
 * Gunzips a whole file in one output buffer when its trailer's size (ISIZE, the uncompressed length modulo 2^32)
 * is plausible: zlib's default 16 KB chunks would cost a `Buffer.concat` of hundreds of chunks. A wrong or
 * hostile ISIZE only changes the chunk size (capped), never the result.
 * @see https://www.rfc-editor.org/rfc/rfc1952#section-2.3.1
 */
const gunzipWhole = (raw: Buffer): Buffer => {
  const size = raw.length >= 18 ? raw.readUInt32LE(raw.length - 4) : 0;
  return size > 0 && size <= MAX_CHUNK
    ? gunzipSync(raw, { chunkSize: Math.max(size, 16 * 1024) })
    : gunzipSync(raw);
};

/**
 * The largest single output buffer `gunzipWhole` asks zlib for: a hostile trailer can make it reserve this much
 * (untouched pages stay virtual), a larger file is gunzipped in chunks as before.
 */
const MAX_CHUNK = 64 * 1024 * 1024;

/** A whole-document JSON file (plain or gzipped): CloudTrail log files are bounded, so one parse is fine. */
async function* readJsonFile(
  file: InputFile,
  options: InputOptions,
  read: Promise<Buffer> = readFile(file.path),
): AsyncGenerator<InputItem> {
  let plain: Buffer;
  try {
    const raw = await read;
    options.onBytes?.(raw.length);
    plain = isGzip(raw) ? gunzipWhole(raw) : raw;
    if (isBinary(plain)) {
      yield { kind: 'problem', source: file.source, message: BINARY_INPUT };
      return;
    }
  } catch (error) {
    yield { kind: 'problem', source: file.source, message: readFailure(error) };
    return;
  }
  if (options.prefilter) {
    const values = valuesOfLogFile(plain, options.prefilter);
    if (values) {
      yield { kind: 'records', values, container: 'Records', source: file.source };
      return;
    }
  }
  const text = plain.toString('utf8');
  try {
    yield recordsOf(JSON.parse(text), { source: file.source });
  } catch (error) {
    // A `.json` file that holds JSON Lines is read as such; anything else is one malformed document.
    const firstLine = text.trimStart().split('\n', 1)[0] ?? '';
    if (text.trim().includes('\n') && parses(firstLine)) {
      yield* readJsonLines(file.source, Readable.from([plain]), options, false);
      return;
    }
    yield { kind: 'problem', source: file.source, message: `malformed JSON: ${describeFailure(error)}` };
  }
}

const parses = (text: string): boolean => {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
};

/**
 * Re-emits a stream after peeking at its first chunk: gunzipped when it starts with the gzip magic, and
 * `binary: true` when what it holds is not text.
 */
const openText = async (
  stream: NodeJS.ReadableStream,
  onBytes: ((bytes: number) => void) | undefined,
): Promise<{ binary: boolean; text: NodeJS.ReadableStream }> => {
  const peek = async (input: AsyncIterable<Buffer | string>, count?: (bytes: number) => void) => {
    const iterator = input[Symbol.asyncIterator]();
    const first = await iterator.next();
    const head = first.done ? Buffer.alloc(0) : Buffer.from(first.value);
    async function* replay(): AsyncGenerator<Buffer> {
      count?.(head.length);
      yield head;
      for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
        const chunk = Buffer.from(next.value);
        count?.(chunk.length);
        yield chunk;
      }
    }
    return { head, stream: Readable.from(replay()) };
  };
  const raw = await peek(stream as AsyncIterable<Buffer | string>, onBytes);
  if (!isGzip(raw.head)) return { binary: isBinary(raw.head), text: raw.stream };
  const gunzip = createGunzip();
  raw.stream.on('error', (error) => gunzip.destroy(error));
  const plain = await peek(raw.stream.pipe(gunzip));
  return { binary: isBinary(plain.head), text: plain.stream };
};

/**
 * Whether a first line that does not parse opens a pretty-printed document (`{`, `[`, `{"Records": [`) rather
 * than being one bad JSON Lines line: only then is the rest buffered as one document.
 */
const opensDocument = (line: string): boolean => {
  const trimmed = line.trim();
  return /^[[{]/.test(trimmed) && /[[{]$/.test(trimmed);
};

/** The items of one JSON Lines line: a record, a log file's records, a skipped record, or a problem. */
function* itemsOfLine(
  line: string,
  at: number,
  source: string,
  prefilter: RawPrefilter | undefined,
): Generator<InputItem> {
  if (prefilter && canSkip(line, prefilter)) {
    const eventTime = EVENT_TIME.exec(line)?.[1];
    yield { kind: 'skipped', source, line: at, ...(eventTime !== undefined ? { eventTime } : {}) };
    return;
  }
  try {
    yield recordsOf(JSON.parse(line), { source, line: at });
  } catch (error) {
    yield { kind: 'problem', source, line: at, message: `malformed JSON: ${describeFailure(error)}` };
  }
}

/**
 * The items of a text already in memory, as `readInputs` reads a file of that name (`.json`: one document, or
 * JSON Lines when it holds several lines; anything else: JSON Lines), for callers that hold the text (tests'
 * fixture loading).
 */
export const readTextItems = (text: string, source: string): InputItem[] => {
  if (isJsonDocument(source)) {
    try {
      return [recordsOf(JSON.parse(text), { source })];
    } catch (error) {
      if (!text.trim().includes('\n'))
        return [{ kind: 'problem', source, message: `malformed JSON: ${describeFailure(error)}` }];
    }
  }
  const items: InputItem[] = [];
  for (const [index, line] of text.split('\n').entries()) {
    const trimmed = line.endsWith('\r') ? line.slice(0, -1) : line;
    if (trimmed.trim() !== '') items.push(...itemsOfLine(trimmed, index + 1, source, undefined));
  }
  return items;
};

/**
 * One JSON value per line, streamed (memory stays flat); a bad line is reported and skipped. With `sniff`, a
 * first line that opens a pretty-printed JSON document means the input is that one document instead (stdin,
 * unknown extensions); if the document then fails to parse, its lines are read as JSON Lines after all.
 */
async function* readJsonLines(
  source: string,
  stream: NodeJS.ReadableStream,
  options: InputOptions,
  sniff: boolean,
): AsyncGenerator<InputItem> {
  let lineNumber = 0;
  let document: string[] | undefined;
  const lineItems = (line: string, at: number) => itemsOfLine(line, at, source, options.prefilter);
  try {
    const { binary, text } = await openText(stream, options.onBytes);
    if (binary) {
      yield { kind: 'problem', source, message: BINARY_INPUT };
      return;
    }
    const lines = createInterface({ input: text, crlfDelay: Number.POSITIVE_INFINITY });
    for await (const line of lines) {
      lineNumber++;
      if (document) {
        document.push(line);
        continue;
      }
      if (line.trim() === '') continue;
      if (sniff) {
        sniff = false;
        if (!parses(line) && opensDocument(line)) {
          document = [line];
          continue;
        }
      }
      yield* lineItems(line, lineNumber);
    }
  } catch (error) {
    yield { kind: 'problem', source, line: lineNumber || undefined, message: readFailure(error) };
    return;
  }
  if (document) {
    let value: unknown;
    try {
      value = JSON.parse(document.join('\n'));
    } catch {
      for (const [offset, line] of document.entries())
        if (line.trim() !== '') yield* lineItems(line, offset + 1);
      return;
    }
    yield recordsOf(value, { source });
  }
}

/**
 * Reads every record of the given inputs, in order, as a stream: `.json` and `.json.gz` (a CloudTrail log
 * file with `Records`, one record, one EventBridge event or an array), `.jsonl` and `.jsonl.gz` (one per line,
 * a line may also hold a whole log file), `-` for stdin and other names (either form, gzipped or not).
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-examples.html
 */
export async function* readInputs(
  files: Array<InputFile | '-'>,
  options: InputOptions,
): AsyncGenerator<InputItem> {
  // The next log file is read from disk while this one is scanned and replayed (one file ahead, compressed bytes).
  let ahead: { file: InputFile; read: Promise<Buffer> } | undefined;
  for (const [index, file] of files.entries()) {
    if (file === '-') {
      const source = options.stdinSource ?? '-';
      yield { kind: 'file', source };
      yield* readJsonLines(source, options.stdin, options, true);
    } else {
      yield { kind: 'file', source: file.source };
      if (isJsonLines(file.path))
        yield* readJsonLines(file.source, createReadStream(file.path), options, false);
      else if (isJsonDocument(file.path)) {
        const read = ahead?.file === file ? ahead.read : readFile(file.path);
        const next = files[index + 1];
        ahead = undefined;
        if (next !== undefined && next !== '-' && isJsonDocument(next.path)) {
          ahead = { file: next, read: readFile(next.path) };
          // Awaited when its turn comes (and its failure reported then); a walk stopped early drops it quietly.
          ahead.read.catch(() => undefined);
        }
        yield* readJsonFile(file, options, read);
      } else yield* readJsonLines(file.source, createReadStream(file.path), options, true);
    }
  }
}
