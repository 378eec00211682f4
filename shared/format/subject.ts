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

// A title's words: a parenthesised group (`(AccessDenied)`, `(service control policy)`) or a run of non-spaces.
const WORD = /\([^()]{1,80}\)|\S+/g;
const OUTCOME = /^(?:denied|failed|attempted)$/i;
/** The least a cut target or actor name keeps before free words of the title are dropped. */
const TARGET_MIN = 20;
const ACTOR_MIN = 16;
/** A target name gives characters down to this for a word of the title to be kept. */
const TARGET_FLOOR = 12;
/** A long free word of the title (a policy or trail name) is cut to this before any word is dropped. */
const WORD_MIN = 20;
/** The least a name or an error code keeps at all. */
const NAME_FLOOR = 7;
const CODE_FLOOR = 12;
const ACTOR_FLOOR = 10;
const CUT = '...';

/**
 * One word of the title: `fixed` words (the first, the outcome words) are never cut; a `code` (the error code or
 * cause in parentheses after an outcome word) is cut last; `free` words are cut, then dropped.
 */
interface Word {
  text: string;
  /** Whether a space came before it. */
  spaced: boolean;
  kind: 'fixed' | 'code' | 'free';
}

/** A piece of the title: its words, or the target's name (cut, not dropped). */
type Piece = { kind: 'words'; words: Word[]; trailingSpace: boolean } | { kind: 'target'; name: string };

/** Splits a text into words, marking the outcome words, their codes and (when `first`) the first word. */
const wordsOf = (text: string, first: boolean): Piece => {
  const words: Word[] = [];
  for (const match of text.matchAll(WORD)) {
    const previous = words[words.length - 1];
    const kind =
      OUTCOME.test(match[0]) || (first && words.length === 0)
        ? 'fixed'
        : match[0].startsWith('(') && previous && OUTCOME.test(previous.text)
          ? 'code'
          : 'free';
    words.push({ text: match[0], spaced: match.index > 0 && text[match.index - 1] === ' ', kind });
  }
  return { kind: 'words', words, trailingSpace: text.endsWith(' ') && text.trim() !== '' };
};

/** The title in pieces: the text before the target's name, the name, the text after it. */
const piecesOf = (title: string, targetName: string): Piece[] => {
  const at = targetName ? title.indexOf(targetName) : -1;
  if (at < 0) return [wordsOf(title, true)];
  return [
    wordsOf(title.slice(0, at), true),
    { kind: 'target', name: targetName },
    wordsOf(title.slice(at + targetName.length), at === 0),
  ];
};

/** A name cut to `max` characters in the middle, so both its start and its distinctive end survive. */
const cutName = (name: string, max: number): string => {
  if (name.length <= max) return name;
  const kept = Math.max(0, max - CUT.length);
  const tail = Math.min(8, Math.floor(kept / 3));
  return `${name.slice(0, kept - tail)}${CUT}${tail > 0 ? name.slice(-tail) : ''}`;
};

/** How much of each part a rendering keeps. */
interface Keep {
  dropped: ReadonlySet<Word>;
  target: number;
  actor: number;
  /** The most a free word keeps; an outcome's code. */
  word: number;
  code: number;
}

/**
 * The SNS `Subject` (the e-mail subject): `[HIGH] <title> by <who> (<account>)`, printable ASCII, under 100
 * characters. When it is too long: the target's and the actor's names are cut (in the middle) to a floor, then
 * free words of the title are dropped from its end; outcome words (`denied`, `failed`, `attempted`, with the error
 * code after them) and the title's first word are never cut; room left over goes back to the target, then to the
 * actor, then to the error code and to long words of the title. `...` appears only where something was cut.
 * @see https://docs.aws.amazon.com/sns/latest/api/API_Publish.html
 */
export const formatSubject = (alert: Alert): string => {
  const head = `[${alert.severity.toUpperCase()}] `;
  const title = toAscii(alert.title);
  const actor = toAscii(alert.principal.name ?? '');
  const account = alert.account ? ` (${toAscii(alert.account)})` : '';
  const pieces = piecesOf(title, alert.target ? toAscii(alert.target.name) : '');
  const targetName = pieces.find((piece) => piece.kind === 'target')?.name ?? '';
  const words = pieces.flatMap((piece) => (piece.kind === 'words' ? piece.words : []));
  const free = words.filter((word) => word.kind === 'free');
  const longestCode = Math.max(0, ...words.filter((w) => w.kind === 'code').map((w) => w.text.length));

  const render = ({ dropped, target, actor: actorLength, word: wordLength, code }: Keep): string => {
    const text = pieces
      .map((piece) => {
        if (piece.kind === 'target') return cutName(piece.name, target);
        let out = '';
        for (const word of piece.words) {
          const space = word.spaced ? ' ' : '';
          const max = word.kind === 'free' ? wordLength : word.kind === 'code' ? code : word.text.length;
          if (!dropped.has(word)) out += `${space}${cutName(word.text, max)}`;
          else if (!out.endsWith(CUT)) out += `${space}${CUT}`;
        }
        return piece.trailingSpace ? `${out} ` : out;
      })
      .join('');
    const by = actor ? ` by ${cutName(actor, actorLength)}` : '';
    return `${head}${text.trim()}${by}${account}`;
  };
  const fits = (keep: Keep): boolean => render(keep).length <= MAX_SUBJECT_LENGTH;

  const longestFree = Math.max(0, ...free.map((word) => word.text.length));
  const keep: Keep = {
    dropped: new Set(),
    target: targetName.length,
    actor: actor.length,
    word: longestFree,
    code: longestCode,
  };
  if (fits(keep)) return render(keep);
  keep.target = Math.min(targetName.length, TARGET_MIN);
  keep.actor = Math.min(actor.length, ACTOR_MIN);
  keep.word = Math.min(longestFree, WORD_MIN);
  const dropped = new Set<Word>();
  for (let index = free.length - 1; index >= 0 && !fits({ ...keep, dropped }); index -= 1) {
    dropped.add(free[index] as Word);
  }
  keep.dropped = dropped;
  // A dropped word (`on role`, `from IAM user`) says more than the last characters of a long target name: take it
  // back while the target keeps TARGET_FLOOR characters.
  for (const word of free.filter((candidate) => dropped.has(candidate))) {
    const target = keep.target;
    dropped.delete(word);
    while (!fits(keep) && keep.target > Math.min(targetName.length, TARGET_FLOOR)) keep.target -= 1;
    if (!fits(keep)) {
      dropped.add(word);
      keep.target = target;
    }
  }
  // Still too long: the error code after the outcome word, the actor, then the target, down to a floor.
  while (!fits(keep) && keep.code > Math.min(longestCode, CODE_FLOOR)) keep.code -= 1;
  // A short actor name (`bert-jan`) is left whole while the target can still give.
  while (!fits(keep) && keep.actor > Math.min(actor.length, ACTOR_FLOOR)) keep.actor -= 1;
  while (!fits(keep) && keep.target > Math.min(targetName.length, NAME_FLOOR)) keep.target -= 1;
  while (!fits(keep) && keep.actor > Math.min(actor.length, NAME_FLOOR)) keep.actor -= 1;
  if (!fits(keep)) {
    // Only a title whose fixed words alone exceed the limit gets here (no AWS event does): cut the end.
    return `${render(keep)
      .slice(0, MAX_SUBJECT_LENGTH - CUT.length)
      .trimEnd()}${CUT}`;
  }
  // Room left over goes back to the target, then to the actor.
  const room = (): number => MAX_SUBJECT_LENGTH - render(keep).length;
  keep.target = Math.min(targetName.length, keep.target + room());
  keep.actor = Math.min(actor.length, keep.actor + room());
  keep.code = Math.min(longestCode, keep.code + room());
  // Then to the long words of the title that were cut (several may share the room).
  while (keep.word < longestFree && fits({ ...keep, word: keep.word + 1 })) keep.word += 1;
  return render(keep);
};
