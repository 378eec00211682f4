// Reads the inputs `iam-alerts render` accepts: a CloudTrail record, an EventBridge event, a CloudTrail
// log file ({"Records": [...]}), a JSON array of these, or JSON Lines of any of them.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { CliIo } from './io.js';

/** One input document and where it came from, for error messages (`file:line` or `file#record`). */
export interface InputItem {
  where: string;
  value?: unknown;
  /** Set when the item could not be read or parsed. */
  error?: string;
}

const readAll = async (stream: NodeJS.ReadableStream): Promise<string> => {
  const chunks: Buffer[] = [];
  for await (const chunk of stream)
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
};

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Splits one parsed JSON document into the records or events it holds. */
const unwrap = (value: unknown, name: string): InputItem[] => {
  if (isObject(value) && Array.isArray(value.Records)) {
    return value.Records.map((record, index) => ({ where: `${name}#Records[${index}]`, value: record }));
  }
  if (Array.isArray(value)) return value.map((item, index) => ({ where: `${name}#[${index}]`, value: item }));
  return [{ where: name, value }];
};

/** Parses a text as one JSON document or, failing that, as JSON Lines. */
export const parseInputText = (text: string, name: string): InputItem[] => {
  const trimmed = text.trim();
  if (trimmed === '') return [{ where: name, error: 'empty input' }];
  try {
    return unwrap(JSON.parse(trimmed), name);
  } catch {
    // Not one document: JSON Lines.
  }
  const items: InputItem[] = [];
  text.split('\n').forEach((line, index) => {
    if (line.trim() === '') return;
    const where = `${name}:${index + 1}`;
    try {
      items.push(...unwrap(JSON.parse(line), where));
    } catch (error) {
      items.push({ where, error: `not JSON: ${(error as Error).message}` });
    }
  });
  return items;
};

/** Reads each path (or stdin for `-` or no path) and returns its items in order. */
export const readInputs = async (paths: string[], io: CliIo): Promise<InputItem[]> => {
  const items: InputItem[] = [];
  for (const path of paths.length > 0 ? paths : ['-']) {
    if (path === '-') {
      items.push(...parseInputText(await readAll(io.stdin), '<stdin>'));
      continue;
    }
    try {
      items.push(...parseInputText(await readFile(resolve(io.cwd, path), 'utf8'), path));
    } catch (error) {
      items.push({
        where: path,
        error: `cannot read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      });
    }
  }
  return items;
};
