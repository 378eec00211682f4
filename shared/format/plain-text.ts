// Text from an event (user names, session names, user agents, policy text) is attacker-controlled.
// These helpers make it safe to place in plain text: one line, no control or bidi-override characters.

import { shorten } from '../domain/values.js';

// C0 and C1 controls, DEL, the Unicode bidi/format characters that can reorder or hide text ("Trojan Source":
// U+061C, U+200E-200F, U+202A-202E, U+2066-2069), the line and paragraph separators U+2028-2029, the invisible characters that make one name look like another
// (soft hyphen U+00AD, Mongolian vowel separator U+180E, zero-width space/non-joiner/joiner U+200B-200D, word joiner
// and invisible operators U+2060-2064, BOM U+FEFF, interlinear annotation U+FFF9-FFFB), and lone surrogates (which
// break UTF-8 encoders). Zero-width joiners also glue emoji sequences: a family emoji then shows as its parts, an
// acceptable price in a security alert.
const UNSAFE =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
  /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u2069\ufeff\ufff9-\ufffb]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * Replaces control, bidi and invisible format characters and lone surrogates with a visible `\u{…}` escape, so
 * nothing can forge a line, reorder or hide text, or make the text unencodable.
 */
export const neutralize = (text: string): string =>
  text.replace(UNSAFE, (ch) => `\\u{${ch.charCodeAt(0).toString(16).padStart(4, '0')}}`);

/**
 * JSON text with every character {@link neutralize} escapes written as a JSON `\uXXXX` escape instead: the same
 * value once parsed, but no raw control, bidi or invisible character in the text (the SNS `alert` attribute).
 */
export const neutralizeJson = (json: string): string =>
  json.replace(UNSAFE, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);

/** One safe line of at most `max` characters. */
export const inline = (text: string | undefined, max = 200): string => shorten(neutralize(text ?? ''), max);

/**
 * A multi-line block (a policy document): keeps newlines and tabs, neutralises every other control
 * character, and cuts at `maxLines` lines / `maxChars` characters with a note.
 */
export const block = (text: string, maxLines: number, maxChars: number): string => {
  const lines = text.split(/\r?\n/).map((line) => neutralize(line.replace(/\t/g, '  ')));
  let out = lines.slice(0, maxLines).join('\n');
  let cut = lines.length > maxLines;
  if (out.length > maxChars) {
    out = shorten(out, maxChars);
    cut = true;
  }
  return cut ? `${out}\n… (cut; the full document is in the JSON alert and the CloudTrail event)` : out;
};

/** Pretty-prints a JSON document if it parses; otherwise returns the text as it is. */
export const prettyJson = (text: string): string => {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
};

/** `2026-11-01T10:00:00Z` → `2026-11-01 10:00:00 UTC`; anything else is returned neutralised. */
export const formatTime = (iso: string | undefined): string => {
  if (!iso) return 'time unknown';
  const match = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(?:\.\d+)?Z$/.exec(iso);
  return match ? `${match[1]} ${match[2]} UTC` : inline(iso, 40);
};

/** The severity as the label that opens every rendering: `HIGH`. */
export const severityLabel = (severity: string): string => severity.toUpperCase();
