// IAM operations of the catalogue. Identity: users, roles, groups.
// Add an IAM operation here (or in the file of its category); tests check it against the SDK's operation list.
import type { OperationSpecs } from '../operation.js';
import { op } from '../spec.js';
import { capitalise, str } from '../words.js';

/** IAM operations: Identity. Keyed by `eventName` of `iam.amazonaws.com`. */
export const IAM_IDENTITY: OperationSpecs = {
  CreateUser: op('identity', 'medium', 'creates an IAM user', {
    title: ({ t }) => `${capitalise(t)} created`,
  }),
  UpdateUser: op('identity', 'low', 'renames an IAM user or changes its path', {
    title: ({ t, p }) =>
      str(p.newUserName) ? `${capitalise(t)} renamed to ${str(p.newUserName)}` : `${capitalise(t)} updated`,
  }),
  DeleteUser: op('identity', 'low', 'deletes an IAM user', { title: ({ t }) => `${capitalise(t)} deleted` }),
  CreateGroup: op('identity', 'low', 'creates an IAM group', {
    title: ({ t }) => `${capitalise(t)} created`,
  }),
  UpdateGroup: op('identity', 'low', 'renames an IAM group or changes its path', {
    title: ({ t }) => `${capitalise(t)} updated`,
  }),
  DeleteGroup: op('identity', 'low', 'deletes an IAM group', {
    title: ({ t }) => `${capitalise(t)} deleted`,
  }),
  CreateRole: op('identity', 'medium', 'creates a role with a trust policy', {
    title: ({ t }) => `${capitalise(t)} created`,
  }),
  UpdateRole: op('identity', 'low', "changes a role's description or maximum session duration", {
    title: ({ t }) => `${capitalise(t)} updated`,
  }),
  UpdateRoleDescription: op('identity', 'low', "changes a role's description", {
    title: ({ t }) => `${capitalise(t)} description updated`,
  }),
  DeleteRole: op('identity', 'low', 'deletes a role', { title: ({ t }) => `${capitalise(t)} deleted` }),
  CreateServiceLinkedRole: op('identity', 'low', 'creates a service-linked role for an AWS service', {
    title: ({ p }) => `Service-linked role for ${str(p.aWSServiceName) ?? 'an AWS service'} created`,
  }),
  DeleteServiceLinkedRole: op('identity', 'low', 'deletes a service-linked role', {
    title: ({ t }) => `Service-linked ${t} deleted`,
  }),
  // Added after botocore 1.43.11 (in @aws-sdk/client-iam 3.1169).
  AcquireRole: op(
    'identity',
    'medium',
    'creates a role from a role template (trust and permissions included)',
    { title: ({ t }) => `${capitalise(t)} created from a role template` },
  ),
};
