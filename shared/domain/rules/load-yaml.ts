// alerts.yml text → validated rules, with every problem named by line and field. Used at package time and by the
// CLI only: the notifier reads the compiled JSON (`compileRules`) and never loads this module or the YAML parser.
import { isAlias, isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from 'yaml';
import {
  formatRulesPath,
  type RulesConfig,
  type RulesPath,
  type RulesProblem,
  type ValidateOptions,
} from './model.js';
import { validateRules } from './schema.js';

/** Options of {@link loadRulesYaml}: the name printed in messages, and the validation mode and date. */
export interface LoadOptions extends ValidateOptions {
  /** As the user knows the file, e.g. `alerts.yml`. */
  fileName: string;
}

/** The rules read from YAML: the config when there is no error, and each problem as one printable line. */
export interface LoadedRules {
  config: RulesConfig | undefined;
  /** `alerts.yml:7: suppress[0].expires: '2027-13-01' is not a date (YYYY-MM-DD)`, in line order. */
  errors: string[];
  warnings: string[];
}

/** Where each path of the document starts: the key's line for mapping entries, the item's line for list items. */
type LineIndex = Map<string, number>;

const pathKey = (path: RulesPath): string => JSON.stringify(path);

/**
 * The document as plain values, recording lines as it goes. An unquoted account id is a YAML number (and loses a
 * leading zero): under an `account` key the scalar's source text is kept instead.
 */
const toPlain = (
  node: Node | null | undefined,
  path: RulesPath,
  lines: LineIndex,
  lineOf: (offset: number) => number,
  resolve: (node: Node) => Node | undefined,
): unknown => {
  if (!node) return null;
  if (!lines.has(pathKey(path)) && node.range) lines.set(pathKey(path), lineOf(node.range[0]));
  if (isAlias(node)) return toPlain(resolve(node), path, lines, lineOf, resolve);
  if (isMap(node)) {
    const result: Record<string, unknown> = Object.create(null);
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
      const keyNode = pair.key as Node | null;
      if (keyNode?.range) lines.set(pathKey([...path, key]), lineOf(keyNode.range[0]));
      result[key] = toPlain(pair.value as Node | null, [...path, key], lines, lineOf, resolve);
    }
    // A null-prototype object keeps keys like `__proto__` as data; the schema sees a plain object.
    return { ...result };
  }
  if (isSeq(node)) {
    return node.items.map((item, index) => toPlain(item as Node, [...path, index], lines, lineOf, resolve));
  }
  if (isScalar(node)) {
    const inAccountList = path.at(-2) === 'account' || path.at(-1) === 'account';
    if (inAccountList && typeof node.value === 'number' && typeof node.source === 'string')
      return node.source;
    return node.value;
  }
  return null;
};

/** The line of a path, else of its nearest ancestor (a missing key is reported where its mapping starts). */
const lineFor = (path: RulesPath, lines: LineIndex): number => {
  for (let end = path.length; end >= 0; end -= 1) {
    const line = lines.get(pathKey(path.slice(0, end)));
    if (line !== undefined) return line;
  }
  return 1;
};

/**
 * Reads `alerts.yml` text: YAML syntax (duplicate keys included), then the schema and the cross-field checks of
 * `validateRules`. Every problem becomes `file:line: path: message`; nothing is ignored. YAML 1.2 core schema:
 * `2027-06-30` stays text, `no` is not false.
 */
export const loadRulesYaml = (text: string, options: LoadOptions): LoadedRules => {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const lineOf = (offset: number): number => lineCounter.linePos(offset).line;
  const syntax = (problems: readonly { message: string; pos: [number, number] }[]) =>
    problems.map(
      (problem) => `${options.fileName}:${lineOf(problem.pos[0])}: ${problem.message.split('\n')[0]?.trim()}`,
    );
  if (doc.errors.length > 0) return { config: undefined, errors: syntax(doc.errors), warnings: [] };
  const lines: LineIndex = new Map();
  const value = toPlain(doc.contents as Node | null, [], lines, lineOf, (alias) =>
    isAlias(alias) ? (alias.resolve(doc) as Node | undefined) : undefined,
  );
  const { config, problems } = validateRules(value, options);
  const ordered = problems
    .map((problem) => ({ problem, line: lineFor(problem.path, lines) }))
    .sort((a, b) => a.line - b.line);
  const format = ({ problem, line }: { problem: RulesProblem; line: number }) =>
    `${options.fileName}:${line}: ${formatRulesPath(problem.path)}: ${problem.message}`;
  return {
    config,
    errors: ordered.filter(({ problem }) => problem.level === 'error').map(format),
    warnings: [
      ...syntax(doc.warnings),
      ...ordered.filter(({ problem }) => problem.level === 'warning').map(format),
    ],
  };
};
