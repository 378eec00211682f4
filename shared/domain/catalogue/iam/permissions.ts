// IAM operations of the catalogue. Permissions: policies, versions, attachments, group membership, trust policies,
// boundaries, instance profiles.
// Add an IAM operation here (or in the file of its category); tests check it against the SDK's operation list.
import type { OperationSpecs } from '../operation.js';
import { op } from '../spec.js';
import { attach, capitalise, deleteInline, detach, nameFromArn, putInline, str } from '../words.js';

/** IAM operations: Permissions. Keyed by `eventName` of `iam.amazonaws.com`. */
export const IAM_PERMISSIONS: OperationSpecs = {
  AttachUserPolicy: op('permissions', 'medium', 'attaches a managed policy to an IAM user', {
    title: attach,
    permissionsOf: 'user',
  }),
  AttachRolePolicy: op('permissions', 'medium', 'attaches a managed policy to a role', {
    title: attach,
    permissionsOf: 'role',
  }),
  AttachGroupPolicy: op('permissions', 'medium', 'attaches a managed policy to a group', { title: attach }),
  DetachUserPolicy: op('permissions', 'low', 'detaches a managed policy from an IAM user', {
    title: detach,
    permissionsOf: 'user',
  }),
  DetachRolePolicy: op('permissions', 'low', 'detaches a managed policy from a role', {
    title: detach,
    permissionsOf: 'role',
  }),
  DetachGroupPolicy: op('permissions', 'low', 'detaches a managed policy from a group', { title: detach }),
  PutUserPolicy: op('permissions', 'medium', 'writes an inline policy on an IAM user', {
    title: putInline,
    permissionsOf: 'user',
  }),
  PutRolePolicy: op('permissions', 'medium', 'writes an inline policy on a role', {
    title: putInline,
    permissionsOf: 'role',
  }),
  PutGroupPolicy: op('permissions', 'medium', 'writes an inline policy on a group', { title: putInline }),
  DeleteUserPolicy: op('permissions', 'low', 'deletes an inline policy of an IAM user', {
    title: deleteInline,
    permissionsOf: 'user',
  }),
  DeleteRolePolicy: op('permissions', 'low', 'deletes an inline policy of a role', {
    title: deleteInline,
    permissionsOf: 'role',
  }),
  DeleteGroupPolicy: op('permissions', 'low', 'deletes an inline policy of a group', { title: deleteInline }),
  CreatePolicy: op('permissions', 'low', 'creates a customer managed policy', {
    title: ({ policy }) => `Managed policy ${policy} created`,
  }),
  DeletePolicy: op('permissions', 'low', 'deletes a customer managed policy', {
    title: ({ policy }) => `Managed policy ${policy} deleted`,
  }),
  CreatePolicyVersion: op('permissions', 'medium', 'writes a new version of a managed policy', {
    title: ({ p, policy }) =>
      `New version of policy ${policy} created${p.setAsDefault === true ? ' and made the default' : ''}`,
  }),
  DeletePolicyVersion: op('permissions', 'low', 'deletes a version of a managed policy', {
    title: ({ p, policy }) => `Version ${str(p.versionId) ?? '?'} of policy ${policy} deleted`,
  }),
  SetDefaultPolicyVersion: op('permissions', 'high', 'switches the version of a managed policy in force', {
    title: ({ p, policy }) =>
      `Policy ${policy} default version switched to ${str(p.versionId) ?? 'another version'}`,
  }),
  AddUserToGroup: op(
    'permissions',
    'medium',
    "adds an IAM user to a group (the user gets the group's permissions)",
    {
      title: ({ p }) => `IAM user ${str(p.userName) ?? '?'} added to group ${str(p.groupName) ?? '?'}`,
      permissionsOf: 'user',
    },
  ),
  RemoveUserFromGroup: op('permissions', 'low', 'removes an IAM user from a group', {
    title: ({ p }) => `IAM user ${str(p.userName) ?? '?'} removed from group ${str(p.groupName) ?? '?'}`,
    permissionsOf: 'user',
  }),
  UpdateAssumeRolePolicy: op(
    'permissions',
    'medium',
    'replaces the trust policy of a role (who may assume it)',
    { title: ({ t }) => `${capitalise(t)} trust policy updated` },
  ),
  PutUserPermissionsBoundary: op('permissions', 'low', 'sets the permissions boundary of an IAM user', {
    title: ({ t, p }) => `Permissions boundary ${nameFromArn(str(p.permissionsBoundary) ?? '')} set on ${t}`,
    permissionsOf: 'user',
  }),
  PutRolePermissionsBoundary: op('permissions', 'low', 'sets the permissions boundary of a role', {
    title: ({ t, p }) => `Permissions boundary ${nameFromArn(str(p.permissionsBoundary) ?? '')} set on ${t}`,
    permissionsOf: 'role',
  }),
  DeleteUserPermissionsBoundary: op(
    'permissions',
    'high',
    'removes the permissions boundary of an IAM user',
    { title: ({ t }) => `Permissions boundary removed from ${t}`, permissionsOf: 'user' },
  ),
  DeleteRolePermissionsBoundary: op('permissions', 'high', 'removes the permissions boundary of a role', {
    title: ({ t }) => `Permissions boundary removed from ${t}`,
    permissionsOf: 'role',
  }),
  CreateInstanceProfile: op('permissions', 'low', 'creates an instance profile', {
    title: ({ t }) => `${capitalise(t)} created`,
  }),
  DeleteInstanceProfile: op('permissions', 'low', 'deletes an instance profile', {
    title: ({ t }) => `${capitalise(t)} deleted`,
  }),
  AddRoleToInstanceProfile: op(
    'permissions',
    'medium',
    "adds a role to an instance profile (EC2 instances launched with it get the role's credentials)",
    {
      title: ({ p }) =>
        `Role ${str(p.roleName) ?? '?'} added to instance profile ${str(p.instanceProfileName) ?? '?'}`,
    },
  ),
  RemoveRoleFromInstanceProfile: op('permissions', 'low', 'removes a role from an instance profile', {
    title: ({ p }) =>
      `Role ${str(p.roleName) ?? '?'} removed from instance profile ${str(p.instanceProfileName) ?? '?'}`,
  }),
  // Temporary delegation: an AWS partner asks for, and the account grants, temporary access.
  CreateDelegationRequest: op('permissions', 'low', 'creates a request for temporary delegated access'),
  AssociateDelegationRequest: op('permissions', 'low', 'associates a delegation request with this identity'),
  UpdateDelegationRequest: op('permissions', 'low', 'updates a delegation request'),
  AcceptDelegationRequest: op(
    'permissions',
    'high',
    'accepts a delegation request: grants an AWS partner temporary access to this account',
    {
      title: ({ p }) =>
        `Delegation request ${str(p.delegationRequestId) ?? '?'} accepted: a partner gets temporary access`,
    },
  ),
  RejectDelegationRequest: op('permissions', 'low', 'rejects a delegation request'),
  SendDelegationToken: op(
    'permissions',
    'medium',
    'sends the partner the token of an accepted delegation request',
  ),
};
