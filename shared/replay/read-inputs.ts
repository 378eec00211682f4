// Streams CloudTrail records out of files, directories and stdin, one record at a time.
// Bad input never throws: it becomes a `problem` item naming the file and line, and the walk goes on.
import { createReadStream } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { createGunzip, gunzipSync } from 'node:zlib';

/** Where a record came from: a file (or `-` for stdin) and a 1-based line (JSONL) or record index (JSON). */
export interface InputLocation {
  source: string;
  line?: number;
  /** Index in a log file's `Records` array (0-based), for `.json` inputs. */
  index?: number;
}

/** One item of the input stream. */
export type InputItem =
  | { kind: 'file'; source: string }
  | ({ kind: 'record'; value: unknown } & InputLocation)
  /** A log file's `Records` in one item (one async step per file, not per record); `values[i]` is at `index` i. */
  | ({ kind: 'records'; values: unknown[] } & InputLocation)
  | ({ kind: 'problem'; message: string } & InputLocation);

/** What `readInputs` needs from the process. */
export interface InputOptions {
  cwd: string;
  stdin: NodeJS.ReadableStream;
  /** Called with the number of (compressed) bytes consumed, for a progress bar. */
  onBytes?: (bytes: number) => void;
}

/** Extensions picked up when walking a directory; a file named explicitly is read whatever its name. */
const INPUT_EXTENSIONS = ['.json', '.json.gz', '.jsonl', '.jsonl.gz'];

const isInputFile = (name: string): boolean => INPUT_EXTENSIONS.some((ext) => name.endsWith(ext));
const isJsonLines = (name: string): boolean => name.endsWith('.jsonl') || name.endsWith('.jsonl.gz');
const isGzip = (buffer: Uint8Array): boolean => buffer[0] === 0x1f && buffer[1] === 0x8b;

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

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The records in one parsed JSON value: a log file's `Records`, an array, or the value itself. */
function* recordsOf(value: unknown, location: InputLocation): Generator<InputItem> {
  const records =
    isObject(value) && Array.isArray(value.Records)
      ? value.Records
      : Array.isArray(value)
        ? value
        : undefined;
  if (records) {
    yield { kind: 'records', values: records, ...location };
  } else {
    yield { kind: 'record', value, ...location };
  }
}

/** A whole-document JSON file (plain or gzipped): CloudTrail log files are bounded, so one parse is fine. */
async function* readJsonFile(file: InputFile, options: InputOptions): AsyncGenerator<InputItem> {
  let text: string;
  try {
    const raw = await readFile(file.path);
    options.onBytes?.(raw.length);
    text = (isGzip(raw) ? gunzipSync(raw) : raw).toString('utf8');
  } catch (error) {
    yield { kind: 'problem', source: file.source, message: readFailure(error) };
    return;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    yield { kind: 'problem', source: file.source, message: `malformed JSON: ${describeFailure(error)}` };
    return;
  }
  yield* recordsOf(value, { source: file.source });
}

/** Re-emits a stream after peeking at its first chunk, gunzipping it when it starts with the gzip magic. */
const maybeGunzip = async (
  stream: NodeJS.ReadableStream,
  onBytes: ((bytes: number) => void) | undefined,
): Promise<NodeJS.ReadableStream> => {
  const iterator = (stream as AsyncIterable<Buffer | string>)[Symbol.asyncIterator]();
  const first = await iterator.next();
  const head = first.done ? Buffer.alloc(0) : Buffer.from(first.value);
  async function* replay(): AsyncGenerator<Buffer> {
    onBytes?.(head.length);
    yield head;
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
      const chunk = Buffer.from(next.value);
      onBytes?.(chunk.length);
      yield chunk;
    }
  }
  const plain = Readable.from(replay());
  if (!isGzip(head)) return plain;
  const gunzip = createGunzip();
  plain.on('error', (error) => gunzip.destroy(error));
  return plain.pipe(gunzip);
};

/**
 * One JSON value per line, streamed (memory stays flat). With `sniff`, a first line that is not JSON on
 * its own means the input is one pretty-printed JSON document instead (stdin, unknown extensions).
 */
async function* readJsonLines(
  source: string,
  stream: NodeJS.ReadableStream,
  options: InputOptions,
  sniff: boolean,
): AsyncGenerator<InputItem> {
  let lineNumber = 0;
  let document: string[] | undefined;
  try {
    const lines = createInterface({
      input: await maybeGunzip(stream, options.onBytes),
      crlfDelay: Number.POSITIVE_INFINITY,
    });
    for await (const line of lines) {
      lineNumber++;
      if (document) {
        document.push(line);
        continue;
      }
      if (line.trim() === '') continue;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch (error) {
        if (sniff) {
          document = [line];
          continue;
        }
        yield {
          kind: 'problem',
          source,
          line: lineNumber,
          message: `malformed JSON: ${describeFailure(error)}`,
        };
        continue;
      }
      sniff = false;
      yield* recordsOf(value, { source, line: lineNumber });
    }
  } catch (error) {
    yield {
      kind: 'problem',
      source,
      line: lineNumber || undefined,
      message: readFailure(error),
    };
    return;
  }
  if (document) {
    try {
      yield* recordsOf(JSON.parse(document.join('\n')), { source });
    } catch (error) {
      yield { kind: 'problem', source, message: `malformed JSON: ${describeFailure(error)}` };
    }
  }
}

/**
 * Reads every record of the given inputs, in order, as a stream: `.json` and `.json.gz` (a CloudTrail log
 * file with `Records`, one record, or one EventBridge event), `.jsonl` and `.jsonl.gz` (one per line, a
 * line may also hold a whole log file), `-` for stdin (either form, gzipped or not).
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-examples.html
 */
export async function* readInputs(
  files: Array<InputFile | '-'>,
  options: InputOptions,
): AsyncGenerator<InputItem> {
  for (const file of files) {
    if (file === '-') {
      yield { kind: 'file', source: '-' };
      yield* readJsonLines('-', options.stdin, options, true);
    } else if (isJsonLines(file.path)) {
      yield { kind: 'file', source: file.source };
      yield* readJsonLines(file.source, createReadStream(file.path), options, false);
    } else if (file.path.endsWith('.json') || file.path.endsWith('.json.gz')) {
      yield { kind: 'file', source: file.source };
      yield* readJsonFile(file, options);
    } else {
      yield { kind: 'file', source: file.source };
      yield* readJsonLines(file.source, createReadStream(file.path), options, true);
    }
  }
}
