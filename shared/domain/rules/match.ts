// alert → [rules] → deliver: which suppress rule hides an alert, which routes it takes, which burst it joins.
// Pure functions of a small subject (see subject.ts for the adapter from the Alert) and the validated rules.
import { type Category, type Severity, severityRank } from '../types.js';
import { matchesAnyGlob } from './glob.js';
import {
  DEFAULT_ROUTE,
  type Grouping,
  isExpired,
  type RouteMatch,
  type RulesConfig,
  type Selectors,
  type SuppressRule,
  type Via,
} from './model.js';

/** What rules look at in an alert. Built by `ruleSubjectOf(alert)`; every field is a fact of the event. */
export interface RuleSubject {
  /** The caller's ARN (`userIdentity.arn`); absent for AWS services and some federated callers. */
  principalArn?: string;
  /** For a session: the ARN of the role (or user) that issued it (`sessionContext.sessionIssuer.arn`). */
  sessionRoleArn?: string;
  eventName: string;
  eventSource: string;
  /** The changed account (`recipientAccountId`). */
  account?: string;
  /** Ids of the OUs and root the changed account sits under, when Organizations told us (routing only). */
  organizationalUnits?: readonly string[];
  via: Via;
  category: Category;
  severity: Severity;
  /** Tampering with the alerting itself (trail, rule, topic, function, SCP): never hidden, never grouped. */
  isGuardRail: boolean;
}

/** What a rule whose selectors matched did: hid the alert, or was held back by a guarantee or its own limits. */
export type RuleOutcome =
  | 'suppressed'
  | 'kept-guard-rail'
  | 'kept-critical'
  | 'kept-severity'
  | 'kept-expired';

/** One rule whose selectors matched the subject. */
export interface RuleMatch {
  ruleId: string;
  outcome: RuleOutcome;
}

/**
 * The suppression decision for one alert. `suppressedBy` is the first rule (file order) that hides it, with its
 * reason; `matches` lists every rule whose selectors matched, in file order, and what each did (for the replay
 * report and the log line that keeps a hidden alert traceable).
 */
export interface SuppressionDecision {
  suppressedBy: string | null;
  reason: string | null;
  matches: RuleMatch[];
}

/** True when every selector given matches the subject (an absent key matches anything). */
export const matchesSelectors = (selectors: Selectors, subject: RuleSubject): boolean =>
  (selectors.principal === undefined ||
    matchesAnyGlob(selectors.principal, subject.principalArn) ||
    matchesAnyGlob(selectors.principal, subject.sessionRoleArn)) &&
  (selectors.eventName === undefined || matchesAnyGlob(selectors.eventName, subject.eventName)) &&
  (selectors.eventSource === undefined || matchesAnyGlob(selectors.eventSource, subject.eventSource)) &&
  (selectors.account === undefined || matchesAnyGlob(selectors.account, subject.account)) &&
  (selectors.via === undefined || selectors.via.includes(subject.via)) &&
  (selectors.category === undefined || selectors.category.includes(subject.category));

/**
 * What one rule does to a subject: `undefined` when its selectors do not match, else the outcome. The guarantees
 * come first, whatever the rule says: a guard-rail alert is never hidden, nor a critical one without
 * `includeCritical: true`; an expired rule hides nothing; then the rule's own `maxSeverity`.
 */
export const applySuppressRule = (
  rule: SuppressRule,
  subject: RuleSubject,
  today: string,
): RuleOutcome | undefined => {
  if (!matchesSelectors(rule.match, subject)) return undefined;
  if (isExpired(rule, today)) return 'kept-expired';
  if (subject.isGuardRail) return 'kept-guard-rail';
  if (subject.severity === 'critical' && !rule.includeCritical) return 'kept-critical';
  if (severityRank(subject.severity) > severityRank(rule.match.maxSeverity)) return 'kept-severity';
  return 'suppressed';
};

/**
 * Decides whether the rules hide an alert: the first rule (file order) whose selectors match and that may hide
 * it. `today` (`YYYY-MM-DD`, UTC) retires expired rules; the caller reads the clock.
 */
export const decideSuppression = (
  subject: RuleSubject,
  rules: RulesConfig,
  today: string,
): SuppressionDecision => {
  const matches: RuleMatch[] = [];
  for (const rule of rules.suppress) {
    const outcome = applySuppressRule(rule, subject, today);
    if (outcome) matches.push({ ruleId: rule.id, outcome });
  }
  const winner = matches.find((match) => match.outcome === 'suppressed');
  const rule = winner && rules.suppress.find((candidate) => candidate.id === winner.ruleId);
  return { suppressedBy: rule?.id ?? null, reason: rule?.reason ?? null, matches };
};

/** True when a route's match (selectors, organizational units, severity range) matches the subject. */
export const matchesRoute = (match: RouteMatch, subject: RuleSubject): boolean => {
  const rank = severityRank(subject.severity);
  return (
    matchesSelectors(match, subject) &&
    (match.organizationalUnit === undefined ||
      match.organizationalUnit.some((ou) => subject.organizationalUnits?.includes(ou) ?? false)) &&
    (match.minSeverity === undefined || rank >= severityRank(match.minSeverity)) &&
    (match.maxSeverity === undefined || rank <= severityRank(match.maxSeverity))
  );
};

/**
 * The names of the routes an alert takes, in file order: every route that matches, else `['default']` (today's
 * topic). A guard-rail alert also always takes the default route, so whoever owns the alerting hears of it.
 * A route naming `organizationalUnit` matches nothing when the account's OUs are unknown.
 */
export const matchRoutes = (subject: RuleSubject, rules: RulesConfig): string[] => {
  const names = rules.routes.filter((route) => matchesRoute(route.match, subject)).map((route) => route.name);
  if (names.length === 0) return [DEFAULT_ROUTE];
  return subject.isGuardRail ? [DEFAULT_ROUTE, ...names] : names;
};

/**
 * The burst an alert joins, or `null` when it is delivered on its own: grouping off (`windowSeconds: 0`), a
 * guard-rail alert, severity `high` or above or above `grouping.maxSeverity`, or no caller ARN to group by. The key
 * is the changed account and the caller's ARN, which for an assumed role names the session
 * (`arn:aws:sts::…:assumed-role/<role>/<session>`). The window itself is the delivery side's (queue or table).
 */
export const groupKeyOf = (subject: RuleSubject, grouping: Grouping): string | null => {
  if (grouping.windowSeconds === 0 || subject.isGuardRail || !subject.principalArn) return null;
  const rank = severityRank(subject.severity);
  if (rank >= severityRank('high') || rank > severityRank(grouping.maxSeverity)) return null;
  return `${subject.account ?? 'unknown-account'} ${subject.principalArn}`;
};
