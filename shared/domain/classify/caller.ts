// parse → [classify] → enrich → format → publish
// The caller in words, for headlines and reasons.
import { actingUser } from '../principal.js';
import type { Principal } from '../types.js';

/**
 * `role session deploy/ci-1`, `IAM user alice`, `the root user`, `federated user bob (a session of IAM user
 * mallory)`, `Identity Center user jane@example.com (permission set AdministratorAccess)`.
 */
export const describeCaller = (principal: Principal): string => {
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

/** `instance i-0abc…`, or `an EC2 instance` when the session name is not an instance id. */
export const instanceOf = (ec2: NonNullable<Principal['ec2Instance']>): string =>
  ec2.instanceId ? `instance ${ec2.instanceId}` : 'an EC2 instance';
