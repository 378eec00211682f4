// The memoised analyses: bounded, frozen, and never one event's facts in another's result.
import { describe, expect, it } from '@jest/globals';
import { createAlert } from '../../../shared/domain/alert.js';
import { parseIamEvent } from '../../../shared/domain/cloudtrail.js';
import { BoundedCache, deepFreeze, isDeeplyFrozen, memoiseFrozen } from '../../../shared/domain/memo.js';
import { assessPermissionsPolicy } from '../../../shared/domain/policy/analyze.js';
import {
  normalisePolicy,
  type PolicyDocument,
  parsePolicyDocument,
} from '../../../shared/domain/policy/document.js';
import { analyzeTrustPolicy } from '../../../shared/domain/policy/trust.js';

/** The same document, read afresh and not frozen: computed every time, never from a cache. */
const unfrozen = (text: string): PolicyDocument => {
  const document = normalisePolicy(JSON.parse(text));
  if (!('statements' in document)) throw new Error(document.detail);
  return document;
};

const parsed = (text: string): PolicyDocument => {
  const result = parsePolicyDocument(text);
  if (!result.ok) throw new Error(result.failure.detail);
  return result.document;
};

// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html#principal-accounts
const TRUST_OTHER = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    { Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:root' }, Action: 'sts:AssumeRole' },
  ],
});

describe('BoundedCache', () => {
  it('holds at most max entries and forgets the least recently used first', () => {
    const cache = new BoundedCache<string, number>(2);
    cache.set('a', 1);
    cache.set('b', 2);
    expect(cache.get('a')).toBe(1);
    cache.set('c', 3);
    expect(cache.size).toBe(2);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBe(1);
    expect(cache.get('c')).toBe(3);
  });

  it('takes keys from event data as keys', () => {
    const cache = new BoundedCache<string, number>(4);
    expect(cache.get('constructor')).toBeUndefined();
    cache.set('__proto__', 1);
    expect(cache.get('__proto__')).toBe(1);
  });
});

describe('deepFreeze and memoiseFrozen', () => {
  it('freezes every nested object, and memoises only what it froze whole', () => {
    let calls = 0;
    const count = memoiseFrozen((input: { list: number[] }) => {
      calls += 1;
      return { total: input.list.length };
    });
    const shallow = Object.freeze({ list: [1] });
    count(shallow);
    count(shallow);
    expect(calls).toBe(2);
    const whole = deepFreeze({ list: [1, 2] });
    expect(Object.isFrozen(whole.list)).toBe(true);
    expect(isDeeplyFrozen(whole)).toBe(true);
    const first = count(whole);
    expect(count(whole)).toBe(first);
    expect(calls).toBe(3);
    expect(Object.isFrozen(first)).toBe(true);
  });
});

describe('memoised policy analyses', () => {
  it('reads a document text once and hands out a frozen result that cannot be changed', () => {
    const text = '{"Statement":[{"Effect":"Allow","Action":"iam:PassRole","Resource":"*"}]}';
    const first = parsePolicyDocument(text);
    expect(parsePolicyDocument(text)).toBe(first);
    expect(() => {
      if (first.ok) (first.document.statements as unknown[]).push({});
    }).toThrow(TypeError);
    const assessment = assessPermissionsPolicy(parsed(text));
    expect(assessPermissionsPolicy(parsed(text))).toBe(assessment);
    expect(() => assessment.findings.pop()).toThrow(TypeError);
    expect(assessment).toEqual(assessPermissionsPolicy(unfrozen(text)));
  });

  it('judges a trust policy per account: the account of one event never answers for another', () => {
    const document = parsed(TRUST_OTHER);
    // Asked first as the trusted account itself (no outsider), then as another account (an outsider), then again.
    const own = analyzeTrustPolicy(document, '111122223333');
    const other = analyzeTrustPolicy(document, '444455556666');
    expect(own).toEqual(analyzeTrustPolicy(unfrozen(TRUST_OTHER), '111122223333'));
    expect(other).toEqual(analyzeTrustPolicy(unfrozen(TRUST_OTHER), '444455556666'));
    expect(own.findings.map((finding) => finding.code)).not.toContain('trust-other-account');
    expect(other.findings.map((finding) => finding.code)).toContain('trust-other-account');
    expect(analyzeTrustPolicy(document, '111122223333')).toBe(own);
    expect(analyzeTrustPolicy(document, undefined)).toEqual(
      analyzeTrustPolicy(unfrozen(TRUST_OTHER), undefined),
    );
  });

  it('gives two CreateRole events with one document the alerts of their own accounts, and no shared object', async () => {
    const event = (account: string, roleName: string) =>
      parseIamEvent({
        eventSource: 'iam.amazonaws.com',
        eventName: 'CreateRole',
        eventID: `id-${account}`,
        recipientAccountId: account,
        userIdentity: { type: 'IAMUser', accountId: account, arn: `arn:aws:iam::${account}:user/admin` },
        requestParameters: { roleName, assumeRolePolicyDocument: TRUST_OTHER },
        responseElements: null,
      });
    const outsider = await createAlert(event('444455556666', 'cross'));
    const insider = await createAlert(event('111122223333', 'local'));
    const outsiderAgain = await createAlert(event('444455556666', 'cross'));
    expect(outsiderAgain).toEqual(outsider);
    expect(outsider.reasons.map((reason) => reason.code)).toContain('trust-other-account');
    expect(insider.reasons.map((reason) => reason.code)).not.toContain('trust-other-account');
    expect(insider.title).toContain('local');
    expect(outsider.policy?.findings).not.toBe(outsiderAgain.policy?.findings);
    // An alert is the caller's to change: it is a copy, not the cached analysis.
    outsider.policy?.findings.push({ severity: 'info', code: 'x', text: 'x' });
    expect(outsiderAgain.policy?.findings.map((finding) => finding.code)).not.toContain('x');
  });
});
