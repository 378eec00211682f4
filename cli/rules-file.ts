// Reads `--config alerts.yml` for `replay` and `render`: every problem one line naming the line and field (exit 2);
// an expired rule a warning (mode `cli`). The YAML parser is loaded only when `--config` is given.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { CliIo } from './io.js';
import type { ReplayRules } from './replay/rules-config.js';

/** Today's date in UTC (`YYYY-MM-DD`), which rule expiry is read against. */
export const utcToday = (now: Date = new Date()): string => now.toISOString().slice(0, 10);

/**
 * Reads and validates the rules file at `path` (relative to `io.cwd`, named in messages as given). Errors go to
 * stderr, one per line (`iam-alerts replay: alerts.yml:7: suppress[0].expires: …`), and give `undefined`: the
 * caller exits 2. Warnings (an expired rule, a caller-chosen principal glob) go to stderr and the rules are used.
 */
export const readRulesFile = async (
  path: string,
  io: CliIo,
  command: string,
  today: string = utcToday(),
): Promise<ReplayRules | undefined> => {
  let text: string;
  try {
    text = await readFile(resolve(io.cwd, path), 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : String(code ?? error);
    io.stderr.write(`iam-alerts ${command}: --config ${path}: ${why}\n`);
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
