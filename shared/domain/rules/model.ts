// alerts.yml as the code sees it: the types of the rules file once validated, its vocabulary and small facts about it.
// No schema library here, so the matching code and the notifier's hot path need nothing else.
import type { Category, Severity } from '../types.js';

/** How the caller reached the API, as rules name it (the alert's `unknown` is `other` here). */
export const VIAS = ['console', 'cli', 'sdk', 'cloudformation', 'terraform', 'aws-service', 'other'] as const;
export type Via = (typeof VIAS)[number];

/** The route every alert that matches no route takes: today's topic and its subscriptions. Reserved name. */
export const DEFAULT_ROUTE = 'default';

/** The selectors `suppress[].match` and `routes[].match` share. Every key given must match; a list matches any item. */
export interface Selectors {
  /** Globs on the caller's ARN and, for a session, the ARN of the role (or user) that issued it. */
  principal?: string[];
  /** Globs on CloudTrail's `eventName`. */
  eventName?: string[];
  /** Globs on CloudTrail's `eventSource`. */
  eventSource?: string[];
  /** Globs (digits, `*`, `?`) on the changed account (`recipientAccountId`). */
  account?: string[];
  via?: Via[];
  category?: Category[];
}

/** `suppress[].match`: the selectors plus the highest severity the rule may hide (default `high`). */
export interface SuppressMatch extends Selectors {
  maxSeverity: Severity;
}

/** One `suppress` rule: named, explained, possibly expiring. */
export interface SuppressRule {
  id: string;
  reason: string;
  /** Last day the rule applies (`YYYY-MM-DD`, inclusive, UTC). */
  expires?: string;
  includeCritical: boolean;
  /**
   * The rule may be met by a value the caller chooses (a session-name glob, `via` without a principal naming the
   * caller), and its `reason` says why that is accepted. Without it such a rule is refused at package time.
   */
  acceptCallerChosen?: boolean;
  match: SuppressMatch;
}

/** `routes[].match`: the selectors plus organizational units and a severity range. */
export interface RouteMatch extends Selectors {
  /** Organizations ids of OUs (`ou-…`) or the root (`r-…`) the changed account sits under, at any depth. */
  organizationalUnit?: string[];
  minSeverity?: Severity;
  maxSeverity?: Severity;
}

/** One route: where matching alerts go instead of the default route. At least one destination. */
export interface Route {
  name: string;
  match: RouteMatch;
  /** Name of the SSM parameter (SecureString) holding the Slack webhook URL. */
  slack?: string;
  jira?: { project: string };
  email?: string[];
}

/** Burst grouping: alerts below `high`, at most `maxSeverity`, from one principal session within the window. */
export interface Grouping {
  /** 0 turns grouping off. */
  windowSeconds: number;
  maxSeverity: Severity;
}

/** The whole rules file, defaults applied. Also the compiled JSON the notifier reads (see {@link compileRules}). */
export interface RulesConfig {
  suppress: SuppressRule[];
  routes: Route[];
  grouping: Grouping;
}

/** The rules that can hide nothing: what the repository ships and what a missing file means. */
export const EMPTY_RULES: RulesConfig = {
  suppress: [],
  routes: [],
  grouping: { windowSeconds: 300, maxSeverity: 'medium' },
};

/** Longest grouping window: Lambda's SQS batching window allows at most 300 seconds. */
export const MAX_WINDOW_SECONDS = 300;

/** The selector keys, in the order the documentation lists them. */
export const SELECTOR_KEYS = [
  'principal',
  'eventName',
  'eventSource',
  'account',
  'via',
  'category',
] as const satisfies readonly (keyof Selectors)[];

/** True for a real calendar date written `YYYY-MM-DD`. */
export const isIsoDate = (value: string): boolean => {
  const parts = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!parts) return false;
  const [year, month, day] = [Number(parts[1]), Number(parts[2]), Number(parts[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
};

/** A path into the rules file: keys and list indexes, e.g. `['suppress', 0, 'expires']`. */
export type RulesPath = readonly (string | number)[];

/** One thing wrong with the rules file. Errors stop a deployment (and the CLI, exit code 2); warnings are shown. */
export interface RulesProblem {
  level: 'error' | 'warning';
  path: RulesPath;
  message: string;
}

/** `package`: an expired rule is an error (`serverless package`); `cli`: a warning (CLI, the deployed notifier). */
export type RulesMode = 'package' | 'cli';

/** Options of `validateRules` (schema.ts). `today` is the caller's UTC date (`YYYY-MM-DD`): pure code reads no clock. */
export interface ValidateOptions {
  mode: RulesMode;
  today: string;
}

/** The outcome of validation: the config when there is no error (warnings allowed), and every problem found. */
export interface RulesValidation {
  config: RulesConfig | undefined;
  problems: RulesProblem[];
}

/** `suppress[0].match.eventName[1]`: a path as the error messages print it. */
export const formatRulesPath = (path: RulesPath): string =>
  path.reduce<string>(
    (text, key) => (typeof key === 'number' ? `${text}[${key}]` : text ? `${text}.${key}` : key),
    '',
  ) || '(file)';

/** True when the rule's last day (`expires`, inclusive) is before `today` (`YYYY-MM-DD`). */
export const isExpired = (rule: Pick<SuppressRule, 'expires'>, today: string): boolean =>
  rule.expires !== undefined && rule.expires < today;

/** Ids of the rules that have expired by `today`, in file order: for the daily digest. */
export const expiredRuleIds = (config: RulesConfig, today: string): string[] =>
  config.suppress.filter((rule) => isExpired(rule, today)).map((rule) => rule.id);

/**
 * The compiled form of a validated config: JSON text that the notifier reads with
 * `validateRules(JSON.parse(text), { mode: 'cli', today })`, so no Lambda ever loads a YAML parser.
 */
export const compileRules = (config: RulesConfig): string => `${JSON.stringify(config, null, 2)}\n`;
