// parse → [classify] → enrich → format → publish
// Rules about who called and how it ended: root, EC2 instance credentials, denials, console without MFA, sign-ins.
import { instanceOf } from '../caller.js';
import {
  effect,
  type Facts,
  isChange,
  type Rule,
  reason,
  succeeded,
  touchesIamOrGuardRails,
} from '../facts.js';
import { nothingChanged } from '../outcome.js';

/**
 * Whether the root user's record is its own action, in the CIS AWS Foundations Benchmark's terms (4.3): a record of
 * `userIdentity.type` `Root` without `invokedBy` (an AWS service acting for root) that is not an `AwsServiceEvent`
 * (an event AWS writes about the account, not a call root made).
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html
 */
export const isRootOwnAction = (facts: Facts): boolean =>
  facts.principal.isRoot &&
  facts.principal.invokedBy === undefined &&
  facts.record.eventType !== 'AwsServiceEvent';

/**
 * The root user's own actions (`isRootOwnAction`): a root console sign-in or a successful root change is `critical`,
 * a root read or a failed root call `high`, a failed root console sign-in `medium`; a root session opened centrally
 * (`sts:AssumeRoot`) `high`.
 */
export const rootRule: Rule = (facts) => {
  const { principal, outcome, base } = facts;
  if (!isRootOwnAction(facts)) return undefined;
  const signIn = base.operation?.signIn !== undefined;
  if (principal.assumedRoot) {
    return base.isRead
      ? reason(
          'medium',
          'root-session',
          'read in a root session opened from the management account (sts:AssumeRoot): check it was a planned privileged task',
        )
      : effect(
          facts,
          'high',
          'root-session',
          'made in a root session opened from the management account (sts:AssumeRoot): check it was a planned privileged task',
          'attempted in a root session opened from the management account (sts:AssumeRoot)',
        );
  }
  if (signIn && !outcome.failed) {
    return reason(
      'critical',
      'root-sign-in',
      'the root user signed in: root should be used only for the few tasks that need it',
    );
  }
  if (signIn) {
    // A wrong password for root: someone knows the root e-mail address. Not paged per failure; bursts are grouped.
    return reason(
      'medium',
      'root-sign-in-failed',
      `a console sign-in as the root user failed (${outcome.errorCode}): whoever tried knows the account's root e-mail address; one is a typo, several are an attack`,
    );
  }
  if (!base.isRead && !outcome.failed) {
    // SCPs restrict the root user of member accounts; only the management account is outside every SCP.
    return reason(
      'critical',
      'root-activity',
      'made with the root user, which has full access to the account (an SCP can restrict it in a member account, never in the management account)',
    );
  }
  return reason(
    'high',
    'root-activity',
    outcome.failed
      ? `the root user attempted this${nothingChanged(outcome)}`
      : 'the root user was used (CIS: any root use is alerted)',
  );
};

/** A call made with EC2 instance role credentials: `high` for an IAM, STS or guard-rail change. */
export const ec2CredentialRule: Rule = (facts) => {
  const ec2 = facts.principal.ec2Instance;
  if (!ec2) return undefined;
  const instance = instanceOf(ec2);
  if (isChange(facts) && touchesIamOrGuardRails(facts)) {
    return effect(
      facts,
      'high',
      'ec2-credential-change',
      `made with the role credentials of ${instance}: code on that instance, or someone who stole its credentials, changed this`,
      `tried with the role credentials of ${instance}: code on that instance, or someone who stole its credentials, attempted this change`,
    );
  }
  if (isChange(facts)) {
    return effect(
      facts,
      'low',
      'ec2-credential-change',
      `made with the role credentials of ${instance}`,
      `tried with the role credentials of ${instance}`,
    );
  }
  if (touchesIamOrGuardRails(facts)) {
    return reason(
      'low',
      'ec2-credential-read',
      `IAM/STS read with the role credentials of ${instance}: the usual first step after stealing them`,
    );
  }
  return undefined;
};

/** A denied call: an SCP denial (stolen EC2 credentials?), a denied assume-role, change or read. */
export const accessDeniedRule: Rule = (facts) => {
  const { outcome, principal, target } = facts;
  if (!outcome.accessDenied) return undefined;
  if (outcome.scpDenied) {
    // With EC2 instance credentials, instanceCredentialsDeniedRule says it with the facts (likely stolen).
    if (principal.ec2Instance) return undefined;
    return reason(
      'high',
      'scp-denied',
      "denied by a service control policy: the organization's guard rail stopped this attempt",
    );
  }
  if (facts.service === 'sts' && facts.name.startsWith('Assume')) {
    const role = target?.kind === 'role' ? `role ${target.name}` : 'a role';
    return reason(
      'medium',
      'access-denied',
      `denied (${outcome.errorCode}): the caller tried to assume ${role} it may not, a lateral-movement attempt or a misconfiguration`,
    );
  }
  if (isChange(facts)) {
    return reason(
      'medium',
      'access-denied',
      `denied (${outcome.errorCode}): an attempt beyond the caller's permissions, a blocked escalation or a misconfigured automation`,
    );
  }
  return reason(
    'low',
    'access-denied-read',
    `read denied (${outcome.errorCode}): possible reconnaissance with credentials that lack permissions`,
  );
};

/**
 * An IAM user or root without MFA: a console sign-in with a password only (`high`, CIS 4.2), or a console change
 * (`medium`). Federated and Identity Center sign-ins never count: their MFA is the identity provider's, which
 * CloudTrail does not see (`principal.mfa` is unknown for them).
 */
export const consoleWithoutMfaRule: Rule = (facts) => {
  const { principal, service } = facts;
  if (principal.mfa !== false || (principal.type !== 'IAMUser' && principal.type !== 'Root'))
    return undefined;
  if (service === 'signin') {
    return facts.base.operation?.signIn !== undefined && succeeded(facts)
      ? reason(
          'high',
          'console-login-without-mfa',
          'signed in to the console with a password only, without MFA: a stolen or guessed password is enough to get in',
        )
      : undefined;
  }
  if (principal.via !== 'console' || !isChange(facts) || !succeeded(facts)) return undefined;
  return reason('medium', 'console-without-mfa', 'made by a person with console credentials, without MFA');
};

/** A failed console sign-in (a step the identity rules watch: `ConsoleLogin`): `low`, never paged per failure. */
export const signInFailedRule: Rule = ({ base, outcome }) =>
  base.operation?.signIn !== undefined && outcome.failed
    ? reason(
        'low',
        'sign-in-failed',
        `console sign-in failed (${outcome.errorCode}): one is a typo, many are an attack`,
      )
    : undefined;
