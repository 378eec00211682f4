// Small pure helpers for values of unknown shape and for cutting text; every module uses these, none writes its own.

/** True for a plain JSON object: not null, not an array. */
export const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The value when it is a string, else `undefined`. */
export const asString = (value: unknown): string | undefined =>
  typeof value === 'string' ? value : undefined;

/**
 * Cuts `text` to at most `max` UTF-16 code units, marking a cut with `…`; text that fits is returned unchanged.
 * Never leaves half of a surrogate pair at the cut.
 */
export const shorten = (text: string, max: number): string => {
  if (text.length <= max) return text;
  let end = Math.max(0, max - 1);
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return `${text.slice(0, end)}…`;
};

/** `String.prototype.toWellFormed` (ES2024, Node 20+), typed here because the project compiles against ES2023. */
interface WellFormable {
  toWellFormed(): string;
}

/**
 * The text with every lone surrogate replaced by U+FFFD. `encodeURIComponent` (console links, the SDK's form
 * encoding of an SNS Publish) throws `URIError` on a lone surrogate, and a caller chooses the names that reach them.
 * @see https://developer.mozilla.org/en-US/docs/Web/JavaScript/Reference/Global_Objects/String/toWellFormed
 */
export const wellFormed = (text: string): string => (text as unknown as WellFormable).toWellFormed();

/**
 * JSON text of a value of unknown shape that never overflows the stack and never grows past `maxLength`: objects and
 * arrays deeper than `maxDepth` are written `"…"`, and the walk stops once `maxLength` characters are written (the
 * text then ends with `…` and is no longer JSON). `JSON.stringify` recurses natively, so a request parameter nested a
 * few thousand levels deep throws `RangeError` there.
 */
export const boundedJson = (value: unknown, maxDepth = 16, maxLength = 4_096): string => {
  let out = '';
  const write = (piece: string): boolean => {
    out += piece;
    return out.length <= maxLength;
  };
  const walk = (node: unknown, depth: number): boolean => {
    if (typeof node === 'string') return write(JSON.stringify(node.slice(0, maxLength + 1)));
    if (node === null || typeof node !== 'object') return write(JSON.stringify(node) ?? 'null');
    if (depth >= maxDepth) return write('"…"');
    if (Array.isArray(node)) {
      if (!write('[')) return false;
      for (const [index, item] of node.entries()) {
        if (index > 0 && !write(',')) return false;
        if (!walk(item, depth + 1)) return false;
      }
      return write(']');
    }
    if (!write('{')) return false;
    let first = true;
    for (const [key, item] of Object.entries(node)) {
      if (item === undefined) continue;
      if (!first && !write(',')) return false;
      first = false;
      if (!write(`${JSON.stringify(key)}:`) || !walk(item, depth + 1)) return false;
    }
    return write('}');
  };
  return walk(value, 0) ? out : shorten(out, maxLength);
};

/** `encodeURIComponent` that cannot throw: a lone surrogate becomes U+FFFD first (see {@link wellFormed}). */
export const encodeUriPart = (text: string): string => encodeURIComponent(wellFormed(text));

/** Sets `key` on a fresh object as `JSON.parse` would: an own data property, even for `__proto__`. */
const defineJsonProperty = (target: Record<string, unknown>, key: string, value: unknown): void => {
  if (key === '__proto__') {
    Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
  } else {
    target[key] = value;
  }
};

/** An object's value as `JSON.stringify` writes it: after `toJSON`, with boxed primitives unboxed. */
const jsonValueOf = (value: object | bigint, key: string): unknown => {
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  const result: unknown = typeof toJSON === 'function' ? toJSON.call(value, key) : value;
  if (result instanceof Number) return Number(result);
  if (result instanceof String) return String(result);
  if (result instanceof Boolean) return result.valueOf();
  return result;
};

const copyJsonProperty = (input: unknown, key: string): unknown => {
  if (typeof input === 'string' || typeof input === 'boolean') return input;
  // JSON writes -0 as 0 and every non-finite number as null.
  if (typeof input === 'number') return Number.isFinite(input) ? input + 0 : null;
  if (input === null) return null;
  if (typeof input !== 'object' && typeof input !== 'bigint') return undefined;
  const value = jsonValueOf(input, key);
  if (value !== input && (typeof value !== 'object' || value === null)) return copyJsonPrimitive(value);
  if (typeof value === 'bigint') throw new TypeError('Do not know how to serialize a BigInt');
  if (Array.isArray(value)) {
    const items: unknown[] = new Array(value.length);
    for (let index = 0; index < value.length; index += 1) {
      const item = copyJsonProperty(value[index], String(index));
      items[index] = item === undefined ? null : item;
    }
    return items;
  }
  const copy: Record<string, unknown> = {};
  const source = value as Record<string, unknown>;
  for (const name of Object.keys(source)) {
    const item = copyJsonProperty(source[name], name);
    if (item !== undefined) defineJsonProperty(copy, name, item);
  }
  return copy;
};

/** A value `toJSON` returned that is not an object: written as itself (undefined, functions, symbols: left out). */
const copyJsonPrimitive = (value: unknown): unknown => {
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value + 0 : null;
  if (typeof value === 'bigint') throw new TypeError('Do not know how to serialize a BigInt');
  return value === null ? null : undefined;
};

/**
 * What `JSON.parse(JSON.stringify(value))` returns, without writing and reading the text: a deep copy of plain
 * objects and arrays, with `undefined`, functions and symbols left out of objects (`null` in arrays), `toJSON`
 * called, non-finite numbers `null`, `-0` as `0`. Throws as `JSON.stringify` does on a `BigInt`. Meant for values
 * the code built (an alert), not for untrusted input of unbounded depth.
 * @see https://tc39.es/ecma262/#sec-json.stringify
 */
export const jsonCopy = <T>(value: T): T => copyJsonProperty(value, '') as T;
