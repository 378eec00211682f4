// parse → classify → enrich → [format] → publish: text hygiene shared by the Slack and Jira formatters.
// Everything here is pure. Lengths are UTF-16 code units (String#length), which is never less than the
// character count Slack and Jira measure, so a value within our budget is within theirs.

/** The ellipsis appended to a value cut to fit a limit. */
export const ELLIPSIS = '…';

// C0/C1 control characters and the Unicode line/paragraph separators: they break one-line layouts.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u2028\u2029]/g;
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const CONTROL_AND_NEWLINES = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g;

/** Removes control characters but keeps `\n` and `\t` (for multi-line blocks such as code). */
export const stripControl = (value: string): string => value.replace(/\r\n?/g, '\n').replace(CONTROL, '');

/** Collapses a value onto one line: control characters and newlines become single spaces; trims. */
export const oneLine = (value: string): string =>
  value
    .replace(CONTROL_AND_NEWLINES, ' ')
    .replace(/\s{2,}/g, ' ')
    .trim();

/**
 * Cuts `value` so that `measure(result) ≤ max`, ending with `…` when anything was cut. Cuts between code
 * points (never inside a surrogate pair) and, through `encode`, never inside an escape sequence.
 * @param encode maps each kept code point to its output form (identity, or an escaper).
 */
export const truncateEncoded = (value: string, max: number, encode: (char: string) => string): string => {
  let whole = '';
  for (const char of value) whole += encode(char);
  if (whole.length <= max) return whole;
  const budget = max - ELLIPSIS.length;
  let kept = '';
  for (const char of value) {
    const piece = encode(char);
    if (kept.length + piece.length > budget) break;
    kept += piece;
  }
  return `${kept}${ELLIPSIS}`;
};

/** Cuts a plain value to at most `max` UTF-16 code units, ending with `…` when cut. */
export const truncate = (value: string, max: number): string => truncateEncoded(value, max, (char) => char);

const SLACK_ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };

/**
 * Escapes one character for Slack text: `&`, `<`, `>` become entities (Slack's only control characters),
 * and a backtick becomes `ˋ` (U+02CB) so that event text can neither close nor open a code span or block.
 * @see https://docs.slack.dev/messaging/formatting-message-text/#escaping
 */
export const escapeSlackChar = (char: string): string => SLACK_ENTITIES[char] ?? (char === '`' ? 'ˋ' : char);

// `@channel`, `@here`, `@everyone` typed as plain text notify a channel when a client or an integration turns
// on `link_names`; a word joiner (U+2060) after the `@` keeps the text readable and kills the mention.
const MENTION_WORDS = /@(channel|here|everyone)/gi;

/** Breaks the plain-text mention forms `@channel`, `@here`, `@everyone`. */
export const defuseMentions = (value: string): string => value.replace(MENTION_WORDS, '@\u2060$1');

/**
 * Makes an untrusted value safe inside Slack `mrkdwn` (and `plain_text`) on one line, at most `max` code
 * units after escaping. `<` and `>` never survive, so no `<!channel>`, `<@U…>` or `<http://x|y>` can be formed.
 * @see https://docs.slack.dev/messaging/formatting-message-text/#escaping
 */
export const slackInline = (value: string, max: number): string =>
  truncateEncoded(defuseMentions(oneLine(value)), max, escapeSlackChar);

/** Like {@link slackInline} but keeps line breaks (for code blocks and lists). */
export const slackMultiline = (value: string, max: number): string =>
  truncateEncoded(defuseMentions(stripControl(value)), max, escapeSlackChar);

/**
 * Makes a URL safe as the target of a Slack `<url|label>` link: only absolute `https:`/`http:` URLs pass;
 * `|`, `<`, `>` and spaces are percent-encoded, `&` becomes `&amp;` (Slack decodes it). Returns `undefined`
 * for anything else, so a forged `javascript:` or relative link is dropped, not rendered.
 * @see https://docs.slack.dev/messaging/formatting-message-text/#linking-urls
 */
export const slackUrl = (value: string | undefined): string | undefined => {
  if (!value) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;
  const href = url.href.replace(/\|/g, '%7C').replace(/</g, '%3C').replace(/>/g, '%3E').replace(/ /g, '%20');
  // Slack caps a link/button URL at 3000 characters.
  if (href.length > 2900) return undefined;
  return href.replace(/&/g, '&amp;');
};

/** Validates a URL for a Jira `link` mark: absolute http(s) only, else `undefined`. */
export const httpUrl = (value: string | undefined): string | undefined => {
  if (!value) return undefined;
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : undefined;
  } catch {
    return undefined;
  }
};
