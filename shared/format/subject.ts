// parse → classify → enrich → [format] → publish
import type { Alert } from '../domain/types.js';

/** SNS: "ASCII text …, no line breaks or control characters, and less than 100 characters". */
export const MAX_SUBJECT_LENGTH = 99;

/** Folds text to printable ASCII: accents dropped, anything else unknown becomes `?`. */
export const toAscii = (text: string): string =>
  text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[‘’]/g, "'")
    .replace(/[“”]/g, '"')
    .replace(/[–—]/g, '-')
    .replace(/…/g, '...')
    .replace(/[^\x20-\x7e]/g, '?')
    .replace(/\s+/g, ' ')
    .trim();

/**
 * The SNS `Subject` (the e-mail subject): `[HIGH] <title> by <who> (<account>)`, printable ASCII, under
 * 100 characters. When it is too long the title is cut first (at a word, with `...`), so that who did it
 * and in which account survive; only a very long actor name is cut itself.
 * @see https://docs.aws.amazon.com/sns/latest/api/API_Publish.html
 */
export const formatSubject = (alert: Alert): string => {
  const head = `[${alert.severity.toUpperCase()}] `;
  const title = toAscii(alert.title);
  const who = toAscii(
    `${alert.principal.name ? `by ${alert.principal.name}` : ''} ${alert.account ? `(${alert.account})` : ''}`,
  );
  let tail = who ? ` ${who}` : '';
  if (head.length + title.length + tail.length <= MAX_SUBJECT_LENGTH) return `${head}${title}${tail}`;
  // Keep at least 40 characters of the title; an actor name longer than what is left is cut in the middle.
  const room = MAX_SUBJECT_LENGTH - head.length - 40;
  if (tail.length > room) tail = `${tail.slice(0, Math.max(0, room - 18))}...${tail.slice(-15)}`;
  const titleRoom = MAX_SUBJECT_LENGTH - head.length - tail.length;
  const cut = title.slice(0, titleRoom - 3);
  const atWord = cut.lastIndexOf(' ');
  return `${head}${atWord > titleRoom / 2 ? cut.slice(0, atWord) : cut}...${tail}`;
};
