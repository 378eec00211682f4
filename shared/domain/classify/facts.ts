// parse → [classify] → enrich → format → publish
// What the rules see of one event, and the small helpers every rule uses to give a reason.
import type { Deployment, Params } from '../catalogue/operation.js';
import type { CloudTrailRecord, Principal, Reason, Severity, Target } from '../types.js';
import { SEVERITIES, severityRank } from '../types.js';
import type { Base } from './base.js';
import { nothingChanged, type Outcome } from './outcome.js';

/**
 * What a deployment tells the classifier beyond the event: the forwarder's delivery parameters and the topics' KMS
 * keys (`Deployment`: an SSM write or a KMS key call is a guard rail only on one of them) and the instances' egress
 * addresses.
 */
export interface ClassifyOptions extends Deployment {
  /**
   * The addresses instances reach public endpoints from (stack parameter `InstanceEgressCidrs`, e.g. NAT gateway
   * addresses), as CIDRs. When set, a successful call with instance credentials from another address, not through a
   * VPC endpoint, is alerted (`instance-credentials-outside-egress`). Default: none, and no such rule. Malformed
   * entries are ignored.
   */
  instanceEgressCidrs?: readonly string[];
}

/** One event as the rules see it: worked out once, before any rule runs. */
export interface Facts {
  record: CloudTrailRecord;
  /** `iam`, `sts`, `signin`, … (the event source without `.amazonaws.com`). */
  service: string;
  /** `eventName` without an API-version suffix. */
  name: string;
  params: Params;
  principal: Principal;
  outcome: Outcome;
  base: Base;
  target?: Target;
  options: ClassifyOptions;
}

/** A rule: one reason about the event, or `undefined` when it has nothing to say. */
export type Rule = (facts: Facts) => Reason | undefined;

/** A reason. */
export const reason = (severity: Severity, code: string, text: string): Reason => ({ severity, code, text });

/** One level lower, never below `low`: an attempt that failed rates below the same change succeeding. */
const lower = (severity: Severity): Severity => {
  const rank = severityRank(severity);
  return rank <= severityRank('low') ? severity : (SEVERITIES[rank - 1] ?? severity);
};

/** Whether the call is a change (not a read). */
export const isChange = (facts: Facts): boolean => !facts.base.isRead;

/** Whether the call succeeded. */
export const succeeded = (facts: Facts): boolean => !facts.outcome.failed;

/** IAM, STS and guard-rail calls: what a thief with stolen credentials reaches for first. */
export const touchesIamOrGuardRails = (facts: Facts): boolean =>
  facts.service === 'iam' || facts.service === 'sts' || facts.base.guardRail !== undefined;

/**
 * A reason about what a change did. A failed call did nothing: the same finding is then worded as an attempt
 * (`attempt`), rated one level lower and coded `<code>-attempt`.
 */
export const effect = (
  facts: Facts,
  severity: Severity,
  code: string,
  done: string,
  attempt: string,
): Reason =>
  facts.outcome.failed
    ? reason(lower(severity), `${code}-attempt`, `${attempt}${nothingChanged(facts.outcome)}`)
    : reason(severity, code, done);
