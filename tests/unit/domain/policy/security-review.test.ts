// The defects a security review of the policy analysis found, end to end through the analysis of an event
// (analyzeEvent) where the verdict is what matters. Each case cites the AWS page that decides it.
import { describe, expect, it } from '@jest/globals';
import { iamEventOf } from '../../../../shared/domain/cloudtrail.js';
import { analyzeEvent } from '../../../../shared/domain/enrich/analyze.js';
import { actionMatches, expandAction } from '../../../../shared/domain/policy/actions.js';
import { assessPermissionsPolicy } from '../../../../shared/domain/policy/analyze.js';
import { parsePolicyDocument } from '../../../../shared/domain/policy/document.js';
import { globMatches } from '../../../../shared/domain/policy/evaluator/patterns.js';
import { wordedEnrichment } from '../../../helpers/worded.js';

const ACCOUNT = '111122223333';

const eventOf = (eventName: string, requestParameters: Record<string, unknown>) =>
  iamEventOf(
    {
      eventSource: 'iam.amazonaws.com',
      eventName,
      recipientAccountId: ACCOUNT,
      userIdentity: { type: 'IAMUser', accountId: ACCOUNT, userName: 'alice' },
      requestParameters,
      responseElements: null,
    },
    undefined,
  );

/** PutRolePolicy of inline policy `p` on role `app` with the given statements, analysed and worded. */
const inline = (...statements: unknown[]) =>
  wordedEnrichment(
    analyzeEvent(
      eventOf('PutRolePolicy', {
        roleName: 'app',
        policyName: 'p',
        policyDocument: JSON.stringify({ Version: '2012-10-17', Statement: statements }),
      }),
      { kind: 'nothing' },
    ),
  );

/** UpdateAssumeRolePolicy of role `deploy` with the given statements, analysed and worded. */
const trust = (...statements: unknown[]) =>
  wordedEnrichment(
    analyzeEvent(
      eventOf('UpdateAssumeRolePolicy', {
        roleName: 'deploy',
        policyDocument: JSON.stringify({ Version: '2012-10-17', Statement: statements }),
      }),
      { kind: 'nothing' },
    ),
  );

const top = (result: ReturnType<typeof inline>) =>
  result.reasons.map(({ severity, code }) => ({ severity, code }))[0];

// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html (wildcards in actions)
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html (inline role policy: 10,240 characters)
describe('wildcard actions are matched in bounded work (no regular expression from policy text)', () => {
  const HOSTILE = 'iam:*********x';

  it('matching a pattern of many stars takes at most pattern × value steps', () => {
    for (const stars of [1, 9, 20, 40]) {
      const pattern = `iam:${'*'.repeat(stars)}x`;
      for (const value of ['iam:CreateAccessKeyy', 'iam:PutRolePolicy', `iam:${'a'.repeat(200)}`]) {
        const meter = { steps: 0 };
        globMatches([{ text: pattern, literal: false }], value.toLowerCase(), true, meter);
        expect(meter.steps).toBeLessThanOrEqual((pattern.length + 1) * (value.length + 1));
      }
    }
  });

  it('the matcher still answers as IAM matches', () => {
    expect(actionMatches(HOSTILE, 'iam:CreateAccessKeyX')).toBe(true);
    expect(actionMatches(HOSTILE, 'iam:CreateAccessKey')).toBe(false);
    expect(actionMatches('IAM:Put*', 'iam:PutRolePolicy')).toBe(true);
    expect(actionMatches('iam:?ut*', 'iam:PutRolePolicy')).toBe(true);
    expect(actionMatches('iam:Put.*', 'iam:PutRolePolicy')).toBe(false);
    expect(expandAction(HOSTILE)).toEqual([]);
  });

  it('a policy of 300 such patterns, within the inline limit, is analysed', () => {
    const actions = Array.from({ length: 300 }, (_, index) => `iam:${'*'.repeat(9)}${index % 2 ? 'x' : 'y'}`);
    const text = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: actions, Resource: '*' }],
    });
    expect(text.length).toBeLessThanOrEqual(10240);
    const parsed = parsePolicyDocument(text);
    if (!parsed.ok) throw new Error('unparsed');
    // No known IAM action ends in x or y: the patterns grant actions of names not yet known, which is nothing
    // the analysis can name; it must answer, not hang (the jest timeout is the generous bound).
    const assessment = assessPermissionsPolicy(parsed.document);
    expect(assessment.findings.length).toBeGreaterThan(0);
  });
});

const codes = (result: ReturnType<typeof inline>) => result.reasons.map((reason) => reason.code);

// A Deny with NotAction denies every action but those listed; with NotResource every resource but those listed.
// What its complement leaves out stays allowed by the Allow beside it.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notaction.html
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notresource.html
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
describe('a Deny complement never turns a grant into "grants nothing"', () => {
  it('Allow * with Deny NotAction iam:* grants iam:* on every resource: high', () => {
    const result = inline(
      { Effect: 'Allow', Action: '*', Resource: '*' },
      { Effect: 'Deny', NotAction: 'iam:*', Resource: '*' },
    );
    expect(codes(result)).not.toContain('deny-only');
    expect(top(result)?.severity).toBe('high');
    expect(codes(result)).toEqual(
      expect.arrayContaining([
        'escalation-create-policy-version',
        'escalation-create-access-key',
        'passrole-all',
      ]),
    );
    expect(result.policy?.findings.map((finding) => finding.code)).not.toContain('deny-only');
  });

  it('Allow iam:* with Deny NotAction iam:CreateAccessKey still grants CreateAccessKey on every user: high', () => {
    const result = inline(
      { Effect: 'Allow', Action: 'iam:*', Resource: '*' },
      { Effect: 'Deny', NotAction: 'iam:CreateAccessKey', Resource: '*' },
    );
    expect(result.reasons.map(({ severity, code }) => ({ severity, code }))).toEqual([
      { severity: 'high', code: 'escalation-create-access-key' },
    ]);
  });

  it('Allow iam:* with Deny * NotResource user/* is full control of every user: high', () => {
    const result = inline(
      { Effect: 'Allow', Action: 'iam:*', Resource: '*' },
      { Effect: 'Deny', Action: '*', NotResource: 'arn:aws:iam::*:user/*' },
    );
    expect(top(result)?.severity).toBe('high');
    expect(codes(result)).toEqual(
      expect.arrayContaining([
        'escalation-create-access-key',
        'escalation-attach-user-policy',
        'escalation-put-user-policy',
      ]),
    );
    // Roles are outside the complement: denied.
    expect(codes(result)).not.toContain('passrole-all');
  });

  it('a complement no question can name is unsure, rated high, never "grants nothing"', () => {
    // NotResource names a resource of a service the analysis has no action list for: every question is denied.
    const result = inline(
      { Effect: 'Allow', Action: 'zzunknownservice:*', Resource: '*' },
      { Effect: 'Deny', Action: '*', NotResource: 'arn:aws:zzunknownservice:::thing' },
    );
    expect(result.policy?.findings.map((finding) => finding.code)).not.toContain('deny-only');
    expect(top(result)?.severity).toBe('high');
  });

  it('Allow * with Deny * still grants nothing', () => {
    const result = inline(
      { Effect: 'Allow', Action: '*', Resource: '*' },
      { Effect: 'Deny', Action: '*', Resource: '*' },
    );
    expect(result.policy?.findings.map((finding) => finding.code)).toEqual(['deny-only']);
  });
});

// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html
describe('an action pattern without a service prefix', () => {
  it('Action i* is unsure, rated high, and says so', () => {
    const result = inline({ Effect: 'Allow', Action: 'i*', Resource: '*' });
    expect(result.reasons[0]).toEqual({
      severity: 'high',
      code: 'unsure-action-pattern',
      text: 'grants i* on every resource: a wildcard before the service prefix spans services this analysis cannot list: unsure, rated high (inline policy p)',
    });
  });
});

// Any account can tag its own role and name its own user as it likes; 0.0.0.0/0 is every address. Only keys a
// caller in another account cannot set limit who may assume a role.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principaltag
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-username
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-sourceip
describe('trust conditions an outsider controls do not lower "any AWS principal"', () => {
  const anyone = (condition: Record<string, unknown>) =>
    trust({ Effect: 'Allow', Principal: { AWS: '*' }, Action: 'sts:AssumeRole', Condition: condition })
      .reasons[0];

  it.each([
    ['aws:PrincipalTag/team', { StringEquals: { 'aws:PrincipalTag/team': 'ops' } }],
    ['aws:username', { StringEquals: { 'aws:username': 'deploy' } }],
    ['aws:userid', { StringLike: { 'aws:userid': 'AIDA*' } }],
    ['aws:SourceIp 0.0.0.0/0', { IpAddress: { 'aws:SourceIp': '0.0.0.0/0' } }],
    ['aws:SourceIp ::/0', { IpAddress: { 'aws:SourceIp': ['203.0.113.0/24', '::/0'] } }],
    ['aws:PrincipalArn of any account', { ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:role/deploy' } }],
  ])('%s is critical', (_, condition) => {
    expect(anyone(condition)).toMatchObject({ severity: 'critical', code: 'trust-everyone-conditional' });
  });

  it.each([
    ['aws:PrincipalOrgID', { StringEquals: { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' } }],
    ['aws:PrincipalAccount', { StringEquals: { 'aws:PrincipalAccount': '444455556666' } }],
    [
      'aws:PrincipalArn of one account',
      { ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::444455556666:role/*' } },
    ],
    ['aws:SourceIp of one network', { IpAddress: { 'aws:SourceIp': '203.0.113.0/24' } }],
    ['sts:ExternalId', { StringEquals: { 'sts:ExternalId': 'x-123' } }],
  ])('%s limits who: high, not critical', (_, condition) => {
    const reason = anyone(condition);
    expect(reason?.code).toMatch(/^trust-/);
    expect(reason?.severity).not.toBe('critical');
  });
});

// An ARN pattern whose every field is a wildcard names every resource of the service it names.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html
describe('Resource patterns that cover every resource are every resource', () => {
  it('Action * on arn:* is administrator: high', () => {
    const result = inline({ Effect: 'Allow', Action: '*', Resource: 'arn:*' });
    expect(top(result)).toEqual(top(inline({ Effect: 'Allow', Action: '*', Resource: '*' })));
    expect(top(result)?.severity).toBe('high');
  });

  it('iam:* on arn:aws:iam::*:* is iam:* on every resource: high', () => {
    const result = inline({ Effect: 'Allow', Action: 'iam:*', Resource: 'arn:aws:iam::*:*' });
    expect(top(result)).toEqual({ severity: 'high', code: 'service-wildcard-iam' });
  });

  it('iam:* on one account, or on roles only, stays scoped', () => {
    expect(top(inline({ Effect: 'Allow', Action: 'iam:*', Resource: `arn:aws:iam::${ACCOUNT}:*` }))).toEqual({
      severity: 'medium',
      code: 'service-wildcard-iam',
    });
    const roles = inline({ Effect: 'Allow', Action: 'iam:*', Resource: 'arn:aws:iam::*:role/*' });
    expect(roles.policy?.findings.find((finding) => finding.code === 'service-wildcard-iam')?.severity).toBe(
      'medium',
    );
  });
});
