// The evaluator's parts on their own: CIDR matching, wildcard overlap, the generated resource-type table.
import { describe, expect, it } from '@jest/globals';
import {
  actsOnResource,
  cidrContains,
  evaluate,
  patternFitsAction,
  patternsOverlap,
  resourceTypesOf,
} from '../../../../../shared/domain/policy/evaluator/index.js';
import { identity } from './build.js';

// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_IPAddress
describe('cidrContains', () => {
  it.each([
    ['203.0.113.0/24', '203.0.113.255', true],
    ['203.0.113.0/24', '203.0.112.1', false],
    ['203.0.113.7', '203.0.113.7', true],
    ['0.0.0.0/0', '8.8.8.8', true],
    ['2001:db8::/32', '2001:db8:ffff::1', true],
    ['2001:db8::/32', '2001:db9::1', false],
    ['::ffff:203.0.113.0/120', '::ffff:203.0.113.9', true],
    ['203.0.113.0/24', '2001:db8::1', false],
    ['203.0.113.0/33', '203.0.113.1', false],
    ['not-an-ip', '203.0.113.1', false],
  ])('%s contains %s: %s', (cidr, address, expected) => {
    expect(cidrContains(cidr, address)).toBe(expected);
  });
});

describe('patternsOverlap', () => {
  it.each([
    // As whole strings these overlap (`arn:aws:iam::1:policy/a:role/x`); resource types compare ARN parts.
    ['arn:aws:iam::*:role/x', 'arn:*:iam::*:policy/*', true],
    ['arn:aws:iam::*:role/x', 'arn:aws:iam::*:policy/x', false],
    ['arn:aws:iam::*:role/*', 'arn:*:iam::*:role/*', true],
    ['*', 'arn:*:iam::*:policy/*', true],
    ['arn:aws:*:*:111122223333:*', 'arn:*:iam::*:policy/*', true],
    ['arn:aws:s3:::b?', 'arn:aws:s3:::bc', true],
    ['arn:aws:s3:::b?', 'arn:aws:s3:::bcd', false],
  ])('%s and %s: %s', (a, b, expected) => {
    expect(patternsOverlap(a, b)).toBe(expected);
    expect(patternsOverlap(b, a)).toBe(expected);
  });
});

// https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsidentityandaccessmanagementiam.html
describe('resource types from the generated table', () => {
  it('knows the types AWS lists for an action, whatever its case', () => {
    expect([...(resourceTypesOf('IAM:createpolicyversion')?.types.keys() ?? [])]).toEqual(['policy']);
    expect([...(resourceTypesOf('iam:PassRole')?.types.keys() ?? [])]).toEqual(['role']);
    expect(resourceTypesOf('iam:ListRoles')?.types.size).toBe(0);
  });

  it('knows nothing of services it does not cover or of table-hostile names', () => {
    expect(resourceTypesOf('s3:GetObject')).toBeUndefined();
    expect(resourceTypesOf('constructor:toString')).toBeUndefined();
    expect(resourceTypesOf('iam:constructor')).toBeUndefined();
  });

  it('tells whether a resource or a Resource pattern fits an action', () => {
    expect(actsOnResource('iam:CreatePolicyVersion', 'arn:aws:iam::111122223333:role/x')).toBe(false);
    expect(actsOnResource('iam:CreatePolicyVersion', 'arn:aws:iam::111122223333:policy/team/p')).toBe(true);
    expect(actsOnResource('s3:GetObject', 'arn:aws:s3:::b/k')).toBeUndefined();
    expect(patternFitsAction('iam:CreatePolicyVersion', 'arn:aws:iam::*:role/x')).toBe(false);
    expect(patternFitsAction('iam:CreatePolicyVersion', 'arn:aws:iam::*:policy/*')).toBe(true);
    expect(patternFitsAction('iam:ListRoles', 'arn:aws:iam::*:role/*')).toBe(false);
    expect(patternFitsAction('s3:GetObject', 'arn:aws:iam::*:role/x')).toBe(true);
  });
});

// An event's policy document is attacker-controlled: no pattern may stall the evaluator.
describe('hostile patterns', () => {
  const stars = `arn:aws:s3:::${'*a'.repeat(200)}*b`;
  const long = `arn:aws:s3:::${'a'.repeat(5000)}`;

  it('match in linear-ish time, without backtracking for ever', () => {
    const started = Date.now();
    const decision = evaluate(
      { action: 's3:GetObject', resource: long, context: { 's3:prefix': 'a'.repeat(5000) } },
      [
        identity(
          { Effect: 'Allow', Action: 's3:GetObject', Resource: stars },
          {
            Effect: 'Allow',
            Action: 's3:GetObject',
            Resource: '*',
            Condition: { StringLike: { 's3:prefix': stars } },
          },
        ),
      ],
    );
    expect(decision.kind).toBe('not-allowed');
    expect(patternsOverlap(stars, long)).toBe(false);
    expect(Date.now() - started).toBeLessThan(2000);
  });
});
