// parse → [classify] → enrich → format → publish
// Rules about who called and how it ended: root, EC2 instance credentials, denials, console without MFA, sign-ins.
import { instanceOf } from '../caller.js';
import { effect, isChange, type Rule, reason, succeeded, touchesIamOrGuardRails } from '../facts.js';
import { nothingChanged } from '../outcome.js';

/** The root user: a root sign-in or a successful root change is `critical`; a root session opened centrally `high`. */
export const rootRule: Rule = (facts) => {
  const { principal, outcome, service, name, base } = facts;
  if (!principal.isRoot) return undefined;
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
  if (service === 'signin' && name === 'ConsoleLogin' && !outcome.failed) {
    return reason(
      'critical',
      'root-sign-in',
      'the root user signed in: root should be used only for the few tasks that need it',
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
    // The deployed SCP denies EC2 instance credentials used away from their instance: a denial is stolen credentials.
    const stolen = principal.ec2Instance
      ? `; it was made with the role credentials of ${instanceOf(principal.ec2Instance)}: if the SCP that keeps instance credentials on their instance denied it, they were used from elsewhere, so they are likely stolen`
      : '';
    return reason(
      'high',
      'scp-denied',
      `denied by a service control policy: the organization's guard rail stopped this attempt${stolen}`,
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

/** An IAM user or root without MFA: a console sign-in with a password only, or a console change. */
export const consoleWithoutMfaRule: Rule = (facts) => {
  const { principal, service, name } = facts;
  if (principal.mfa !== false || (principal.type !== 'IAMUser' && principal.type !== 'Root'))
    return undefined;
  if (service === 'signin') {
    return name === 'ConsoleLogin' && succeeded(facts)
      ? reason(
          'medium',
          'console-login-without-mfa',
          'signed in to the console with a password only, without MFA',
        )
      : undefined;
  }
  if (principal.via !== 'console' || !isChange(facts) || !succeeded(facts)) return undefined;
  return reason('medium', 'console-without-mfa', 'made by a person with console credentials, without MFA');
};

/** A failed console sign-in. */
export const signInFailedRule: Rule = ({ service, outcome }) =>
  service === 'signin' && outcome.failed
    ? reason(
        'low',
        'sign-in-failed',
        `console sign-in failed (${outcome.errorCode}): one is a typo, many are an attack`,
      )
    : undefined;
