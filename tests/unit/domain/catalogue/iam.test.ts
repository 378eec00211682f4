import * as iamClient from '@aws-sdk/client-iam';
import { baseEventName, IAM_OPERATIONS, leadingVerb } from '../../../../shared/domain/catalogue/index.js';
import { CATEGORIES, SEVERITIES } from '../../../../shared/domain/types.js';
import { loadIamOperations } from '../../../helpers/fixtures.js';

/** Every operation of the installed IAM client: its `*Command` classes, minus the suffix (not `$Command`). */
const sdkOperations = (): string[] =>
  Object.entries(iamClient)
    .filter(([name, value]) => name.endsWith('Command') && /^[A-Z]/.test(name) && typeof value === 'function')
    .map(([name]) => name.slice(0, -'Command'.length));

describe('IAM_OPERATIONS', () => {
  it('classifies every operation of @aws-sdk/client-iam', () => {
    // Arrange
    const operations = sdkOperations();

    // Act
    const unclassified = operations.filter((operation) => !(operation in IAM_OPERATIONS));

    // Assert
    expect(operations.length).toBeGreaterThanOrEqual(176);
    expect(unclassified).toEqual([]);
  });

  it('covers exactly the operations of iam-operations.txt plus those the installed SDK adds', () => {
    const fromFile = loadIamOperations();
    const known = new Set([...fromFile, ...sdkOperations()]);

    expect(fromFile).toHaveLength(176);
    expect(fromFile.filter((operation) => !(operation in IAM_OPERATIONS))).toEqual([]);
    expect(Object.keys(IAM_OPERATIONS).filter((operation) => !known.has(operation))).toEqual([]);
  });

  it('gives every operation a valid category, severity and summary, and never `other`', () => {
    for (const [name, operation] of Object.entries(IAM_OPERATIONS)) {
      expect([name, CATEGORIES.includes(operation.category)]).toEqual([name, true]);
      expect([name, SEVERITIES.includes(operation.severity)]).toEqual([name, true]);
      expect([name, operation.summary.length > 5]).toEqual([name, true]);
      expect([name, operation.category]).not.toEqual([name, 'other']);
    }
  });

  it('rates reads (Get/List/Generate/Simulate) read/info and every change above info', () => {
    for (const [name, operation] of Object.entries(IAM_OPERATIONS)) {
      const isRead = ['Get', 'List', 'Generate', 'Simulate'].includes(leadingVerb(name));
      expect([name, operation.category === 'read']).toEqual([name, isRead]);
      expect([name, operation.severity === 'info']).toEqual([name, isRead]);
    }
  });

  it.each([
    'ChangePassword',
    'EnableMFADevice',
    'DeactivateMFADevice',
    'ResyncMFADevice',
    'CreateVirtualMFADevice',
    'DeleteVirtualMFADevice',
    'CreateLoginProfile',
    'UpdateLoginProfile',
    'CreateAccessKey',
    'UploadSSHPublicKey',
    'CreateServiceSpecificCredential',
  ])('puts %s in credentials (the reference "auth" list leaves some out)', (name) => {
    expect(IAM_OPERATIONS[name]?.category).toBe('credentials');
  });

  it.each([
    ['AttachUserPolicy', 'permissions'],
    ['UpdateAssumeRolePolicy', 'permissions'],
    ['AddUserToGroup', 'permissions'],
    ['PutRolePermissionsBoundary', 'permissions'],
    ['AddRoleToInstanceProfile', 'permissions'],
    ['CreateRole', 'identity'],
    ['CreateSAMLProvider', 'federation'],
    ['UpdateOpenIDConnectProviderThumbprint', 'federation'],
    ['DeleteAccountPasswordPolicy', 'account'],
    ['CreateAccountAlias', 'account'],
    ['TagRole', 'tagging'],
  ])('puts %s in %s', (name, category) => {
    expect(IAM_OPERATIONS[name]?.category).toBe(category);
  });

  it('rates the removal of a safeguard high', () => {
    for (const name of [
      'DeactivateMFADevice',
      'DeleteRolePermissionsBoundary',
      'DeleteUserPermissionsBoundary',
      'SetDefaultPolicyVersion',
    ]) {
      expect([name, IAM_OPERATIONS[name]?.severity]).toEqual([name, 'high']);
    }
  });

  it('rates a deleted password policy medium: IAM applies its default password policy, not none', () => {
    expect(IAM_OPERATIONS.DeleteAccountPasswordPolicy).toEqual({
      category: 'account',
      severity: 'medium',
      summary: "deletes the account's custom password policy (IAM's default password policy applies again)",
    });
  });

  it('rates a deleted virtual MFA device low: IAM deletes only a device no longer enabled for a user', () => {
    expect(IAM_OPERATIONS.DeleteVirtualMFADevice?.severity).toBe('low');
  });

  it('writes "an" before MFA, IAM, SSH, OIDC, X.509 and AWS in every summary', () => {
    const wrong = Object.entries(IAM_OPERATIONS).filter(([, operation]) =>
      /\ba (?:MFA|IAM|SSH|OIDC|X\.509|AWS|STS|SCP|EC2)\b/.test(operation.summary),
    );

    expect(wrong).toEqual([]);
  });
});

describe('leadingVerb', () => {
  it.each([
    ['CreatePolicyVersion', 'Create'],
    ['GetCallerIdentity', 'Get'],
    ['UpdateFunctionCode20150331v2', 'Update'],
    ['PutFunctionConcurrency20171031', 'Put'],
    ['ConsoleLogin', 'Console'],
    ['MFAEnable', 'MFA'],
    ['lowercase', 'lowercase'],
  ])('%s → %s', (eventName, verb) => {
    expect(leadingVerb(eventName)).toBe(verb);
  });
});

describe('baseEventName', () => {
  it('strips the API version Lambda appends', () => {
    expect(baseEventName('RemovePermission20150331v2')).toBe('RemovePermission');
    expect(baseEventName('DeleteFunction20150331')).toBe('DeleteFunction');
    expect(baseEventName('CreateUser')).toBe('CreateUser');
  });
});
