import { describe, expect, it } from '@jest/globals';
import { diffPolicyGrants as diffData } from '../../../../shared/domain/policy/diff.js';
import { type PolicyDocument, parsePolicyDocument } from '../../../../shared/domain/policy/document.js';
import { wordGrantChange } from '../../../../shared/format/finding-text.js';

/** The diff as the alert words it. */
const diffPolicyGrants = (before: PolicyDocument, after: PolicyDocument): string[] =>
  diffData(before, after).changes.map(wordGrantChange);

const doc = (value: unknown): PolicyDocument => {
  const result = parsePolicyDocument(value);
  if (!result.ok) throw new Error(result.failure.detail);
  return result.document;
};

describe('diffPolicyGrants', () => {
  it('lists what the new version allows that the old did not', () => {
    const before = doc({
      Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::ci/*' }],
    });
    const after = doc({
      Statement: [
        { Effect: 'Allow', Action: ['s3:GetObject', 'iam:*'], Resource: ['arn:aws:s3:::ci/*', '*'] },
      ],
    });
    expect(diffPolicyGrants(before, after)).toEqual([
      'now allows s3:GetObject on *',
      'now allows iam:* on arn:aws:s3:::ci/*',
      'now allows iam:* on *',
    ]);
  });

  it('reports nothing when the old version already covered the new grants', () => {
    const before = doc({ Statement: [{ Effect: 'Allow', Action: 'iam:*', Resource: '*' }] });
    const after = doc({
      Statement: [{ Effect: 'Allow', Action: 'IAM:PassRole', Resource: 'arn:aws:iam::1:role/x' }],
    });
    expect(diffPolicyGrants(before, after)).toEqual([]);
  });

  it('reports a dropped denial', () => {
    const before = doc({
      Statement: [
        { Effect: 'Allow', Action: 's3:*', Resource: '*' },
        { Effect: 'Deny', Action: 's3:DeleteBucket', Resource: '*' },
      ],
    });
    const after = doc({ Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }] });
    expect(diffPolicyGrants(before, after)).toEqual(['no longer denies s3:DeleteBucket on *']);
  });
});
