// alerts.yml, as plain values: the types of the rules file and its schema. Takes values (parsed YAML or the
// compiled JSON), returns a typed config or the problems found, every one of them: no I/O, no clock.
import * as z from 'zod/mini';
import { CATEGORIES, type Category, SEVERITIES, type Severity, severityRank } from '../types.js';
import { describeGlobProblem } from './glob.js';

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

/** The whole rules file, defaults applied. Also the compiled JSON the notifier reads (see `compileRules`). */
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

const quote = (value: unknown): string => `'${String(value)}'`;

/** A string checked by `isValid`, with `describe(value)` as the message when it is not. */
const checkedString = (isValid: (value: string) => boolean, describe: (value: string) => string) =>
  z.string().check(z.refine(isValid, { error: (issue) => describe(String(issue.input)) }));

const glob = checkedString(
  (value) => describeGlobProblem(value) === undefined,
  (value) => `${quote(value)} is not a valid glob: it ${describeGlobProblem(value)}`,
);

const ACCOUNT_GLOB = /^[0-9*?]{1,12}$/;
const accountGlob = checkedString(
  (value) => ACCOUNT_GLOB.test(value) && (/[*?]/.test(value) || value.length === 12),
  (value) => `${quote(value)} is not an account id (12 digits; * and ? allowed)`,
);

// https://docs.aws.amazon.com/organizations/latest/APIReference/API_OrganizationalUnit.html (Id pattern)
const OU_ID = /^(ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}|r-[0-9a-z]{4,32})$/;
const ouId = checkedString(
  (value) => OU_ID.test(value),
  (value) => `${quote(value)} is not an organizational unit id (ou-xxxx-xxxxxxxx) or root id (r-xxxx)`,
);

const ID = /^[a-z0-9-]{1,64}$/;
const ruleId = checkedString(
  (value) => ID.test(value),
  (value) => `${quote(value)} is not a valid id (1 to 64 of a-z, 0-9 and -)`,
);

/** True for a real calendar date written `YYYY-MM-DD`. */
export const isIsoDate = (value: string): boolean => {
  const parts = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!parts) return false;
  const [year, month, day] = [Number(parts[1]), Number(parts[2]), Number(parts[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
};

const isoDate = checkedString(isIsoDate, (value) => `${quote(value)} is not a date (YYYY-MM-DD)`);

const reason = checkedString(
  (value) => value.trim() !== '',
  () => 'must say why these alerts are expected',
);

// https://docs.aws.amazon.com/systems-manager/latest/userguide/sysman-paramstore-su-create.html (naming constraints)
const SSM_NAME = /^[a-zA-Z0-9_.\-/]{1,1011}$/;
const ssmName = checkedString(
  (value) => SSM_NAME.test(value) && !/^\/?(aws|ssm)/i.test(value),
  (value) =>
    `${quote(value)} is not an SSM parameter name (a-z, A-Z, 0-9, _ . - /; not starting with aws or ssm)`,
);

// Jira's default project key format: an uppercase letter, then uppercase letters, digits or _, 2 to 10 in all.
const JIRA_KEY = /^[A-Z][A-Z0-9_]{1,9}$/;
const jiraProject = checkedString(
  (value) => JIRA_KEY.test(value),
  (value) => `${quote(value)} is not a Jira project key (e.g. SECPROD)`,
);

const EMAIL = /^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$/;
const email = checkedString(
  (value) => EMAIL.test(value),
  (value) => `${quote(value)} is not an e-mail address`,
);

const list = <T extends z.core.SomeType>(item: T) =>
  z.optional(
    z.array(item).check(z.minLength(1, { error: 'must not be an empty list (omit the key instead)' })),
  );

const severity = z.enum(SEVERITIES);

const selectorShape = {
  principal: list(glob),
  eventName: list(glob),
  eventSource: list(glob),
  account: list(accountGlob),
  via: list(z.enum(VIAS)),
  category: list(z.enum(CATEGORIES)),
};

/** The selector keys, in the order the documentation lists them. */
export const SELECTOR_KEYS = Object.keys(selectorShape) as (keyof Selectors)[];

const suppressRule = z.strictObject({
  id: ruleId,
  reason,
  expires: z.optional(isoDate),
  includeCritical: z._default(z.boolean(), false),
  match: z.strictObject({ ...selectorShape, maxSeverity: z._default(severity, 'high') }),
});

const route = z.strictObject({
  name: ruleId,
  match: z._default(
    z.strictObject({
      ...selectorShape,
      organizationalUnit: list(ouId),
      minSeverity: z.optional(severity),
      maxSeverity: z.optional(severity),
    }),
    {},
  ),
  slack: z.optional(ssmName),
  jira: z.optional(z.strictObject({ project: jiraProject })),
  email: list(email),
});

const groupable = z.enum(['info', 'low', 'medium']);

const grouping = z.strictObject({
  windowSeconds: z._default(
    z.number().check(
      z.refine((value) => Number.isInteger(value) && value >= 0 && value <= MAX_WINDOW_SECONDS, {
        error: (issue) =>
          `${String(issue.input)} is not a whole number of seconds from 0 (off) to ${MAX_WINDOW_SECONDS}`,
      }),
    ),
    EMPTY_RULES.grouping.windowSeconds,
  ),
  maxSeverity: z._default(groupable, 'medium'),
});

const rulesSchema = z.strictObject({
  suppress: z._default(z.array(suppressRule), []),
  routes: z._default(z.array(route), []),
  grouping: z._default(grouping, {
    windowSeconds: EMPTY_RULES.grouping.windowSeconds,
    maxSeverity: 'medium',
  }),
});

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

/** Options of {@link validateRules}. `today` is the caller's UTC date (`YYYY-MM-DD`): pure code reads no clock. */
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

const describeType = (value: unknown): string => {
  if (value === null) return 'nothing (null)';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `${typeof value} ${JSON.stringify(value)}`;
};

const valueAt = (input: unknown, path: RulesPath): unknown =>
  path.reduce<unknown>(
    (value, key) =>
      typeof value === 'object' && value !== null && Object.hasOwn(value, key)
        ? (value as Record<string, unknown>)[String(key)]
        : undefined,
    input,
  );

const REQUIRED_HINT: Record<string, string> = {
  id: 'a unique id, a-z 0-9 and -',
  name: 'a unique name, a-z 0-9 and -',
  reason: 'why these alerts are expected',
  match: 'the keys an alert must match',
  project: 'the Jira project key',
};
const EXPECTED: Record<string, string> = { string: 'text', number: 'a number', boolean: 'true or false' };
const describeExpected = (expected: string): string =>
  EXPECTED[expected] ?? (expected === 'array' ? 'a list' : expected === 'object' ? 'a mapping' : expected);

// zod/mini ships no locale (part of its size saving), so each issue is worded here.
const problemsOf = (issue: z.core.$ZodIssue, input: unknown): RulesProblem[] => {
  const path = issue.path.filter((key): key is string | number => typeof key !== 'symbol');
  switch (issue.code) {
    case 'unrecognized_keys': {
      const known = knownKeys(path);
      return issue.keys.map((key) => ({
        level: 'error' as const,
        path: [...path, key],
        message: `unknown key${known ? ` (known: ${known})` : ''}`,
      }));
    }
    case 'invalid_type': {
      const actual = valueAt(input, path);
      const message =
        actual === undefined
          ? `missing (required: ${REQUIRED_HINT[String(path.at(-1))] ?? describeExpected(issue.expected)})`
          : `expected ${describeExpected(issue.expected)}, got ${describeType(actual)}`;
      return [{ level: 'error', path, message }];
    }
    case 'invalid_value':
      return [
        {
          level: 'error',
          path,
          message: `${quote(valueAt(input, path))} is not one of ${issue.values.map(String).join(', ')}${
            formatRulesPath(path) === 'grouping.maxSeverity'
              ? ': high and critical alerts are never grouped'
              : ''
          }`,
        },
      ];
    default:
      return [{ level: 'error', path, message: issue.message }];
  }
};

const KNOWN_KEYS: Record<string, readonly string[]> = {
  '': ['suppress', 'routes', 'grouping'],
  suppress: ['id', 'reason', 'expires', 'includeCritical', 'match'],
  'suppress.match': [...SELECTOR_KEYS, 'maxSeverity'],
  routes: ['name', 'match', 'slack', 'jira', 'email'],
  'routes.match': [...SELECTOR_KEYS, 'organizationalUnit', 'minSeverity', 'maxSeverity'],
  'routes.jira': ['project'],
  grouping: ['windowSeconds', 'maxSeverity'],
};

const knownKeys = (path: RulesPath): string | undefined =>
  KNOWN_KEYS[path.filter((key) => typeof key === 'string').join('.')]?.join(', ');

const asRecord = (value: unknown): Record<string, unknown> | undefined =>
  typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;

const itemsOf = (input: unknown, key: string): Record<string, unknown>[] => {
  const items = asRecord(input)?.[key];
  return Array.isArray(items) ? items.map((item) => asRecord(item) ?? {}) : [];
};

/**
 * Why a `principal` glob can be satisfied by a name the caller picks, or `undefined`. A role session name is chosen
 * by whoever assumes the role (`RoleSessionName`), so a glob that constrains the session name while leaving the
 * role open, or that starts with `*` (and so can match inside the session name), lets any caller opt into the rule.
 * @see https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html (RoleSessionName)
 */
export const describeCallerChosenPrincipal = (glob: string): string | undefined => {
  if (glob.startsWith('*') && glob !== '*') {
    return 'starts with *, so it can match text inside a role session name, which the caller chooses; anchor it with arn:aws:…';
  }
  const session = /^arn:aws[a-z-]*:sts::[^:]*:assumed-role\/([^/]*)\/(.*)$/.exec(glob);
  if (session && /[*?]/.test(session[1] ?? '') && session[2] !== '*') {
    return 'matches on the session name of any role it allows, and whoever assumes a role chooses its session name; name the role, or match its ARN (arn:aws:iam::…:role/…)';
  }
  return undefined;
};

/** Checks that span fields (or need `today`), run on the raw input so they are reported beside schema errors. */
const crossChecks = (input: unknown, options: ValidateOptions): RulesProblem[] => {
  const problems: RulesProblem[] = [];
  const error = (path: RulesPath, message: string) => problems.push({ level: 'error', path, message });
  const firstUse = new Map<string, number>();
  itemsOf(input, 'suppress').forEach((rule, index) => {
    const at = (...rest: (string | number)[]) => ['suppress', index, ...rest];
    if (typeof rule.id === 'string') {
      const first = firstUse.get(rule.id);
      if (first !== undefined) error(at('id'), `${quote(rule.id)} is already the id of suppress[${first}]`);
      else firstUse.set(rule.id, index);
    }
    const match = asRecord(rule.match);
    if (match && !SELECTOR_KEYS.some((key) => match[key] !== undefined)) {
      error(
        at('match'),
        `names none of ${SELECTOR_KEYS.join(', ')}: a rule that matches everything would hide every alert`,
      );
    }
    const principals = Array.isArray(match?.principal) ? match.principal : [];
    principals.forEach((glob, item) => {
      const risk = typeof glob === 'string' ? describeCallerChosenPrincipal(glob) : undefined;
      if (risk)
        problems.push({
          level: 'warning',
          path: at('match', 'principal', item),
          message: `'${glob}' ${risk}`,
        });
    });
    if (match?.maxSeverity === 'critical' && rule.includeCritical !== true) {
      error(
        at('match', 'maxSeverity'),
        "'critical' needs includeCritical: true (critical alerts are never hidden otherwise)",
      );
    }
    if (rule.includeCritical === true && match?.maxSeverity !== 'critical') {
      error(at('includeCritical'), 'true has no effect unless match.maxSeverity is critical');
    }
    if (typeof rule.expires === 'string' && isIsoDate(rule.expires) && rule.expires < options.today) {
      problems.push({
        level: options.mode === 'package' ? 'error' : 'warning',
        path: at('expires'),
        message: `the rule expired on ${rule.expires} (today is ${options.today}): renew or delete it; it hides nothing now`,
      });
    }
  });
  const routeNames = new Map<string, number>();
  itemsOf(input, 'routes').forEach((route, index) => {
    const at = (...rest: (string | number)[]) => ['routes', index, ...rest];
    if (route.name === DEFAULT_ROUTE)
      error(at('name'), `'${DEFAULT_ROUTE}' is reserved for alerts no route matches`);
    else if (typeof route.name === 'string') {
      const first = routeNames.get(route.name);
      if (first !== undefined)
        error(at('name'), `${quote(route.name)} is already the name of routes[${first}]`);
      else routeNames.set(route.name, index);
    }
    if (route.slack === undefined && route.jira === undefined && route.email === undefined) {
      error(at(), 'has no destination: give slack, jira or email');
    }
    const match = asRecord(route.match);
    const [min, max] = [match?.minSeverity, match?.maxSeverity];
    const isSeverity = (value: unknown): value is Severity => SEVERITIES.includes(value as Severity);
    if (isSeverity(min) && isSeverity(max) && severityRank(min) > severityRank(max)) {
      error(
        at('match', 'minSeverity'),
        `${quote(min)} is above maxSeverity ${quote(max)}: the route matches nothing`,
      );
    }
  });
  return problems;
};

const ROOT_EXPECTED = 'a mapping with suppress, routes and grouping';

/**
 * Validates the rules file's content (parsed YAML, or the compiled JSON) and applies defaults. Reports every
 * problem, not only the first: unknown keys, types, globs, dates, ids, duplicate ids, a critical `maxSeverity`
 * without `includeCritical`, a rule matching everything, a route without destination, and expired rules (an error
 * in `package` mode, a warning in `cli` mode). An empty file (`null`) is the empty rule set.
 */
export const validateRules = (input: unknown, options: ValidateOptions): RulesValidation => {
  if (!isIsoDate(options.today)) throw new TypeError(`today must be a YYYY-MM-DD date, got ${options.today}`);
  const value = input ?? {};
  if (!asRecord(value)) {
    return {
      config: undefined,
      problems: [
        { level: 'error', path: [], message: `expected ${ROOT_EXPECTED}, got ${describeType(value)}` },
      ],
    };
  }
  const result = rulesSchema.safeParse(value);
  const problems = [
    ...(result.success ? [] : result.error.issues.flatMap((issue) => problemsOf(issue, value))),
    ...crossChecks(value, options),
  ];
  const hasError = problems.some((problem) => problem.level === 'error');
  return { config: result.success && !hasError ? (result.data as RulesConfig) : undefined, problems };
};

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
