// IAM action matching: case-insensitive, with `*` and `?` wildcards, as IAM evaluates `Action`/`NotAction`.
import { BoundedCache, deepFreeze } from '../memo.js';
import { ACTION_LEVELS } from './action-levels.js';
import { wildcardMatches } from './evaluator/patterns.js';

/** AWS's access level of an action, from the Service Authorization Reference. */
export type AccessLevel = 'List' | 'Read' | 'Write' | 'Permissions management' | 'Tagging';

const LEVELS: Record<string, AccessLevel> = {
  L: 'List',
  R: 'Read',
  W: 'Write',
  P: 'Permissions management',
  T: 'Tagging',
};

/**
 * Whether an `Action` pattern (`iam:Put*`, `*`, `IAM:PassRole`) matches an action (`iam:PutRolePolicy`).
 * IAM compares action names case-insensitively. Matched by the evaluator's linear wildcard matcher, never by a
 * regular expression built from policy text: `iam:*********x` made one backtrack for minutes.
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html
 */
export const actionMatches = (pattern: string, action: string): boolean =>
  wildcardMatches(pattern, action, true);

/** Whether a pattern is a wildcard (`*` or `?`). */
export const isWildcard = (pattern: string): boolean => /[*?]/.test(pattern);

let levelIndex: Map<string, { action: string; level: AccessLevel }[]> | undefined;

const loadLevels = (): Map<string, { action: string; level: AccessLevel }[]> => {
  if (levelIndex) return levelIndex;
  levelIndex = new Map();
  for (const [service, packed] of Object.entries(ACTION_LEVELS)) {
    levelIndex.set(
      service,
      packed.split(' ').map((entry) => {
        const [name, code] = entry.split(':');
        return { action: `${service}:${name}`, level: LEVELS[code ?? 'W'] ?? 'Write' };
      }),
    );
  }
  return levelIndex;
};

/** The services whose full action list ships with the analysis (see scripts/generate-iam-access-levels.ts). */
export const knownServices = (): string[] => [...loadLevels().keys()];

/** A known action and AWS's access level of it. */
export interface LeveledAction {
  readonly action: string;
  readonly level: AccessLevel;
}

// Every policy's analysis expands `iam:*` and the patterns it names: the last few hundred expansions are kept, of
// patterns no longer than any real action name (so that hostile ones cannot hold much memory).
const EXPANSIONS = new BoundedCache<string, readonly LeveledAction[]>(512);
const MAX_CACHED_PATTERN = 256;

/**
 * The known actions a pattern covers, with AWS's access level. Only services in {@link knownServices}
 * are expanded; other patterns return an empty list. The list is frozen (memoised by pattern).
 */
export const expandAction = (pattern: string): readonly LeveledAction[] => {
  const known = EXPANSIONS.get(pattern);
  if (known) return known;
  const service = pattern.split(':')[0]?.toLowerCase() ?? '';
  const levels = loadLevels();
  const candidates = pattern === '*' ? [...levels.values()].flat() : (levels.get(service) ?? []);
  const expanded = deepFreeze(candidates.filter((entry) => actionMatches(pattern, entry.action)));
  if (pattern.length <= MAX_CACHED_PATTERN) EXPANSIONS.set(pattern, expanded);
  return expanded;
};

/** AWS's access level of one action, when its service is known. */
export const accessLevelOf = (action: string): AccessLevel | undefined => {
  const [service] = action.toLowerCase().split(':');
  return loadLevels()
    .get(service ?? '')
    ?.find((entry) => entry.action.toLowerCase() === action.toLowerCase())?.level;
};
