// The one place that knows how an Alert maps onto what rules look at. When the Alert changes, only this changes.
import type { Alert } from '../types.js';
import type { RuleSubject } from './match.js';

/** Reason codes the classifier gives tampering with the alerting itself (`shared/domain/classify.ts`). */
const GUARD_RAIL_CODES = new Set(['guard-rail', 'guard-rail-attempt']);

/**
 * The rule subject of an alert. `organizationalUnits` are the OU and root ids above the changed account, when an
 * Organizations lookup gave them (routing by OU); the alert's access method `unknown` is the rules' `other`; a
 * guard-rail alert is one with a guard-rail reason, a successful change or a failed attempt.
 */
export const ruleSubjectOf = (alert: Alert, organizationalUnits?: readonly string[]): RuleSubject => ({
  principalArn: alert.principal.arn,
  sessionRoleArn: alert.principal.issuerArn,
  eventName: alert.eventName,
  eventSource: alert.eventSource,
  account: alert.account,
  ...(organizationalUnits ? { organizationalUnits } : {}),
  via: alert.principal.via === 'unknown' ? 'other' : alert.principal.via,
  category: alert.category,
  severity: alert.severity,
  isGuardRail: alert.reasons.some((reason) => GUARD_RAIL_CODES.has(reason.code)),
});
