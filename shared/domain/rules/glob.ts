// alerts.yml globs: `*` (any run of characters, also none) and `?` (exactly one character), anchored, case-sensitive.
// Matched without regular expressions, so no pattern can make matching slow (no backtracking blow-up).

/** What is wrong with a glob, in words for an error message, or `undefined` for a usable glob. */
export const describeGlobProblem = (pattern: string): string | undefined => {
  if (pattern.length === 0) return 'is empty';
  if (pattern.length > 1024) return 'is longer than 1024 characters';
  if (pattern.trim() !== pattern) return 'has leading or trailing spaces';
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what is refused here
  if (/[\u0000-\u001f\u007f]/.test(pattern)) return 'contains a control character';
  const unsupported = /[[\]{}\\]/.exec(pattern);
  if (unsupported) {
    return `uses '${unsupported[0]}', which is not supported: a glob has only * (any characters) and ? (one character)`;
  }
  return undefined;
};

/**
 * True when `text` matches `pattern` as a whole: `*` matches any run of characters (none included), `?` exactly
 * one character (a Unicode code point), every other character itself, case-sensitively. Linear-time greedy matching
 * with one backtrack point: O(pattern × text) at worst, whatever the input.
 */
export const matchesGlob = (pattern: string, text: string): boolean => {
  const p = Array.from(pattern);
  const t = Array.from(text);
  let pi = 0;
  let ti = 0;
  let starAt = -1;
  let resumeAt = 0;
  while (ti < t.length) {
    const pc = p[pi];
    if (pc === '*') {
      starAt = pi;
      resumeAt = ti;
      pi += 1;
    } else if (pc !== undefined && (pc === '?' || pc === t[ti])) {
      pi += 1;
      ti += 1;
    } else if (starAt >= 0) {
      // The last `*` absorbs one more character, and matching resumes after it.
      pi = starAt + 1;
      resumeAt += 1;
      ti = resumeAt;
    } else {
      return false;
    }
  }
  while (p[pi] === '*') pi += 1;
  return pi === p.length;
};

/** True when `text` is given and matches at least one of `patterns` (see {@link matchesGlob}). */
export const matchesAnyGlob = (patterns: readonly string[], text: string | undefined): boolean =>
  text !== undefined && patterns.some((pattern) => matchesGlob(pattern, text));
