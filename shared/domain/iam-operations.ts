// parse → [classify] → enrich → format → publish
// The classification table of every IAM API operation: what it touches and how serious it is on its own.
import type { Category, Severity } from './types.js';

/** What one IAM operation is, before anything about the caller or the request is known. */
export interface IamOperation {
  category: Category;
  /** Base severity: `info` only for reads; a change is at least `low`. */
  severity: Severity;
  /** What the operation does, in a few words (lower case, for "why it matters" lists). */
  summary: string;
}

const op = (category: Category, severity: Severity, summary: string): IamOperation => ({
  category,
  severity,
  summary,
});
const read = (summary: string): IamOperation => op('read', 'info', summary);

/**
 * Every IAM API operation with its category, base severity and a short summary.
 *
 * Keys are the operation names CloudTrail writes as `eventName` for `iam.amazonaws.com`: the 176 operations of
 * the IAM service model in botocore 1.43.11 (`tests/fixtures/cloudtrail/iam-operations.txt`) plus the operations
 * the installed `@aws-sdk/client-iam` adds after it (marked below). A test derives the operation list from the
 * SDK's `*Command` exports, so an SDK upgrade that brings a new operation fails until it is classified here.
 *
 * Base severities rank what the operation can do on its own; `classifyEvent` raises them from the event
 * (caller, target, parameters, outcome). Reads are `read`/`info`; a change is never `info`.
 * @see https://docs.aws.amazon.com/IAM/latest/APIReference/API_Operations.html
 */
export const IAM_OPERATIONS: Readonly<Record<string, IamOperation>> = {
  // Credentials: passwords, login profiles, access keys, MFA, SSH keys, certificates, service-specific credentials.
  ChangePassword: op('credentials', 'low', 'an IAM user changes their own console password'),
  CreateAccessKey: op('credentials', 'medium', 'creates an access key, a long-lived credential'),
  DeleteAccessKey: op('credentials', 'low', 'deletes an access key'),
  UpdateAccessKey: op('credentials', 'low', 'activates or deactivates an access key'),
  CreateLoginProfile: op('credentials', 'medium', 'gives an IAM user a console password'),
  UpdateLoginProfile: op('credentials', 'medium', "changes an IAM user's console password"),
  DeleteLoginProfile: op('credentials', 'low', "removes an IAM user's console password"),
  CreateServiceSpecificCredential: op(
    'credentials',
    'medium',
    'creates a service-specific credential (CodeCommit, Keyspaces, Bedrock)',
  ),
  ResetServiceSpecificCredential: op(
    'credentials',
    'medium',
    'resets the password of a service-specific credential',
  ),
  UpdateServiceSpecificCredential: op(
    'credentials',
    'low',
    'activates or deactivates a service-specific credential',
  ),
  DeleteServiceSpecificCredential: op('credentials', 'low', 'deletes a service-specific credential'),
  CreateVirtualMFADevice: op('credentials', 'low', 'creates a virtual MFA device'),
  EnableMFADevice: op('credentials', 'low', 'enables an MFA device for an IAM user'),
  ResyncMFADevice: op('credentials', 'low', 'resynchronises an MFA device'),
  DeactivateMFADevice: op('credentials', 'high', 'deactivates an MFA device'),
  // IAM deletes only a virtual MFA device that is not enabled for a user: deactivating it is DeactivateMFADevice.
  DeleteVirtualMFADevice: op(
    'credentials',
    'low',
    'deletes a virtual MFA device (one no longer enabled for any user: deactivation is a separate call)',
  ),
  UploadSSHPublicKey: op('credentials', 'medium', 'uploads an SSH public key (CodeCommit access)'),
  UpdateSSHPublicKey: op('credentials', 'low', 'activates or deactivates an SSH public key'),
  DeleteSSHPublicKey: op('credentials', 'low', 'deletes an SSH public key'),
  UploadSigningCertificate: op(
    'credentials',
    'medium',
    'uploads an X.509 signing certificate for an IAM user',
  ),
  UpdateSigningCertificate: op('credentials', 'low', 'activates or deactivates a signing certificate'),
  DeleteSigningCertificate: op('credentials', 'low', 'deletes a signing certificate'),
  UploadServerCertificate: op('credentials', 'low', 'uploads a TLS server certificate'),
  UpdateServerCertificate: op('credentials', 'low', 'renames or moves a TLS server certificate'),
  DeleteServerCertificate: op('credentials', 'low', 'deletes a TLS server certificate'),

  // Permissions: policies, versions, attachments, group membership, trust policies, boundaries, instance profiles.
  AttachUserPolicy: op('permissions', 'medium', 'attaches a managed policy to an IAM user'),
  AttachRolePolicy: op('permissions', 'medium', 'attaches a managed policy to a role'),
  AttachGroupPolicy: op('permissions', 'medium', 'attaches a managed policy to a group'),
  DetachUserPolicy: op('permissions', 'low', 'detaches a managed policy from an IAM user'),
  DetachRolePolicy: op('permissions', 'low', 'detaches a managed policy from a role'),
  DetachGroupPolicy: op('permissions', 'low', 'detaches a managed policy from a group'),
  PutUserPolicy: op('permissions', 'medium', 'writes an inline policy on an IAM user'),
  PutRolePolicy: op('permissions', 'medium', 'writes an inline policy on a role'),
  PutGroupPolicy: op('permissions', 'medium', 'writes an inline policy on a group'),
  DeleteUserPolicy: op('permissions', 'low', 'deletes an inline policy of an IAM user'),
  DeleteRolePolicy: op('permissions', 'low', 'deletes an inline policy of a role'),
  DeleteGroupPolicy: op('permissions', 'low', 'deletes an inline policy of a group'),
  CreatePolicy: op('permissions', 'low', 'creates a customer managed policy'),
  DeletePolicy: op('permissions', 'low', 'deletes a customer managed policy'),
  CreatePolicyVersion: op('permissions', 'medium', 'writes a new version of a managed policy'),
  DeletePolicyVersion: op('permissions', 'low', 'deletes a version of a managed policy'),
  SetDefaultPolicyVersion: op('permissions', 'high', 'switches the version of a managed policy in force'),
  AddUserToGroup: op(
    'permissions',
    'medium',
    "adds an IAM user to a group (the user gets the group's permissions)",
  ),
  RemoveUserFromGroup: op('permissions', 'low', 'removes an IAM user from a group'),
  UpdateAssumeRolePolicy: op(
    'permissions',
    'medium',
    'replaces the trust policy of a role (who may assume it)',
  ),
  PutUserPermissionsBoundary: op('permissions', 'low', 'sets the permissions boundary of an IAM user'),
  PutRolePermissionsBoundary: op('permissions', 'low', 'sets the permissions boundary of a role'),
  DeleteUserPermissionsBoundary: op('permissions', 'high', 'removes the permissions boundary of an IAM user'),
  DeleteRolePermissionsBoundary: op('permissions', 'high', 'removes the permissions boundary of a role'),
  CreateInstanceProfile: op('permissions', 'low', 'creates an instance profile'),
  DeleteInstanceProfile: op('permissions', 'low', 'deletes an instance profile'),
  AddRoleToInstanceProfile: op(
    'permissions',
    'medium',
    "adds a role to an instance profile (EC2 instances launched with it get the role's credentials)",
  ),
  RemoveRoleFromInstanceProfile: op('permissions', 'low', 'removes a role from an instance profile'),
  // Temporary delegation: an AWS partner asks for, and the account grants, temporary access.
  CreateDelegationRequest: op('permissions', 'low', 'creates a request for temporary delegated access'),
  AssociateDelegationRequest: op('permissions', 'low', 'associates a delegation request with this identity'),
  UpdateDelegationRequest: op('permissions', 'low', 'updates a delegation request'),
  AcceptDelegationRequest: op(
    'permissions',
    'high',
    'accepts a delegation request: grants an AWS partner temporary access to this account',
  ),
  RejectDelegationRequest: op('permissions', 'low', 'rejects a delegation request'),
  SendDelegationToken: op(
    'permissions',
    'medium',
    'sends the partner the token of an accepted delegation request',
  ),

  // Identity: users, roles, groups.
  CreateUser: op('identity', 'medium', 'creates an IAM user'),
  UpdateUser: op('identity', 'low', 'renames an IAM user or changes its path'),
  DeleteUser: op('identity', 'low', 'deletes an IAM user'),
  CreateGroup: op('identity', 'low', 'creates an IAM group'),
  UpdateGroup: op('identity', 'low', 'renames an IAM group or changes its path'),
  DeleteGroup: op('identity', 'low', 'deletes an IAM group'),
  CreateRole: op('identity', 'medium', 'creates a role with a trust policy'),
  UpdateRole: op('identity', 'low', "changes a role's description or maximum session duration"),
  UpdateRoleDescription: op('identity', 'low', "changes a role's description"),
  DeleteRole: op('identity', 'low', 'deletes a role'),
  CreateServiceLinkedRole: op('identity', 'low', 'creates a service-linked role for an AWS service'),
  DeleteServiceLinkedRole: op('identity', 'low', 'deletes a service-linked role'),
  // Added after botocore 1.43.11 (in @aws-sdk/client-iam 3.1169).
  AcquireRole: op(
    'identity',
    'medium',
    'creates a role from a role template (trust and permissions included)',
  ),

  // Federation: SAML and OIDC identity providers, outbound web identity federation.
  CreateSAMLProvider: op('federation', 'medium', 'creates a SAML identity provider'),
  UpdateSAMLProvider: op(
    'federation',
    'high',
    "replaces a SAML provider's metadata (its signing keys: whoever holds them can sign in to roles that trust it)",
  ),
  DeleteSAMLProvider: op('federation', 'low', 'deletes a SAML identity provider'),
  CreateOpenIDConnectProvider: op('federation', 'medium', 'creates an OIDC identity provider'),
  AddClientIDToOpenIDConnectProvider: op('federation', 'medium', 'adds an audience to an OIDC provider'),
  RemoveClientIDFromOpenIDConnectProvider: op(
    'federation',
    'low',
    'removes an audience from an OIDC provider',
  ),
  UpdateOpenIDConnectProviderThumbprint: op(
    'federation',
    'medium',
    'replaces the certificate thumbprints of an OIDC provider',
  ),
  DeleteOpenIDConnectProvider: op('federation', 'low', 'deletes an OIDC identity provider'),
  EnableOutboundWebIdentityFederation: op(
    'federation',
    'medium',
    'lets principals of the account get web identity tokens for external services',
  ),
  DisableOutboundWebIdentityFederation: op('federation', 'low', 'turns off outbound web identity federation'),

  // Account: password policy, alias, account-wide settings, centralized root access.
  CreateAccountAlias: op('account', 'low', 'creates the account alias (sign-in URL)'),
  DeleteAccountAlias: op('account', 'low', 'deletes the account alias'),
  UpdateAccountPasswordPolicy: op('account', 'medium', 'changes the password policy of the account'),
  DeleteAccountPasswordPolicy: op(
    'account',
    'medium',
    "deletes the account's custom password policy (IAM's default password policy applies again)",
  ),
  SetSecurityTokenServicePreferences: op('account', 'low', 'sets the version of STS global endpoint tokens'),
  EnableOrganizationsRootCredentialsManagement: op(
    'account',
    'medium',
    'lets the management account manage the root credentials of member accounts',
  ),
  DisableOrganizationsRootCredentialsManagement: op(
    'account',
    'medium',
    'stops central management of member accounts’ root credentials',
  ),
  EnableOrganizationsRootSessions: op(
    'account',
    'high',
    'lets the management account open root sessions in member accounts (sts:AssumeRoot)',
  ),
  DisableOrganizationsRootSessions: op('account', 'medium', 'stops root sessions in member accounts'),
  // Added after botocore 1.43.11 (in @aws-sdk/client-iam 3.1169).
  PutAccountProperties: op('account', 'medium', 'sets account-wide IAM properties'),

  // Tagging. Tags drive attribute-based access control and SCP exemptions, so a tag change is a change.
  TagUser: op('tagging', 'low', 'tags an IAM user'),
  UntagUser: op('tagging', 'low', 'removes tags from an IAM user'),
  TagRole: op('tagging', 'low', 'tags a role'),
  UntagRole: op('tagging', 'low', 'removes tags from a role'),
  TagPolicy: op('tagging', 'low', 'tags a managed policy'),
  UntagPolicy: op('tagging', 'low', 'removes tags from a managed policy'),
  TagInstanceProfile: op('tagging', 'low', 'tags an instance profile'),
  UntagInstanceProfile: op('tagging', 'low', 'removes tags from an instance profile'),
  TagMFADevice: op('tagging', 'low', 'tags an MFA device'),
  UntagMFADevice: op('tagging', 'low', 'removes tags from an MFA device'),
  TagOpenIDConnectProvider: op('tagging', 'low', 'tags an OIDC provider'),
  UntagOpenIDConnectProvider: op('tagging', 'low', 'removes tags from an OIDC provider'),
  TagSAMLProvider: op('tagging', 'low', 'tags a SAML provider'),
  UntagSAMLProvider: op('tagging', 'low', 'removes tags from a SAML provider'),
  TagServerCertificate: op('tagging', 'low', 'tags a server certificate'),
  UntagServerCertificate: op('tagging', 'low', 'removes tags from a server certificate'),

  // Reads: nothing changes. Generate*/Simulate* compute a report or an answer and change no configuration.
  GenerateCredentialReport: read('generates the credential report'),
  GenerateOrganizationsAccessReport: read('generates an Organizations access report'),
  GenerateServiceLastAccessedDetails: read('generates a service last-accessed report'),
  SimulateCustomPolicy: read('simulates a policy'),
  SimulatePrincipalPolicy: read("simulates a principal's policies"),
  GetAccessKeyLastUsed: read('reads when an access key was last used'),
  GetAccountAuthorizationDetails: read('reads every user, group, role and policy of the account'),
  GetAccountPasswordPolicy: read('reads the password policy'),
  GetAccountSummary: read('reads the account summary'),
  GetContextKeysForCustomPolicy: read('lists the condition keys of a policy'),
  GetContextKeysForPrincipalPolicy: read("lists the condition keys of a principal's policies"),
  GetCredentialReport: read('reads the credential report'),
  GetDelegationRequest: read('reads a delegation request'),
  GetGroup: read('reads a group and its users'),
  GetGroupPolicy: read('reads an inline policy of a group'),
  GetHumanReadableSummary: read('reads a human-readable summary of an entity'),
  GetInstanceProfile: read('reads an instance profile'),
  GetLoginProfile: read('reads whether a user has a console password'),
  GetMFADevice: read('reads an MFA device'),
  GetOpenIDConnectProvider: read('reads an OIDC provider'),
  GetOrganizationsAccessReport: read('reads an Organizations access report'),
  GetOutboundWebIdentityFederationInfo: read('reads the outbound web identity federation settings'),
  GetPolicy: read('reads a managed policy'),
  GetPolicyVersion: read('reads a version of a managed policy'),
  GetRole: read('reads a role'),
  GetRolePolicy: read('reads an inline policy of a role'),
  GetSAMLProvider: read('reads a SAML provider'),
  GetSSHPublicKey: read('reads an SSH public key'),
  GetServerCertificate: read('reads a server certificate'),
  GetServiceLastAccessedDetails: read('reads a service last-accessed report'),
  GetServiceLastAccessedDetailsWithEntities: read('reads a service last-accessed report by entity'),
  GetServiceLinkedRoleDeletionStatus: read('reads the status of a service-linked role deletion'),
  GetUser: read('reads an IAM user'),
  GetUserPolicy: read('reads an inline policy of an IAM user'),
  ListAccessKeys: read('lists access keys'),
  ListAccountAliases: read('lists the account alias'),
  ListAttachedGroupPolicies: read('lists the managed policies of a group'),
  ListAttachedRolePolicies: read('lists the managed policies of a role'),
  ListAttachedUserPolicies: read('lists the managed policies of an IAM user'),
  ListDelegationRequests: read('lists delegation requests'),
  ListEntitiesForPolicy: read('lists the entities a managed policy is attached to'),
  ListGroupPolicies: read('lists the inline policies of a group'),
  ListGroups: read('lists groups'),
  ListGroupsForUser: read('lists the groups of an IAM user'),
  ListInstanceProfileTags: read('lists the tags of an instance profile'),
  ListInstanceProfiles: read('lists instance profiles'),
  ListInstanceProfilesForRole: read('lists the instance profiles of a role'),
  ListMFADeviceTags: read('lists the tags of an MFA device'),
  ListMFADevices: read('lists MFA devices'),
  ListOpenIDConnectProviderTags: read('lists the tags of an OIDC provider'),
  ListOpenIDConnectProviders: read('lists OIDC providers'),
  ListOrganizationsFeatures: read('lists the centralized root access features'),
  ListPolicies: read('lists managed policies'),
  ListPoliciesGrantingServiceAccess: read('lists the policies granting access to a service'),
  ListPolicyTags: read('lists the tags of a managed policy'),
  ListPolicyVersions: read('lists the versions of a managed policy'),
  ListRolePolicies: read('lists the inline policies of a role'),
  ListRoleTags: read('lists the tags of a role'),
  ListRoles: read('lists roles'),
  ListSAMLProviderTags: read('lists the tags of a SAML provider'),
  ListSAMLProviders: read('lists SAML providers'),
  ListSSHPublicKeys: read('lists SSH public keys'),
  ListServerCertificateTags: read('lists the tags of a server certificate'),
  ListServerCertificates: read('lists server certificates'),
  ListServiceSpecificCredentials: read('lists service-specific credentials'),
  ListSigningCertificates: read('lists signing certificates'),
  ListUserPolicies: read('lists the inline policies of an IAM user'),
  ListUserTags: read('lists the tags of an IAM user'),
  ListUsers: read('lists IAM users'),
  ListVirtualMFADevices: read('lists virtual MFA devices'),
  // Added after botocore 1.43.11 (in @aws-sdk/client-iam 3.1169).
  GetAccountProperties: read('reads account-wide IAM properties'),
  GetRoleTemplateVersion: read('reads a version of a role template'),
};

/**
 * The operation name without the API-version suffix some services put in `eventName`
 * (Lambda writes `UpdateFunctionCode20150331v2`, `PutFunctionConcurrency20171031`).
 * @see https://docs.aws.amazon.com/lambda/latest/dg/logging-using-cloudtrail.html
 */
export const baseEventName = (eventName: string): string => eventName.replace(/20\d{6}(?:v\d+)?$/, '');

/**
 * The family of an event: the leading verb of its name (`CreatePolicyVersion` → `Create`,
 * `UpdateFunctionCode20150331v2` → `Update`). A name that does not start with a capitalised word is its own family.
 */
export const leadingVerb = (eventName: string): string => {
  const name = baseEventName(eventName);
  // A capital followed by lower case letters; an all-caps prefix (`MFA…`) stops before the next word.
  const match = /^[A-Z][a-z]+/.exec(name) ?? /^[A-Z]+(?=[A-Z][a-z]|$)/.exec(name);
  return match?.[0] ?? name;
};
