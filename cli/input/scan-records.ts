// Splits the text of a CloudTrail log file (`{"Records":[{…},{…}]}`) into the raw text of each record without
// building any object, so that records a pattern cannot match are never parsed. Strings are skipped with
// `indexOf`, so the scan costs a fraction of `JSON.parse` on the same text.

const OPEN = /^\s*\{\s*"Records"\s*:\s*\[/;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** The index just past the string that starts at `start` (a `"`), or -1 if it never ends. */
const skipString = (text: string, start: number): number => {
  let at = start + 1;
  for (;;) {
    const quote = text.indexOf('"', at);
    if (quote === -1) return -1;
    // The quote is escaped when an odd number of backslashes precede it.
    let slashes = 0;
    for (let i = quote - 1; text.charCodeAt(i) === BACKSLASH; i--) slashes++;
    if (slashes % 2 === 0) return quote + 1;
    at = quote + 1;
  }
};

/**
 * The raw text of each element of a log file's `Records` array, in order; `undefined` when the text is not a
 * well-formed `{"Records":[…]}` document of objects (the caller then parses it in full, which reports the fault).
 * Only the structure is checked here: each record's text is a balanced `{…}`, whose own grammar `JSON.parse` checks
 * when the record is parsed.
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-examples.html
 */
export const scanLogFileRecords = (text: string): string[] | undefined => {
  const offsets = scanLogFileOffsets(text);
  if (!offsets) return undefined;
  const records: string[] = [];
  for (let i = 0; i < offsets.length; i += 2) records.push(text.slice(offsets[i], offsets[i + 1]));
  return records;
};

/**
 * `scanLogFileRecords` as offsets: `[start0, end0, start1, end1, …]`, each record being `text.slice(start, end)`,
 * so that records left unparsed are never copied out.
 */
export const scanLogFileOffsets = (text: string): number[] | undefined => {
  const open = OPEN.exec(text);
  if (!open) return undefined;
  const records: number[] = [];
  let at = open[0].length;
  const skipSpace = () => {
    while (at < text.length && /\s/.test(text[at] as string)) at++;
  };
  skipSpace();
  if (text[at] === ']') at++;
  else {
    for (;;) {
      skipSpace();
      if (text[at] !== '{') return undefined;
      const start = at;
      let depth = 0;
      while (at < text.length) {
        const char = text.charCodeAt(at);
        if (char === QUOTE) {
          at = skipString(text, at);
          if (at === -1) return undefined;
          continue;
        }
        at++;
        if (char === 0x7b || char === 0x5b) depth++;
        else if ((char === 0x7d || char === 0x5d) && --depth === 0) break;
      }
      if (depth !== 0) return undefined;
      records.push(start, at);
      skipSpace();
      if (text[at] === ',') {
        at++;
        continue;
      }
      if (text[at] === ']') {
        at++;
        break;
      }
      return undefined;
    }
  }
  skipSpace();
  if (text[at] !== '}') return undefined;
  at++;
  skipSpace();
  return at === text.length ? records : undefined;
};
