// The questions a permissions finding asks the evaluator: where an action is allowed, under which conditions, and
// whether those conditions limit who may act (which may lower a rating) or only what (which never does).
import type { ConditionLimit, ResourceScope } from '../findings.js';
import type { Severity } from '../types.js';
import { actionMatches } from './actions.js';
import type { PolicyDocument } from './document.js';
import {
  allowedScopes,
  type ConditionTest,
  type ContextInput,
  type Decision,
  type EvaluatedPolicy,
  evaluate,
  mayBeAllowed,
  PROBE_SERVICE,
  policyOf,
  resourceTypesOf,
  wildcardMatches,
} from './evaluator/index.js';

/** An action no policy names, in a made-up service: only `*`, wildcards and NotAction reach it. */
export const PROBE_ACTION = `${PROBE_SERVICE}:ZzProbeUnlistedAction`;

/** An action of `service` that no policy names: only `service:*`, wildcards and NotAction reach it. */
export const probeActionOf = (service: string): string => `${service}:ZzProbeUnlistedAction`;

/** Where an action is allowed, as the evaluator answers: the scope, and what the answer depends on. */
export interface Answer {
  /** Allowed somewhere (maybe only under conditions). */
  allowed: boolean;
  /** Allowed on every resource of the action's types (`*`, or NotResource). */
  every: boolean;
  /** Allowed somewhere without any condition. */
  unconditional: boolean;
  scope: ResourceScope;
  /** The conditions the answer depends on (none when unconditional). */
  tests: ConditionTest[];
  /** Those of them an Allow needs (the rest are conditions under which a Deny applies). */
  allowTests: ConditionTest[];
}

/**
 * The caller every question is asked as: an IAM user whose name and id are known (so that `user/${aws:username}`
 * names its own user); every other context key is unknown.
 */
export const PROBE_CALLER: ContextInput = {
  'aws:username': 'zz-probe-self',
  'aws:userid': 'AIDAZZPROBESELF000000',
};
// Another user, to tell the caller's own user from power over others.
const OTHER: ContextInput = { 'aws:username': 'zz-probe-other', 'aws:userid': 'AIDAZZPROBEOTHER00000' };

/** The document as the one identity policy asked. */
export const identityPolicies = (document: PolicyDocument): EvaluatedPolicy[] => [
  policyOf(document, 'identity', 'policy'),
];

const unique = (items: string[]): string[] => [...new Set(items)];

const NOTHING: Answer = {
  allowed: false,
  every: false,
  unconditional: false,
  scope: { every: false, resources: [], omitted: 0 },
  tests: [],
  allowTests: [],
};

/** Every condition an allowed-when decision depends on (only an Allow's with `allowOnly`), once each. */
const testsOf = (decisions: Decision[], allowOnly = false): ConditionTest[] => {
  const seen = new Map<string, ConditionTest>();
  for (const decision of decisions) {
    if (decision.kind !== 'allowed-when') continue;
    for (const entry of [...decision.allowWhen, ...(allowOnly ? [] : decision.denyWhen)])
      for (const test of entry.conditions) seen.set(JSON.stringify(test), test);
  }
  return [...seen.values()];
};

const PARTITIONS = new Set([
  'aws',
  'aws-cn',
  'aws-us-gov',
  'aws-iso',
  'aws-iso-b',
  'aws-iso-e',
  'aws-iso-f',
  'aws-eusc',
]);

/**
 * Whether a Resource pattern names every resource of the action's service (`arn:*`, `arn:aws:iam::*:*`): it
 * matches a generic ARN of the service with any region (or none, for global services) and any account (or none),
 * and any resource, in the partition it names.
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html
 */
export const coversService = (pattern: string, action: string): boolean => {
  const service = action.split(':')[0]?.toLowerCase() ?? '';
  if (!service || !pattern.startsWith('arn:')) return false;
  const written = pattern.split(':')[1] ?? '';
  const partition = PARTITIONS.has(written) ? written : 'aws';
  const resources = ['zz-probe', 'zz-probe/zz-probe:zz-probe'];
  const matchesAll = (region: string, account: string): boolean =>
    resources.every((resource) =>
      wildcardMatches(pattern, `arn:${partition}:${service}:${region}:${account}:${resource}`, false),
    );
  return ['', 'zz-probe-1'].some((region) =>
    ['', '000000000000'].some((account) => matchesAll(region, account)),
  );
};

/**
 * Where `action` is allowed by `policies`, asked with `context` (keys it leaves out are unknown). With `who`,
 * only the scopes that are not the caller's own (`self`: only those that are): a Resource written with
 * `${aws:username}` names the caller's own user, which a caller who is someone else is not allowed.
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
 */
export const ask = (
  policies: readonly EvaluatedPolicy[],
  action: string,
  options: { context?: ContextInput; who?: 'others' | 'self' } = {},
): Answer => {
  const context = { ...PROBE_CALLER, ...options.context };
  let scopes = allowedScopes(policies, action, context);
  if (options.who) {
    const isOwn = (resource: string, pattern: string): boolean =>
      pattern.includes('${') &&
      !mayBeAllowed(evaluate({ action, resource, context: { ...context, ...OTHER } }, policies));
    scopes = scopes.filter((scope) => isOwn(scope.resource, scope.pattern) === (options.who === 'self'));
  }
  if (scopes.length === 0) return NOTHING;
  const formats = [...(resourceTypesOf(action)?.types.values() ?? [])];
  // A pattern that names every resource of one of the action's types (`arn:aws:iam::*:role/*` for PassRole) is
  // every resource: its wildcards match the type's ARN format written out (`arn:aws:iam::*:role/*`).
  const covers = (pattern: string): boolean =>
    pattern === '*' ||
    formats.includes(pattern) ||
    formats.some((format) => wildcardMatches(pattern, format.replace(/^arn:\*:/, 'arn:aws:'), false)) ||
    coversService(pattern, action);
  // "Every resource" is asked once more with a resource of each of the action's types: `*` alone would pass a
  // NotResource or a Deny on named resources.
  const typed = formats.map((format) =>
    evaluate(
      { action, resource: format.replace(/^arn:\*:/, 'arn:aws:').replace(/\*/g, 'zz-probe'), context },
      policies,
    ),
  );
  const everyScopes = scopes.filter((scope) => covers(scope.pattern));
  const typedOk = typed.length === 0 || typed.some(mayBeAllowed);
  const every = everyScopes.length > 0 && typedOk;
  // Prefer the answer on every resource (even a conditional one) over an unconditional one on some resources.
  const candidates = every ? everyScopes : scopes.filter((scope) => !covers(scope.pattern));
  if (candidates.length === 0) return NOTHING;
  const sure = candidates.filter((scope) => scope.decision.kind === 'allowed');
  const chosen = sure.length > 0 ? sure : candidates;
  const decisions = [...chosen.map((entry) => entry.decision), ...(every ? typed.filter(mayBeAllowed) : [])];
  const unconditional = sure.length > 0 && (!every || typed.every((decision) => decision.kind === 'allowed'));
  // What "every resource" leaves out: NotResource entries of the Allow statements that name the action (unless one
  // allows it on `Resource: "*"`), and the resources its Deny statements name.
  const naming = (effect: 'Allow' | 'Deny') =>
    policies.flatMap((policy) =>
      policy.document.statements.filter(
        (statement) =>
          statement.effect === effect &&
          (statement.actions
            ? statement.actions.some((pattern) => actionMatches(pattern, action))
            : !(statement.notActions ?? []).some((pattern) => actionMatches(pattern, action))),
      ),
    );
  const allowing = naming('Allow');
  const star = allowing.some((statement) => (statement.resources ?? []).includes('*'));
  const except = every
    ? unique([
        ...(star ? [] : allowing.flatMap((statement) => statement.notResources ?? [])),
        ...naming('Deny').flatMap((statement) =>
          (statement.resources ?? []).filter((entry) => entry !== '*'),
        ),
      ])
    : [];
  const scope: ResourceScope = every
    ? { every: true, except, omitted: 0 }
    : { every: false, resources: chosen.map((entry) => entry.pattern), omitted: 0 };
  return {
    allowed: true,
    every,
    unconditional,
    scope,
    tests: unconditional ? [] : testsOf(decisions),
    allowTests: unconditional ? [] : testsOf(decisions, true),
  };
};

/**
 * Condition keys that limit *who* may act (the organization, the account, the network, MFA, an ExternalId): a
 * grant that depends only on them may be rated one step lower. Any other condition limits *what* and never
 * lowers a rating.
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html
 */
export const WHO_KEYS: ReadonlySet<string> = new Set([
  'aws:principalorgid',
  'aws:principalorgpaths',
  'aws:principalaccount',
  'aws:sourceaccount',
  'aws:sourceorgid',
  'aws:sourceorgpaths',
  'aws:sourceip',
  'aws:sourcevpc',
  'aws:sourcevpce',
  'aws:vpcsourceip',
  'aws:multifactorauthpresent',
  'aws:multifactorauthage',
  'sts:externalid',
]);

/**
 * True when the test limits who may act: a known key of {@link WHO_KEYS}, not a negated or IfExists form, with no
 * value that lets everyone in.
 */
export const limitsWho = (test: ConditionTest): boolean =>
  WHO_KEYS.has(test.key.toLowerCase()) &&
  !/not|ifexists/i.test(test.operator) &&
  // `0.0.0.0/0`, `::/0` and `*` let everyone in.
  !test.values.some((value) => /\/0$/.test(value.trim()) || value.trim() === '*');

const LOWER: Record<Severity, Severity> = {
  critical: 'high',
  high: 'medium',
  medium: 'low',
  low: 'info',
  info: 'info',
};

/** One step lower. */
export const lowerSeverity = (severity: Severity): Severity => LOWER[severity];

/**
 * The rating of an allowed answer: one step lower when it depends on conditions and every one of them limits
 * who may act; otherwise as given (a condition on *what* is unsure: rate up, not down).
 */
export const rated = (severity: Severity, answer: Answer): Severity =>
  !answer.unconditional && answer.tests.length > 0 && answer.tests.every(limitsWho)
    ? lowerSeverity(severity)
    : severity;

/** The condition keys of an answer, for the words (`aws:MultiFactorAuthPresent`), policy variables left out. */
export const conditionKeysOf = (answer: Answer): string[] =>
  answer.unconditional
    ? []
    : unique(
        answer.tests.filter((test) => test.operator !== 'PolicyVariable').map((test) => test.key),
      ).sort();

/**
 * The conditions an Allow of the answer needs on `key`, with operator and values: alternatives (several statements) on the same
 * operator and key are one condition whose values are the union (values OR, statements OR).
 */
export const limitsOf = (answer: Answer, key: string): ConditionLimit[] => {
  if (answer.unconditional) return [];
  const merged = new Map<string, ConditionLimit>();
  for (const test of answer.allowTests) {
    if (test.key.toLowerCase() !== key.toLowerCase()) continue;
    const known = merged.get(test.operator);
    if (known) known.values = unique([...known.values, ...test.values]);
    else merged.set(test.operator, { operator: test.operator, key: test.key, values: [...test.values] });
  }
  return [...merged.values()];
};
