import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import {
  analyzePermissionsPolicy,
  assessPermissionsPolicy,
} from '../../../../shared/domain/policy/analyze.js';
import { parsePolicyDocument } from '../../../../shared/domain/policy/document.js';
import { FIXTURES_DIR, loadCorpus } from '../../../helpers/fixtures.js';
import { worded } from '../../../helpers/worded.js';

const parsed = (input: unknown) => {
  const result = parsePolicyDocument(input);
  if (!result.ok) throw new Error(result.failure.detail);
  return result.document;
};
const analyze = (input: unknown) => analyzePermissionsPolicy(parsed(input)).map(worded);
const fixture = (name: string): string => readFileSync(join(FIXTURES_DIR, 'policies', name), 'utf8');
const codes = (input: unknown) => analyze(input).map((finding) => finding.code);

describe('analyzePermissionsPolicy', () => {
  it('finds nothing alarming in the corpus inline policies and says what they allow', () => {
    const puts = loadCorpus().filter((entry) => entry.record.eventName === 'PutRolePolicy');
    expect(puts.length).toBeGreaterThan(3);
    for (const { record } of puts) {
      const findings = analyze(record.requestParameters?.policyDocument);
      expect(findings).toHaveLength(1);
      expect(findings[0]).toMatchObject({ severity: 'info', code: 'grants-summary' });
    }
    const first = puts.find(
      (entry) => entry.record.requestParameters?.policyName === 'stratus-red-team-remove-flow-logs-policy',
    );
    expect(analyze(first?.record.requestParameters?.policyDocument)[0]?.text).toBe(
      'allows logs:CreateLogGroup, logs:CreateLogStream, logs:PutLogEvents, logs:DescribeLogGroups and 1 more on every resource',
    );
  });

  it('names full admin', () => {
    expect(analyze('{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}')).toEqual([
      { severity: 'high', code: 'full-admin', text: 'grants every action on every resource' },
    ]);
  });

  it('mentions conditions on full admin without dropping it', () => {
    const findings = analyze({
      Statement: [
        {
          Effect: 'Allow',
          Action: '*',
          Resource: '*',
          Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } },
        },
      ],
    });
    expect(findings[0]?.text).toBe(
      'grants every action on every resource, only when aws:MultiFactorAuthPresent conditions hold',
    );
  });

  it('names iam:* and says why it matters, without repeating every IAM escalation', () => {
    expect(analyze('{"Statement":[{"Effect":"Allow","Action":"iam:*","Resource":"*"}]}')).toEqual([
      {
        severity: 'high',
        code: 'service-wildcard-iam',
        text: 'grants iam:* (every IAM action) on every resource: enough to make itself or anyone administrator',
      },
      { severity: 'high', code: 'passrole-all', text: 'grants iam:PassRole on every role' },
    ]);
  });

  it('calls NotAction with Allow that leaves IAM in what it is: effectively administrator', () => {
    expect(analyze(fixture('not-action-with-iam.json'))[0]).toEqual({
      severity: 'high',
      code: 'allow-not-action-admin',
      text: 'effectively administrator: allows every action except s3:DeleteBucket on every resource (NotAction, IAM included)',
    });
  });

  it('rates NotAction with Allow on every resource high even when IAM is left out (PowerUserAccess)', () => {
    expect(analyze(fixture('not-action-power-user.json'))[0]).toEqual({
      severity: 'high',
      code: 'allow-not-action',
      text: 'grants every action except IAM, Organizations and account management on every resource (NotAction)',
    });
  });

  it('rates NotAction with Allow on named resources medium', () => {
    expect(
      analyze({ Statement: [{ Effect: 'Allow', NotAction: 'iam:*', Resource: 'arn:aws:s3:::b/*' }] })[0],
    ).toEqual({
      severity: 'medium',
      code: 'allow-not-action',
      text: 'grants every action except IAM on arn:aws:s3:::b/* (NotAction)',
    });
  });

  it('lets a broad grant stand for the catalogue findings it implies', () => {
    const assessment = assessPermissionsPolicy(
      parsed({ Statement: [{ Effect: 'Allow', NotAction: 's3:GetObject', Resource: '*' }] }),
    );
    expect(assessment.admin).toBe('effective');
    expect(assessment.keyFindings.map((finding) => finding.code)).toEqual(['allow-not-action-admin']);
    // The catalogue stays available: PassRole and every IAM escalation path are still found.
    expect(assessment.findings.length).toBeGreaterThan(25);
    expect(assessment.findings.map((finding) => finding.code)).toContain('escalation-create-policy-version');
  });

  it('keeps a grant that the broad statement does not cover among the key findings', () => {
    const assessment = assessPermissionsPolicy(
      parsed({
        Statement: [
          { Effect: 'Allow', NotAction: ['iam:*', 'organizations:*', 'account:*'], Resource: '*' },
          { Effect: 'Allow', Action: 'iam:PassRole', Resource: '*' },
        ],
      }),
    );
    expect(assessment.admin).toBeUndefined();
    const keyCodes = assessment.keyFindings.map((finding) => finding.code);
    expect(keyCodes).toEqual(expect.arrayContaining(['allow-not-action', 'passrole-all']));
    // NotAction covers lambda:UpdateFunctionCode: implied, so not a key finding, but still a finding.
    expect(keyCodes).not.toContain('escalation-lambda-update-code');
    expect(assessment.findings.map((finding) => finding.code)).toContain('escalation-lambda-update-code');
  });

  it('says "every resource except" for Action * with NotResource, once', () => {
    expect(analyze({ Statement: [{ Effect: 'Allow', Action: '*', NotResource: 'arn:aws:s3:::x' }] })).toEqual(
      [
        {
          severity: 'high',
          code: 'full-admin',
          text: 'grants every action on every resource except arn:aws:s3:::x (NotResource)',
        },
      ],
    );
  });

  it('says "every resource except" for service wildcards and PassRole with NotResource', () => {
    const texts = analyze({
      Statement: [{ Effect: 'Allow', Action: ['iam:*'], NotResource: 'arn:aws:iam::*:role/admin' }],
    }).map((finding) => finding.text);
    expect(texts).toContain(
      'grants iam:* (every IAM action) on every resource except arn:aws:iam::*:role/admin: enough to make itself or anyone administrator',
    );
    expect(texts).toContain('grants iam:PassRole on every role except arn:aws:iam::*:role/admin');
    expect(texts.some((text) => / on every (resource|role)$/.test(text))).toBe(false);
  });

  it('counts every resource, not only the ones analysed, in "and N more"', () => {
    const resources = Array.from({ length: 4000 }, (_, index) => `arn:aws:s3:::bucket-${index}/*`);
    expect(
      analyze({ Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: resources }] }),
    ).toEqual([
      {
        severity: 'info',
        code: 'grants-summary',
        text: 'allows s3:GetObject on arn:aws:s3:::bucket-0/*, arn:aws:s3:::bucket-1/* and 3998 more',
      },
    ]);
  });

  it('matches actions case-insensitively (IAM:PassRole)', () => {
    expect(codes(fixture('single-statement-mixed-case.json'))).toEqual(['passrole-all']);
  });

  it('expands wildcards inside action names to the permissions-management actions they hide', () => {
    const findings = analyze(fixture('wildcard-put.json'));
    expect(findings[0]).toEqual({
      severity: 'high',
      code: 'escalation-put-user-policy',
      text: 'can write inline policies on users that grant anything (iam:PutUserPolicy)',
    });
    const wildcard = findings.find((finding) => finding.code === 'wildcard-permissions-management');
    expect(wildcard?.text).toMatch(
      /^iam:Put\* covers \d+ permissions-management actions: iam:PutGroupPolicy/,
    );
    expect(codes(fixture('wildcard-put.json'))).toEqual(
      expect.arrayContaining(['escalation-put-group-policy', 'escalation-put-role-policy']),
    );
  });

  it('names PassRole combinations with the services that make them an escalation, and their conditions', () => {
    // iam:PassedToService is asked with the service the path needs: a PassRole confined to Lambda opens the Lambda
    // path outright, and the PassRole grant names the service it is confined to.
    // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html#ck_PassedToService
    const findings = analyze(fixture('conditional-passrole.json'));
    expect(findings.map((finding) => finding.code)).toEqual(['passrole-all', 'escalation-passrole-lambda']);
    expect(findings[0]?.text).toBe(
      'grants iam:PassRole on every role, only when iam:PassedToService is lambda.amazonaws.com',
    );
    expect(findings[1]?.text).toBe(
      'can run code as any role through Lambda (iam:PassRole + lambda:CreateFunction + lambda:InvokeFunction)',
    );
  });

  it('lowers scoped escalation one step and names the resource', () => {
    const findings = analyze({
      Statement: {
        Effect: 'Allow',
        Action: 'iam:CreateAccessKey',
        Resource: 'arn:aws:iam::123456789012:user/ci',
      },
    });
    expect(findings).toEqual([
      {
        severity: 'medium',
        code: 'escalation-create-access-key',
        text: 'can create access keys for other users and act as them (iam:CreateAccessKey) on arn:aws:iam::123456789012:user/ci',
      },
    ]);
  });

  it('lets an unconditional Deny cancel the grant it covers', () => {
    // Explicit Deny wins: the document grants nothing, so it must not say it allows iam:PassRole.
    // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html
    expect(
      analyze({
        Statement: [
          { Effect: 'Allow', Action: ['iam:PassRole'], Resource: '*' },
          { Effect: 'Deny', Action: 'iam:*', Resource: '*' },
        ],
      }),
    ).toEqual([
      {
        severity: 'info',
        code: 'deny-only',
        text: 'grants nothing: its own Deny statements or resource types rule out every Allow',
      },
    ]);
  });

  it('says a deny-only policy grants nothing', () => {
    expect(analyze('{"Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}')).toEqual([
      { severity: 'info', code: 'deny-only', text: 'denies only: grants nothing' },
    ]);
  });

  it('flags NotResource with Allow', () => {
    expect(
      codes({
        Statement: [{ Effect: 'Allow', Action: 's3:GetObject', NotResource: 'arn:aws:s3:::secret/*' }],
      }),
    ).toContain('allow-not-resource');
  });
});
