// IAM operations of the catalogue. Account: password policy, alias, account-wide settings, centralized root access.
// Targets the changed account.
// Add an IAM operation here (or in the file of its category); tests check it against the SDK's operation list.
import type { OperationSpecs } from '../operation.js';
import { op } from '../spec.js';
import { str } from '../words.js';

/** IAM operations: Account. Keyed by `eventName` of `iam.amazonaws.com`. */
export const IAM_ACCOUNT: OperationSpecs = {
  CreateAccountAlias: op('account', 'low', 'creates the account alias (sign-in URL)', {
    title: ({ p }) => `Account alias set to ${str(p.accountAlias) ?? '?'}`,
  }),
  DeleteAccountAlias: op('account', 'low', 'deletes the account alias', {
    title: ({ p }) => `Account alias ${str(p.accountAlias) ?? '?'} deleted`,
  }),
  UpdateAccountPasswordPolicy: op('account', 'medium', 'changes the password policy of the account', {
    title: () => 'Account password policy changed',
  }),
  DeleteAccountPasswordPolicy: op(
    'account',
    'medium',
    "deletes the account's custom password policy (IAM's default password policy applies again)",
    { title: () => "Account password policy deleted: IAM's default password policy applies" },
  ),
  SetSecurityTokenServicePreferences: op('account', 'low', 'sets the version of STS global endpoint tokens'),
  EnableOrganizationsRootCredentialsManagement: op(
    'account',
    'medium',
    'lets the management account manage the root credentials of member accounts',
    { title: () => 'Central management of member root credentials enabled' },
  ),
  DisableOrganizationsRootCredentialsManagement: op(
    'account',
    'medium',
    'stops central management of member accounts’ root credentials',
    { title: () => 'Central management of member root credentials disabled' },
  ),
  EnableOrganizationsRootSessions: op(
    'account',
    'high',
    'lets the management account open root sessions in member accounts (sts:AssumeRoot)',
    { title: () => 'Root sessions in member accounts enabled for the management account' },
  ),
  DisableOrganizationsRootSessions: op('account', 'medium', 'stops root sessions in member accounts', {
    title: () => 'Root sessions in member accounts disabled',
  }),
  // Added after botocore 1.43.11 (in @aws-sdk/client-iam 3.1169).
  PutAccountProperties: op('account', 'medium', 'sets account-wide IAM properties'),
};
