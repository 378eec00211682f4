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
