// The IAM adapter through the real SDK and IAM's real wire protocol, against a fake IAM on 127.0.0.1.
import { IAMClient } from '@aws-sdk/client-iam';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { createIamSdkDirectory } from '../../functions/notifier/adapters/iam-directory.js';
import * as enrich from '../../shared/domain/enrich.js';
import type { IamEvent } from '../../shared/domain/types.js';
import { type FakeIamServer, startFakeIam } from '../helpers/iam-server.js';
import { wordedEnrichment } from '../helpers/worded.js';

/** The enrichment as the alert words it. */
const enrichPolicy = async (...args: Parameters<typeof enrich.enrichPolicy>) =>
  wordedEnrichment(await enrich.enrichPolicy(...args));

const ACCOUNT = '123456789012';
const POLICY_ARN = `arn:aws:iam::${ACCOUNT}:policy/ci-deploy`;
const NARROW =
  '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::ci/*"}]}';
const WIDE = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:*"],"Resource":"*"}]}';

let server: FakeIamServer;
let client: IAMClient;

const directory = (overrides: { timeoutMs?: number; cacheTtlMs?: number; now?: () => number } = {}) =>
  createIamSdkDirectory(client, { timeoutMs: 2000, cacheTtlMs: 60_000, maxEntries: 50, ...overrides });

const attachEvent = (policyArn: string): IamEvent => ({
  account: ACCOUNT,
  record: {
    eventSource: 'iam.amazonaws.com',
    eventName: 'AttachUserPolicy',
    recipientAccountId: ACCOUNT,
    userIdentity: { type: 'IAMUser', accountId: ACCOUNT },
    requestParameters: { userName: 'deploy-bot', policyArn },
    responseElements: null,
  },
});

beforeAll(async () => {
  server = await startFakeIam();
  client = new IAMClient({
    endpoint: server.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIAFAKEFAKEFAKE', secretAccessKey: 'fake-secret' },
    maxAttempts: 3,
  });
});

afterAll(async () => {
  client.destroy();
  await server.close();
});

beforeEach(() => {
  server.requests.length = 0;
  server.policies.clear();
  server.groups.clear();
  server.users.clear();
  server.roles.clear();
  // The user the attach events name, with no other policy.
  server.users.set('deploy-bot', { attached: [], inline: {} });
  server.policies.set(POLICY_ARN, {
    name: 'ci-deploy',
    defaultVersionId: 'v2',
    versions: {
      v1: { document: NARROW, createDate: '2024-01-01T00:00:00Z' },
      v2: { document: WIDE, createDate: '2024-02-01T00:00:00Z' },
    },
  });
});

describe('createIamSdkDirectory', () => {
  it('builds its client from the SDK module on the first lookup, once, and again after a failed build', async () => {
    const built: string[] = [];
    let broken = true;
    const iam = createIamSdkDirectory(
      (sdk) => {
        built.push('client');
        if (broken) throw new Error('the IAM chunk could not be loaded');
        // The module handed over is the SDK's own client class (iam-sdk.ts re-exports it).
        expect(client).toBeInstanceOf(sdk.IAMClient);
        return client;
      },
      { timeoutMs: 2000, cacheTtlMs: 60_000, maxEntries: 50 },
    );
    expect(built).toEqual([]);
    await expect(iam.getPolicy(POLICY_ARN)).rejects.toThrow(
      'Error on iam:GetPolicy: the IAM chunk could not be loaded',
    );
    broken = false;
    await expect(iam.getPolicy(POLICY_ARN)).resolves.toMatchObject({ arn: POLICY_ARN });
    await iam.listPolicyVersions(POLICY_ARN);
    expect(built).toEqual(['client', 'client']);
  });

  it('reads a policy and its default version, decoding the URL-encoded document', async () => {
    const iam = directory();
    const policy = await iam.getPolicy(POLICY_ARN);
    const version = await iam.getPolicyVersion(POLICY_ARN, policy.defaultVersionId);
    expect(policy).toEqual({
      arn: POLICY_ARN,
      name: 'ci-deploy',
      defaultVersionId: 'v2',
      attachmentCount: 1,
    });
    expect(version).toEqual({ versionId: 'v2', document: WIDE });
    expect(server.requests.map((request) => request.action)).toEqual(['GetPolicy', 'GetPolicyVersion']);
    expect(server.requests[1]?.params).toMatchObject({
      PolicyArn: POLICY_ARN,
      VersionId: 'v2',
      Version: '2010-05-08',
    });
  });

  it('lists policy versions with their dates', async () => {
    const versions = await directory().listPolicyVersions(POLICY_ARN);
    expect(versions).toEqual([
      { versionId: 'v1', isDefaultVersion: false, createDate: '2024-01-01T00:00:00.000Z' },
      { versionId: 'v2', isDefaultVersion: true, createDate: '2024-02-01T00:00:00.000Z' },
    ]);
  });

  it('reads what a group grants', async () => {
    server.groups.set('admins', {
      attached: [
        { policyArn: 'arn:aws:iam::aws:policy/AdministratorAccess', policyName: 'AdministratorAccess' },
      ],
      inline: { 'pass-any-role': '{"Statement":{"Effect":"Allow","Action":"iam:PassRole","Resource":"*"}}' },
    });
    const iam = directory();
    await expect(iam.listAttachedGroupPolicies('admins')).resolves.toEqual([
      { policyArn: 'arn:aws:iam::aws:policy/AdministratorAccess', policyName: 'AdministratorAccess' },
    ]);
    await expect(iam.listGroupPolicies('admins')).resolves.toEqual(['pass-any-role']);
    await expect(iam.getGroupPolicy('admins', 'pass-any-role')).resolves.toBe(
      '{"Statement":{"Effect":"Allow","Action":"iam:PassRole","Resource":"*"}}',
    );
  });

  it('answers a repeat within the TTL from the cache, without a request', async () => {
    const iam = directory();
    await iam.getPolicy(POLICY_ARN);
    await iam.getPolicy(POLICY_ARN);
    expect(server.requests).toHaveLength(1);
  });

  it('coalesces concurrent identical calls into one request', async () => {
    const iam = directory();
    await Promise.all([iam.getPolicy(POLICY_ARN), iam.getPolicy(POLICY_ARN), iam.getPolicy(POLICY_ARN)]);
    expect(server.requests).toHaveLength(1);
  });

  it('asks again once the TTL has passed', async () => {
    let clock = 0;
    const iam = directory({ cacheTtlMs: 1000, now: () => clock });
    await iam.getPolicy(POLICY_ARN);
    clock = 1001;
    await iam.getPolicy(POLICY_ARN);
    expect(server.requests).toHaveLength(2);
  });

  it('forgets a policy the event changed', async () => {
    const iam = directory();
    await iam.getPolicy(POLICY_ARN);
    iam.forget?.({ policyArn: POLICY_ARN });
    await iam.getPolicy(POLICY_ARN);
    expect(server.requests).toHaveLength(2);
  });

  it('turns NoSuchEntity into a readable error and does not cache it', async () => {
    const iam = directory();
    const missing = `arn:aws:iam::${ACCOUNT}:policy/deleted`;
    await expect(iam.getPolicy(missing)).rejects.toThrow(
      'NoSuchEntity on iam:GetPolicy: it no longer exists (deleted since the event?)',
    );
    await expect(iam.getPolicy(missing)).rejects.toThrow('NoSuchEntity');
    expect(server.requests).toHaveLength(2);
  });

  it('turns AccessDenied into a readable error', async () => {
    server.fail({ action: 'GetPolicy', code: 'AccessDenied', times: 1 });
    await expect(directory().getPolicy(POLICY_ARN)).rejects.toThrow(
      "AccessDenied on iam:GetPolicy: the notifier's role is not allowed to read it",
    );
  });

  it('retries throttling and then succeeds', async () => {
    server.fail({ action: 'GetPolicy', code: 'Throttling', times: 1 });
    const policy = await directory().getPolicy(POLICY_ARN);
    expect(policy.defaultVersionId).toBe('v2');
    expect(server.requests.map((request) => request.action)).toEqual(['GetPolicy', 'GetPolicy']);
  });

  it('gives up on a slow answer after the timeout', async () => {
    server.delay('GetPolicy', 1500);
    try {
      await expect(directory({ timeoutMs: 150 }).getPolicy(POLICY_ARN)).rejects.toThrow(
        'GetPolicy timed out after 150 ms',
      );
    } finally {
      server.delay('GetPolicy', 0);
    }
  });
});

describe('enrichPolicy with the SDK directory', () => {
  it('analyses a customer managed policy fetched from IAM', async () => {
    const enrichment = await enrichPolicy(attachEvent(POLICY_ARN), directory());
    expect(enrichment.policy).toMatchObject({ source: 'iam-api', policyArn: POLICY_ARN, document: WIDE });
    expect(enrichment.reasons[0]).toMatchObject({ severity: 'high', code: 'service-wildcard-iam' });
    expect(enrichment.reasons[0]?.text).toContain('managed policy ci-deploy');
    expect(enrichment.notes).toEqual([]);
  });

  it('turns a timeout into a note, not an error', async () => {
    server.delay('GetPolicy', 1500);
    try {
      const enrichment = await enrichPolicy(attachEvent(POLICY_ARN), directory({ timeoutMs: 100 }));
      expect(enrichment.reasons).toEqual([]);
      expect(enrichment.notes).toEqual(['policy details unavailable: GetPolicy timed out after 100 ms']);
    } finally {
      server.delay('GetPolicy', 0);
    }
  });

  it('turns AccessDenied into a note', async () => {
    server.fail({ action: 'GetPolicyVersion', code: 'AccessDenied', times: 1 });
    const enrichment = await enrichPolicy(attachEvent(POLICY_ARN), directory());
    expect(enrichment.notes).toEqual([
      "policy details unavailable: AccessDenied on iam:GetPolicyVersion: the notifier's role is not allowed to read it",
    ]);
  });

  it('makes no request for a repeat within the TTL, but reads the changed user’s policies again', async () => {
    const iam = directory();
    await enrichPolicy(attachEvent(POLICY_ARN), iam);
    const first = server.requests.map((request) => request.action);
    const again = await enrichPolicy(attachEvent(POLICY_ARN), iam);
    expect(first.sort()).toEqual([
      'GetPolicy',
      'GetPolicyVersion',
      'ListAttachedUserPolicies',
      'ListUserPolicies',
    ]);
    // The attach changed the user's policies: their lists are read afresh; the managed policy is not.
    expect(
      server.requests
        .slice(first.length)
        .map((request) => request.action)
        .sort(),
    ).toEqual(['ListAttachedUserPolicies', 'ListUserPolicies']);
    expect(again.reasons[0]?.code).toBe('service-wildcard-iam');
  });

  it('diffs SetDefaultPolicyVersion against the newest other version', async () => {
    const event: IamEvent = {
      account: ACCOUNT,
      record: {
        eventSource: 'iam.amazonaws.com',
        eventName: 'SetDefaultPolicyVersion',
        recipientAccountId: ACCOUNT,
        userIdentity: { type: 'IAMUser', accountId: ACCOUNT },
        requestParameters: { policyArn: POLICY_ARN, versionId: 'v2' },
        responseElements: null,
      },
    };
    const enrichment = await enrichPolicy(event, directory());
    expect(enrichment.policy?.diff).toEqual(['now allows iam:* on *']);
    expect(enrichment.reasons[0]).toMatchObject({ code: 'policy-version-widened', severity: 'high' });
    expect(enrichment.reasons[0]?.text).toBe(
      'the new default version v2 of ci-deploy now allows iam:* on * that v1 did not: it grants iam:* (every IAM action) on every resource: enough to make itself or anyone administrator',
    );
    expect(server.requests.map((request) => request.action)).toEqual([
      'GetPolicyVersion',
      'ListPolicyVersions',
      'GetPolicyVersion',
    ]);
  });
});
