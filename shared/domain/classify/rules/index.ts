// parse → [classify] → enrich → format → publish
// Every rule, in the order their reasons are listed when severities tie; and the operation's own reason.
import type { Reason } from '../../types.js';
import { type Facts, type Rule, reason } from '../facts.js';
import { nothingChanged } from '../outcome.js';
import {
  accessDeniedRule,
  consoleWithoutMfaRule,
  ec2CredentialRule,
  rootRule,
  signInFailedRule,
} from './caller.js';
import { guardRailRule } from './guard-rail.js';
import {
  credentialForOtherUserRule,
  mfaForOtherUserRule,
  scpExemptionTagRule,
  selfPermissionRule,
  specificIamRule,
  unknownOperationRule,
} from './iam.js';
import { instanceCredentialsDeniedRule, instanceOutsideEgressRule } from './identity.js';

/** The rules. A new rule is a `Rule` in the file of its subject, listed here. */
export const RULES: readonly Rule[] = [
  guardRailRule,
  rootRule,
  credentialForOtherUserRule,
  mfaForOtherUserRule,
  specificIamRule,
  selfPermissionRule,
  scpExemptionTagRule,
  instanceCredentialsDeniedRule,
  instanceOutsideEgressRule,
  ec2CredentialRule,
  accessDeniedRule,
  consoleWithoutMfaRule,
  signInFailedRule,
  unknownOperationRule,
];

/** The reason the operation itself gives, lowered to `low` when a failed change changed nothing. */
export const baseReason = (facts: Facts): Reason => {
  const { base, outcome } = facts;
  if (!outcome.failed || facts.service === 'signin') return reason(base.severity, 'operation', base.summary);
  if (base.isRead)
    return reason('info', 'call-failed', `${base.summary}; the call failed (${outcome.errorCode})`);
  return reason('low', 'call-failed', `${base.summary}${nothingChanged(outcome)}`);
};
