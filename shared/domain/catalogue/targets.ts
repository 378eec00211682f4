// parse → [classify] → enrich → format → publish
// How to find the entity an operation acts on, from the request (and, where it says more, the response).
import { actingUser } from '../principal.js';
import type { Target } from '../types.js';
import type { FindTarget, Params, TargetContext } from './operation.js';
import { nameFromArn, str } from './words.js';

/** The `arn` of an entity in a response (`responseElements.user.arn`, `.role.arn`, `.policy.arn`). */
const responseArn = ({ record }: TargetContext, key: string): string | undefined => {
  const entity = record.responseElements?.[key];
  return typeof entity === 'object' && entity !== null ? str((entity as Params).arn) : undefined;
};

const withArn = (target: Target, arn: string | undefined): Target => (arn ? { ...target, arn } : target);

/** The root user's own MFA device is written with this placeholder user name (AWS CloudTrail user guide example). */
export const ROOT_USER_PLACEHOLDER = 'AWS ROOT USER';

/** The account's root user as a target: kind `account`, named by the account, with the root ARN. */
const rootTarget = ({ principal, account }: TargetContext): Target => {
  const partition = principal.arn?.split(':')[1] || 'aws';
  const arn =
    principal.isRoot && principal.arn ? principal.arn : `arn:${partition}:iam::${account ?? ''}:root`;
  return { kind: 'account', name: account || 'unknown account', arn };
};

/** The IAM entity named by the request's parameters, other than a user. */
const findByParameters: FindTarget = (context) => {
  const { params, record } = context;
  const roleName = str(params.roleName);
  if (roleName) return withArn({ kind: 'role', name: roleName }, responseArn(context, 'role'));
  const groupName = str(params.groupName);
  if (groupName) return withArn({ kind: 'group', name: groupName }, responseArn(context, 'group'));
  const instanceProfile = str(params.instanceProfileName);
  if (instanceProfile) {
    return withArn(
      { kind: 'instance-profile', name: instanceProfile },
      responseArn(context, 'instanceProfile'),
    );
  }
  const policyArn = str(params.policyArn);
  if (policyArn) return { kind: 'policy', name: nameFromArn(policyArn), arn: policyArn };
  const policyName = str(params.policyName);
  if (policyName) return withArn({ kind: 'policy', name: policyName }, responseArn(context, 'policy'));
  const saml = str(params.sAMLProviderArn) ?? str(record.responseElements?.sAMLProviderArn);
  if (saml) return { kind: 'saml-provider', name: nameFromArn(saml), arn: saml };
  const oidc = str(params.openIDConnectProviderArn) ?? str(record.responseElements?.openIDConnectProviderArn);
  if (oidc) {
    return {
      kind: 'oidc-provider',
      name: oidc.replace(/^arn:[^:]*:iam::\d*:oidc-provider\//, ''),
      arn: oidc,
    };
  }
  const oidcUrl = str(params.url);
  if (oidcUrl) return { kind: 'oidc-provider', name: oidcUrl.replace(/^https:\/\//, '') };
  const certificate = str(params.serverCertificateName);
  if (certificate) return { kind: 'server-certificate', name: certificate };
  const mfa = str(params.serialNumber) ?? str(params.virtualMFADeviceName);
  if (mfa)
    return { kind: 'mfa-device', name: nameFromArn(mfa), ...(mfa.startsWith('arn:') ? { arn: mfa } : {}) };
  return undefined;
};

/**
 * The IAM entity an operation acts on: the user in `userName`, else the role, group, instance profile, policy,
 * identity provider, server certificate or MFA device the request names. ARNs only when the event carries them: a
 * user's or role's ARN contains its path, which the request may not.
 */
export const findIamTarget: FindTarget = (context) => {
  const userName = str(context.params.userName);
  if (userName === ROOT_USER_PLACEHOLDER) return rootTarget(context);
  if (userName) return withArn({ kind: 'user', name: userName }, responseArn(context, 'user'));
  return findByParameters(context);
};

/**
 * The IAM user whose credential an operation creates or changes: `userName`, else the caller itself (the root user,
 * an IAM user, or the IAM user that minted a federated user's token).
 */
export const findCredentialTarget: FindTarget = (context) => {
  const { params, principal } = context;
  const userName = str(params.userName);
  if (userName === ROOT_USER_PLACEHOLDER || (!userName && principal.isRoot)) return rootTarget(context);
  if (userName) return withArn({ kind: 'user', name: userName }, responseArn(context, 'user'));
  if (principal.type === 'IAMUser') return withArn({ kind: 'user', name: principal.name }, principal.arn);
  // A federated user's credential calls act on the IAM user that minted the token.
  const issuer = actingUser(principal);
  if (issuer) return withArn({ kind: 'user', name: issuer }, principal.issuerArn);
  return findByParameters(context);
};

/** Account-wide settings act on the changed account. */
export const findAccountTarget: FindTarget = ({ account }) =>
  account ? { kind: 'account', name: account } : undefined;

/** `CreateSAMLProvider` names the new provider in `name` (it has no ARN yet in the request). */
export const findSamlProviderTarget: FindTarget = (context) => {
  const found = findIamTarget(context);
  if (found) return found;
  const name = str(context.params.name);
  return name ? { kind: 'saml-provider', name } : undefined;
};

/** `sts:AssumeRoot`'s member account: `targetPrincipal` is an account id or a principal ARN in that account. */
export const targetAccount = (p: Params): string | undefined => {
  const principal = str(p.targetPrincipal);
  if (!principal) return undefined;
  return /^arn:[^:]*:[^:]*::(\d{12}):/.exec(principal)?.[1] ?? principal;
};

// The role an AssumeRole* call named, from the request or, when it was denied (requestParameters may then be
// null), from AWS's message: `… is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::1:role/x`.
const ROLE_IN_MESSAGE = /on resource: (arn:[\w-]+:iam::\d{12}:role\/[\w+=,.@/-]+)/;

/** The entity an STS call acts on: the role of an `AssumeRole*`, the member account of an `AssumeRoot`. */
export const findStsTarget: FindTarget = ({ name, params, record }) => {
  if (name.startsWith('AssumeRole')) {
    const arn = str(params.roleArn) ?? ROLE_IN_MESSAGE.exec(str(record.errorMessage) ?? '')?.[1];
    return arn ? { kind: 'role', name: nameFromArn(arn), arn } : undefined;
  }
  if (name === 'AssumeRoot') {
    const account = targetAccount(params);
    return account ? { kind: 'account', name: account } : undefined;
  }
  return undefined;
};

// What an IAM operation acts on, by the noun its name ends (or starts) with after the verb: `DeleteSAMLProvider` →
// `SAMLProvider`, `RemoveUserFromGroup` → `Group`, `ListUserTags` → `User`. Checked longest first.
const NOUNS: ReadonlyArray<readonly [string, string]> = [
  ['OpenIDConnectProviderThumbprint', 'an OIDC provider'],
  ['OpenIDConnectProvider', 'an OIDC provider'],
  ['SAMLProvider', 'a SAML provider'],
  ['InstanceProfile', 'an instance profile'],
  ['ServerCertificate', 'a server certificate'],
  ['SigningCertificate', 'a signing certificate'],
  ['ServiceSpecificCredential', 'a service-specific credential'],
  ['SSHPublicKey', 'an SSH public key'],
  ['VirtualMFADevice', 'an MFA device'],
  ['MFADevice', 'an MFA device'],
  ['AccessKey', 'an access key'],
  ['LoginProfile', 'a console password'],
  ['AssumeRolePolicy', 'a role'],
  ['PermissionsBoundary', 'a permissions boundary'],
  ['PolicyVersion', 'a managed policy'],
  ['RolePolicy', 'a role'],
  ['UserPolicy', 'an IAM user'],
  ['GroupPolicy', 'a group'],
  ['AccountAlias', 'the account'],
  ['PasswordPolicy', 'the account'],
  ['Policy', 'a managed policy'],
  ['Group', 'a group'],
  ['Role', 'a role'],
  ['User', 'an IAM user'],
];

/**
 * The target of an operation whose event names none (a denied call without parameters, a record cut short), in
 * words: `a SAML provider`, `an IAM user`; `undefined` when the operation's name says nothing either.
 */
export const unnamedTarget = (operation: string): string | undefined => {
  const noun = operation.replace(/^[A-Z][a-z]+/, '');
  return (
    NOUNS.find(([suffix]) => noun.endsWith(suffix))?.[1] ??
    NOUNS.find(([prefix]) => noun.startsWith(prefix))?.[1]
  );
};
