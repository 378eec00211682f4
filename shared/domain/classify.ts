// parse → [classify] → enrich → format → publish
// What an event is and how serious, from the event alone (no API calls). Policy documents are not read here:
// what a policy grants is the policy stage's finding (policy*.ts, enrich.ts); the alert takes the higher severity.
import { baseEventName, IAM_OPERATIONS, type IamOperation, leadingVerb } from './iam-operations.js';
import type {
  Category,
  Classification,
  CloudTrailRecord,
  IamEvent,
  Principal,
  Reason,
  Severity,
  Target,
} from './types.js';
import { maxSeverity, SEVERITIES, severityRank } from './types.js';

type Params = Record<string, unknown>;

const str = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : typeof value === 'number' ? String(value) : undefined;

/** `arn:aws:iam::aws:policy/AdministratorAccess` → `AdministratorAccess`; other values unchanged. */
const nameFromArn = (value: string): string => {
  const slash = value.lastIndexOf('/');
  if (slash >= 0) return value.slice(slash + 1) || value;
  const colon = value.lastIndexOf(':');
  return value.startsWith('arn:') && colon >= 0 ? value.slice(colon + 1) : value;
};

const capitalise = (text: string): string => text.charAt(0).toUpperCase() + text.slice(1);

const servicePrefix = (eventSource: string): string => eventSource.replace(/\.amazonaws\.com$/, '');

const reason = (severity: Severity, code: string, text: string): Reason => ({ severity, code, text });

/** One level lower, never below `low`: an attempt that failed rates below the same change succeeding. */
const lower = (severity: Severity): Severity => {
  const rank = severityRank(severity);
  return rank <= severityRank('low') ? severity : (SEVERITIES[rank - 1] ?? severity);
};

// ---------------------------------------------------------------------------------------------------------------
// Outcome of the call

/** Error codes that mean "not allowed", across the services whose events reach the notifier. */
const ACCESS_DENIED =
  /^(?:Client\.)?(?:AccessDenied(?:Exception)?|UnauthorizedOperation|UnauthorizedAccess|AuthorizationError|AuthorizationErrorException|Forbidden)$/i;
/** Organizations writes these when an SCP denies: explicitly, or by allowing nothing. */
const SCP_DENIAL = /(?:explicit deny in a service control policy|no service control policy allows)/i;

interface Outcome {
  failed: boolean;
  errorCode?: string;
  accessDenied: boolean;
  scpDenied: boolean;
}

const describeOutcome = (record: CloudTrailRecord): Outcome => {
  const errorCode = str(record.errorCode);
  const message = str(record.errorMessage) ?? '';
  // Console sign-ins report failure in the response, not in errorCode.
  const signInFailed =
    record.eventSource === 'signin.amazonaws.com' &&
    Object.values(record.responseElements ?? {}).some((value) => value === 'Failure');
  const scpDenied = SCP_DENIAL.test(message);
  const accessDenied = scpDenied || (errorCode !== undefined && ACCESS_DENIED.test(errorCode));
  return {
    failed: errorCode !== undefined || signInFailed,
    ...(errorCode ? { errorCode } : signInFailed ? { errorCode: message || 'Failure' } : {}),
    accessDenied,
    scpDenied,
  };
};

// ---------------------------------------------------------------------------------------------------------------
// Targets and titles of IAM operations

const ENTITY_LABELS: Record<Target['kind'], string> = {
  user: 'IAM user',
  role: 'role',
  group: 'group',
  policy: 'policy',
  'instance-profile': 'instance profile',
  'saml-provider': 'SAML provider',
  'oidc-provider': 'OIDC provider',
  'server-certificate': 'server certificate',
  'mfa-device': 'MFA device',
  account: 'account',
  other: '',
};

/** The root user as a target: the account, with the root ARN (`arn:aws:iam::<account>:root`). */
const isRootTarget = (target: Target): boolean =>
  target.kind === 'account' && target.arn?.endsWith(':root') === true;

/** `IAM user bob`, `role deploy`, `the root user`. */
const phrase = (target: Target | undefined): string => {
  if (!target) return 'an unnamed entity';
  if (isRootTarget(target)) return 'the root user';
  if (target.kind === 'other') return target.name;
  return `${ENTITY_LABELS[target.kind]} ${target.name}`;
};

/** The `arn` of an entity in a response (`responseElements.user.arn`, `.role.arn`, `.policy.arn`). */
const responseArn = (record: CloudTrailRecord, key: string): string | undefined => {
  const entity = record.responseElements?.[key];
  return typeof entity === 'object' && entity !== null ? str((entity as Params).arn) : undefined;
};

const withArn = (target: Target, arn: string | undefined): Target => (arn ? { ...target, arn } : target);

// The root user's own MFA device is written with this placeholder user name (AWS CloudTrail user guide example).
const ROOT_USER_PLACEHOLDER = 'AWS ROOT USER';

/** The account's root user as a target: kind `account`, named by the account, with the root ARN. */
const rootTarget = (record: CloudTrailRecord, principal: Principal): Target => {
  const account = record.recipientAccountId ?? principal.accountId;
  const partition = principal.arn?.split(':')[1] || 'aws';
  const arn =
    principal.isRoot && principal.arn ? principal.arn : `arn:${partition}:iam::${account ?? ''}:root`;
  return { kind: 'account', name: account ?? 'unknown account', arn };
};

/** The IAM user whose permissions the caller uses: itself, or the user that minted a federation token. */
const actingUser = (principal: Principal): string | undefined => {
  if (principal.type === 'IAMUser') return principal.name;
  const issuedByUser = principal.issuerType === 'IAMUser' || principal.issuerArn?.includes(':user/') === true;
  return principal.type === 'FederatedUser' && issuedByUser ? principal.issuerName : undefined;
};

/** The role whose permissions a role session uses. */
const actingRole = (principal: Principal): string | undefined =>
  principal.type === 'AssumedRole' ? principal.issuerName : undefined;

/**
 * The IAM entity an operation acts on. Operations on credentials without `userName` act on the caller.
 * ARNs only when the event carries them: a user's or role's ARN contains its path, which the request may not.
 */
const iamTarget = (
  name: string,
  params: Params,
  record: CloudTrailRecord,
  principal: Principal,
  operation: IamOperation | undefined,
): Target | undefined => {
  if (operation?.category === 'account') {
    const account = record.recipientAccountId ?? principal.accountId;
    return account ? { kind: 'account', name: account } : undefined;
  }
  const userName = str(params.userName);
  if (
    userName === ROOT_USER_PLACEHOLDER ||
    (!userName && principal.isRoot && USER_CREDENTIAL_OPS.has(name))
  ) {
    return rootTarget(record, principal);
  }
  if (userName) return withArn({ kind: 'user', name: userName }, responseArn(record, 'user'));
  if (USER_CREDENTIAL_OPS.has(name)) {
    if (principal.type === 'IAMUser') return withArn({ kind: 'user', name: principal.name }, principal.arn);
    // A federated user's credential calls act on the IAM user that minted the token.
    const issuer = actingUser(principal);
    if (issuer) return withArn({ kind: 'user', name: issuer }, principal.issuerArn);
  }
  const roleName = str(params.roleName);
  if (roleName) return withArn({ kind: 'role', name: roleName }, responseArn(record, 'role'));
  const groupName = str(params.groupName);
  if (groupName) return withArn({ kind: 'group', name: groupName }, responseArn(record, 'group'));
  const instanceProfile = str(params.instanceProfileName);
  if (instanceProfile) {
    return withArn(
      { kind: 'instance-profile', name: instanceProfile },
      responseArn(record, 'instanceProfile'),
    );
  }
  const policyArn = str(params.policyArn);
  if (policyArn) return { kind: 'policy', name: nameFromArn(policyArn), arn: policyArn };
  const policyName = str(params.policyName);
  if (policyName) return withArn({ kind: 'policy', name: policyName }, responseArn(record, 'policy'));
  const saml = str(params.sAMLProviderArn) ?? str(record.responseElements?.sAMLProviderArn);
  if (saml) return { kind: 'saml-provider', name: nameFromArn(saml), arn: saml };
  if (name === 'CreateSAMLProvider' && str(params.name)) {
    return { kind: 'saml-provider', name: str(params.name) as string };
  }
  const oidc = str(params.openIDConnectProviderArn) ?? str(record.responseElements?.openIDConnectProviderArn);
  if (oidc)
    return {
      kind: 'oidc-provider',
      name: oidc.replace(/^arn:[^:]*:iam::\d*:oidc-provider\//, ''),
      arn: oidc,
    };
  const oidcUrl = str(params.url);
  if (oidcUrl) return { kind: 'oidc-provider', name: oidcUrl.replace(/^https:\/\//, '') };
  const certificate = str(params.serverCertificateName);
  if (certificate) return { kind: 'server-certificate', name: certificate };
  const mfa = str(params.serialNumber) ?? str(params.virtualMFADeviceName);
  if (mfa)
    return { kind: 'mfa-device', name: nameFromArn(mfa), ...(mfa.startsWith('arn:') ? { arn: mfa } : {}) };
  return undefined;
};

/** Operations that create or change a credential of the IAM user named in `userName` (the caller when absent). */
const USER_CREDENTIAL_OPS = new Set([
  'CreateAccessKey',
  'UpdateAccessKey',
  'DeleteAccessKey',
  'CreateLoginProfile',
  'UpdateLoginProfile',
  'DeleteLoginProfile',
  'UploadSSHPublicKey',
  'UpdateSSHPublicKey',
  'DeleteSSHPublicKey',
  'CreateServiceSpecificCredential',
  'ResetServiceSpecificCredential',
  'UpdateServiceSpecificCredential',
  'DeleteServiceSpecificCredential',
  'UploadSigningCertificate',
  'UpdateSigningCertificate',
  'DeleteSigningCertificate',
  'EnableMFADevice',
  'DeactivateMFADevice',
  'ResyncMFADevice',
  'ChangePassword',
]);

/** What a credential created or re-activated for an IAM user lets its holder do, in AWS's terms. */
interface CredentialGrant {
  /** `an access key`, `a console password`. */
  what: (p: Params) => string;
  /** Past participle and infinitive: `created`/`create`. */
  done: string;
  verb: string;
  /** What whoever holds the credential can do as `user`. */
  effect: (user: string, p: Params) => string;
}

/** Service names `CreateServiceSpecificCredential` accepts, in words. */
const SERVICE_SPECIFIC_SERVICES: Record<string, string> = {
  'codecommit.amazonaws.com': 'CodeCommit',
  'cassandra.amazonaws.com': 'Amazon Keyspaces',
  'bedrock.amazonaws.com': 'Amazon Bedrock',
};
const serviceSpecific = (p: Params): string => {
  const service = str(p.serviceName);
  return service ? (SERVICE_SPECIFIC_SERVICES[service] ?? service) : 'its service';
};

const accessKeyEffect = (user: string): string => `whoever holds it can call AWS APIs as ${user}`;
const passwordEffect = (user: string): string =>
  `whoever knows the password can sign in to the console as ${user} (an MFA device of ${user}, if any, is still asked for)`;
// IAM SSH public keys authenticate to CodeCommit only; service-specific credentials to one service only.
// @see https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_ssh-keys.html
// @see https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_service-specific-creds.html
const sshKeyEffect = (user: string): string =>
  `whoever holds the private key can use CodeCommit repositories over SSH as ${user}, with ${user}'s CodeCommit permissions; the key gives no other access`;
const serviceSpecificEffect = (user: string, p: Params): string =>
  `whoever holds it can use ${serviceSpecific(p)} as ${user}, with ${user}'s permissions there; it works for no other service`;
const signingCertificateEffect = (user: string): string =>
  `whoever holds the certificate's private key can sign requests as ${user} to the few AWS services that accept X.509 signing certificates`;

/**
 * Credential operations that give someone a way in when aimed at another IAM user (deletions and deactivations
 * do not). MFA devices are apart: a device alone signs nobody in (see `mfaForOtherUserRule`).
 */
const CREDENTIAL_GRANTS: Record<string, CredentialGrant> = {
  CreateAccessKey: { what: () => 'an access key', done: 'created', verb: 'create', effect: accessKeyEffect },
  UpdateAccessKey: {
    what: (p) => `access key ${str(p.accessKeyId) ?? '?'}`,
    done: 'activated',
    verb: 'activate',
    effect: accessKeyEffect,
  },
  CreateLoginProfile: {
    what: () => 'a console password',
    done: 'created',
    verb: 'create',
    effect: passwordEffect,
  },
  UpdateLoginProfile: {
    what: () => 'the console password',
    done: 'changed',
    verb: 'change',
    effect: passwordEffect,
  },
  UploadSSHPublicKey: {
    what: () => 'an SSH public key',
    done: 'uploaded',
    verb: 'upload',
    effect: sshKeyEffect,
  },
  UpdateSSHPublicKey: {
    what: () => 'an SSH public key',
    done: 'activated',
    verb: 'activate',
    effect: sshKeyEffect,
  },
  CreateServiceSpecificCredential: {
    what: (p) => {
      const service = serviceSpecific(p);
      return `${/^[AEIOU]/i.test(service) ? 'an' : 'a'} ${service} service-specific credential`;
    },
    done: 'created',
    verb: 'create',
    effect: serviceSpecificEffect,
  },
  ResetServiceSpecificCredential: {
    what: () =>
      'the password of a service-specific credential (CodeCommit, Amazon Keyspaces or Amazon Bedrock)',
    done: 'reset',
    verb: 'reset',
    effect: serviceSpecificEffect,
  },
  UpdateServiceSpecificCredential: {
    what: () => 'a service-specific credential (CodeCommit, Amazon Keyspaces or Amazon Bedrock)',
    done: 'activated',
    verb: 'activate',
    effect: serviceSpecificEffect,
  },
  UploadSigningCertificate: {
    what: () => 'an X.509 signing certificate',
    done: 'uploaded',
    verb: 'upload',
    effect: signingCertificateEffect,
  },
  UpdateSigningCertificate: {
    what: () => 'an X.509 signing certificate',
    done: 'activated',
    verb: 'activate',
    effect: signingCertificateEffect,
  },
};

const tagList = (params: Params): Array<{ key: string; value: string }> => {
  const tags = params.tags;
  if (!Array.isArray(tags)) return [];
  return tags.flatMap((tag) => {
    if (typeof tag !== 'object' || tag === null) return [];
    const key = str((tag as Params).key) ?? str((tag as Params).Key);
    const value = str((tag as Params).value) ?? str((tag as Params).Value) ?? '';
    return key ? [{ key, value }] : [];
  });
};

type TitleContext = { t: string; p: Params; policy: string };
type TitleBuilder = (c: TitleContext) => string;

const attach: TitleBuilder = ({ t, policy }) => `${policy} attached to ${t}`;
const detach: TitleBuilder = ({ t, policy }) => `${policy} detached from ${t}`;
const putInline: TitleBuilder = ({ t, p }) => `Inline policy ${str(p.policyName) ?? '?'} written on ${t}`;
const deleteInline: TitleBuilder = ({ t, p }) =>
  `Inline policy ${str(p.policyName) ?? '?'} deleted from ${t}`;
const statusVerb = (p: Params): string => (str(p.status) === 'Inactive' ? 'deactivated' : 'activated');
const tagged: TitleBuilder = ({ t, p }) => {
  const tags = tagList(p).map(({ key, value }) => `${key}=${value}`);
  return `${capitalise(t)} tagged ${tags.length > 0 ? tags.join(', ') : '(no tags named)'}`;
};
const untagged: TitleBuilder = ({ t, p }) => {
  const keys = Array.isArray(p.tagKeys) ? p.tagKeys.filter((key) => typeof key === 'string') : [];
  return `${keys.length > 0 ? `Tags ${keys.join(', ')}` : 'Tags'} removed from ${t}`;
};

/** Headlines for IAM operations, in the words of ALERT-EXAMPLES.md; others get a generic headline. */
const IAM_TITLES: Record<string, TitleBuilder> = {
  AttachUserPolicy: attach,
  AttachRolePolicy: attach,
  AttachGroupPolicy: attach,
  DetachUserPolicy: detach,
  DetachRolePolicy: detach,
  DetachGroupPolicy: detach,
  PutUserPolicy: putInline,
  PutRolePolicy: putInline,
  PutGroupPolicy: putInline,
  DeleteUserPolicy: deleteInline,
  DeleteRolePolicy: deleteInline,
  DeleteGroupPolicy: deleteInline,
  CreatePolicy: ({ policy }) => `Managed policy ${policy} created`,
  DeletePolicy: ({ policy }) => `Managed policy ${policy} deleted`,
  CreatePolicyVersion: ({ p, policy }) =>
    `New version of policy ${policy} created${p.setAsDefault === true ? ' and made the default' : ''}`,
  DeletePolicyVersion: ({ p, policy }) => `Version ${str(p.versionId) ?? '?'} of policy ${policy} deleted`,
  SetDefaultPolicyVersion: ({ p, policy }) =>
    `Policy ${policy} default version switched to ${str(p.versionId) ?? 'another version'}`,
  AddUserToGroup: ({ p }) => `IAM user ${str(p.userName) ?? '?'} added to group ${str(p.groupName) ?? '?'}`,
  RemoveUserFromGroup: ({ p }) =>
    `IAM user ${str(p.userName) ?? '?'} removed from group ${str(p.groupName) ?? '?'}`,
  UpdateAssumeRolePolicy: ({ t }) => `${capitalise(t)} trust policy updated`,
  PutUserPermissionsBoundary: ({ t, p }) =>
    `Permissions boundary ${nameFromArn(str(p.permissionsBoundary) ?? '')} set on ${t}`,
  PutRolePermissionsBoundary: ({ t, p }) =>
    `Permissions boundary ${nameFromArn(str(p.permissionsBoundary) ?? '')} set on ${t}`,
  DeleteUserPermissionsBoundary: ({ t }) => `Permissions boundary removed from ${t}`,
  DeleteRolePermissionsBoundary: ({ t }) => `Permissions boundary removed from ${t}`,
  AddRoleToInstanceProfile: ({ p }) =>
    `Role ${str(p.roleName) ?? '?'} added to instance profile ${str(p.instanceProfileName) ?? '?'}`,
  RemoveRoleFromInstanceProfile: ({ p }) =>
    `Role ${str(p.roleName) ?? '?'} removed from instance profile ${str(p.instanceProfileName) ?? '?'}`,
  CreateInstanceProfile: ({ t }) => `${capitalise(t)} created`,
  DeleteInstanceProfile: ({ t }) => `${capitalise(t)} deleted`,
  CreateUser: ({ t }) => `${capitalise(t)} created`,
  DeleteUser: ({ t }) => `${capitalise(t)} deleted`,
  UpdateUser: ({ t, p }) =>
    str(p.newUserName) ? `${capitalise(t)} renamed to ${str(p.newUserName)}` : `${capitalise(t)} updated`,
  CreateGroup: ({ t }) => `${capitalise(t)} created`,
  DeleteGroup: ({ t }) => `${capitalise(t)} deleted`,
  UpdateGroup: ({ t }) => `${capitalise(t)} updated`,
  CreateRole: ({ t }) => `${capitalise(t)} created`,
  AcquireRole: ({ t }) => `${capitalise(t)} created from a role template`,
  DeleteRole: ({ t }) => `${capitalise(t)} deleted`,
  UpdateRole: ({ t }) => `${capitalise(t)} updated`,
  UpdateRoleDescription: ({ t }) => `${capitalise(t)} description updated`,
  CreateServiceLinkedRole: ({ p }) =>
    `Service-linked role for ${str(p.aWSServiceName) ?? 'an AWS service'} created`,
  DeleteServiceLinkedRole: ({ t }) => `Service-linked ${t} deleted`,
  CreateAccessKey: ({ t }) => `Access key created for ${t}`,
  DeleteAccessKey: ({ t, p }) => `Access key ${str(p.accessKeyId) ?? '?'} deleted from ${t}`,
  UpdateAccessKey: ({ t, p }) => `Access key ${str(p.accessKeyId) ?? '?'} of ${t} ${statusVerb(p)}`,
  CreateLoginProfile: ({ t }) => `Console password created for ${t}`,
  UpdateLoginProfile: ({ t }) => `Console password changed for ${t}`,
  DeleteLoginProfile: ({ t }) => `Console password removed from ${t}`,
  ChangePassword: ({ t }) => `${capitalise(t)} changed their console password`,
  EnableMFADevice: ({ t }) => `MFA device enabled for ${t}`,
  DeactivateMFADevice: ({ t }) => `MFA device deactivated for ${t}`,
  ResyncMFADevice: ({ t }) => `MFA device resynchronised for ${t}`,
  CreateVirtualMFADevice: ({ p }) => `Virtual MFA device ${str(p.virtualMFADeviceName) ?? '?'} created`,
  DeleteVirtualMFADevice: ({ t }) => `Virtual ${t} deleted`,
  UploadSSHPublicKey: ({ t }) => `SSH public key uploaded for ${t}`,
  UpdateSSHPublicKey: ({ t, p }) => `SSH public key of ${t} ${statusVerb(p)}`,
  DeleteSSHPublicKey: ({ t }) => `SSH public key deleted from ${t}`,
  CreateServiceSpecificCredential: ({ t, p }) =>
    `Service-specific credential for ${str(p.serviceName) ?? 'a service'} created for ${t}`,
  ResetServiceSpecificCredential: ({ t }) => `Service-specific credential of ${t} reset`,
  UpdateServiceSpecificCredential: ({ t, p }) => `Service-specific credential of ${t} ${statusVerb(p)}`,
  DeleteServiceSpecificCredential: ({ t }) => `Service-specific credential deleted from ${t}`,
  UploadSigningCertificate: ({ t }) => `Signing certificate uploaded for ${t}`,
  UpdateSigningCertificate: ({ t, p }) => `Signing certificate of ${t} ${statusVerb(p)}`,
  DeleteSigningCertificate: ({ t }) => `Signing certificate deleted from ${t}`,
  UploadServerCertificate: ({ t }) => `${capitalise(t)} uploaded`,
  UpdateServerCertificate: ({ t }) => `${capitalise(t)} updated`,
  DeleteServerCertificate: ({ t }) => `${capitalise(t)} deleted`,
  CreateSAMLProvider: ({ t }) => `${t} created`,
  UpdateSAMLProvider: ({ t }) => `${t} metadata replaced`,
  DeleteSAMLProvider: ({ t }) => `${t} deleted`,
  CreateOpenIDConnectProvider: ({ t }) => `${t} created`,
  DeleteOpenIDConnectProvider: ({ t }) => `${t} deleted`,
  AddClientIDToOpenIDConnectProvider: ({ t, p }) => `Audience ${str(p.clientID) ?? '?'} added to ${t}`,
  RemoveClientIDFromOpenIDConnectProvider: ({ t, p }) =>
    `Audience ${str(p.clientID) ?? '?'} removed from ${t}`,
  UpdateOpenIDConnectProviderThumbprint: ({ t }) => `${t} thumbprints replaced`,
  CreateAccountAlias: ({ p }) => `Account alias set to ${str(p.accountAlias) ?? '?'}`,
  DeleteAccountAlias: ({ p }) => `Account alias ${str(p.accountAlias) ?? '?'} deleted`,
  UpdateAccountPasswordPolicy: () => 'Account password policy changed',
  DeleteAccountPasswordPolicy: () => "Account password policy deleted: IAM's default password policy applies",
  EnableOrganizationsRootSessions: () =>
    'Root sessions in member accounts enabled for the management account',
  DisableOrganizationsRootSessions: () => 'Root sessions in member accounts disabled',
  EnableOrganizationsRootCredentialsManagement: () => 'Central management of member root credentials enabled',
  DisableOrganizationsRootCredentialsManagement: () =>
    'Central management of member root credentials disabled',
  AcceptDelegationRequest: ({ p }) =>
    `Delegation request ${str(p.delegationRequestId) ?? '?'} accepted: a partner gets temporary access`,
  EnableOutboundWebIdentityFederation: () => 'Outbound web identity federation enabled',
  DisableOutboundWebIdentityFederation: () => 'Outbound web identity federation disabled',
};

// ---------------------------------------------------------------------------------------------------------------
// Guard rails: events on the alerting pipeline itself (issue 3, item 8). Every one is `critical` when it succeeds.

interface GuardRail {
  category: Category;
  /** The headline, naming the consequence for the alerts. */
  title: (p: Params) => string;
  /** The reason text: why the alerting is at risk. */
  text: string | ((p: Params) => string);
  /** Some calls are guard-rail events only with some parameters (concurrency 0, a disabled SCP type). */
  applies?: (p: Params) => boolean;
}

const named = (value: unknown, fallback: string): string => {
  const text = str(value);
  return text ? nameFromArn(text) : fallback;
};
const lambdaName = (p: Params): string => {
  const relative = (p.fullyQualifiedArn as Params | undefined)?.relativeId as Params | undefined;
  return named(p.functionName ?? relative?.functionName, 'a function');
};
const trailName = (p: Params): string => named(p.name ?? p.trailName, 'a trail');

// The deployed guard-rail pattern matches every trail, and IAM events reach EventBridge only through a trail that
// logs management events in us-east-1: one trail of several stopping does not stop the alerts.
const ifOnlyTrail = 'if it is the only trail logging management events in us-east-1, IAM alerts stop';

const dropsManagementEvents = (p: Params): boolean =>
  Array.isArray(p.eventSelectors) &&
  p.eventSelectors.some(
    (selector) =>
      typeof selector === 'object' &&
      selector !== null &&
      (selector as Params).includeManagementEvents === false,
  );

/**
 * Guard-rail events by `service:operation`. Categories: SCP changes are `permissions` (an SCP bounds what every
 * principal may do); leaving the organization and trail changes are `account` (account-wide governance and audit
 * settings); EventBridge, SNS, Lambda and KMS events are `other`: they touch the alert pipeline's plumbing, which no
 * IAM category describes. All are `critical`, so every severity filter lets them through.
 */
const GUARD_RAILS: Record<string, GuardRail> = {
  'cloudtrail:StopLogging': {
    category: 'account',
    title: (p) => `CloudTrail logging stopped on trail ${trailName(p)}`,
    text: (p) => `CloudTrail logging stopped on trail ${trailName(p)}: ${ifOnlyTrail}`,
  },
  'cloudtrail:DeleteTrail': {
    category: 'account',
    title: (p) => `CloudTrail trail ${trailName(p)} deleted`,
    text: (p) => `CloudTrail trail ${trailName(p)} was deleted: ${ifOnlyTrail}`,
  },
  'cloudtrail:UpdateTrail': {
    category: 'account',
    title: (p) =>
      `CloudTrail trail ${trailName(p)} changed: check it still logs global events in every region`,
    text: (p) =>
      `trail ${trailName(p)} was reconfigured: a single-region trail outside us-east-1, or one without global service events, misses IAM; ${ifOnlyTrail}`,
  },
  'cloudtrail:PutEventSelectors': {
    category: 'account',
    title: (p) =>
      dropsManagementEvents(p)
        ? `Trail ${trailName(p)} no longer logs management events`
        : `Event selectors of trail ${trailName(p)} changed: management events may no longer be logged`,
    text: (p) =>
      `the event selectors of trail ${trailName(p)} decide which calls it logs: without management events it sees no IAM call; ${ifOnlyTrail}`,
  },
  'cloudtrail:PutInsightSelectors': {
    category: 'account',
    title: (p) => `Insight selectors of trail ${trailName(p)} changed`,
    text: 'the trail configuration was changed by someone other than the deployment',
  },
  'organizations:DetachPolicy': {
    category: 'permissions',
    title: (p) =>
      `Organizations policy ${named(p.policyId, '?')} detached from ${named(p.targetId, 'a target')}: its guard rail no longer applies there`,
    text: 'a service control policy was detached: the accounts below that target lose its protection',
  },
  'organizations:UpdatePolicy': {
    category: 'permissions',
    title: (p) =>
      `Organizations policy ${named(p.policyId, '?')} changed: the SCP guard rail may be weakened`,
    text: 'a service control policy was rewritten: its deny statements may be gone',
  },
  'organizations:DeletePolicy': {
    category: 'permissions',
    title: (p) => `Organizations policy ${named(p.policyId, '?')} deleted`,
    text: 'a service control policy was deleted',
  },
  'organizations:DisablePolicyType': {
    category: 'permissions',
    title: (p) =>
      `Policy type ${str(p.policyType) ?? '?'} disabled on root ${named(p.rootId, '?')}: no such policy applies any more`,
    text: 'a policy type was disabled on the organization root: every SCP of that type stops applying',
  },
  'organizations:LeaveOrganization': {
    category: 'account',
    title: () => 'Account left the organization: SCPs and organization guard rails no longer apply',
    text: 'an account outside the organization is bound by no SCP and sends no events to the central bus',
  },
  'events:DisableRule': {
    category: 'other',
    title: (p) => `EventBridge rule ${named(p.name, '?')} disabled: alerts will stop`,
    text: 'a disabled rule forwards nothing to the notifier',
  },
  'events:DeleteRule': {
    category: 'other',
    title: (p) => `EventBridge rule ${named(p.name, '?')} deleted: alerts will stop`,
    text: 'a deleted rule forwards nothing to the notifier',
  },
  'events:RemoveTargets': {
    category: 'other',
    title: (p) => `Targets removed from EventBridge rule ${named(p.rule, '?')}: alerts may stop`,
    text: 'without its target the rule delivers events nowhere',
  },
  'events:PutRule': {
    category: 'other',
    title: (p) =>
      `EventBridge rule ${named(p.name, '?')} created or changed: its pattern may no longer match`,
    text: 'a changed pattern or state can silently stop matching IAM events',
  },
  'events:PutTargets': {
    category: 'other',
    title: (p) => `Targets of EventBridge rule ${named(p.rule, '?')} changed: alerts may go elsewhere`,
    text: 'a replaced target (same Id) sends the events somewhere else',
  },
  'events:DeleteEventBus': {
    category: 'other',
    title: (p) => `EventBridge bus ${named(p.name, '?')} deleted: alerts from member accounts will stop`,
    text: 'the central bus receives the member accounts’ events',
  },
  'events:RemovePermission': {
    category: 'other',
    title: (p) =>
      `Permission ${str(p.statementId) ?? '?'} removed from EventBridge bus ${named(p.eventBusName, 'default')}`,
    text: 'member accounts may no longer be allowed to put events on the central bus',
  },
  'sns:DeleteTopic': {
    category: 'other',
    title: (p) => `SNS topic ${named(p.topicArn, '?')} deleted: alerts will not be delivered`,
    text: 'every alert is published to this topic',
  },
  'sns:Unsubscribe': {
    category: 'other',
    title: (p) => `Subscription ${named(p.subscriptionArn, '?')} removed: someone stops receiving alerts`,
    text: 'a subscriber of the alert topic was removed',
  },
  'sns:SetTopicAttributes': {
    category: 'other',
    title: (p) =>
      `SNS topic ${named(p.topicArn, '?')} ${str(p.attributeName) ?? 'attributes'} changed: delivery may be blocked`,
    text: 'the topic policy, its KMS key or its delivery settings decide whether alerts get through',
  },
  'sns:SetSubscriptionAttributes': {
    category: 'other',
    title: (p) =>
      `Subscription ${named(p.subscriptionArn, '?')} ${str(p.attributeName) ?? 'attributes'} changed: alerts may be filtered out`,
    text: 'a changed filter policy or delivery setting can silently drop alerts',
  },
  'sns:RemovePermission': {
    category: 'other',
    title: (p) => `Permission ${str(p.label) ?? '?'} removed from SNS topic ${named(p.topicArn, '?')}`,
    text: 'the notifier or the alarms may no longer be allowed to publish',
  },
  'lambda:UpdateFunctionCode': {
    category: 'other',
    title: (p) => `Code of Lambda function ${lambdaName(p)} replaced: alerts may be altered or suppressed`,
    text: 'whoever replaces the code decides what is alerted',
  },
  'lambda:UpdateFunctionConfiguration': {
    category: 'other',
    title: (p) => `Configuration of Lambda function ${lambdaName(p)} changed: alerts may be redirected`,
    text: 'environment, layers, role or timeout change what the function does',
  },
  'lambda:DeleteFunction': {
    category: 'other',
    title: (p) => `Lambda function ${lambdaName(p)} deleted: alerts will stop`,
    text: 'the function is gone: events are retried, then land in the dead-letter queue',
  },
  'lambda:PutFunctionConcurrency': {
    category: 'other',
    title: (p) => `Lambda function ${lambdaName(p)} throttled to zero: alerts will stop`,
    text: 'reserved concurrency 0 stops every invocation',
    applies: (p) => Number(p.reservedConcurrentExecutions) === 0,
  },
  'lambda:RemovePermission': {
    category: 'other',
    title: (p) =>
      `Permission ${str(p.statementId) ?? '?'} removed from Lambda function ${lambdaName(p)}: it may no longer be invoked`,
    text: 'EventBridge or SNS needs this resource policy statement to invoke the function',
  },
  'lambda:DeleteFunctionEventInvokeConfig': {
    category: 'other',
    title: (p) =>
      `On-failure destination of Lambda function ${lambdaName(p)} removed: failed alerts will be lost`,
    text: 'without the destination, events that fail every retry are dropped',
  },
  'kms:DisableKey': {
    category: 'other',
    title: (p) => `KMS key ${named(p.keyId, '?')} disabled: an encrypted alert topic can no longer deliver`,
    text: 'if this key encrypts the alert topic, SNS can neither accept nor deliver alerts',
  },
  'kms:ScheduleKeyDeletion': {
    category: 'other',
    title: (p) =>
      `KMS key ${named(p.keyId, '?')} scheduled for deletion in ${str(p.pendingWindowInDays) ?? '30'} days: an encrypted alert topic will stop`,
    text: 'if this key encrypts the alert topic, alerts stop when it is deleted (cancel with CancelKeyDeletion)',
  },
};

// ---------------------------------------------------------------------------------------------------------------
// Operations of other services

const READ_VERBS = new Set([
  'Get',
  'List',
  'Describe',
  'Lookup',
  'Search',
  'Head',
  'Check',
  'Scan',
  'Query',
  'Select',
  'View',
  'Preview',
  'Estimate',
  'Simulate',
  'Batch',
  'Decrypt',
  'Encrypt',
  'Generate',
  'Validate',
]);

const isReadName = (name: string): boolean => {
  const verb = leadingVerb(name);
  if (verb === 'Batch') return /^BatchGet|^BatchDescribe/.test(name);
  return READ_VERBS.has(verb);
};

const otherCategory = (name: string, read: boolean): Category => {
  if (read) return 'read';
  if (/^(?:Tag|Untag)|^(?:Create|Delete|Add|Remove)Tags$|Tagging$/.test(name)) return 'tagging';
  if (
    /AccessKey|Password|LoginProfile|MFA|Mfa|KeyPair|SSHPublicKey|Secret|Credential|FederationToken/.test(
      name,
    )
  ) {
    return 'credentials';
  }
  if (/Polic(?:y|ies)|Permission|Grant|Acl$/.test(name)) return 'permissions';
  return 'other';
};

const STS_SESSION_OPS = new Set([
  'AssumeRole',
  'AssumeRoleWithSAML',
  'AssumeRoleWithWebIdentity',
  'GetSessionToken',
]);

const SIGN_IN_SUMMARIES: Record<string, { severity: Severity; summary: string }> = {
  ConsoleLogin: { severity: 'low', summary: 'signs in to the AWS console' },
  PasswordUpdated: { severity: 'medium', summary: 'changes a console password at sign-in' },
  CheckMfa: { severity: 'low', summary: 'checks MFA during console sign-in' },
};

/** `sts:AssumeRoot`'s member account: `targetPrincipal` is an account id or a principal ARN in that account. */
const targetAccount = (p: Params): string | undefined => {
  const principal = str(p.targetPrincipal);
  if (!principal) return undefined;
  return /^arn:[^:]*:[^:]*::(\d{12}):/.exec(principal)?.[1] ?? principal;
};

/** `sts:AssumeRoot`'s task policy (`taskPolicyArn` is `{ arn }` in CloudTrail, a string in the API). */
const taskPolicyName = (p: Params): string | undefined => {
  const value = p.taskPolicyArn;
  const arn = typeof value === 'object' && value !== null ? str((value as Params).arn) : str(value);
  return arn ? nameFromArn(arn) : undefined;
};

// The role an AssumeRole* call named, from the request or, when it was denied (requestParameters may then be
// null), from AWS's message: `… is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::1:role/x`.
const ROLE_IN_MESSAGE = /on resource: (arn:[\w-]+:iam::\d{12}:role\/[\w+=,.@/-]+)/;

/** The entity an STS call acts on: the role of an `AssumeRole*`, the member account of an `AssumeRoot`. */
const stsTarget = (name: string, params: Params, record: CloudTrailRecord): Target | undefined => {
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

// ---------------------------------------------------------------------------------------------------------------

interface Base {
  category: Category;
  severity: Severity;
  summary: string;
  isRead: boolean;
  guardRail?: GuardRail;
  known: boolean;
}

const describeBase = (record: CloudTrailRecord, service: string, name: string, params: Params): Base => {
  if (service === 'iam') {
    const operation = IAM_OPERATIONS[name];
    if (operation) return { ...operation, isRead: operation.category === 'read', known: true };
    const isRead = isReadName(name);
    return {
      category: isRead ? 'read' : otherCategory(name, false),
      severity: isRead ? 'info' : 'medium',
      summary: isRead ? 'an IAM read' : 'an IAM operation this version does not know yet',
      isRead,
      known: false,
    };
  }
  const guard = GUARD_RAILS[`${service}:${name}`];
  if (guard && (guard.applies?.(params) ?? true)) {
    return {
      category: guard.category,
      severity: 'critical',
      summary: typeof guard.text === 'string' ? guard.text : guard.text(params),
      isRead: false,
      guardRail: guard,
      known: true,
    };
  }
  if (service === 'signin') {
    const signIn = SIGN_IN_SUMMARIES[name] ?? { severity: 'low', summary: 'a console sign-in step' };
    return { category: 'credentials', ...signIn, isRead: false, known: true };
  }
  // CloudTrail's own readOnly flag wins; the verb decides only when CloudTrail does not say.
  const isRead = record.readOnly === true || (record.readOnly !== false && isReadName(name));
  if (service === 'lambda' && name === 'PutFunctionConcurrency') {
    return {
      category: 'other',
      severity: 'medium',
      summary: `reserved concurrency of a function set to ${str(params.reservedConcurrentExecutions) ?? '?'}: bursts of events may be throttled`,
      isRead: false,
      known: true,
    };
  }
  if (service === 'sts' && STS_SESSION_OPS.has(name)) {
    // Issuing a session changes no configuration and happens all day: routine unless a rule says otherwise.
    return {
      category: 'credentials',
      severity: 'info',
      summary: 'issues temporary credentials',
      isRead: true,
      known: true,
    };
  }
  if (service === 'sts' && name === 'GetFederationToken') {
    return {
      category: 'credentials',
      severity: 'low',
      summary:
        'issues credentials for a federated user (they outlive a deleted access key: a persistence technique)',
      isRead: false,
      known: true,
    };
  }
  if (service === 'sts' && name === 'AssumeRoot') {
    const task = taskPolicyName(params);
    const account = targetAccount(params);
    return {
      category: 'credentials',
      severity: 'medium',
      summary: `opens a root session in ${account ? `member account ${account}` : 'a member account'}${
        task ? `, limited to the task policy ${task}` : ''
      }`,
      isRead: false,
      known: true,
    };
  }
  return {
    category: otherCategory(name, isRead),
    severity: isRead ? 'info' : 'low',
    summary: isRead ? `a read (${service})` : `a change in ${service} (not IAM: rated by caller and outcome)`,
    isRead,
    known: false,
  };
};

/**
 * `role session deploy/ci-1`, `IAM user alice`, `the root user`, `federated user bob (a session of IAM user
 * mallory)`, `Identity Center user jane@example.com (permission set AdministratorAccess)`.
 */
const describeCaller = (principal: Principal): string => {
  if (principal.isRoot) return 'the root user';
  if (principal.type === 'IAMUser') {
    return principal.name === 'HIDDEN_DUE_TO_SECURITY_REASONS'
      ? 'an unknown user name'
      : `IAM user ${principal.name}`;
  }
  if (principal.type === 'FederatedUser') {
    const issuer = actingUser(principal);
    return `${principal.name}${issuer ? ` (a session of IAM user ${issuer})` : ''}`;
  }
  if (principal.type === 'AssumedRole') {
    return principal.permissionSet
      ? `${principal.name} (permission set ${principal.permissionSet})`
      : `role session ${principal.name}`;
  }
  return principal.name;
};

const signInTitle = (name: string, principal: Principal, outcome: Outcome): string => {
  const who = describeCaller(principal);
  switch (name) {
    case 'ConsoleLogin':
      return outcome.failed
        ? `Console sign-in failed for ${who}`
        : `${capitalise(who)} signed in to the console`;
    case 'PasswordUpdated':
      return `${capitalise(who)} changed their console password`;
    case 'CheckMfa':
      return outcome.failed ? `MFA check failed for ${who}` : `MFA checked at console sign-in for ${who}`;
    default:
      return `Console sign-in step ${name} for ${who}`;
  }
};

const failedTitle = (service: string, name: string, target: Target | undefined, outcome: Outcome): string => {
  const on = target ? ` on ${phrase(target)}` : '';
  const how = outcome.scpDenied
    ? 'denied by a service control policy'
    : outcome.accessDenied
      ? `denied (${outcome.errorCode ?? 'AccessDenied'})`
      : `failed (${outcome.errorCode ?? 'error'})`;
  return `${service}:${name}${on} ${how}`;
};

// ---------------------------------------------------------------------------------------------------------------
// Rules: each adds a Reason; the severity is the highest reason.

interface Facts {
  record: CloudTrailRecord;
  service: string;
  name: string;
  params: Params;
  principal: Principal;
  outcome: Outcome;
  base: Base;
  target?: Target;
}

const isChange = (facts: Facts): boolean => !facts.base.isRead;
const succeeded = (facts: Facts): boolean => !facts.outcome.failed;
const touchesIamOrGuardRails = (facts: Facts): boolean =>
  facts.service === 'iam' || facts.service === 'sts' || facts.base.guardRail !== undefined;

type Rule = (facts: Facts) => Reason | undefined;

/** `; the call failed (LimitExceededException), so nothing changed`. */
const nothingChanged = (outcome: Outcome): string =>
  `; the call failed (${outcome.errorCode ?? 'error'}), so nothing changed`;

/**
 * A reason about what a change did. A failed call did nothing: the same finding is then worded as an attempt
 * (`attempt`), rated one level lower and coded `<code>-attempt`.
 */
const effect = (facts: Facts, severity: Severity, code: string, done: string, attempt: string): Reason =>
  facts.outcome.failed
    ? reason(lower(severity), `${code}-attempt`, `${attempt}${nothingChanged(facts.outcome)}`)
    : reason(severity, code, done);

const rootRule: Rule = (facts) => {
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

const credentialForOtherUserRule: Rule = (facts) => {
  const { name, params, principal, service } = facts;
  const grant = service === 'iam' ? CREDENTIAL_GRANTS[name] : undefined;
  const userName = str(params.userName);
  // No userName: the call acts on the caller's own credentials (or the user that minted its federation token).
  if (!grant || !userName || userName === ROOT_USER_PLACEHOLDER || userName === actingUser(principal))
    return undefined;
  // Deactivating someone's credential is remediation, not a way in.
  if (name.startsWith('Update') && str(params.status) === 'Inactive') return undefined;
  const by = describeCaller(principal);
  const what = grant.what(params);
  return effect(
    facts,
    'high',
    'credential-for-other-user',
    `${what} of IAM user ${userName} was ${grant.done} by ${by}, not by IAM user ${userName} itself: ${grant.effect(userName, params)}`,
    `${by} tried to ${grant.verb} ${what} of IAM user ${userName}, another user`,
  );
};

/**
 * An MFA device enabled or resynchronised on another user's account. The device alone signs nobody in; it answers
 * the MFA check of the user it is enabled for, so whoever holds it and knows that user's password (or has their
 * access keys, with `sts:GetSessionToken`) passes MFA as that user.
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_mfa.html
 */
const mfaForOtherUserRule: Rule = (facts) => {
  const { name, params, principal, service } = facts;
  if (service !== 'iam' || (name !== 'EnableMFADevice' && name !== 'ResyncMFADevice')) return undefined;
  const userName = str(params.userName);
  if (!userName || userName === ROOT_USER_PLACEHOLDER || userName === actingUser(principal)) return undefined;
  const by = describeCaller(principal);
  const device = str(params.serialNumber)
    ? `MFA device ${nameFromArn(str(params.serialNumber) ?? '')}`
    : 'an MFA device';
  const passes = `whoever holds that device and knows ${userName}'s password (or holds ${userName}'s access keys) passes ${userName}'s MFA check; the device alone signs nobody in`;
  return name === 'EnableMFADevice'
    ? effect(
        facts,
        'medium',
        'mfa-for-other-user',
        `${device} was enabled on IAM user ${userName} by ${by}, not by ${userName} itself: ${passes}`,
        `${by} tried to enable ${device} on IAM user ${userName}, another user`,
      )
    : effect(
        facts,
        'medium',
        'mfa-for-other-user',
        `${device} of IAM user ${userName} was resynchronised by ${by}, which takes two consecutive codes from the device, so the caller can read its codes: ${passes}`,
        `${by} tried to resynchronise ${device} of IAM user ${userName}, another user`,
      );
};

const instanceOf = (ec2: NonNullable<Principal['ec2Instance']>): string =>
  ec2.instanceId ? `instance ${ec2.instanceId}` : 'an EC2 instance';

const ec2CredentialRule: Rule = (facts) => {
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

const accessDeniedRule: Rule = (facts) => {
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

const boundaryRemoved: Rule = (facts) =>
  effect(
    facts,
    'high',
    'permissions-boundary-removed',
    `the permissions boundary of ${phrase(facts.target)} was removed: its policies now apply in full`,
    `tried to remove the permissions boundary of ${phrase(facts.target)}`,
  );

const SPECIFIC_IAM_RULES: Record<string, Rule> = {
  SetDefaultPolicyVersion: (facts) => {
    const version = str(facts.params.versionId) ?? 'another version';
    return effect(
      facts,
      'high',
      'default-version-switched',
      `the default version of ${phrase(facts.target)} is now ${version}: every user, group and role it is attached to gets that version's permissions at once`,
      `tried to make ${version} the default version of ${phrase(facts.target)}`,
    );
  },
  CreatePolicyVersion: (facts) =>
    facts.params.setAsDefault === true
      ? effect(
          facts,
          'high',
          'default-version-switched',
          `the new version of ${phrase(facts.target)} was made the default: its permissions apply at once to everything the policy is attached to`,
          `tried to write a new default version of ${phrase(facts.target)}`,
        )
      : undefined,
  DeleteUserPermissionsBoundary: boundaryRemoved,
  DeleteRolePermissionsBoundary: boundaryRemoved,
  // A user may have several MFA devices (up to 8); access keys never needed one.
  DeactivateMFADevice: (facts) =>
    effect(
      facts,
      'high',
      'mfa-removed',
      `${describeDevice(facts.params)} was deactivated for ${phrase(facts.target)}: if it was the only one, the console password alone now signs in`,
      `tried to deactivate ${describeDevice(facts.params)} of ${phrase(facts.target)}`,
    ),
  // Without a custom policy IAM applies its default: at least 8 characters and three of four character types.
  // @see https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_passwords_account-policy.html
  DeleteAccountPasswordPolicy: (facts) =>
    effect(
      facts,
      'medium',
      'password-policy-deleted',
      "the account's custom password policy was deleted: IAM's default applies (at least 8 characters, three of the four character types), with no expiry and no reuse prevention",
      "tried to delete the account's custom password policy",
    ),
};

const describeDevice = (params: Params): string => {
  const serial = str(params.serialNumber);
  return serial ? `MFA device ${nameFromArn(serial)}` : 'an MFA device';
};

/** The SCP's principal-tag exemption (SPEC: `aws:PrincipalTag/exception-to-vpc-ip` = `true`). */
const SCP_EXEMPTION_TAG = 'exception-to-vpc-ip';

const scpExemptionTagRule: Rule = (facts) => {
  const { service, name, params, target } = facts;
  if (service !== 'iam' || !['TagRole', 'TagUser', 'CreateRole', 'CreateUser'].includes(name))
    return undefined;
  const exempt = tagList(params).some(
    ({ key, value }) => key.toLowerCase() === SCP_EXEMPTION_TAG && value.toLowerCase() === 'true',
  );
  if (!exempt) return undefined;
  return effect(
    facts,
    'high',
    'scp-exemption-tag',
    `${capitalise(phrase(target))} is tagged ${SCP_EXEMPTION_TAG}=true: the SCP that keeps EC2 credentials on their instance no longer applies to it`,
    `tried to tag ${phrase(target)} ${SCP_EXEMPTION_TAG}=true, which exempts it from the SCP that keeps EC2 credentials on their instance`,
  );
};

/** Operations that change what an IAM user may do (`userName`), or a role (`roleName`). */
const USER_PERMISSION_OPS = new Set([
  'AttachUserPolicy',
  'DetachUserPolicy',
  'PutUserPolicy',
  'DeleteUserPolicy',
  'AddUserToGroup',
  'RemoveUserFromGroup',
  'PutUserPermissionsBoundary',
  'DeleteUserPermissionsBoundary',
]);
const ROLE_PERMISSION_OPS = new Set([
  'AttachRolePolicy',
  'DetachRolePolicy',
  'PutRolePolicy',
  'DeleteRolePolicy',
  'PutRolePermissionsBoundary',
  'DeleteRolePermissionsBoundary',
]);

/**
 * A principal changing its own permissions: an IAM user (or a federated user of it) changing that user, a role
 * session changing its role. Granting oneself more is what privilege escalation looks like; even a removal may drop
 * a Deny. With EC2 instance credentials it is code on the instance, or a thief, changing the instance's own role.
 */
const selfPermissionRule: Rule = (facts) => {
  const { service, name, params, principal } = facts;
  if (service !== 'iam') return undefined;
  const user = str(params.userName);
  const role = str(params.roleName);
  const self =
    USER_PERMISSION_OPS.has(name) && user !== undefined && user === actingUser(principal)
      ? `IAM user ${user}`
      : ROLE_PERMISSION_OPS.has(name) && role !== undefined && role === actingRole(principal)
        ? `role ${role}`
        : undefined;
  if (!self) return undefined;
  const ec2 = principal.ec2Instance;
  const how = ec2 ? `, with the role credentials of ${instanceOf(ec2)}` : '';
  return effect(
    facts,
    ec2 ? 'high' : 'medium',
    'self-permission-change',
    `changed its own permissions: ${describeCaller(principal)} changed the permissions of ${self}, whose permissions it uses${how}`,
    `tried to change its own permissions: ${describeCaller(principal)} tried to change the permissions of ${self}, whose permissions it uses${how}`,
  );
};

const consoleWithoutMfaRule: Rule = (facts) => {
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

const signInFailedRule: Rule = ({ service, outcome }) =>
  service === 'signin' && outcome.failed
    ? reason(
        'low',
        'sign-in-failed',
        `console sign-in failed (${outcome.errorCode}): one is a typo, many are an attack`,
      )
    : undefined;

const guardRailRule: Rule = ({ base, outcome, service, name }) => {
  if (!base.guardRail) return undefined;
  if (outcome.failed) {
    return reason(
      'high',
      'guard-rail-attempt',
      `someone tried ${service}:${name}, a change that can blind the alerting${nothingChanged(outcome)}`,
    );
  }
  return reason('critical', 'guard-rail', base.summary);
};

const unknownOperationRule: Rule = (facts) =>
  facts.service === 'iam' && !facts.base.known && !facts.base.isRead
    ? effect(
        facts,
        'medium',
        'unclassified-operation',
        `${facts.name} is not in the classification table yet: review it`,
        `${facts.name} is not in the classification table yet: review it`,
      )
    : undefined;

const RULES: Rule[] = [
  guardRailRule,
  rootRule,
  credentialForOtherUserRule,
  mfaForOtherUserRule,
  (facts) => (facts.service === 'iam' ? SPECIFIC_IAM_RULES[facts.name]?.(facts) : undefined),
  selfPermissionRule,
  scpExemptionTagRule,
  ec2CredentialRule,
  accessDeniedRule,
  consoleWithoutMfaRule,
  signInFailedRule,
  unknownOperationRule,
];

/** The reason the operation itself gives, lowered to `low` when a failed change changed nothing. */
const baseReason = (facts: Facts): Reason => {
  const { base, outcome } = facts;
  if (!outcome.failed || facts.service === 'signin') return reason(base.severity, 'operation', base.summary);
  if (base.isRead)
    return reason('info', 'call-failed', `${base.summary}; the call failed (${outcome.errorCode})`);
  return reason('low', 'call-failed', `${base.summary}${nothingChanged(outcome)}`);
};

const titleOf = (facts: Facts): string => {
  const { service, name, params, target, outcome, base, principal } = facts;
  if (service === 'signin') return signInTitle(name, principal, outcome);
  if (outcome.failed) return failedTitle(service, name, target, outcome);
  if (base.guardRail) return base.guardRail.title(params);
  if (service === 'sts' && name === 'AssumeRoot') {
    const task = taskPolicyName(params);
    return `Root session opened in ${target ? `member ${phrase(target)}` : 'a member account'}${task ? ` (task policy ${task})` : ''}`;
  }
  if (service === 'iam') {
    const builder = IAM_TITLES[name];
    const policy =
      target?.kind === 'policy' ? target.name : nameFromArn(str(params.policyArn) ?? '') || 'policy';
    if (builder)
      return builder({ t: phrase(target), p: params, policy })
        .replace(/\s+/g, ' ')
        .trim();
    if (name.startsWith('Tag')) return tagged({ t: phrase(target), p: params, policy });
    if (name.startsWith('Untag')) return untagged({ t: phrase(target), p: params, policy });
  }
  return `${service}:${name}${target ? ` on ${phrase(target)}` : ''}`;
};

/**
 * Classifies one event from the event alone: family (leading verb), category, severity with the reasons that
 * set it (highest first), a readable headline without the severity, and the IAM entity acted on.
 *
 * Severity is the highest of the reasons: the operation's own base severity (IAM_OPERATIONS) and the rules
 * (root, credentials or MFA devices for another user, a principal changing its own permissions, EC2 instance
 * credentials, AccessDenied and SCP denials, default policy version switched, boundary removed, SCP exemption tag,
 * console without MFA, MFA removed, guard rails…; see docs/classification.md). The operation's own reason is dropped
 * when a rule explains the severity at least as well. A failed call changed nothing: rules about what a change did
 * then speak of an attempt (`<code>-attempt`), one level lower; rules about the attempt itself (denials) still apply.
 * Events of every service are classified, never rejected; guard-rail events on the alerting pipeline are critical.
 * Never throws on a record that `parseIamEvent` accepted.
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/cloudtrail-integration.html
 */
export const classifyEvent = (event: IamEvent, principal: Principal): Classification => {
  const record = event.record;
  const service = servicePrefix(record.eventSource);
  const name = baseEventName(record.eventName);
  const params: Params = record.requestParameters ?? {};
  const base = describeBase(record, service, name, params);
  const target =
    service === 'iam'
      ? iamTarget(name, params, record, principal, IAM_OPERATIONS[name])
      : service === 'sts'
        ? stsTarget(name, params, record)
        : undefined;
  const facts: Facts = {
    record,
    service,
    name,
    params,
    principal,
    outcome: describeOutcome(record),
    base,
    ...(target ? { target } : {}),
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

  return {
    family: leadingVerb(record.eventName),
    category: base.category,
    severity,
    reasons,
    title: titleOf(facts),
    ...(target ? { target } : {}),
  };
};
