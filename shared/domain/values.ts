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
