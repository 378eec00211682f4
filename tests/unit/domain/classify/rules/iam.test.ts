// Rules about what an IAM change does: credentials and MFA for another user, safeguards removed, own permissions.
import { IAM_OPERATIONS } from '../../../../../shared/domain/catalogue/index.js';
import { findRecord } from '../../../../helpers/fixtures.js';
import { FEDERATED_BOB } from '../../../../helpers/records.js';
import { classify, codes, EC2_WEB_ROLE, ROOT, record, sampleEvent, texts } from '../classify-helpers.js';

describe('classifyEvent: credentials', () => {
  it('rates an access key created for another user high (stratus-red-team)', () => {
    const corpus = findRecord(
      (r) =>
        r.eventName === 'CreateAccessKey' &&
        r.requestParameters?.userName === 'stratus-red-team-backdoor-u-user',
    );

    const result = classify(corpus);

    expect(result).toMatchObject({
      family: 'Create',
      category: 'credentials',
      severity: 'high',
      title: 'Access key created for IAM user stratus-red-team-backdoor-u-user',
      target: { kind: 'user', name: 'stratus-red-team-backdoor-u-user' },
    });
    expect(codes(result)).toEqual(['credential-for-other-user']);
    expect(result.reasons[0]?.text).toBe(
      'an access key of IAM user stratus-red-team-backdoor-u-user was created by IAM user christophe, not by IAM user stratus-red-team-backdoor-u-user itself: whoever holds it can call AWS APIs as stratus-red-team-backdoor-u-user',
    );
  });

  it('treats a missing userName as the caller: an own access key stays medium', () => {
    const corpus = findRecord((r) => r.eventName === 'CreateAccessKey');
    corpus.requestParameters = null;

    const result = classify(corpus);

    expect(result.severity).toBe('medium');
    expect(codes(result)).toEqual(['operation']);
    expect(result.target).toMatchObject({ kind: 'user', name: corpus.userIdentity.userName });
  });

  it('rates console passwords created or changed for another user high', () => {
    const created = classify(findRecord((r) => r.eventName === 'CreateLoginProfile' && !r.errorCode));
    const changed = classify(findRecord((r) => r.eventName === 'UpdateLoginProfile'));

    expect([created.severity, created.title]).toEqual([
      'high',
      expect.stringMatching(/^Console password created for IAM user /),
    ]);
    expect([changed.severity, changed.title]).toEqual([
      'high',
      'Console password changed for IAM user stratus-red-team-update-login-profile-user',
    ]);
  });

  it('does not raise the deactivation of another user’s key (remediation)', () => {
    const result = classify(
      record({
        eventName: 'UpdateAccessKey',
        requestParameters: { userName: 'bob', accessKeyId: 'AKIAOLD', status: 'Inactive' },
      }),
    );

    expect([result.severity, result.title]).toEqual([
      'low',
      'Access key AKIAOLD of IAM user bob deactivated',
    ]);
  });

  it('rates an MFA device deactivated high, naming the user', () => {
    const result = classify(
      record({
        eventName: 'DeactivateMFADevice',
        requestParameters: { userName: 'bob', serialNumber: 'arn:aws:iam::123456789012:mfa/bob' },
      }),
    );

    expect(result).toMatchObject({
      category: 'credentials',
      severity: 'high',
      title: 'MFA device deactivated for IAM user bob',
    });
    expect(codes(result)).toContain('mfa-removed');
  });
});
describe('classifyEvent: permissions', () => {
  it('names the managed policy in the headline (stratus-red-team AdministratorAccess)', () => {
    const corpus = findRecord(
      (r) => r.eventName === 'AttachUserPolicy' && r.requestParameters?.userName === 'malicious-iam-user',
    );

    const result = classify(corpus);

    expect(result).toMatchObject({
      family: 'Attach',
      category: 'permissions',
      title: 'AdministratorAccess attached to IAM user malicious-iam-user',
      target: { kind: 'user', name: 'malicious-iam-user' },
    });
    // What the policy grants is the policy stage's finding; from the event alone an attachment is medium.
    expect(result.severity).toBe('medium');
  });

  it('headlines a trust policy update', () => {
    const result = classify(
      findRecord(
        (r) => r.eventName === 'UpdateAssumeRolePolicy' && r.requestParameters?.roleName !== undefined,
      ),
    );

    expect(result).toMatchObject({
      category: 'permissions',
      title: expect.stringMatching(/^Role .+ trust policy updated$/),
    });
  });

  it('rates a default policy version switch high', () => {
    const result = classify(
      record({
        eventName: 'SetDefaultPolicyVersion',
        requestParameters: { policyArn: 'arn:aws:iam::123456789012:policy/ci-deploy', versionId: 'v3' },
      }),
    );

    expect(result).toMatchObject({
      family: 'Set',
      severity: 'high',
      title: 'Policy ci-deploy default version switched to v3',
      target: { kind: 'policy', name: 'ci-deploy', arn: 'arn:aws:iam::123456789012:policy/ci-deploy' },
    });
    expect(codes(result)).toEqual(['default-version-switched']);
  });

  it('rates a new policy version made default high, and one that is not medium', () => {
    const params = { policyArn: 'arn:aws:iam::123456789012:policy/ci-deploy', policyDocument: '{}' };
    const asDefault = classify(
      record({ eventName: 'CreatePolicyVersion', requestParameters: { ...params, setAsDefault: true } }),
    );
    const notDefault = classify(record({ eventName: 'CreatePolicyVersion', requestParameters: params }));

    expect([asDefault.severity, asDefault.title]).toEqual([
      'high',
      'New version of policy ci-deploy created and made the default',
    ]);
    expect([notDefault.severity, notDefault.title]).toEqual([
      'medium',
      'New version of policy ci-deploy created',
    ]);
  });

  it.each(['DeleteRolePermissionsBoundary', 'DeleteUserPermissionsBoundary'])(
    'rates %s high',
    (eventName) => {
      const result = classify(
        record({ eventName, requestParameters: { roleName: 'app', userName: undefined } }),
      );

      expect(result.severity).toBe('high');
      expect(codes(result)).toContain('permissions-boundary-removed');
    },
  );
});
describe('classifyEvent: federated users (GetFederationToken)', () => {
  it('names a federated user and the IAM user that minted it, and compares against that user', () => {
    const otherUser = classify(
      record({
        eventName: 'CreateAccessKey',
        userIdentity: FEDERATED_BOB,
        requestParameters: { userName: 'bob' },
      }),
    );
    const issuerItself = classify(
      record({
        eventName: 'CreateAccessKey',
        userIdentity: FEDERATED_BOB,
        requestParameters: { userName: 'mallory' },
      }),
    );

    expect(otherUser.severity).toBe('high');
    expect(otherUser.reasons[0]).toEqual({
      severity: 'high',
      code: 'credential-for-other-user',
      text: 'an access key of IAM user bob was created by federated user bob (a session of IAM user mallory), not by IAM user bob itself: whoever holds it can call AWS APIs as bob',
    });
    expect(issuerItself.severity).toBe('medium');
    expect(codes(issuerItself)).toEqual(['operation']);
  });

  it('acts on the issuing IAM user when a credential call names no user', () => {
    const result = classify(record({ eventName: 'CreateAccessKey', userIdentity: FEDERATED_BOB }));

    expect(result.target).toEqual({
      kind: 'user',
      name: 'mallory',
      arn: 'arn:aws:iam::123456789012:user/mallory',
    });
  });
});
describe('classifyEvent: what AWS credentials and settings really do', () => {
  it('says the root user is subject to SCPs in member accounts', () => {
    const result = classify(record({ eventName: 'CreateAccessKey', userIdentity: ROOT }));

    expect(result.reasons[0]?.text).toBe(
      'made with the root user, which has full access to the account (an SCP can restrict it in a member account, never in the management account)',
    );
  });

  it('says an SSH public key gives CodeCommit access only', () => {
    const result = classify(sampleEvent('upload-ssh-public-key.json'));

    expect(result.reasons[0]?.text).toMatch(
      /whoever holds the private key can use CodeCommit repositories over SSH as malicious-iam-user, with malicious-iam-user's CodeCommit permissions; the key gives no other access$/,
    );
  });

  it.each([
    ['codecommit.amazonaws.com', 'a CodeCommit'],
    ['cassandra.amazonaws.com', 'an Amazon Keyspaces'],
    ['bedrock.amazonaws.com', 'an Amazon Bedrock'],
  ])('says a service-specific credential for %s works for that service only', (serviceName, what) => {
    const result = classify(
      record({
        eventName: 'CreateServiceSpecificCredential',
        requestParameters: { userName: 'bob', serviceName },
      }),
    );
    const service = what.replace(/^an? /, '');

    expect(result.reasons[0]?.text).toBe(
      `${what} service-specific credential of IAM user bob was created by IAM user alice, not by IAM user bob itself: whoever holds it can use ${service} as bob, with bob's permissions there; it works for no other service`,
    );
  });

  it.each(['EnableMFADevice', 'ResyncMFADevice'])(
    'says what an MFA device on another user enables, and rates %s medium',
    (eventName) => {
      const result = classify(
        record({
          eventName,
          requestParameters: {
            userName: 'bob',
            serialNumber: 'arn:aws:iam::123456789012:mfa/attacker-phone',
          },
        }),
      );

      expect(result.severity).toBe('medium');
      expect(codes(result)).toEqual(['mfa-for-other-user']);
      expect(result.reasons[0]?.text).toMatch(
        /^MFA device attacker-phone (?:was enabled on|of) IAM user bob .*whoever holds that device and knows bob's password \(or holds bob's access keys\) passes bob's MFA check; the device alone signs nobody in$/,
      );
    },
  );

  it('writes "an MFA", never "a MFA", in every reason and headline', () => {
    for (const eventName of Object.keys(IAM_OPERATIONS)) {
      for (const outcome of [{}, { errorCode: 'AccessDenied', errorMessage: 'denied' }]) {
        const result = classify(
          record({
            eventName,
            requestParameters: { userName: 'bob', serialNumber: 'arn:aws:iam::1:mfa/x' },
            ...outcome,
          }),
        );
        expect([eventName, /\ba MFA\b/.test(`${result.title}\n${texts(result)}`)]).toEqual([
          eventName,
          false,
        ]);
      }
    }
  });

  it('rates a deleted virtual MFA device low: IAM deletes only a device no longer enabled for a user', () => {
    const result = classify(
      record({
        eventName: 'DeleteVirtualMFADevice',
        requestParameters: { serialNumber: 'arn:aws:iam::123456789012:mfa/old' },
      }),
    );

    expect(result.severity).toBe('low');
    expect(texts(result)).not.toMatch(/loses MFA/);
  });
});
describe('classifyEvent: a principal changing its own permissions', () => {
  it('flags an IAM user attaching a policy to itself, medium', () => {
    const result = classify(
      record({
        eventName: 'AttachUserPolicy',
        requestParameters: { userName: 'alice', policyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' },
      }),
    );

    expect(result.severity).toBe('medium');
    expect(result.reasons[0]).toEqual({
      severity: 'medium',
      code: 'self-permission-change',
      text: 'changed its own permissions: IAM user alice changed the permissions of IAM user alice, whose permissions it uses',
    });
  });

  it('rates a role session writing a policy on its own role with EC2 instance credentials high', () => {
    const result = classify(
      record({
        eventName: 'PutRolePolicy',
        userIdentity: EC2_WEB_ROLE,
        requestParameters: { roleName: 'web-role', policyName: 'x', policyDocument: '{}' },
      }),
    );

    expect(result.severity).toBe('high');
    expect(result.reasons.find((r) => r.code === 'self-permission-change')).toEqual({
      severity: 'high',
      code: 'self-permission-change',
      text: 'changed its own permissions: role session web-role/i-0abc1234def567890 changed the permissions of role web-role, whose permissions it uses, with the role credentials of instance i-0abc1234def567890',
    });
  });

  it('counts a federated user changing the IAM user that minted it', () => {
    const result = classify(
      record({
        eventName: 'AddUserToGroup',
        userIdentity: FEDERATED_BOB,
        requestParameters: { userName: 'mallory', groupName: 'admins' },
      }),
    );

    expect(codes(result)).toContain('self-permission-change');
  });

  it('does not flag changes to another user or role', () => {
    const otherUser = classify(
      record({
        eventName: 'AttachUserPolicy',
        requestParameters: { userName: 'bob', policyArn: 'arn:aws:iam::aws:policy/x' },
      }),
    );
    const otherRole = classify(
      record({
        eventName: 'PutRolePolicy',
        userIdentity: EC2_WEB_ROLE,
        requestParameters: { roleName: 'db-role', policyName: 'x' },
      }),
    );

    expect(codes(otherUser)).not.toContain('self-permission-change');
    expect(codes(otherRole)).not.toContain('self-permission-change');
  });
});
