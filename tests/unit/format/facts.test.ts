import { describePrincipal } from '../../../shared/domain/principal.js';
import type { CloudTrailRecord, UserIdentity } from '../../../shared/domain/types.js';
import {
  describeCallerKey,
  describeWho,
  findingsBeyondReasons,
  TYPE_LABELS,
} from '../../../shared/format/facts.js';
import { attachAdminAlert } from '../../helpers/alerts.js';
import { cloudTrailRecord, FEDERATED_BOB } from '../../helpers/records.js';

/** A hand-written record in CloudTrail's format: only the identity matters here. */
const callBy = (userIdentity: UserIdentity, overrides: Partial<CloudTrailRecord> = {}): CloudTrailRecord =>
  cloudTrailRecord({
    userIdentity,
    eventName: 'CreateAccessKey',
    requestParameters: { userName: 'bob' },
    ...overrides,
  });

const who = (userIdentity: UserIdentity): string => describeWho(describePrincipal(callBy(userIdentity)));

describe('describeWho', () => {
  it('names a federated user and the IAM user that issued it (not "session bob of role mallory")', () => {
    const text = who(FEDERATED_BOB);

    expect(text).toBe(
      'federated user bob, issued by IAM user mallory (arn:aws:iam::123456789012:user/mallory), no MFA',
    );
  });

  it('names a federated user issued by the root user', () => {
    const text = who({
      type: 'FederatedUser',
      arn: 'arn:aws:sts::123456789012:federated-user/ops',
      accountId: '123456789012',
      sessionContext: {
        sessionIssuer: { type: 'Root', arn: 'arn:aws:iam::123456789012:root', accountId: '123456789012' },
      },
    });

    expect(text).toBe('federated user ops, issued by the root user (arn:aws:iam::123456789012:root)');
  });

  it('names an Identity Center session by the person and permission set, without claiming "no MFA"', () => {
    const text = who({
      type: 'AssumedRole',
      principalId: 'AROAEX:jane@example.com',
      arn: 'arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_AdministratorAccess_abc123/jane@example.com',
      accountId: '123456789012',
      sessionContext: {
        sessionIssuer: {
          type: 'Role',
          arn: 'arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_AdministratorAccess_abc123',
          userName: 'AWSReservedSSO_AdministratorAccess_abc123',
        },
        attributes: { mfaAuthenticated: 'false', creationDate: '2026-11-01T09:00:00Z' },
      },
      onBehalfOf: {
        userId: '9067-abc',
        identityStoreArn: 'arn:aws:identitystore::123456789012:identitystore/d-123',
      },
    });

    expect(text).toBe('Identity Center user jane@example.com (permission set AdministratorAccess)');
  });

  it('keeps the wording of role sessions, IAM users and root', () => {
    const session = who({
      type: 'AssumedRole',
      arn: 'arn:aws:sts::123456789012:assumed-role/ci-role/ci-run-4411',
      accountId: '123456789012',
      sessionContext: {
        sessionIssuer: { type: 'Role', arn: 'arn:aws:iam::123456789012:role/ci-role', userName: 'ci-role' },
        attributes: { mfaAuthenticated: 'false' },
      },
    });
    const user = who({
      type: 'IAMUser',
      arn: 'arn:aws:iam::123456789012:user/alice',
      accountId: '123456789012',
      userName: 'alice',
    });
    const rootSession = who({
      type: 'Root',
      arn: 'arn:aws:iam::444455556666:root',
      accountId: '444455556666',
      sessionContext: { assumedRoot: 'true', attributes: { mfaAuthenticated: 'false' } },
    });

    expect(session).toBe(
      'session ci-run-4411 of role ci-role (arn:aws:iam::123456789012:role/ci-role), no MFA',
    );
    expect(user).toBe('alice (IAM user, arn:aws:iam::123456789012:user/alice)');
    expect(rootSession).toBe(
      'root (root user, arn:aws:iam::444455556666:root), in a root session opened from the management account (sts:AssumeRoot)',
    );
  });

  it('names an IAM Identity Center user (onBehalfOf) once, with its identity store', () => {
    const text = who({
      type: 'IdentityCenterUser',
      accountId: '123456789012',
      onBehalfOf: {
        userId: '5448-abc',
        identityStoreArn: 'arn:aws:identitystore::123456789012:identitystore/d-9067',
      },
    });

    expect(text).toBe(
      'Identity Center user 5448-abc (identity store arn:aws:identitystore::123456789012:identitystore/d-9067)',
    );
  });

  it('exports readable labels of the identity types', () => {
    expect(TYPE_LABELS).toMatchObject({
      IAMUser: 'IAM user',
      FederatedUser: 'federated user',
      Root: 'root user',
    });
  });
});

describe('findingsBeyondReasons', () => {
  const reason = {
    severity: 'high' as const,
    code: 'full-admin',
    text: 'grants every action on every resource (AWS managed policy X)',
  };

  it('drops a finding the reasons already state (same code, same text before its source), keeps the others', () => {
    const alert = attachAdminAlert({
      reasons: [reason],
      policy: {
        source: 'iam-api',
        label: 'managed policy X',
        findings: [
          { severity: 'high', code: 'full-admin', text: 'grants every action on every resource' },
          // Same code, different text: a second policy's finding, not a repeat.
          { severity: 'high', code: 'full-admin', text: 'grants every action on every role' },
          { severity: 'info', code: 'grants-summary', text: 'allows s3:GetObject on b' },
        ],
      },
    });
    expect(findingsBeyondReasons(alert).map((finding) => finding.text)).toEqual([
      'grants every action on every role',
      'allows s3:GetObject on b',
    ]);
  });
});

describe('describeCallerKey', () => {
  // IAM identifiers: AKIA is an access key, ASIA a temporary (STS) access key.
  // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-unique-ids
  it.each([
    ['AKIAIOSFODNN7EXAMPLE', "AKIAIOSFODNN7EXAMPLE (the caller's long-term access key)"],
    ['ASIAIOSFODNN7EXAMPLE', "ASIAIOSFODNN7EXAMPLE (the caller's temporary session key)"],
    ['EXAMPLE', "EXAMPLE (the caller's access key)"],
  ])('%s', (key, words) => {
    expect(describeCallerKey(key)).toBe(words);
  });
});
