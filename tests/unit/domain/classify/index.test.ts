// classifyEvent over the whole corpus and every IAM operation; failed calls as attempts.
import { IAM_OPERATIONS, leadingVerb } from '../../../../shared/domain/catalogue/index.js';
import { severityRank } from '../../../../shared/domain/types.js';
import { loadCorpus } from '../../../helpers/fixtures.js';
import { classify, codes, ROOT, record, sampleEvent, texts } from './classify-helpers.js';

describe('classifyEvent over every record and operation', () => {
  const corpus = loadCorpus();

  it('classifies every corpus record: consistent severity, sorted reasons, non-info writes', () => {
    for (const { file, line, record: raw } of corpus) {
      const where = `${file}:${line}`;
      const result = classify(raw);
      const highest = result.reasons.reduce((max, r) => Math.max(max, severityRank(r.severity)), 0);
      const ranks = result.reasons.map((r) => severityRank(r.severity));

      expect([where, result.reasons.length > 0]).toEqual([where, true]);
      expect([where, severityRank(result.severity)]).toEqual([where, highest]);
      expect([where, ranks]).toEqual([where, [...ranks].sort((a, b) => b - a)]);
      expect([where, result.family]).toEqual([where, leadingVerb(raw.eventName)]);
      expect([where, /^[^\n]{3,}$/.test(result.title) && !result.title.includes('undefined')]).toEqual([
        where,
        true,
      ]);
      if (raw.readOnly === false) expect([where, result.severity]).not.toEqual([where, 'info']);
    }
  });

  it('gives every IAM operation a headline and rates every change above info', () => {
    for (const [eventName, operation] of Object.entries(IAM_OPERATIONS)) {
      const result = classify(
        record({
          eventName,
          readOnly: operation.category === 'read',
          requestParameters: {
            userName: 'bob',
            policyArn: 'arn:aws:iam::123456789012:policy/p',
            policyName: 'p',
            versionId: 'v2',
          },
        }),
      );

      expect([eventName, result.category]).toEqual([eventName, operation.category]);
      expect([eventName, result.title.length > 3 && !/undefined|\s\s/.test(result.title)]).toEqual([
        eventName,
        true,
      ]);
      expect([eventName, result.severity === 'info']).toEqual([eventName, operation.category === 'read']);
    }
  });

  it('flags an IAM operation missing from the table instead of rejecting it', () => {
    const result = classify(record({ eventName: 'CreateRoleTemplate' }));

    expect([result.family, result.severity, codes(result)]).toEqual([
      'Create',
      'medium',
      ['unclassified-operation'],
    ]);
  });
});

describe('classifyEvent: a failed call is an attempt, rated below the same change succeeding', () => {
  const failed = {
    errorCode: 'LimitExceededException',
    errorMessage: 'A managed policy can have up to 5 versions.',
  };

  it.each([
    [
      'CreatePolicyVersion',
      {
        policyArn: 'arn:aws:iam::123456789012:policy/ci-deploy',
        policyDocument: '{}',
        setAsDefault: true,
      },
      'default-version-switched',
    ],
    [
      'SetDefaultPolicyVersion',
      { policyArn: 'arn:aws:iam::123456789012:policy/ci-deploy', versionId: 'v3' },
      'default-version-switched',
    ],
    ['DeleteRolePermissionsBoundary', { roleName: 'dev' }, 'permissions-boundary-removed'],
    [
      'DeactivateMFADevice',
      { userName: 'bob', serialNumber: 'arn:aws:iam::123456789012:mfa/bob' },
      'mfa-removed',
    ],
    ['DeleteAccountPasswordPolicy', {}, 'password-policy-deleted'],
    [
      'TagRole',
      { roleName: 'app', tags: [{ key: 'exception-to-vpc-ip', value: 'true' }] },
      'scp-exemption-tag',
    ],
    ['CreateAccessKey', { userName: 'bob' }, 'credential-for-other-user'],
    [
      'EnableMFADevice',
      { userName: 'bob', serialNumber: 'arn:aws:iam::123456789012:mfa/x' },
      'mfa-for-other-user',
    ],
    [
      'AttachUserPolicy',
      { userName: 'alice', policyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' },
      'self-permission-change',
    ],
  ])('%s', (eventName, requestParameters, code) => {
    const done = classify(record({ eventName, requestParameters }));
    const tried = classify(record({ eventName, requestParameters, ...failed }));
    const doneReason = done.reasons.find((r) => r.code === code);
    const triedReason = tried.reasons.find((r) => r.code === `${code}-attempt`);

    expect(codes(tried)).not.toContain(code);
    expect(triedReason?.text).toMatch(
      /^(?:tried|\S.* tried) .*; the call failed \(LimitExceededException\), so nothing changed$/,
    );
    expect(severityRank(triedReason?.severity ?? 'info')).toBeLessThan(
      severityRank(doneReason?.severity ?? 'info'),
    );
    expect(severityRank(tried.severity)).toBeLessThan(severityRank(done.severity));
  });

  it('does not say a failed CreatePolicyVersion made anything the default (reviewer: cpv-failed)', () => {
    const result = classify(
      record({
        eventName: 'CreatePolicyVersion',
        requestParameters: {
          policyArn: 'arn:aws:iam::123456789012:policy/ci-deploy',
          policyDocument:
            '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}',
          setAsDefault: true,
        },
        ...failed,
      }),
    );

    expect(result).toMatchObject({
      severity: 'medium',
      title: 'iam:CreatePolicyVersion on policy ci-deploy failed (LimitExceededException)',
    });
    expect(texts(result)).not.toMatch(/was made the default|apply at once/);
    expect(result.reasons[0]).toEqual({
      severity: 'medium',
      code: 'default-version-switched-attempt',
      text: 'tried to write a new default version of policy ci-deploy; the call failed (LimitExceededException), so nothing changed',
    });
  });

  it('words an SCP-denied change with EC2 instance credentials as an attempt, and rates the denial from a public address critical (stolen credentials)', () => {
    const result = classify(sampleEvent('create-user-scp-denied-ec2-credentials.json'));

    expect(result.severity).toBe('critical');
    expect(codes(result)).toEqual(['instance-credentials-denied', 'ec2-credential-change-attempt']);
    expect(result.reasons[0]?.text).toMatch(/used away from their instance, so they are most likely stolen/);
    expect(result.reasons[1]).toMatchObject({ severity: 'medium' });
    expect(result.reasons[1]?.text).toMatch(
      /^tried with the role credentials of instance i-0a1b2c3d4e5f60718: /,
    );
    expect(texts(result)).not.toMatch(/changed this/);
  });

  it('words a failed root session change and a failed guard-rail change as attempts', () => {
    const rootSession = classify(
      record({
        eventName: 'DeleteLoginProfile',
        userIdentity: {
          ...ROOT,
          accountId: '444455556666',
          arn: 'arn:aws:iam::444455556666:root',
          sessionContext: { assumedRoot: 'true', attributes: { mfaAuthenticated: 'false' } },
        },
        recipientAccountId: '444455556666',
        errorCode: 'NoSuchEntity',
      }),
    );
    const stop = classify(
      record({
        eventSource: 'cloudtrail.amazonaws.com',
        eventName: 'StopLogging',
        requestParameters: { name: 'org-trail' },
        errorCode: 'AccessDenied',
        errorMessage: 'denied',
      }),
    );

    expect(rootSession.reasons[0]).toMatchObject({ severity: 'medium', code: 'root-session-attempt' });
    expect(rootSession.reasons[0]?.text).toMatch(/^attempted in a root session/);
    expect(stop.reasons[0]?.text).toBe(
      'someone tried cloudtrail:StopLogging, a change that can blind the alerting; the call failed (AccessDenied), so nothing changed',
    );
  });
});
