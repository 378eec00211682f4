// alerts.yml's schema: takes values (parsed YAML or the compiled JSON), returns the typed config (model.ts) or the
// problems found, every one of them, each worded for a person: no I/O, no clock.
import * as z from 'zod/mini';
import { CATEGORIES, SEVERITIES } from '../types.js';
import { isObject } from '../values.js';
import { checkAcrossFields } from './checks.js';
import { describeGlobProblem } from './glob.js';
import {
  EMPTY_RULES,
  formatRulesPath,
  isIsoDate,
  MAX_WINDOW_SECONDS,
  type RulesConfig,
  type RulesPath,
  type RulesProblem,
  type RulesValidation,
  SELECTOR_KEYS,
  type ValidateOptions,
  VIAS,
} from './model.js';

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
} satisfies Record<(typeof SELECTOR_KEYS)[number], unknown>;

const suppressRule = z.strictObject({
  id: ruleId,
  reason,
  expires: z.optional(isoDate),
  includeCritical: z._default(z.boolean(), false),
  acceptCallerChosen: z.optional(z.boolean()),
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
  if (!isObject(value)) {
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
    ...checkAcrossFields(value, options),
  ];
  const hasError = problems.some((problem) => problem.level === 'error');
  return { config: result.success && !hasError ? (result.data as RulesConfig) : undefined, problems };
};
