// The facts every rendering shows, in the order a responder reads them: who, how, when, where.
// Values are raw (unescaped) strings: each format escapes them for where they land.
import type { Alert, Principal } from '../domain/types.js';
import { formatTime } from './plain-text.js';

/** One labelled fact of an alert. */
export interface Fact {
  label: 'Who' | 'How' | 'When' | 'Where' | 'Target' | 'Result';
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
      value: [alert.account ? `account ${alert.account}` : 'account unknown', alert.awsRegion]
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
