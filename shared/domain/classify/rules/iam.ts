// parse → [classify] → enrich → format → publish
// Rules about what an IAM change does: credentials and MFA devices for another user, a principal changing its own
// permissions, safeguards removed, the SCP exemption tag, operations the catalogue does not know yet.

import type { Params } from '../../catalogue/operation.js';
import { ROOT_USER_PLACEHOLDER } from '../../catalogue/targets.js';
import { capitalise, nameFromArn, str, tagList } from '../../catalogue/words.js';
import { actingRole, actingUser } from '../../principal.js';
import { describeCaller, instanceOf } from '../caller.js';
import { effect, type Rule } from '../facts.js';
import { phrase } from '../targets.js';

/** A credential that gives a way in, created or re-activated for another IAM user (the catalogue's `grants`). */
export const credentialForOtherUserRule: Rule = (facts) => {
  const { name, params, principal, service } = facts;
  const grant = service === 'iam' ? facts.base.operation?.grants : undefined;
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
export const mfaForOtherUserRule: Rule = (facts) => {
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

const boundaryRemoved: Rule = (facts) =>
  effect(
    facts,
    'high',
    'permissions-boundary-removed',
    `the permissions boundary of ${phrase(facts.target)} was removed: its policies now apply in full`,
    `tried to remove the permissions boundary of ${phrase(facts.target)}`,
  );

/** Rules of single IAM operations: default version switched, boundary removed, MFA removed, password policy deleted. */
const SPECIFIC_IAM_RULES: ReadonlyMap<string, Rule> = new Map(
  Object.entries({
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
  }),
);

const describeDevice = (params: Params): string => {
  const serial = str(params.serialNumber);
  return serial ? `MFA device ${nameFromArn(serial)}` : 'an MFA device';
};

/** The SCP's principal-tag exemption (SPEC: `aws:PrincipalTag/exception-to-vpc-ip` = `true`). */
const SCP_EXEMPTION_TAG = 'exception-to-vpc-ip';

/** `exception-to-vpc-ip=true` given to a role or user: the EC2-credential SCP stops applying to it. */
export const scpExemptionTagRule: Rule = (facts) => {
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

/**
 * A principal changing its own permissions: an IAM user (or a federated user of it) changing that user, a role
 * session changing its role. Granting oneself more is what privilege escalation looks like; even a removal may drop
 * a Deny. With EC2 instance credentials it is code on the instance, or a thief, changing the instance's own role.
 */
export const selfPermissionRule: Rule = (facts) => {
  const { service, params, principal } = facts;
  if (service !== 'iam') return undefined;
  const permissionsOf = facts.base.operation?.permissionsOf;
  const user = str(params.userName);
  const role = str(params.roleName);
  const self =
    permissionsOf === 'user' && user !== undefined && user === actingUser(principal)
      ? `IAM user ${user}`
      : permissionsOf === 'role' && role !== undefined && role === actingRole(principal)
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

/** An IAM change the catalogue does not know yet: `medium` until it is classified. */
export const unknownOperationRule: Rule = (facts) =>
  facts.service === 'iam' && !facts.base.known && !facts.base.isRead
    ? effect(
        facts,
        'medium',
        'unclassified-operation',
        `${facts.name} is not in the classification table yet: review it`,
        `${facts.name} is not in the classification table yet: review it`,
      )
    : undefined;

/** The rule of this IAM operation, if it has one of its own. */
export const specificIamRule: Rule = (facts) =>
  facts.service === 'iam' ? SPECIFIC_IAM_RULES.get(facts.name)?.(facts) : undefined;
