import fc from 'fast-check';
import { describeGlobProblem, matchesAnyGlob, matchesGlob } from '../../../shared/domain/rules/glob.js';

/** An independent reference: the glob as an anchored regular expression (u flag: `?` is one code point). */
const referenceMatch = (pattern: string, text: string): boolean => {
  const source = Array.from(pattern)
    .map((char) => (char === '*' ? '.*' : char === '?' ? '.' : char.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`, 'su').test(text);
};

describe('matchesGlob', () => {
  it.each([
    ['arn:aws:iam::*:role/cfn-exec-*', 'arn:aws:iam::111122223333:role/cfn-exec-prod', true],
    ['arn:aws:iam::*:role/cfn-exec-*', 'arn:aws:iam::111122223333:role/CFN-exec-prod', false],
    ['Attach*', 'AttachRolePolicy', true],
    ['Attach*', 'DetachRolePolicy', false],
    ['Attach*', 'xAttachRolePolicy', false],
    ['CreateRole', 'CreateRole', true],
    ['CreateRole', 'CreateRoles', false],
    ['CreateRole', 'createrole', false],
    ['Put?olicy', 'PutPolicy', true],
    ['Put?olicy', 'Putolicy', false],
    ['*', '', true],
    ['?', '', false],
    ['?', '😀', true],
    ['a*b*c', 'aXXbYYc', true],
    ['a*b*c', 'aXXcYYb', false],
    ['*.amazonaws.com', 'iam.amazonaws.com', true],
    ['*.amazonaws.com', 'iam.amazonaws.com.evil', false],
  ])('%s against %s is %s', (pattern, text, expected) => {
    expect(matchesGlob(pattern, text)).toBe(expected);
  });

  it('agrees with an anchored regular expression on any pattern and text', () => {
    const patternChar = fc.constantFrom('a', 'b', '*', '?', '.', '😀');
    const textChar = fc.constantFrom('a', 'b', '.', '😀');
    fc.assert(
      fc.property(
        fc.string({ unit: patternChar, maxLength: 8 }),
        fc.string({ unit: textChar, maxLength: 12 }),
        (pattern, text) => matchesGlob(pattern, text) === referenceMatch(pattern, text),
      ),
      { numRuns: 3000 },
    );
  });

  it('stays fast on a pattern made to backtrack', () => {
    const started = performance.now();
    expect(matchesGlob(`${'*a'.repeat(40)}b`, 'a'.repeat(5000))).toBe(false);
    expect(performance.now() - started).toBeLessThan(1000);
  });
});

describe('matchesAnyGlob', () => {
  it('matches when any pattern of the list matches, never an absent value', () => {
    expect(matchesAnyGlob(['CreateRole', 'Attach*'], 'AttachUserPolicy')).toBe(true);
    expect(matchesAnyGlob(['CreateRole', 'Attach*'], 'DeleteRole')).toBe(false);
    expect(matchesAnyGlob(['*'], undefined)).toBe(false);
  });
});

describe('describeGlobProblem', () => {
  it.each([
    ['', 'is empty'],
    [' Attach*', 'has leading or trailing spaces'],
    ['Attach\n', 'has leading or trailing spaces'],
    ['Att\u0007ach', 'contains a control character'],
    [
      'Attach[A-Z]',
      "uses '[', which is not supported: a glob has only * (any characters) and ? (one character)",
    ],
    [
      '{Create,Delete}Role',
      "uses '{', which is not supported: a glob has only * (any characters) and ? (one character)",
    ],
    [
      'Create\\*',
      "uses '\\', which is not supported: a glob has only * (any characters) and ? (one character)",
    ],
  ])('refuses %j: it %s', (pattern, problem) => {
    expect(describeGlobProblem(pattern)).toBe(problem);
  });

  it('refuses a glob longer than 1024 characters', () => {
    expect(describeGlobProblem('x'.repeat(1025))).toBe('is longer than 1024 characters');
    expect(describeGlobProblem('x'.repeat(1024))).toBeUndefined();
  });

  it('accepts globs of * and ?', () => {
    expect(describeGlobProblem('arn:aws:iam::*:role/cfn-exec-?')).toBeUndefined();
  });
});
