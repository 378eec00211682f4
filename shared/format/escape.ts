// parse → classify → enrich → [format] → publish: text hygiene shared by the Slack and Jira formatters.
// Everything here is pure. Lengths are UTF-16 code units (String#length), which is never less than the
// character count Slack and Jira measure, so a value within our budget is within theirs.

import { neutralize } from './plain-text.js';

/** The ellipsis appended to a value cut to fit a limit. */
export const ELLIPSIS = '…';

// U+2028/U+2029 are line breaks that `neutralize` leaves alone: a space on one line, a newline in a block.
const SEPARATORS = /[\u2028\u2029]/g;

/**
 * One code point of event text made visible and inert: a control or bidi/format character (U+202E, U+2066, …)
 * becomes the `\u{…}` escape that the e-mail shows (`neutralize` in plain-text.ts), anything else is kept.
 * Used as the per-character encoder of {@link truncateEncoded}, so a cut never splits an escape.
 */
const visibleChar = (char: string): string => neutralize(char);

/** Like {@link visibleChar}, but keeps `\n` (the line breaks of a multi-line block). */
const visibleCharOrNewline = (char: string): string => (char === '\n' ? char : neutralize(char));

/** Puts a value on one line before encoding: U+2028/U+2029 become spaces, runs of spaces one space; trims spaces. */
const oneLine = (value: string): string =>
  value
    .replace(SEPARATORS, ' ')
    .replace(/ {2,}/g, ' ')
    .replace(/^ +| +$/g, '');

/** Normalises the line breaks of a multi-line block (CRLF, CR, U+2028/U+2029 → `\n`) and turns tabs into two spaces. */
const lines = (value: string): string =>
  value.replace(/\r\n?/g, '\n').replace(SEPARATORS, '\n').replace(/\t/g, '  ');

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

/** Cuts a value we assembled (already escaped) to at most `max` UTF-16 code units, ending with `…` when cut. */
export const truncate = (value: string, max: number): string => truncateEncoded(value, max, (char) => char);

/**
 * Event text as one line of plain text (a Jira summary or ADF text node), at most `max` code units: control and
 * bidi characters shown as `\u{…}` exactly as in the e-mail, line separators as spaces.
 */
export const plainInline = (value: string, max: number): string =>
  truncateEncoded(oneLine(value), max, visibleChar);

/** Like {@link plainInline} but keeps line breaks (a policy document in a code block). */
export const plainMultiline = (value: string, max: number): string =>
  truncateEncoded(lines(value), max, visibleCharOrNewline);

const SLACK_ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };

/**
 * Escapes one character for Slack text: `&`, `<`, `>` become entities (Slack's only control characters),
 * and a backtick becomes `ˋ` (U+02CB) so that event text can neither close nor open a code span or block.
 * @see https://docs.slack.dev/messaging/formatting-message-text/#escaping
 */
export const escapeSlackChar = (char: string): string => SLACK_ENTITIES[char] ?? (char === '`' ? 'ˋ' : char);

const WORD_JOINER = '\u2060';

/** One code point of event text for Slack: a control or bidi character as `\u{…}`, else {@link escapeSlackChar}. */
const slackChar = (char: string): string => {
  // The word joiner is what `defuseMentions` puts after an `@`: invisible, and it reorders nothing.
  if (char === WORD_JOINER) return char;
  const visible = visibleChar(char);
  return visible === char ? escapeSlackChar(char) : visible;
};

// `@channel`, `@here`, `@everyone` typed as plain text notify a channel when a client or an integration turns
// on `link_names`; a word joiner (U+2060) after the `@` keeps the text readable and kills the mention.
const MENTION_WORDS = /@(channel|here|everyone)/gi;

/** Breaks the plain-text mention forms `@channel`, `@here`, `@everyone`. */
export const defuseMentions = (value: string): string => value.replace(MENTION_WORDS, '@\u2060$1');

/**
 * Makes an untrusted value safe inside Slack `mrkdwn` (and `plain_text`) on one line, at most `max` code
 * units after escaping. `<` and `>` never survive, so no `<!channel>`, `<@U…>` or `<http://x|y>` can be formed;
 * control and bidi characters are shown as `\u{…}` as in the e-mail, so nothing can reorder or hide text.
 * @see https://docs.slack.dev/messaging/formatting-message-text/#escaping
 */
export const slackInline = (value: string, max: number): string =>
  truncateEncoded(defuseMentions(oneLine(value)), max, slackChar);

/** Like {@link slackInline} but keeps line breaks (for code blocks). */
export const slackMultiline = (value: string, max: number): string =>
  truncateEncoded(defuseMentions(lines(value)), max, (char) => (char === '\n' ? char : slackChar(char)));

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
