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
