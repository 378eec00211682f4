// parse → [classify] → enrich → format → publish
// What an event is and how serious, from the event alone (no API calls). Policy documents are not read here:
// what a policy grants is the policy stage's finding (policy/, enrich.ts); the alert takes the higher severity.
// What each operation is comes from the catalogue (../catalogue/); this folder applies it to one event.
import { baseEventName, leadingVerb } from '../catalogue/index.js';
import type { Params } from '../catalogue/operation.js';
import { servicePrefix } from '../catalogue/operation.js';
import type { Classification, IamEvent, Principal, Reason, Severity } from '../types.js';
import { maxSeverity, severityRank } from '../types.js';
import { describeBase } from './base.js';
import type { ClassifyOptions, Facts } from './facts.js';
import { describeOutcome } from './outcome.js';
import { baseReason, RULES } from './rules/index.js';
import { findTarget } from './targets.js';
import { titleOf } from './titles.js';

export type { ClassifyOptions } from './facts.js';

/**
 * Classifies one event from the event alone: family (leading verb), category, severity with the reasons that
 * set it (highest first), a readable headline without the severity, and the IAM entity acted on.
 *
 * Severity is the highest of the reasons: the operation's own base severity (the catalogue) and the rules
 * (root, credentials or MFA devices for another user, a principal changing its own permissions, EC2 instance
 * credentials, AccessDenied and SCP denials, default policy version switched, boundary removed, SCP exemption tag,
 * console without MFA, MFA removed, guard rails…; see docs/classification.md). The operation's own reason is dropped
 * when a rule explains the severity at least as well. A failed call changed nothing: rules about what a change did
 * then speak of an attempt (`<code>-attempt`), one level lower; rules about the attempt itself (denials) still apply.
 * Events of every service are classified, never rejected; guard-rail events on the alerting pipeline are critical.
 * `options` carries what the deployment knows beyond the event (the instances' egress addresses, the forwarder's
 * delivery parameters).
 * Never throws on a record that `parseIamEvent` accepted.
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/cloudtrail-integration.html
 */
export const classifyEvent = (
  event: IamEvent,
  principal: Principal,
  options: ClassifyOptions = {},
): Classification => {
  const record = event.record;
  const service = servicePrefix(record.eventSource);
  const name = baseEventName(record.eventName);
  const params: Params = record.requestParameters ?? {};
  const base = describeBase(record, service, name, params, options);
  const target = findTarget(base.operation, service, {
    name,
    params,
    record,
    principal,
    account: event.account,
  });
  const facts: Facts = {
    record,
    service,
    name,
    params,
    principal,
    outcome: describeOutcome(record),
    base,
    ...(target ? { target } : {}),
    options,
  };

  const operationReason = baseReason(facts);
  const ruleReasons = RULES.map((rule) => rule(facts)).filter((r): r is Reason => r !== undefined);
  const strongest = ruleReasons.reduce<Severity>((max, r) => maxSeverity(max, r.severity), 'info');
  // The operation's own reason stays only when it explains more than the rules do.
  const reasons = [
    ...ruleReasons,
    ...(ruleReasons.length > 0 && severityRank(strongest) >= severityRank(operationReason.severity)
      ? []
      : [operationReason]),
  ].sort((a, b) => severityRank(b.severity) - severityRank(a.severity));
  const severity = reasons.reduce<Severity>((max, r) => maxSeverity(max, r.severity), 'info');

  // A finding about instance credentials used away from their instance is about credentials, whatever the call read
  // or changed: a stolen-credentials alert must not be filed (or filtered out) as a `read`.
  const category = ruleReasons.some((r) => r.instanceCredentials) ? 'credentials' : base.category;
  return {
    family: leadingVerb(record.eventName),
    category,
    severity,
    reasons,
    title: titleOf(facts),
    ...(target ? { target } : {}),
  };
};
