// needsPolicyAnalysis decides which events load the policy analysis (a chunk of its own in the notifier's bundle):
// skipping it must change nothing. Tied to enrichPolicy operation by operation: every IAM operation it leaves out,
// given every policy-like parameter a request could carry, gets no finding, no note and no IAM call.
import { describe, expect, it } from '@jest/globals';
import { IAM_OPERATIONS } from '../../../../shared/domain/catalogue/index.js';
import { iamEventOf } from '../../../../shared/domain/cloudtrail.js';
import { needsPolicyAnalysis } from '../../../../shared/domain/enrich/scope.js';
import { enrichPolicy } from '../../../../shared/domain/enrich.js';
import type { CloudTrailRecord, IamEvent } from '../../../../shared/domain/types.js';
import type { IamDirectory } from '../../../../shared/ports.js';

const ACCOUNT = '123456789012';
const ADMIN = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}';
const TRUST_ANYONE =
  '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}]}';
const POLICY = `arn:aws:iam::${ACCOUNT}:policy/ci`;

/** Every parameter a policy analysis reads, in the request and the response, whatever the operation. */
const EVERYTHING = {
  userName: 'alice',
  roleName: 'deploy',
  groupName: 'admins',
  policyName: 'p',
  policyArn: POLICY,
  permissionsBoundary: POLICY,
  policyDocument: ADMIN,
  assumeRolePolicyDocument: TRUST_ANYONE,
  versionId: 'v2',
  setAsDefault: true,
};
const RESPONSE = {
  policy: { arn: POLICY, policyName: 'p', defaultVersionId: 'v2' },
  policyVersion: { versionId: 'v2', isDefaultVersion: true, document: encodeURIComponent(ADMIN) },
  role: { roleName: 'deploy', assumeRolePolicyDocument: encodeURIComponent(TRUST_ANYONE) },
};

const record = (
  eventSource: string,
  eventName: string,
  requestParameters: Record<string, unknown>,
  errorCode?: string,
): CloudTrailRecord =>
  ({
    eventSource,
    eventName,
    recipientAccountId: ACCOUNT,
    userIdentity: { type: 'IAMUser', accountId: ACCOUNT, userName: 'alice' },
    requestParameters,
    responseElements: RESPONSE,
    ...(errorCode ? { errorCode } : {}),
  }) as CloudTrailRecord;

const event = (eventName: string, errorCode?: string): IamEvent =>
  iamEventOf(record('iam.amazonaws.com', eventName, EVERYTHING, errorCode), undefined);

/** A directory that records every call (forgetting included) and answers with an admin policy. */
const recording = (): { calls: string[]; iam: IamDirectory } => {
  const calls: string[] = [];
  const iam: IamDirectory = {
    getPolicy: async (arn) => {
      calls.push(`getPolicy ${arn}`);
      return { arn, name: 'p', defaultVersionId: 'v2' };
    },
    getPolicyVersion: async (arn, versionId) => {
      calls.push(`getPolicyVersion ${arn}`);
      return { versionId, document: ADMIN };
    },
    listPolicyVersions: async (arn) => {
      calls.push(`listPolicyVersions ${arn}`);
      return [];
    },
    listAttachedGroupPolicies: async (group) => {
      calls.push(`listAttachedGroupPolicies ${group}`);
      return [{ policyArn: POLICY, policyName: 'p' }];
    },
    listGroupPolicies: async (group) => {
      calls.push(`listGroupPolicies ${group}`);
      return ['p'];
    },
    getGroupPolicy: async (group) => {
      calls.push(`getGroupPolicy ${group}`);
      return ADMIN;
    },
    forget: (entity) => {
      calls.push(`forget ${JSON.stringify(entity)}`);
    },
  };
  return { calls, iam };
};

const skipped = Object.keys(IAM_OPERATIONS).filter((name) => !needsPolicyAnalysis(event(name).record));

describe('needsPolicyAnalysis', () => {
  it('leaves out most IAM operations and keeps the ones that carry or name a policy', () => {
    expect(skipped.length).toBeGreaterThan(150);
    for (const name of [
      'PutRolePolicy',
      'CreateRole',
      'AttachUserPolicy',
      'CreatePolicyVersion',
      'AddUserToGroup',
    ]) {
      expect(needsPolicyAnalysis(event(name).record)).toBe(true);
    }
  });

  it.each(skipped)(
    '%s: enrichPolicy finds nothing, notes nothing and calls nothing, even when it fails',
    async (name) => {
      for (const errorCode of [undefined, 'AccessDenied']) {
        const { calls, iam } = recording();
        await expect(enrichPolicy(event(name, errorCode), iam)).resolves.toEqual({ reasons: [], notes: [] });
        expect(calls).toEqual([]);
      }
    },
  );

  it('loads the analysis for CreateUser only when it sets a permissions boundary', () => {
    const createUser = (requestParameters: Record<string, unknown>) =>
      record('iam.amazonaws.com', 'CreateUser', requestParameters);
    expect(needsPolicyAnalysis(createUser({ userName: 'bob' }))).toBe(false);
    expect(needsPolicyAnalysis(createUser({ userName: 'bob', permissionsBoundary: POLICY }))).toBe(true);
  });

  it('never loads it for other services, whose events the analysis skips', () => {
    expect(needsPolicyAnalysis(record('sts.amazonaws.com', 'PutRolePolicy', EVERYTHING))).toBe(false);
  });
});
