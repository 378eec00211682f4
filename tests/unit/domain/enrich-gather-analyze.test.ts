// The two halves of enrichment on their own: gather fetches through the port and records failures as values;
// analyze is pure and needs only the event and what gather found.
import { describe, expect, it } from '@jest/globals';
import { iamEventOf } from '../../../shared/domain/cloudtrail.js';
import { analyzeEvent } from '../../../shared/domain/enrich/analyze.js';
import { gatherDocuments } from '../../../shared/domain/enrich/gather.js';
import type { IamEvent } from '../../../shared/domain/types.js';
import type { IamDirectory } from '../../../shared/ports.js';
import { wordedEnrichment } from '../../helpers/worded.js';

const ACCOUNT = '123456789012';
const POLICY = `arn:aws:iam::${ACCOUNT}:policy/ci`;
const IAM_STAR = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:*","Resource":"*"}]}';

const event = (eventName: string, requestParameters: Record<string, unknown>, errorCode?: string): IamEvent =>
  iamEventOf(
    {
      eventSource: 'iam.amazonaws.com',
      eventName,
      recipientAccountId: ACCOUNT,
      userIdentity: { type: 'IAMUser', accountId: ACCOUNT, userName: 'alice' },
      requestParameters,
      responseElements: null,
      ...(errorCode ? { errorCode } : {}),
    },
    undefined,
  );

/** A directory where every call fails the way the adapter's errors do. */
const failing = (message: string): IamDirectory => {
  const fail = async (): Promise<never> => {
    throw new Error(message);
  };
  return {
    getPolicy: fail,
    getPolicyVersion: fail,
    listPolicyVersions: fail,
    listAttachedGroupPolicies: fail,
    listGroupPolicies: fail,
    getGroupPolicy: fail,
  };
};

describe('gatherDocuments', () => {
  it('records a failed IAM call as a value with its message, and never throws', async () => {
    const gathered = await gatherDocuments(
      event('AttachUserPolicy', { userName: 'u', policyArn: POLICY }),
      failing('AccessDenied on iam:GetPolicy'),
    );
    expect(gathered).toEqual({
      kind: 'managed',
      policy: {
        policyArn: POLICY,
        defaultVersion: { status: 'failed', error: 'AccessDenied on iam:GetPolicy' },
      },
    });
  });

  it('is offline without a directory, and fetches nothing for a well-known AWS policy', async () => {
    expect(
      await gatherDocuments(event('AddUserToGroup', { userName: 'u', groupName: 'g' }), undefined),
    ).toEqual({
      kind: 'group',
      groupName: 'g',
      policies: { status: 'offline' },
    });
    const known = await gatherDocuments(
      event('AttachUserPolicy', { userName: 'u', policyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' }),
      failing('must not be called'),
    );
    expect(known).toEqual({
      kind: 'managed',
      policy: { policyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' },
    });
  });

  it('fetches nothing for an event that carries its document', async () => {
    expect(
      await gatherDocuments(
        event('PutUserPolicy', { userName: 'u', policyName: 'p', policyDocument: IAM_STAR }),
        failing('must not be called'),
      ),
    ).toEqual({ kind: 'nothing' });
  });
});

describe('analyzeEvent', () => {
  it('judges a managed policy from the gathered document alone, with no directory', () => {
    const enrichment = analyzeEvent(event('AttachUserPolicy', { userName: 'u', policyArn: POLICY }), {
      kind: 'managed',
      policy: {
        policyArn: POLICY,
        defaultVersion: { status: 'fetched', value: { versionId: 'v2', document: IAM_STAR } },
      },
    });
    expect(wordedEnrichment(enrichment)).toMatchObject({
      reasons: [
        {
          severity: 'high',
          code: 'service-wildcard-iam',
          text: 'grants iam:* (every IAM action) on every resource: enough to make itself or anyone administrator (managed policy ci)',
        },
        {
          severity: 'high',
          code: 'passrole-all',
          text: 'grants iam:PassRole on every role (managed policy ci)',
        },
      ],
      headline: 'Policy ci attached to IAM user u grants every IAM action',
      notes: [],
    });
    expect(enrichment.policy?.label).toBe('managed policy ci (default version v2)');
  });

  it('turns a gathered failure into the note the alert shows', () => {
    const enrichment = analyzeEvent(event('AttachUserPolicy', { userName: 'u', policyArn: POLICY }), {
      kind: 'managed',
      policy: {
        policyArn: POLICY,
        defaultVersion: { status: 'failed', error: 'GetPolicy timed out after 100 ms' },
      },
    });
    expect(enrichment.notes).toEqual(['policy details unavailable: GetPolicy timed out after 100 ms']);
    expect(enrichment.reasons).toEqual([]);
  });

  it('frames a failed call as an attempt, with data the format layer words', () => {
    const enrichment = analyzeEvent(
      event('PutUserPolicy', { userName: 'u', policyName: 'p', policyDocument: IAM_STAR }, 'AccessDenied'),
      { kind: 'nothing' },
    );
    expect(enrichment.reasons.map((reason) => [reason.code, reason.severity, reason.frame])).toEqual([
      ['attempted-service-wildcard-iam', 'low', 'attempted'],
    ]);
    expect(enrichment.headline).toBeUndefined();
  });
});
