// Reads `--config alerts.yml` for `replay` and `render`: every problem one line naming the line and field (exit 2),
// a file that is not YAML text one line in all; an expired rule a warning (mode `cli`). The YAML parser is loaded only when `--config` is given.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { CliIo } from './io.js';
import type { ReplayRules } from './replay/rules-config.js';

/** Today's date in UTC (`YYYY-MM-DD`), which rule expiry is read against. */
export const utcToday = (now: Date = new Date()): string => now.toISOString().slice(0, 10);

/**
 * Characters YAML 1.2 does not allow in a stream (C0 controls but tab, LF and CR; DEL; C1 controls but NEL; the
 * surrogates and U+FFFE/U+FFFF): a file holding one is binary, not a rules file.
 * @see https://yaml.org/spec/1.2.2/#51-character-set
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: the control characters are what it finds.
const NOT_YAML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u0084\u0086-\u009F\uFFFE\uFFFF]/;

/**
 * The text of a rules file: UTF-8 (a BOM dropped) with only characters YAML allows; undefined for anything else (an
 * executable, an image, a UTF-16 file), which the parser would answer with one error per line of noise.
 */
export const yamlText = (bytes: Uint8Array): string | undefined => {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    return undefined;
  }
  return NOT_YAML.test(text) ? undefined : text;
};

/**
 * Reads and validates the rules file at `path` (relative to `io.cwd`, named in messages as given). Errors go to
 * stderr, one per line (`iam-alerts replay: alerts.yml:7: suppress[0].expires: …`; a binary file or one that is not
 * UTF-8 `iam-alerts replay: --config FILE: not a YAML text file`), and give `undefined`: the
 * caller exits 2. Warnings (an expired rule, a caller-chosen principal glob) go to stderr and the rules are used.
 */
export const readRulesFile = async (
  path: string,
  io: CliIo,
  command: string,
  today: string = utcToday(),
): Promise<ReplayRules | undefined> => {
  let bytes: Buffer;
  try {
    bytes = await readFile(resolve(io.cwd, path));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : String(code ?? error);
    io.stderr.write(`iam-alerts ${command}: --config ${path}: ${why}\n`);
    return undefined;
  }
  const text = yamlText(bytes);
  if (text === undefined) {
    io.stderr.write(`iam-alerts ${command}: --config ${path}: not a YAML text file\n`);
    return undefined;
  }
  const { loadRulesYaml } = await import('../shared/domain/rules/load-yaml.js');
  const loaded = loadRulesYaml(text, { fileName: path, mode: 'cli', today });
  for (const warning of loaded.warnings) io.stderr.write(`iam-alerts ${command}: warning: ${warning}\n`);
  if (!loaded.config || loaded.errors.length > 0) {
    for (const error of loaded.errors) io.stderr.write(`iam-alerts ${command}: ${error}\n`);
    return undefined;
  }
  return { config: loaded.config, today };
};
