// Rules about who called and how: root, EC2 instance credentials, denials, console sign-ins and MFA.
import { findRecord } from '../../../../helpers/fixtures.js';
import { classify, codes, record } from '../classify-helpers.js';

describe('classifyEvent: generic raises', () => {
  it('rates root activity critical (root enabling its own MFA)', () => {
    const result = classify(
      findRecord((r) => r.eventName === 'EnableMFADevice' && r.userIdentity.type === 'Root'),
    );

    expect(result).toMatchObject({
      severity: 'critical',
      category: 'credentials',
      title: 'MFA device enabled for the root user',
    });
    expect(codes(result)).toEqual(['root-activity']);
  });

  it('rates a change made with EC2 instance credentials high when it touches IAM', () => {
    // An IAM call with the identity of a real EC2-credential record of the corpus.
    const ec2Identity = findRecord(
      (r) => r.userIdentity.sessionContext?.ec2RoleDelivery === '2.0',
    ).userIdentity;
    const iamCall = findRecord((r) => r.eventName === 'CreateUser');

    const result = classify({ ...iamCall, userIdentity: ec2Identity });

    expect(result.severity).toBe('high');
    expect(result.reasons[0]).toMatchObject({ code: 'ec2-credential-change' });
    expect(result.reasons[0]?.text).toContain('instance i-0dbc91f429e48eeed');
  });

  it('notes EC2 instance credentials on other services without raising them above low', () => {
    const write = classify(
      findRecord(
        (r) => r.eventName === 'PutInventory' && r.userIdentity.sessionContext?.ec2RoleDelivery !== undefined,
      ),
    );
    const whoami = classify(
      findRecord(
        (r) =>
          r.eventName === 'GetCallerIdentity' && r.userIdentity.sessionContext?.ec2RoleDelivery !== undefined,
      ),
    );

    expect([write.severity, codes(write)]).toEqual(['low', ['ec2-credential-change']]);
    expect([whoami.severity, codes(whoami)]).toEqual(['low', ['ec2-credential-read']]);
  });

  it('rates a denied read low and says it may be reconnaissance', () => {
    const result = classify(
      findRecord((r) => r.eventName === 'GetPasswordData' && r.errorCode === 'Client.UnauthorizedOperation'),
    );

    expect(result).toMatchObject({
      severity: 'low',
      category: 'read',
      title: 'ec2:GetPasswordData denied (Client.UnauthorizedOperation)',
    });
    expect(codes(result)).toContain('access-denied-read');
  });

  it('rates a denied AssumeRole medium (lateral movement attempt)', () => {
    const result = classify(
      findRecord((r) => r.eventName === 'AssumeRole' && r.errorCode === 'AccessDenied'),
    );

    expect(result.severity).toBe('medium');
    expect(codes(result)).toContain('access-denied');
  });

  it('names an SCP denial as such, case-insensitively', () => {
    const denied = (message: string) =>
      classify(
        record({
          eventName: 'CreateUser',
          requestParameters: { userName: 'backdoor' },
          errorCode: 'AccessDenied',
          errorMessage: message,
        }),
      );
    const explicit = denied(
      'User: arn:aws:iam::123456789012:user/alice is not authorized to perform: iam:CreateUser on resource: arn:aws:iam::123456789012:user/backdoor with an explicit deny in a service control policy',
    );
    const shouting = denied('... WITH AN EXPLICIT DENY IN A SERVICE CONTROL POLICY');
    const identityPolicy = denied(
      'User: arn:aws:iam::123456789012:user/alice is not authorized to perform: iam:CreateUser on resource: arn:aws:iam::123456789012:user/backdoor because no identity-based policy allows the iam:CreateUser action',
    );

    expect(explicit).toMatchObject({
      severity: 'high',
      title: 'iam:CreateUser on IAM user backdoor denied (service control policy)',
    });
    expect(codes(explicit)[0]).toBe('scp-denied');
    expect(codes(shouting)[0]).toBe('scp-denied');
    expect(identityPolicy.severity).toBe('medium');
    expect(codes(identityPolicy)).toEqual(['access-denied']);
  });

  it('lowers a change that failed for another reason to low: nothing changed', () => {
    const result = classify(
      findRecord((r) => r.eventName === 'DeleteLoginProfile' && r.errorCode === 'NoSuchEntityException'),
    );

    expect(result.severity).toBe('low');
    expect(codes(result)).toEqual(['call-failed']);
    expect(result.title).toMatch(/ failed \(NoSuchEntityException\)$/);
  });

  it('rates a console change without MFA medium', () => {
    const result = classify(findRecord((r) => r.eventName === 'AddUserToGroup'));

    expect(result).toMatchObject({ severity: 'medium', title: 'IAM user Bob added to group admin' });
    expect(result.reasons[0]?.text).toBe('made by a person with console credentials, without MFA');
  });

  it('rates the SCP exemption tag on a role high, and other tags low', () => {
    const tag = (key: string, value: string) =>
      classify(
        record({ eventName: 'TagRole', requestParameters: { roleName: 'app', tags: [{ key, value }] } }),
      );

    const exempt = tag('exception-to-vpc-ip', 'true');

    expect(exempt).toMatchObject({
      severity: 'high',
      category: 'tagging',
      title: 'Role app tagged exception-to-vpc-ip=true',
    });
    expect(codes(exempt)).toEqual(['scp-exemption-tag']);
    expect(tag('exception-to-vpc-ip', 'false').severity).toBe('low');
    expect(tag('team', 'payments').severity).toBe('low');
  });

  it('catches the exemption tag given at user creation too', () => {
    const result = classify(
      record({
        eventName: 'CreateUser',
        requestParameters: { userName: 'svc', tags: [{ key: 'Exception-To-VPC-IP', value: 'true' }] },
      }),
    );

    expect(codes(result)).toContain('scp-exemption-tag');
  });

  it('rates a deleted password policy medium: IAM falls back to its default policy, not to none', () => {
    const result = classify(record({ eventName: 'DeleteAccountPasswordPolicy' }));

    expect(result).toMatchObject({
      category: 'account',
      severity: 'medium',
      title: "Account password policy deleted: IAM's default password policy applies",
      target: { kind: 'account', name: '123456789012' },
    });
    expect(codes(result)).toEqual(['password-policy-deleted']);
    expect(result.reasons[0]?.text).toContain('at least 8 characters, three of the four character types');
    expect(result.reasons[0]?.text).not.toMatch(/need no length/);
  });
});
describe('classifyEvent: sign-in', () => {
  it('rates a root console sign-in critical and says when MFA was not used', () => {
    const result = classify(
      findRecord(
        (r) =>
          r.eventName === 'ConsoleLogin' &&
          r.userIdentity.type === 'Root' &&
          r.additionalEventData?.MFAUsed === 'No' &&
          r.responseElements?.ConsoleLogin === 'Success',
      ),
    );

    expect(result).toMatchObject({
      severity: 'critical',
      category: 'credentials',
      family: 'Console',
      title: 'The root user signed in to the console without MFA',
    });
    expect(codes(result)).toEqual(['root-sign-in', 'console-login-without-mfa']);
  });

  it('rates an IAM user sign-in without MFA high and a failed sign-in low', () => {
    const noMfa = classify(
      findRecord((r) => r.eventName === 'ConsoleLogin' && r.userIdentity.userName === 'Mary_Major'),
    );
    const failed = classify(
      findRecord((r) => r.eventName === 'ConsoleLogin' && r.userIdentity.userName === 'JaneDoe'),
    );

    expect([noMfa.severity, noMfa.title]).toEqual([
      'high',
      'IAM user Mary_Major signed in to the console without MFA',
    ]);
    expect(codes(noMfa)).toEqual(['console-login-without-mfa']);
    expect([failed.severity, failed.title, codes(failed)]).toEqual([
      'low',
      'Console sign-in failed for IAM user JaneDoe',
      ['sign-in-failed'],
    ]);
  });

  it('rates a failed root sign-in medium: not paged per failure, bursts are grouped', () => {
    const result = classify(
      findRecord(
        (r) =>
          r.eventName === 'ConsoleLogin' &&
          r.userIdentity.type === 'Root' &&
          r.responseElements?.ConsoleLogin === 'Failure',
      ),
    );

    expect([result.severity, result.title]).toEqual(['medium', 'Console sign-in failed for the root user']);
    expect(codes(result)).toEqual(['root-sign-in-failed', 'sign-in-failed']);
  });
});
