import { describe, expect, it } from '@jest/globals';
import type { Frame, PolicyFinding, StatedFinding } from '../../../shared/domain/findings.js';
import { stated } from '../../../shared/domain/findings.js';
import {
  wordFinding,
  wordGrantChange,
  wordPolicyReport,
  wordStatedFinding,
} from '../../../shared/format/finding-text.js';
import { wordHeadline } from '../../../shared/format/headline-text.js';
import { wordExposure, wordTrustEntry } from '../../../shared/format/trust-text.js';

const say = (finding: PolicyFinding, frame: Frame, source?: string): string =>
  wordStatedFinding({ ...stated(finding, source), frame });

const iamStar: PolicyFinding = {
  severity: 'high',
  code: 'service-wildcard-iam',
  kind: 'grant',
  actions: { kind: 'service', service: 'iam' },
  resources: { every: true, except: [], omitted: 0 },
  conditions: ['aws:MultiFactorAuthPresent'],
  why: 'enough to make itself or anyone administrator',
};

const effectiveAdmin: PolicyFinding = {
  severity: 'high',
  code: 'allow-not-action-admin',
  kind: 'grant',
  actions: { kind: 'all-except', except: ['s3:GetObject'], omitted: 0 },
  resources: { every: true, except: [], omitted: 0 },
  conditions: [],
  notation: 'NotAction',
  includesIam: true,
  admin: 'effective',
};

const rewritePolicies: PolicyFinding = {
  severity: 'high',
  code: 'escalation-create-policy-version',
  kind: 'ability',
  impact: 'rewrite managed policies (iam:CreatePolicyVersion)',
  why: 'a new default version can grant anything',
  resources: { every: false, resources: ['arn:aws:iam::123456789012:policy/x'], omitted: 0 },
  conditions: [],
};

const anyone: PolicyFinding = {
  severity: 'critical',
  code: 'trust-everyone',
  kind: 'assume',
  principal: { class: 'anyone' },
  conditions: [],
};

const otherAccount: PolicyFinding = {
  severity: 'medium',
  code: 'trust-other-account',
  kind: 'assume',
  principal: {
    class: 'other-account',
    arn: 'arn:aws:iam::999988887777:root',
    account: '999988887777',
    externalId: false,
    ownAccountKnown: true,
  },
  conditions: ['aws:SourceIp'],
};

const github: PolicyFinding = {
  severity: 'critical',
  code: 'trust-github-any-repository',
  kind: 'assume',
  principal: {
    class: 'github-actions',
    provider: 'token.actions.githubusercontent.com',
    match: 'any',
    subjects: [],
  },
  conditions: [],
};

const quarantine: PolicyFinding = {
  severity: 'high',
  code: 'quarantine-policy',
  kind: 'known',
  what: 'AWS quarantine policy AWSCompromisedKeyQuarantineV3',
  why: 'the key is compromised',
};

describe('wordFinding: a finding as the document states it', () => {
  it('says what is granted, where, when and why', () => {
    expect(wordFinding(iamStar)).toBe(
      'grants iam:* (every IAM action) on every resource, only when aws:MultiFactorAuthPresent conditions hold: enough to make itself or anyone administrator',
    );
    expect(wordFinding(effectiveAdmin)).toBe(
      'effectively administrator: allows every action except s3:GetObject on every resource (NotAction, IAM included)',
    );
  });

  it('names the services a NotAction leaves out, and the resources a grant skips', () => {
    expect(
      wordFinding({
        severity: 'high',
        code: 'allow-not-action',
        kind: 'grant',
        actions: { kind: 'all-except', except: ['iam:*', 'organizations:*', 'account:*'], omitted: 0 },
        resources: {
          every: true,
          except: ['arn:aws:s3:::a', 'arn:aws:s3:::b', 'arn:aws:s3:::c'],
          omitted: 0,
        },
        conditions: [],
        notation: 'NotAction',
      }),
    ).toBe(
      'grants every action except IAM, Organizations and account management on every resource except arn:aws:s3:::a, arn:aws:s3:::b and 1 more (NotAction)',
    );
  });

  it('says who a trust policy lets in, by principal class', () => {
    expect(wordFinding(anyone)).toBe('role can now be assumed by anyone (*)');
    expect(wordFinding(otherAccount)).toBe(
      'the new trust policy lets arn:aws:iam::999988887777:root assume the role, with no ExternalId condition (only aws:SourceIp conditions)',
    );
    expect(wordFinding(github)).toBe(
      'any GitHub Actions workflow, in any repository of anyone, can assume the role: the trust policy has no token.actions.githubusercontent.com:sub condition',
    );
    expect(
      wordFinding({
        severity: 'high',
        code: 'trust-everyone-conditional',
        kind: 'assume',
        principal: { class: 'any-aws-principal' },
        conditions: ['aws:SourceIp', 'aws:SourceVpc'],
      }),
    ).toBe(
      'role can now be assumed by any AWS principal (*) that meets its aws:SourceIp, aws:SourceVpc conditions',
    );
  });
});

describe('wordStatedFinding: the frame of a finding', () => {
  it('tags a granted finding with the document it comes from', () => {
    expect(say(anyone, 'granted')).toBe('role can now be assumed by anyone (*)');
    expect(say(effectiveAdmin, 'granted', 'inline policy x')).toBe(
      'effectively administrator: allows every action except s3:GetObject on every resource (NotAction, IAM included) (inline policy x)',
    );
  });

  it('says a failed call only tried, for every kind of finding', () => {
    expect(say(iamStar, 'attempted', 'inline policy x')).toBe(
      'tried to grant iam:* (every IAM action) on every resource, only when aws:MultiFactorAuthPresent conditions hold: enough to make itself or anyone administrator (inline policy x); the call failed',
    );
    expect(say(effectiveAdmin, 'attempted')).toBe(
      'tried to grant effective administrator access: every action except s3:GetObject on every resource (NotAction, IAM included); the call failed',
    );
    expect(say(anyone, 'attempted')).toBe('tried to let anyone (*) assume the role; the call failed');
    expect(say(otherAccount, 'attempted')).toBe(
      'tried to let arn:aws:iam::999988887777:root assume the role, with no ExternalId condition (only aws:SourceIp conditions); the call failed',
    );
    expect(say(github, 'attempted')).toBe(
      'tried to let any GitHub Actions workflow, in any repository of anyone, assume the role: the trust policy has no token.actions.githubusercontent.com:sub condition; the call failed',
    );
    expect(say(rewritePolicies, 'attempted')).toBe(
      'tried to let its holders rewrite managed policies (iam:CreatePolicyVersion): a new default version can grant anything on arn:aws:iam::123456789012:policy/x; the call failed',
    );
    // A finding that grants nothing by itself is quoted, not turned into a grant.
    expect(say(quarantine, 'attempted')).toBe(
      'the call failed; it attempted this: AWS quarantine policy AWSCompromisedKeyQuarantineV3: the key is compromised',
    );
  });

  it('puts the condition of a policy that grants nothing yet before the explanation', () => {
    expect(say(iamStar, 'non-default', 'version v2 of p')).toBe(
      'would grant iam:* (every IAM action) on every resource, only when aws:MultiFactorAuthPresent conditions hold if made the default: enough to make itself or anyone administrator (version v2 of p)',
    );
    expect(say(effectiveAdmin, 'unattached')).toBe(
      'would grant effective administrator access once attached: every action except s3:GetObject on every resource (NotAction, IAM included)',
    );
    expect(say(rewritePolicies, 'unattached')).toBe(
      'would let its holders rewrite managed policies (iam:CreatePolicyVersion) once attached: a new default version can grant anything on arn:aws:iam::123456789012:policy/x',
    );
    expect(say(quarantine, 'non-default')).toBe(
      'if made the default: AWS quarantine policy AWSCompromisedKeyQuarantineV3: the key is compromised',
    );
  });

  it('never frames the line that counts the findings left out', () => {
    const more: StatedFinding = {
      ...stated({ severity: 'info', code: 'more-findings', kind: 'more', count: 4 }),
      frame: 'attempted',
    };
    expect(wordStatedFinding(more)).toBe('and 4 more findings');
  });

  it('keeps an attempt an attempt whatever a policy name says', () => {
    // The document's name is caller-controlled; it cannot turn "tried to grant" back into a grant.
    expect(say(iamStar, 'attempted', 'inline policy a can assume the role')).toMatch(
      /^tried to grant iam:\* /,
    );
  });
});

describe('wordHeadline and wordExposure: the title of a policy change', () => {
  it('names several other accounts together, and an ExternalId condition', () => {
    const principal = {
      class: 'other-account',
      arn: 'arn:aws:iam::1:root',
      account: '1',
      externalId: true,
      ownAccountKnown: true,
    } as const;
    expect(wordExposure({ principal, conditions: [], accounts: ['1'] })).toBe(
      'now trusts account 1 (with an ExternalId condition)',
    );
    expect(wordExposure({ principal, conditions: [], accounts: ['1', '2'] })).toBe(
      'now trusts accounts 1 and 2 (with an ExternalId condition)',
    );
    expect(
      wordExposure({
        principal: { ...principal, externalId: false },
        conditions: [],
        accounts: ['1', '2', '3', '4'],
      }),
    ).toBe('now trusts accounts 1, 2 and 2 more');
  });

  it('says what a policy grants and whose it is', () => {
    expect(
      wordHeadline({
        kind: 'switched-version',
        version: 'version v3',
        policyName: 'ci',
        grants: 'every-iam-action',
      }),
    ).toBe('Policy ci switched to version v3, which grants every IAM action');
    expect(
      wordHeadline({
        kind: 'role-trust',
        roleName: 'deploy',
        exposure: {
          principal: { class: 'github-actions', provider: 'p', match: 'broad', subjects: ['repo:*'] },
          conditions: [],
          accounts: [],
        },
      }),
    ).toBe('Role deploy can now be assumed by GitHub Actions workflows matching repo:*');
    expect(wordHeadline({ kind: 'admin-group', userName: 'bob', groupName: 'admin' })).toBe(
      'User bob added to group admin, which grants administrator-level access',
    );
  });
});

describe('wordGrantChange and wordPolicyReport: a new version, line by line', () => {
  it('words each change, and says how many more the diff left out', () => {
    const change = {
      change: 'now-allows',
      action: 's3:DeleteBucket',
      notAction: true,
      resource: 'arn:aws:s3:::logs',
      notResource: true,
      conditional: true,
    } as const;
    expect(wordGrantChange(change)).toBe(
      'now allows every action except s3:DeleteBucket on every resource except arn:aws:s3:::logs (with conditions)',
    );
    const insight = wordPolicyReport({
      source: 'iam-api',
      label: 'p',
      findings: [],
      diff: {
        changes: [
          { ...change, change: 'no-longer-denies', notAction: false, notResource: false, conditional: false },
        ],
        more: 3,
      },
    });
    expect(insight.diff).toEqual(['no longer denies s3:DeleteBucket on arn:aws:s3:::logs', 'and 3 more']);
  });
});

describe('wordTrustEntry: who a role trusts, one principal a line', () => {
  it('says where each principal comes from and what limits it', () => {
    const said = (principal: Parameters<typeof wordTrustEntry>[0]['principal'], conditions: string[] = []) =>
      wordTrustEntry({ principal, conditions });
    expect(said({ class: 'this-account', arn: 'arn:aws:iam::1:root' })).toBe(
      'arn:aws:iam::1:root (this account)',
    );
    expect(said({ class: 'unresolved', id: 'AROAEXAMPLE' })).toBe(
      "AROAEXAMPLE (not an ARN: a deleted principal's unique id?)",
    );
    expect(
      said(
        {
          class: 'other-account',
          arn: 'arn:aws:iam::2:root',
          account: '2',
          externalId: false,
          ownAccountKnown: false,
        },
        ['aws:SourceIp'],
      ),
    ).toBe('arn:aws:iam::2:root (an account other than the caller’s?, when aws:SourceIp)');
    expect(said({ class: 'web-identity', provider: 'accounts.google.com', audiences: ['a', 'a', 'b'] })).toBe(
      'accounts.google.com identities of a, b',
    );
    expect(said({ class: 'service', service: 'ec2.amazonaws.com' })).toBe('service ec2.amazonaws.com');
    expect(
      wordFinding({
        severity: 'info',
        code: 'trust-summary',
        kind: 'assume',
        principal: {
          class: 'listed',
          entries: [
            { principal: { class: 'service', service: 'ec2.amazonaws.com' }, conditions: [] },
            { principal: { class: 'anyone' }, conditions: [] },
          ],
        },
        conditions: [],
      }),
    ).toBe('role can be assumed by service ec2.amazonaws.com; anyone (*), no conditions');
  });
});

describe('words for what the evaluator answers (issue #10)', () => {
  const confined: PolicyFinding = {
    severity: 'low',
    code: 'passrole-confined',
    kind: 'grant',
    actions: { kind: 'listed', actions: ['iam:PassRole'], omitted: 0 },
    resources: { every: true, except: [], omitted: 0 },
    resourceNoun: 'role',
    conditions: ['aws:ResourceAccount', 'iam:PassedToService'],
    limits: [
      {
        operator: 'StringEquals',
        key: 'iam:PassedToService',
        values: ['dax.amazonaws.com', 'ec2.amazonaws.com'],
      },
      { operator: 'StringLikeIfExists', key: 'iam:PassedToService', values: ['lambda.amazonaws.com'] },
    ],
  };
  const outside: PolicyFinding = {
    severity: 'critical',
    code: 'trust-outside-organization',
    kind: 'assume',
    principal: { class: 'outside-organization', organizations: ['o-a1b2c3d4e5'] },
    conditions: [],
  };
  const github: PolicyFinding = {
    severity: 'critical',
    code: 'trust-github-any-repository',
    kind: 'assume',
    principal: {
      class: 'github-actions',
      provider: 'token.actions.githubusercontent.com',
      match: 'any',
      subjects: [],
      excluded: ['repo:acme/app:ref:refs/heads/main'],
    },
    conditions: [],
  };

  it('names the values a condition confines a grant to, alternatives with "or", other keys after them', () => {
    expect(wordFinding(confined)).toBe(
      'grants iam:PassRole on every role, only when iam:PassedToService is dax.amazonaws.com or ec2.amazonaws.com, or StringLikeIfExists iam:PassedToService lambda.amazonaws.com and when aws:ResourceAccount conditions hold',
    );
  });

  it('says administrator of one account, exceptions made by a Deny, and a document its Deny cancels', () => {
    expect(
      wordFinding({
        severity: 'high',
        code: 'account-admin',
        kind: 'grant',
        actions: { kind: 'all' },
        resources: { every: false, resources: ['arn:aws:*:*:111122223333:*'], omitted: 0 },
        conditions: [],
        account: '111122223333',
      }),
    ).toBe('grants every action on every resource of account 111122223333');
    expect(wordFinding({ ...effectiveAdmin, notation: 'Deny' })).toBe(
      'effectively administrator: allows every action except s3:GetObject on every resource (Allow with Deny, IAM included)',
    );
    expect(
      wordFinding({
        severity: 'info',
        code: 'deny-only',
        kind: 'grants-nothing',
        hasStatements: true,
        cancelled: true,
      }),
    ).toBe('grants nothing: its own Deny statements or resource types rule out every Allow');
  });

  it('says who is let in outside the organization, and names an excluded repository only as excluded', () => {
    expect(say(outside, 'attempted')).toBe(
      'tried to let anyone outside organization o-a1b2c3d4e5 assume the role; the call failed',
    );
    expect(wordFinding(github)).toBe(
      'any GitHub Actions workflow, in any repository of anyone, can assume the role: its token.actions.githubusercontent.com:sub condition only shuts out repo:acme/app:ref:refs/heads/main',
    );
    if (github.kind !== 'assume') throw new Error('assume finding expected');
    expect(wordExposure({ principal: github.principal, conditions: [], accounts: [] })).toBe(
      'can now be assumed by any GitHub Actions workflow',
    );
    expect(wordTrustEntry(github)).toBe(
      'any GitHub Actions workflow, in any repository except repo:acme/app:ref:refs/heads/main',
    );
  });
});
