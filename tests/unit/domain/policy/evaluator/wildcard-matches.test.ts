// wildcardMatches matches policy text on the strings themselves where it can: it must answer exactly as the general
// matcher (globMatches over the pattern as policy text) does, case-insensitively for Action, sensitively for Resource.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { globMatches, wildcardMatches } from '../../../../../shared/domain/policy/evaluator/patterns.js';

const reference = (pattern: string, value: string, ignoreCase: boolean): boolean =>
  globMatches([{ text: pattern, literal: false }], value, ignoreCase);

// Wildcards, ASCII of both cases, and characters whose lower case is longer, context-dependent or astral.
const CHARS = ['*', '?', 'a', 'A', 'b', 'B', ':', 'İ', 'Σ', 'ς', 'σ', 'ß', '😀', '\ud83d'];
const text = (maxLength: number) =>
  fc.array(fc.constantFrom(...CHARS), { maxLength }).map((chars) => chars.join(''));

describe('wildcardMatches', () => {
  it('answers as globMatches for any pattern and value, either case rule', () => {
    fc.assert(
      fc.property(text(7), text(8), fc.boolean(), (pattern, value, ignoreCase) => {
        expect(wildcardMatches(pattern, value, ignoreCase)).toBe(
          pattern === '*' ||
            (!pattern.includes('*') && !pattern.includes('?')
              ? ignoreCase
                ? pattern.toLowerCase() === value.toLowerCase()
                : pattern === value
              : reference(pattern, value, ignoreCase)),
        );
      }),
      { numRuns: 20_000 },
    );
  });

  it('lower-cases a pattern character by character, as before: a final capital sigma is σ, not ς', () => {
    for (const [pattern, value] of [
      ['aΣ*', 'aΣ'],
      ['aΣ*', 'aσ'],
      ['aΣ?', 'aΣb'],
      ['A*İ', 'ai̇'],
    ] as const) {
      expect(wildcardMatches(pattern, value, true)).toBe(reference(pattern, value, true));
    }
    expect(wildcardMatches('aΣ*', 'aΣ', true)).toBe(false);
  });

  it('matches actions case-insensitively and ARNs case-sensitively', () => {
    expect(wildcardMatches('IAM:Put*Policy', 'iam:PutRolePolicy', true)).toBe(true);
    expect(wildcardMatches('iam:?etRole', 'iam:GetRole', true)).toBe(true);
    expect(wildcardMatches('iam:*Policy', 'iam:PutRolePolicyX', true)).toBe(false);
    expect(wildcardMatches('arn:aws:s3:::Bucket/*', 'arn:aws:s3:::bucket/key', false)).toBe(false);
    expect(wildcardMatches('arn:aws:s3:::bucket/*', 'arn:aws:s3:::bucket/a/b', false)).toBe(true);
  });
});
