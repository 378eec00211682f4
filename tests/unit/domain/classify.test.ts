import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { IAM_OPERATIONS, leadingVerb } from '../../../shared/domain/catalogue/index.js';
import { classifyEvent } from '../../../shared/domain/classify/index.js';
import { parseIamEvent } from '../../../shared/domain/cloudtrail.js';
import { describePrincipal } from '../../../shared/domain/principal.js';
import type { Classification, CloudTrailRecord, UserIdentity } from '../../../shared/domain/types.js';
import { severityRank } from '../../../shared/domain/types.js';
import { FIXTURES_DIR, findRecord, loadCorpus } from '../../helpers/fixtures.js';
import { cloudTrailRecord, FEDERATED_BOB } from '../../helpers/records.js';

/** Parse → describe → classify, as the notifier does. */
const classify = (raw: CloudTrailRecord): Classification => {
  const event = parseIamEvent(raw);
  return classifyEvent(event, describePrincipal(event.record));
};

const codes = (classification: Classification): string[] => classification.reasons.map((r) => r.code);

/** A hand-written record in CloudTrail's format, for cases the corpus lacks. */
const record = cloudTrailRecord;

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
      title: 'iam:CreateUser on IAM user backdoor denied by a service control policy',
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
      title: 'The root user signed in to the console',
    });
    expect(codes(result)).toEqual(['root-sign-in', 'console-login-without-mfa']);
  });

  it('rates an IAM user sign-in without MFA medium and a failed sign-in low', () => {
    const noMfa = classify(
      findRecord((r) => r.eventName === 'ConsoleLogin' && r.userIdentity.userName === 'Mary_Major'),
    );
    const failed = classify(
      findRecord((r) => r.eventName === 'ConsoleLogin' && r.userIdentity.userName === 'JaneDoe'),
    );

    expect([noMfa.severity, noMfa.title]).toEqual(['medium', 'IAM user Mary_Major signed in to the console']);
    expect([failed.severity, failed.title, codes(failed)]).toEqual([
      'low',
      'Console sign-in failed for IAM user JaneDoe',
      ['sign-in-failed'],
    ]);
  });

  it('rates a failed root sign-in high', () => {
    const result = classify(
      findRecord(
        (r) =>
          r.eventName === 'ConsoleLogin' &&
          r.userIdentity.type === 'Root' &&
          r.responseElements?.ConsoleLogin === 'Failure',
      ),
    );

    expect([result.severity, result.title]).toEqual(['high', 'Console sign-in failed for the root user']);
  });
});

describe('classifyEvent: guard rails', () => {
  it('names a stopped trail in words, critical, without claiming that every alert stops (stratus-red-team)', () => {
    const result = classify(findRecord((r) => r.eventName === 'StopLogging' && !r.errorCode));

    expect(result).toMatchObject({
      family: 'Stop',
      category: 'account',
      severity: 'critical',
      title: 'CloudTrail logging stopped on trail stratus-red-team-ct-stop-trail-buykxbqejv',
    });
    expect(codes(result)).toEqual(['guard-rail']);
    // The deployed pattern matches every trail: one of several trails stopping does not stop EventBridge.
    expect(result.reasons[0]?.text).toBe(
      'CloudTrail logging stopped on trail stratus-red-team-ct-stop-trail-buykxbqejv: if it is the only trail logging management events in us-east-1, IAM alerts stop',
    );
  });

  it('names a deleted trail and event selectors that drop management events', () => {
    const deleted = classify(findRecord((r) => r.eventName === 'DeleteTrail' && !r.errorCode));
    const selectors = classify(
      findRecord(
        (r) =>
          r.eventName === 'PutEventSelectors' &&
          JSON.stringify(r.requestParameters).includes('"includeManagementEvents":false'),
      ),
    );

    expect([deleted.severity, deleted.title]).toEqual([
      'critical',
      expect.stringMatching(/^CloudTrail trail \S+ deleted$/),
    ]);
    expect([selectors.severity, selectors.title]).toEqual([
      'critical',
      expect.stringMatching(/^Trail \S+ no longer logs management events$/),
    ]);
    for (const result of [deleted, selectors]) {
      expect(result.reasons[0]?.text).toMatch(
        /if it is the only trail logging management events in us-east-1, IAM alerts stop$/,
      );
      expect(result.reasons[0]?.text).not.toMatch(/no alert can fire/);
    }
  });

  it('rates a failed attempt on the trail high', () => {
    const result = classify(
      findRecord((r) => r.eventName === 'StopLogging' && r.errorCode === 'TrailNotFoundException'),
    );

    expect([result.severity, codes(result)]).toEqual(['high', ['guard-rail-attempt']]);
  });

  it('recognises Lambda events despite the API version in their names', () => {
    const code = classify(findRecord((r) => r.eventName === 'UpdateFunctionCode20150331v2'));
    const removed = classify(findRecord((r) => r.eventName === 'RemovePermission20150331v2'));

    expect(code).toMatchObject({
      family: 'Update',
      severity: 'critical',
      title: expect.stringMatching(/^Code of Lambda function stratus-red-team-olc-func-\w+ replaced/),
    });
    expect(removed).toMatchObject({ family: 'Remove', severity: 'critical' });
  });

  it('rates the notifier throttled to zero critical, and a non-zero limit medium', () => {
    const concurrency = (n: number) =>
      classify(
        record({
          eventSource: 'lambda.amazonaws.com',
          eventName: 'PutFunctionConcurrency20171031',
          requestParameters: {
            functionName: 'iam-change-alerts-prod-notifier',
            reservedConcurrentExecutions: n,
          },
        }),
      );

    expect(concurrency(0)).toMatchObject({
      severity: 'critical',
      title: 'Lambda function iam-change-alerts-prod-notifier throttled to zero: alerts will stop',
    });
    expect(concurrency(5).severity).toBe('medium');
  });

  it.each([
    [
      'organizations',
      'DetachPolicy',
      { policyId: 'p-abcd1234', targetId: 'ou-ab12-cdef3456' },
      'permissions',
      /^Organizations policy p-abcd1234 detached from ou-ab12-cdef3456/,
    ],
    [
      'organizations',
      'DisablePolicyType',
      { rootId: 'r-ab12', policyType: 'SERVICE_CONTROL_POLICY' },
      'permissions',
      /^Policy type SERVICE_CONTROL_POLICY disabled on root r-ab12/,
    ],
    [
      'events',
      'DisableRule',
      { name: 'iam-change-alerts-iam' },
      'other',
      /^EventBridge rule iam-change-alerts-iam disabled: alerts will stop$/,
    ],
    [
      'events',
      'RemoveTargets',
      { rule: 'iam-change-alerts-iam', ids: ['notifier'] },
      'other',
      /^Targets removed from EventBridge rule iam-change-alerts-iam/,
    ],
    [
      'sns',
      'DeleteTopic',
      { topicArn: 'arn:aws:sns:us-east-1:123456789012:iam-alerts' },
      'other',
      /^SNS topic iam-alerts deleted/,
    ],
    [
      'sns',
      'Unsubscribe',
      { subscriptionArn: 'arn:aws:sns:us-east-1:123456789012:iam-alerts:0b6941c4' },
      'other',
      /^Subscription 0b6941c4 removed/,
    ],
  ])('rates %s:%s critical', (service, eventName, requestParameters, category, title) => {
    const result = classify(
      record({ eventSource: `${service}.amazonaws.com`, eventName, requestParameters }),
    );

    expect(result).toMatchObject({ severity: 'critical', category, title: expect.stringMatching(title) });
    expect(result.reasons[0]?.code).toBe('guard-rail');
  });
  // The alert topic is encrypted with a KMS key: once that key is disabled or pending deletion, SNS rejects every
  // Publish (KMSDisabled, KMSInvalidState), so an alert about it could not be delivered. Not guard rails (see
  // docs/classification.md, "Guard rails").
  // @see https://docs.aws.amazon.com/sns/latest/api/API_Publish.html#API_Publish_Errors
  // @see https://docs.aws.amazon.com/kms/latest/developerguide/key-state.html
  it.each([
    ['kms', 'DisableKey', { keyId: '1234abcd-12ab-34cd-56ef-1234567890ab' }],
    ['kms', 'ScheduleKeyDeletion', { keyId: '1234abcd-12ab-34cd-56ef-1234567890ab', pendingWindowInDays: 7 }],
    ['cloudtrail', 'PutInsightSelectors', { trailName: 'org-trail', insightSelectors: [] }],
  ])('rates %s:%s as a change of its service, not a guard rail', (service, eventName, requestParameters) => {
    const result = classify(
      record({ eventSource: `${service}.amazonaws.com`, eventName, requestParameters }),
    );

    expect(result).toMatchObject({ severity: 'low', category: 'other', title: `${service}:${eventName}` });
    expect(codes(result)).toEqual(['operation']);
  });
});

describe('classifyEvent: other services', () => {
  it('classifies a read of another service read/info', () => {
    const result = classify(
      findRecord(
        (r) =>
          r.eventName === 'DescribeInstances' &&
          !r.errorCode &&
          !r.userIdentity.sessionContext?.ec2RoleDelivery,
      ),
    );

    expect(result).toMatchObject({
      family: 'Describe',
      category: 'read',
      severity: 'info',
      title: 'ec2:DescribeInstances',
    });
  });

  it('classifies a write of another service at least low, with a sensible category', () => {
    const vpc = classify(findRecord((r) => r.eventName === 'CreateVpc' && !r.errorCode));
    const bucketPolicy = classify(findRecord((r) => r.eventName === 'PutBucketPolicy' && !r.errorCode));
    const tags = classify(findRecord((r) => r.eventName === 'CreateTags' && !r.errorCode));

    expect([vpc.category, severityRank(vpc.severity) >= severityRank('low')]).toEqual(['other', true]);
    expect(bucketPolicy.category).toBe('permissions');
    expect(tags.category).toBe('tagging');
  });
});

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

/** A record of the repository's sample events (`events/*.json`, EventBridge envelopes). */
const sampleEvent = (name: string): CloudTrailRecord =>
  (
    JSON.parse(readFileSync(join(FIXTURES_DIR, '..', '..', 'events', name), 'utf8')) as {
      detail: CloudTrailRecord;
    }
  ).detail;

const texts = (classification: Classification): string =>
  classification.reasons.map((r) => r.text).join('\n');

const EC2_WEB_ROLE: UserIdentity = {
  type: 'AssumedRole',
  principalId: 'AROAEXAMPLE:i-0abc1234def567890',
  arn: 'arn:aws:sts::123456789012:assumed-role/web-role/i-0abc1234def567890',
  accountId: '123456789012',
  sessionContext: {
    sessionIssuer: {
      type: 'Role',
      arn: 'arn:aws:iam::123456789012:role/web-role',
      userName: 'web-role',
      accountId: '123456789012',
    },
    attributes: { mfaAuthenticated: 'false', creationDate: '2026-11-01T09:00:00Z' },
    ec2RoleDelivery: '2.0',
  },
};

const ROOT: UserIdentity = {
  type: 'Root',
  principalId: '123456789012',
  arn: 'arn:aws:iam::123456789012:root',
  accountId: '123456789012',
};

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

  it('words an SCP-denied change with EC2 instance credentials as an attempt, and keeps it high (stolen credentials)', () => {
    const result = classify(sampleEvent('create-user-scp-denied-ec2-credentials.json'));

    expect(result.severity).toBe('high');
    expect(codes(result)).toEqual(['scp-denied', 'ec2-credential-change-attempt']);
    expect(result.reasons[0]?.text).toMatch(/used from elsewhere, so they are likely stolen$/);
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
