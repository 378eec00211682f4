// Text from an event (user names, session names, user agents, policy text) is attacker-controlled.
// These helpers make it safe to place in plain text: one line, no control or bidi-override characters.

import { shorten } from '../domain/values.js';

// C0 and C1 controls, DEL, and the Unicode bidi/format characters that can reorder or hide text
// ("Trojan Source"): U+061C, U+200E-200F, U+202A-202E, U+2066-2069.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** Replaces control and bidi characters with a visible `\u{…}` escape, so nothing can forge a line or hide text. */
export const neutralize = (text: string): string =>
  text.replace(UNSAFE, (ch) => `\\u{${ch.codePointAt(0)?.toString(16).padStart(4, '0')}}`);

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
