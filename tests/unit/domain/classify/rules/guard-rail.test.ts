// Guard rails: changes to the alerting itself are critical; and what is not a guard rail.
import { findRecord } from '../../../../helpers/fixtures.js';
import { classify, codes, record } from '../classify-helpers.js';

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
    // A disabled, pending-deletion or re-policied topic key stops SNS from publishing (KMSDisabled,
    // KMSInvalidState, KMSAccessDenied); the deployed key rule sends these to the operations topic as well.
    // @see https://docs.aws.amazon.com/sns/latest/api/API_Publish.html#API_Publish_Errors
    // @see https://docs.aws.amazon.com/kms/latest/developerguide/key-state.html
    [
      'kms',
      'DisableKey',
      { keyId: 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab' },
      'other',
      /^KMS key 1234abcd-12ab-34cd-56ef-1234567890ab disabled: the topic it encrypts rejects every alert$/,
    ],
    [
      'kms',
      'ScheduleKeyDeletion',
      { keyId: '1234abcd-12ab-34cd-56ef-1234567890ab', pendingWindowInDays: 7 },
      'other',
      /^KMS key 1234abcd-12ab-34cd-56ef-1234567890ab scheduled for deletion/,
    ],
    [
      'kms',
      'PutKeyPolicy',
      { keyId: '1234abcd-12ab-34cd-56ef-1234567890ab', policyName: 'default', policy: '{}' },
      'other',
      /^Key policy of KMS key 1234abcd-12ab-34cd-56ef-1234567890ab replaced/,
    ],
  ])('rates %s:%s critical', (service, eventName, requestParameters, category, title) => {
    // The KMS guard rails apply to this stack's topic keys only (OWN_KEYS): the key these records name.
    const result = classify(
      record({ eventSource: `${service}.amazonaws.com`, eventName, requestParameters }),
      { ownKeys: ['arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab'] },
    );

    expect(result).toMatchObject({ severity: 'critical', category, title: expect.stringMatching(title) });
    expect(result.reasons[0]?.code).toBe('guard-rail');
  });
  // Insight selectors never change which management events a trail logs; KMS grants are not how SNS uses the topic
  // key (the publisher's key-policy permissions are), so neither can blind the alerts (docs/classification.md).
  // @see https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html
  it.each([
    ['kms', 'CreateGrant', { keyId: '1234abcd-12ab-34cd-56ef-1234567890ab', operations: ['Decrypt'] }],
    ['kms', 'RevokeGrant', { keyId: '1234abcd-12ab-34cd-56ef-1234567890ab', grantId: 'g-1' }],
    ['cloudtrail', 'PutInsightSelectors', { trailName: 'org-trail', insightSelectors: [] }],
  ])('rates %s:%s as a change of its service, not a guard rail', (service, eventName, requestParameters) => {
    const result = classify(
      record({ eventSource: `${service}.amazonaws.com`, eventName, requestParameters }),
    );

    // The category comes from the name as for any unknown service's call (a grant is `permissions`).
    expect(result).toMatchObject({ severity: 'low', title: `${service}:${eventName}` });
    expect(codes(result)).toEqual(['operation']);
  });
});
