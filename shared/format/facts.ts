// The facts every rendering shows, in the order a responder reads them: who, how, when, where.
// Values are raw (unescaped) strings: each format escapes them for where they land.
import type { Credential } from '../domain/credentials.js';
import type { Alert, Principal } from '../domain/types.js';
import { formatTime } from './plain-text.js';

/** One labelled fact of an alert. */
export interface Fact {
  label: 'Who' | 'How' | 'When' | 'Where' | 'Target' | 'Result' | 'Key';
  value: string;
}

/** Readable labels of CloudTrail's `userIdentity.type` values, for every format. Unknown types print as they are. */
export const TYPE_LABELS: Record<string, string> = {
  IAMUser: 'IAM user',
  AssumedRole: 'assumed role',
  Root: 'root user',
  FederatedUser: 'federated user',
  AWSService: 'AWS service',
  AWSAccount: 'another AWS account',
  IdentityCenterUser: 'IAM Identity Center user',
  WebIdentityUser: 'web identity user',
  SAMLUser: 'SAML user',
  Unknown: 'unknown identity',
};

/** Who issued a federated user's session: `IAM user mallory (arn:…)`, `the root user`. */
const describeIssuer = (principal: Principal): string | undefined => {
  const arn = principal.issuerArn ? ` (${principal.issuerArn})` : '';
  if (principal.issuerType === 'Root' || principal.issuerArn?.endsWith(':root')) return `the root user${arn}`;
  return principal.issuerName ? `IAM user ${principal.issuerName}${arn}` : undefined;
};

/**
 * The principal in one phrase: `alice (IAM user, arn:…), no MFA`, `session ci-1 of role ci-role (arn:…)`,
 * `federated user bob, issued by IAM user mallory (arn:…)`,
 * `Identity Center user jane@example.com (permission set AdministratorAccess)`. MFA is named only when CloudTrail
 * can know it (`principal.mfa` set).
 */
export const describeWho = (principal: Principal): string => {
  const type = (Object.hasOwn(TYPE_LABELS, principal.type) && TYPE_LABELS[principal.type]) || principal.type;
  const mfa = principal.mfa === true ? ', with MFA' : principal.mfa === false ? ', no MFA' : '';
  if (principal.permissionSet && principal.sessionName) {
    return `Identity Center user ${principal.sessionName} (permission set ${principal.permissionSet})${mfa}`;
  }
  if (principal.type === 'FederatedUser') {
    const issuer = describeIssuer(principal);
    return `federated user ${principal.sessionName ?? principal.name}${issuer ? `, issued by ${issuer}` : ''}${mfa}`;
  }
  if (principal.type === 'IdentityCenterUser') {
    const store = principal.identityStoreArn ? ` (identity store ${principal.identityStoreArn})` : '';
    return `${principal.name}${store}${mfa}`;
  }
  if (principal.sessionName && principal.issuerName) {
    const arn = principal.issuerArn ? ` (${principal.issuerArn})` : '';
    return `session ${principal.sessionName} of role ${principal.issuerName}${arn}${mfa}`;
  }
  const arn = principal.arn ? `, ${principal.arn}` : '';
  const rootSession = principal.assumedRoot
    ? ', in a root session opened from the management account (sts:AssumeRoot)'
    : '';
  return `${principal.name} (${type}${arn})${rootSession}${mfa}`;
};

/** How and from where: `AWS console, from 203.0.113.9, EC2 instance i-0abc credentials`. */
export const describeHow = (principal: Principal): string => {
  const parts = [principal.viaLabel || principal.via];
  if (principal.sourceIp) parts.push(`from ${principal.sourceIp}`);
  if (principal.ec2Instance) {
    parts.push(
      `with EC2 instance credentials${principal.ec2Instance.instanceId ? ` of ${principal.ec2Instance.instanceId}` : ''}`,
    );
  }
  if (principal.vpcEndpointId) parts.push(`through VPC endpoint ${principal.vpcEndpointId}`);
  if (principal.invokedBy && principal.via !== 'aws-service') parts.push(`invoked by ${principal.invokedBy}`);
  return parts.join(', ');
};

/** The facts of an alert, in reading order. */
export const alertFacts = (alert: Alert): Fact[] => {
  const facts: Fact[] = [
    { label: 'Who', value: describeWho(alert.principal) },
    { label: 'How', value: describeHow(alert.principal) },
    {
      label: 'When',
      value: `${formatTime(alert.eventTime)}${alert.eventId ? ` (eventID ${alert.eventId})` : ''}`,
    },
    {
      label: 'Where',
      value: [
        alert.account
          ? `account ${alert.account}${alert.accountName ? ` (${alert.accountName})` : ''}`
          : 'account unknown',
        alert.awsRegion,
      ]
        .filter(Boolean)
        .join(', '),
    },
  ];
  if (alert.target) {
    facts.push({ label: 'Target', value: `${alert.target.kind.replace(/-/g, ' ')} ${alert.target.name}` });
  }
  if (alert.errorCode) {
    facts.push({
      label: 'Result',
      value: `failed: ${alert.errorCode}${alert.errorMessage ? ` (${alert.errorMessage})` : ''}`,
    });
  }
  return facts;
};

/**
 * The caller's access key in words: `AKIA… (the caller's long-term access key)`, `ASIA… (the caller's temporary
 * session key)`. The prefix says which: `AKIA` for an IAM user's or the root user's access key, `ASIA` for temporary
 * credentials from STS.
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-unique-ids
 */
export const describeCallerKey = (accessKeyId: string): string => {
  const kind = accessKeyId.startsWith('AKIA')
    ? "the caller's long-term access key"
    : accessKeyId.startsWith('ASIA')
      ? "the caller's temporary session key"
      : "the caller's access key";
  return `${accessKeyId} (${kind})`;
};

const CREDENTIAL_NOUNS: Readonly<Record<Credential['kind'], string>> = {
  'access-key': 'access key',
  'ssh-public-key': 'SSH public key',
  'mfa-device': 'MFA device',
  'signing-certificate': 'signing certificate',
  'service-specific-credential': 'service-specific credential',
  'login-profile': 'console password (login profile)',
};

/**
 * A credential the event created, changed or deleted, on one line, identifier first:
 * `access key AKIA… of IAM user bob created, status Active`,
 * `SSH public key APKA… (fingerprint c7:2e:…) of IAM user bob uploaded, status Active`,
 * `console password (login profile) of IAM user bob created, password reset required`.
 * A failed call's reads `…: not deleted, the call failed`.
 */
export const describeCredential = (credential: Credential, failed: boolean): string => {
  const parts = [CREDENTIAL_NOUNS[credential.kind]];
  if (credential.id) parts.push(credential.id);
  if (credential.fingerprint) parts.push(`(fingerprint ${credential.fingerprint})`);
  if (credential.service)
    parts.push(
      `for ${credential.service}${credential.serviceUserName ? ` as ${credential.serviceUserName}` : ''}`,
    );
  if (credential.user)
    parts.push(credential.user === 'root' ? 'of the root user' : `of IAM user ${credential.user}`);
  if (failed) return `${parts.join(' ')}: not ${credential.action}, the call failed`;
  const details: string[] = [];
  if (credential.status) details.push(`status ${credential.status}`);
  if (credential.passwordResetRequired !== undefined)
    details.push(credential.passwordResetRequired ? 'password reset required' : 'no password reset required');
  return `${parts.join(' ')} ${credential.action}${details.length > 0 ? `, ${details.join(', ')}` : ''}`;
};

/**
 * The credentials the event created, changed or deleted, one fact each (label `Key`): what a responder copies to find
 * and disable them, so every format shows them right under the headline.
 */
export const credentialFacts = (alert: Alert): Fact[] => {
  const failed = Boolean(alert.errorCode);
  return (alert.credentials ?? []).map((credential) => ({
    label: 'Key',
    value: describeCredential(credential, failed),
  }));
};

/** The access key the caller signed with, as a fact (label `Key`), after who/how/when/where. */
export const callerKeyFacts = (alert: Alert): Fact[] =>
  alert.callerAccessKeyId ? [{ label: 'Key', value: describeCallerKey(alert.callerAccessKeyId) }] : [];

/**
 * The policy section's findings that the "why it matters" list does not already say: a finding that became a reason
 * (same code, and the reason's text is the finding's, possibly followed by its source in parentheses) is printed
 * once, as the reason.
 */
export const findingsBeyondReasons = (alert: Alert): NonNullable<Alert['policy']>['findings'] =>
  (alert.policy?.findings ?? []).filter(
    (finding) =>
      !alert.reasons.some(
        (reason) =>
          reason.code === finding.code &&
          (reason.text === finding.text || reason.text.startsWith(`${finding.text} (`)),
      ),
  );
