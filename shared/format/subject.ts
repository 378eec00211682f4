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
 * The SNS `Subject` (the e-mail subject): `[HIGH] <title> by <who> (<account>)`, printable ASCII,
 * under 100 characters, cut at a word where it must be.
 * @see https://docs.aws.amazon.com/sns/latest/api/API_Publish.html
 */
export const formatSubject = (alert: Alert): string => {
  const head = `[${alert.severity.toUpperCase()}] `;
  const who = alert.principal.name ? ` by ${alert.principal.name}` : '';
  const account = alert.account ? ` (${alert.account})` : '';
  const full = toAscii(`${head}${alert.title}${who}${account}`);
  if (full.length <= MAX_SUBJECT_LENGTH) return full;
  const cut = full.slice(0, MAX_SUBJECT_LENGTH - 3);
  const atWord = cut.lastIndexOf(' ');
  return `${atWord > head.length + 10 ? cut.slice(0, atWord) : cut}...`;
};
