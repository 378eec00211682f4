// Targets and headlines.
import { classify, ROOT, record, sampleEvent } from './classify-helpers.js';

describe('classifyEvent: targets and headlines', () => {
  it('targets the account (root ARN) for the root user’s own credentials, headlined "the root user"', () => {
    const result = classify(record({ eventName: 'CreateAccessKey', userIdentity: ROOT }));

    expect(result.target).toEqual({
      kind: 'account',
      name: '123456789012',
      arn: 'arn:aws:iam::123456789012:root',
    });
    expect(result.title).toBe('Access key created for the root user');
  });

  it('names the role of a denied AssumeRole from the error message', () => {
    const result = classify(sampleEvent('assume-role-access-denied.json'));

    expect(result.target).toEqual({
      kind: 'role',
      name: 'stratus-red-team-ec2-get-password-data-role',
      arn: 'arn:aws:iam::123837392027:role/stratus-red-team-ec2-get-password-data-role',
    });
    expect(result.title).toBe(
      'sts:AssumeRole on role stratus-red-team-ec2-get-password-data-role denied (AccessDenied)',
    );
    expect(result.reasons[0]?.text).toContain(
      'tried to assume role stratus-red-team-ec2-get-password-data-role',
    );
  });

  it('names the role of an AssumeRole from roleArn', () => {
    const result = classify(
      record({
        eventSource: 'sts.amazonaws.com',
        eventName: 'AssumeRole',
        readOnly: true,
        requestParameters: { roleArn: 'arn:aws:iam::123456789012:role/ops/deploy', roleSessionName: 'ci' },
      }),
    );

    expect(result.title).toBe('sts:AssumeRole on role deploy');
  });

  it('names the member account and task policy of sts:AssumeRoot', () => {
    const result = classify(
      record({
        eventSource: 'sts.amazonaws.com',
        eventName: 'AssumeRoot',
        readOnly: true,
        requestParameters: {
          targetPrincipal: '444455556666',
          taskPolicyArn: { arn: 'arn:aws:iam::aws:policy/root-task/IAMDeleteRootUserCredentials' },
        },
      }),
    );

    expect(result).toMatchObject({
      severity: 'medium',
      title: 'Root session opened in member account 444455556666 (task policy IAMDeleteRootUserCredentials)',
      target: { kind: 'account', name: '444455556666' },
    });
    expect(result.reasons[0]?.text).toBe(
      'opens a root session in member account 444455556666, limited to the task policy IAMDeleteRootUserCredentials',
    );
  });
});
