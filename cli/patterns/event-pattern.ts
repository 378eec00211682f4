// A local EventBridge event-pattern matcher: the deployed filter, applied offline (replay, tests).
// Pure: values in, booleans out. Patterns are compiled once into closures so matching a record
// costs a few property reads and set lookups, not a walk over the pattern JSON.
import { AppError } from '../../shared/errors.js';

/**
 * A pattern EventBridge would reject (`InvalidEventPatternException`). `path` is the JSON path at fault,
 * e.g. `detail.eventName[2].wildcard`.
 */
export class InvalidPatternError extends AppError {
  constructor(
    readonly path: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(`invalid event pattern at ${path || '(root)'}: ${message}`, options);
    this.name = 'InvalidPatternError';
  }
}

/** A compiled event pattern. */
export interface EventMatcher {
  /** Whether the event (a parsed JSON value) matches the pattern. Never throws. */
  matches(event: unknown): boolean;
}

type Leaf = string | number | boolean | null;
type LeafTest = (leaf: Leaf) => boolean;
type NodeMatcher = (node: unknown) => boolean;

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const describe = (value: unknown): string =>
  value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value;

const fail = (path: string, message: string): never => {
  throw new InvalidPatternError(path, message);
};

// ---------------------------------------------------------------- wildcard

/**
 * Compiles an EventBridge wildcard: `*` matches any run of characters (including none), `\*` a literal
 * asterisk, `\\` a literal backslash; any other escape and two consecutive `*` are rejected, as
 * EventBridge (Event Ruler) rejects them.
 */
const compileWildcard = (text: string, path: string): RegExp => {
  let source = '';
  for (let i = 0; i < text.length; i++) {
    const char = text[i] as string;
    if (char === '\\') {
      const next = text[i + 1];
      if (next !== '*' && next !== '\\') {
        fail(path, `backslash may escape only '*' or '\\' in a wildcard: ${JSON.stringify(text)}`);
      }
      source += `\\${next}`;
      i++;
    } else if (char === '*') {
      if (text[i + 1] === '*')
        fail(path, `consecutive wildcard characters are not allowed: ${JSON.stringify(text)}`);
      source += '[\\s\\S]*';
    } else {
      source += char.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    }
  }
  return new RegExp(`^${source}$`, 'u');
};

// ---------------------------------------------------------------- cidr

interface ParsedIp {
  version: 4 | 6;
  value: bigint;
}

const parseIpv4 = (text: string): bigint | undefined => {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0n;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part)) return undefined;
    const octet = Number(part);
    if (octet > 255) return undefined;
    value = (value << 8n) | BigInt(octet);
  }
  return value;
};

const parseIpv6 = (text: string): bigint | undefined => {
  let groups: string[];
  let tail = 0n;
  let tailGroups = 0;
  let body = text;
  // An embedded IPv4 tail (`::ffff:10.0.0.1`) stands for the last two groups.
  if (body.includes('.')) {
    const lastColon = body.lastIndexOf(':');
    const v4 = parseIpv4(body.slice(lastColon + 1));
    if (v4 === undefined) return undefined;
    tail = v4;
    tailGroups = 2;
    body = body.slice(0, lastColon + 1);
    if (!body.endsWith('::')) body = body.slice(0, -1);
  }
  const halves = body.split('::');
  if (halves.length > 2) return undefined;
  const head = halves[0] ? halves[0].split(':') : [];
  const rest = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  const explicit = head.length + rest.length + tailGroups;
  if (halves.length === 2) {
    if (explicit > 7) return undefined;
    groups = [...head, ...Array<string>(8 - explicit).fill('0'), ...rest];
  } else {
    if (explicit !== 8) return undefined;
    groups = head;
  }
  let value = 0n;
  for (const group of groups) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(group)) return undefined;
    value = (value << 16n) | BigInt(Number.parseInt(group, 16));
  }
  return tailGroups ? (value << 32n) | tail : value;
};

/** Parses an IPv4 or IPv6 address; `undefined` when it is neither. */
const parseIp = (text: string): ParsedIp | undefined => {
  if (text.includes(':')) {
    const value = parseIpv6(text);
    return value === undefined ? undefined : { version: 6, value };
  }
  const value = parseIpv4(text);
  return value === undefined ? undefined : { version: 4, value };
};

const compileCidr = (spec: unknown, path: string): LeafTest => {
  if (typeof spec !== 'string') return fail(path, `cidr must be a string, got ${describe(spec)}`);
  const slash = spec.indexOf('/');
  const ip = parseIp(slash === -1 ? spec : spec.slice(0, slash));
  if (!ip) return fail(path, `not an IP address: ${JSON.stringify(spec)}`);
  const bits = ip.version === 4 ? 32 : 128;
  const lengthText = slash === -1 ? String(bits) : spec.slice(slash + 1);
  if (!/^\d{1,3}$/.test(lengthText) || Number(lengthText) > bits) {
    fail(path, `invalid prefix length in ${JSON.stringify(spec)}`);
  }
  const shift = BigInt(bits - Number(lengthText));
  const network = ip.value >> shift;
  return (leaf) => {
    if (typeof leaf !== 'string') return false;
    const candidate = parseIp(leaf);
    return candidate?.version === ip.version && candidate.value >> shift === network;
  };
};

// ---------------------------------------------------------------- numeric

const LOWER = new Set(['>', '>=']);
const UPPER = new Set(['<', '<=']);

const compileNumeric = (spec: unknown, path: string): LeafTest => {
  if (!Array.isArray(spec) || spec.length === 0 || spec.length % 2 !== 0 || spec.length > 4) {
    return fail(path, 'numeric takes one or two [operator, number] pairs, e.g. [">", 0, "<=", 5]');
  }
  const checks: Array<(n: number) => boolean> = [];
  let lower: number | undefined;
  let upper: number | undefined;
  for (let i = 0; i < spec.length; i += 2) {
    const op = spec[i];
    const bound = spec[i + 1];
    if (typeof op !== 'string' || !['=', '<', '<=', '>', '>='].includes(op)) {
      return fail(`${path}[${i}]`, `unknown numeric operator ${JSON.stringify(op)}`);
    }
    if (typeof bound !== 'number' || !Number.isFinite(bound)) {
      return fail(`${path}[${i + 1}]`, `numeric bound must be a number, got ${describe(bound)}`);
    }
    if (op === '=') {
      if (spec.length !== 2) return fail(path, "'=' cannot be combined with another operator");
      checks.push((n) => n === bound);
    } else if (LOWER.has(op)) {
      if (lower !== undefined) return fail(path, 'two lower bounds');
      lower = bound;
      checks.push(op === '>' ? (n) => n > bound : (n) => n >= bound);
    } else if (UPPER.has(op)) {
      if (upper !== undefined) return fail(path, 'two upper bounds');
      upper = bound;
      checks.push(op === '<' ? (n) => n < bound : (n) => n <= bound);
    }
  }
  if (lower !== undefined && upper !== undefined && lower >= upper) {
    fail(path, `empty range: lower bound ${lower} is not below upper bound ${upper}`);
  }
  // Numeric matching only applies to JSON numbers: the string "5" is not 5.
  return (leaf) => typeof leaf === 'number' && checks.every((check) => check(leaf));
};

// ---------------------------------------------------------------- string operators

const sameIgnoringCase = (a: string, b: string): boolean =>
  a.toLowerCase() === b.toLowerCase() || a.toUpperCase() === b.toUpperCase();

/** `prefix`/`suffix` take a string or `{ "equals-ignore-case": string }`. */
const compileAffix = (kind: 'prefix' | 'suffix', spec: unknown, path: string): LeafTest => {
  if (typeof spec === 'string') {
    return kind === 'prefix'
      ? (leaf) => typeof leaf === 'string' && leaf.startsWith(spec)
      : (leaf) => typeof leaf === 'string' && leaf.endsWith(spec);
  }
  if (isObject(spec) && Object.keys(spec).length === 1 && typeof spec['equals-ignore-case'] === 'string') {
    const affix = spec['equals-ignore-case'].toLowerCase();
    return kind === 'prefix'
      ? (leaf) => typeof leaf === 'string' && leaf.toLowerCase().startsWith(affix)
      : (leaf) => typeof leaf === 'string' && leaf.toLowerCase().endsWith(affix);
  }
  return fail(path, `${kind} takes a string or {"equals-ignore-case": string}, got ${describe(spec)}`);
};

const stringList = (spec: unknown, path: string, operator: string): string[] => {
  const list = Array.isArray(spec) ? spec : [spec];
  if (list.length === 0) fail(path, `${operator} list must not be empty`);
  list.forEach((item, i) => {
    if (typeof item !== 'string') fail(`${path}[${i}]`, `${operator} takes strings, got ${describe(item)}`);
  });
  return list as string[];
};

/** The value of `anything-but`: a value, a list of values, or one nested string operator. */
const compileAnythingBut = (spec: unknown, path: string): LeafTest => {
  let excluded: LeafTest;
  if (isObject(spec)) {
    const keys = Object.keys(spec);
    if (keys.length !== 1) return fail(path, 'anything-but takes exactly one nested operator');
    const key = keys[0] as string;
    const inner = spec[key];
    const innerPath = `${path}.${key}`;
    switch (key) {
      case 'prefix':
      case 'suffix':
        if (typeof inner !== 'string')
          return fail(innerPath, `${key} takes a string, got ${describe(inner)}`);
        excluded = compileAffix(key, inner, innerPath);
        break;
      case 'equals-ignore-case': {
        const values = stringList(inner, innerPath, key);
        excluded = (leaf) => typeof leaf === 'string' && values.some((v) => sameIgnoringCase(leaf, v));
        break;
      }
      case 'wildcard': {
        const regexes = stringList(inner, innerPath, key).map((w, i) =>
          compileWildcard(w, Array.isArray(inner) ? `${innerPath}[${i}]` : innerPath),
        );
        excluded = (leaf) => typeof leaf === 'string' && regexes.some((r) => r.test(leaf));
        break;
      }
      default:
        return fail(innerPath, `anything-but does not support ${JSON.stringify(key)}`);
    }
  } else {
    const list = Array.isArray(spec) ? spec : [spec];
    if (list.length === 0) return fail(path, 'anything-but list must not be empty');
    const allStrings = list.every((v) => typeof v === 'string');
    const allNumbers = list.every((v) => typeof v === 'number' && Number.isFinite(v));
    if (!allStrings && !allNumbers) {
      return fail(path, 'anything-but takes a string, a number, or a list of only strings or only numbers');
    }
    const set = new Set<Leaf>(list as Leaf[]);
    excluded = (leaf) => set.has(leaf);
  }
  // Any present leaf that is not excluded matches: numbers, booleans and null too.
  return (leaf) => !excluded(leaf);
};

// ---------------------------------------------------------------- leaf fields

interface LeafField {
  tests: LeafTest[];
  exact: Set<Leaf>;
  existsTrue: boolean;
  existsFalse: boolean;
}

const compileMatcherObject = (spec: Record<string, unknown>, path: string, field: LeafField): void => {
  const keys = Object.keys(spec);
  if (keys.length !== 1) {
    fail(path, `a matcher object holds exactly one operator, got ${keys.length ? keys.join(', ') : 'none'}`);
  }
  const key = keys[0] as string;
  const value = spec[key];
  const at = `${path}.${key}`;
  switch (key) {
    case 'prefix':
    case 'suffix':
      field.tests.push(compileAffix(key, value, at));
      return;
    case 'equals-ignore-case': {
      if (typeof value !== 'string') fail(at, `equals-ignore-case takes a string, got ${describe(value)}`);
      const expected = value as string;
      field.tests.push((leaf) => typeof leaf === 'string' && sameIgnoringCase(leaf, expected));
      return;
    }
    case 'wildcard': {
      if (typeof value !== 'string') fail(at, `wildcard takes a string, got ${describe(value)}`);
      const regex = compileWildcard(value as string, at);
      field.tests.push((leaf) => typeof leaf === 'string' && regex.test(leaf));
      return;
    }
    case 'anything-but':
      field.tests.push(compileAnythingBut(value, at));
      return;
    case 'numeric':
      field.tests.push(compileNumeric(value, at));
      return;
    case 'cidr':
      field.tests.push(compileCidr(value, at));
      return;
    case 'exists':
      if (typeof value !== 'boolean') fail(at, `exists takes true or false, got ${describe(value)}`);
      if (value) field.existsTrue = true;
      else field.existsFalse = true;
      return;
    default:
      fail(at, `unknown operator ${JSON.stringify(key)}`);
  }
};

/** Pushes the leaf values of an event value: arrays (nested too) are flattened, objects are not leaves. */
const collectLeaves = (value: unknown, into: Leaf[]): void => {
  if (Array.isArray(value)) {
    for (const item of value) collectLeaves(item, into);
  } else if (value === null || typeof value !== 'object') {
    if (value !== undefined) into.push(value as Leaf);
  }
};

const compileLeafField = (values: unknown[], path: string): NodeMatcher => {
  if (values.length === 0) fail(path, 'a value list must not be empty');
  const field: LeafField = { tests: [], exact: new Set(), existsTrue: false, existsFalse: false };
  values.forEach((value, i) => {
    const at = `${path}[${i}]`;
    if (value === null || typeof value === 'string' || typeof value === 'boolean') field.exact.add(value);
    else if (typeof value === 'number') {
      if (!Number.isFinite(value)) fail(at, 'numbers must be finite');
      // Set lookup is by value: 3.018e2 and 301.8 are the same JS number, as EventBridge compares them.
      field.exact.add(value);
    } else if (isObject(value)) compileMatcherObject(value, at, field);
    else fail(at, `expected a value or a matcher object, got ${describe(value)}`);
  });
  const { tests, exact, existsTrue, existsFalse } = field;
  const hasExact = exact.size > 0;
  const testLeaf = (leaf: Leaf): boolean => (hasExact && exact.has(leaf)) || tests.some((test) => test(leaf));
  return (value) => {
    // Fast path: the common case is one scalar value compared with exact values.
    if (value === undefined) return existsFalse;
    if (value === null || typeof value !== 'object') {
      return existsTrue || testLeaf(value as Leaf);
    }
    const leaves: Leaf[] = [];
    collectLeaves(value, leaves);
    if (leaves.length === 0) return existsFalse;
    return existsTrue || leaves.some(testLeaf);
  };
};

// ---------------------------------------------------------------- objects

/** Collects the objects of an event value, flattening arrays: each is matched on its own (array consistency). */
const collectObjects = (value: unknown, into: Record<string, unknown>[]): void => {
  if (Array.isArray(value)) {
    for (const item of value) collectObjects(item, into);
  } else if (isObject(value)) into.push(value);
};

const compileObject = (pattern: Record<string, unknown>, path: string): NodeMatcher => {
  const keys = Object.keys(pattern);
  if (keys.length === 0) fail(path, 'an object in a pattern must not be empty');
  const fields: Array<{ key: string; match: NodeMatcher }> = [];
  const ors: NodeMatcher[][] = [];
  for (const key of keys) {
    const value = pattern[key];
    const at = path ? `${path}.${key}` : key;
    if (key === '$or' && Array.isArray(value)) {
      if (value.length < 2) fail(at, '$or takes at least two patterns');
      ors.push(
        value.map((branch, i) =>
          isObject(branch)
            ? compileObject(branch, `${at}[${i}]`)
            : fail(`${at}[${i}]`, `$or takes objects, got ${describe(branch)}`),
        ),
      );
    } else if (Array.isArray(value)) {
      fields.push({ key, match: compileLeafField(value, at) });
    } else if (isObject(value)) {
      fields.push({ key, match: compileObject(value, at) });
    } else {
      fail(at, `expected an array of values or a nested object, got ${describe(value)}`);
    }
  }
  const matchOne = (object: Record<string, unknown> | undefined): boolean => {
    for (const { key, match } of fields) {
      if (!match(object?.[key])) return false;
    }
    for (const branches of ors) {
      if (!branches.some((branch) => branch(object))) return false;
    }
    return true;
  };
  return (node) => {
    if (isObject(node)) return matchOne(node);
    if (Array.isArray(node)) {
      const objects: Record<string, unknown>[] = [];
      collectObjects(node, objects);
      // An array with no objects has no fields below it: match as if absent (exists:false holds).
      return objects.length === 0 ? matchOne(undefined) : objects.some(matchOne);
    }
    return matchOne(undefined);
  };
};

/**
 * Compiles an EventBridge event pattern into a matcher, validating it as EventBridge does: a malformed
 * pattern throws instead of silently matching nothing.
 *
 * Semantics (EventBridge / Event Ruler): fields AND, values in a list OR; exact strings, numbers (by value),
 * booleans, null; `prefix`, `suffix` (optionally `equals-ignore-case`), `equals-ignore-case`, `wildcard`,
 * `anything-but` (value, list, `prefix`, `suffix`, `equals-ignore-case`, `wildcard`), `numeric`, `cidr`
 * (IPv4, IPv6), `exists` (leaf nodes only), `$or`. An array in the event matches if any element does, and
 * fields under an array of objects must match within one element (Event Ruler's array consistency).
 * @throws InvalidPatternError naming the path at fault.
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html
 * @see https://github.com/aws/event-ruler#readme
 */
export const compileEventPattern = (pattern: unknown): EventMatcher => {
  if (!isObject(pattern)) return fail('', `a pattern is a JSON object, got ${describe(pattern)}`);
  const match = compileObject(pattern, '');
  return { matches: (event) => isObject(event) && match(event) };
};

/** Throws `InvalidPatternError` if EventBridge would reject the pattern. */
export const validateEventPattern = (pattern: unknown): void => {
  compileEventPattern(pattern);
};

/** One-off match; compile once with `compileEventPattern` when matching many events. */
export const matchesEventPattern = (pattern: unknown, event: unknown): boolean =>
  compileEventPattern(pattern).matches(event);
