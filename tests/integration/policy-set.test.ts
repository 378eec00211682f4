// A policy judged together with its owner's other policies, through the real SDK and IAM's wire protocol against
// a fake IAM on 127.0.0.1: the List/Get calls for users, groups and roles, their failures (throttling, timeouts,
// AccessDenied) as notes of an alert that still goes out.
// IAM evaluation across identity policies: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
import { IAMClient } from '@aws-sdk/client-iam';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { createIamSdkDirectory } from '../../functions/notifier/adapters/iam-directory.js';
import { buildAlert } from '../../shared/domain/alert.js';
import * as enrich from '../../shared/domain/enrich.js';
import type { IamEvent } from '../../shared/domain/types.js';
import { type FakeIamServer, startFakeIam } from '../helpers/iam-server.js';
import { wordedEnrichment } from '../helpers/worded.js';

const ACCOUNT = '123456789012';
const doc = (...statements: object[]): string =>
  JSON.stringify({ Version: '2012-10-17', Statement: statements });
const PASS_ROLE = doc({ Effect: 'Allow', Action: 'iam:PassRole', Resource: '*' });
const LAMBDA = doc({
  Effect: 'Allow',
  Action: ['lambda:CreateFunction', 'lambda:InvokeFunction'],
  Resource: '*',
});
const LAMBDA_ARN = `arn:aws:iam::${ACCOUNT}:policy/lambda-dev`;

let server: FakeIamServer;
let client: IAMClient;

const directory = (timeoutMs = 2000) =>
  createIamSdkDirectory(client, { timeoutMs, cacheTtlMs: 60_000, maxEntries: 50 });

const event = (eventName: string, requestParameters: Record<string, unknown>): IamEvent => ({
  account: ACCOUNT,
  record: {
    eventSource: 'iam.amazonaws.com',
    eventName,
    eventID: '5d2c1f9e-0000-4000-8000-00000000a001',
    eventTime: '2024-05-01T10:00:00Z',
    recipientAccountId: ACCOUNT,
    userIdentity: { type: 'IAMUser', accountId: ACCOUNT, userName: 'alice' },
    requestParameters,
    responseElements: null,
  },
});

const enrichPolicy = async (...args: Parameters<typeof enrich.enrichPolicy>) =>
  wordedEnrichment(await enrich.enrichPolicy(...args));

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
  server.policies.set(LAMBDA_ARN, {
    name: 'lambda-dev',
    defaultVersionId: 'v1',
    versions: { v1: { document: LAMBDA } },
  });
});

describe('a policy judged with its owner’s other policies, over IAM’s wire protocol', () => {
  it('PutGroupPolicy: reads the group’s policies and reports the path only the two open together', async () => {
    server.groups.set('devs', { attached: [], inline: { 'pass-roles': PASS_ROLE } });
    const result = await enrichPolicy(
      event('PutGroupPolicy', { groupName: 'devs', policyName: 'lambda-dev', policyDocument: LAMBDA }),
      directory(),
    );
    expect(result.reasons[0]).toMatchObject({
      severity: 'high',
      code: 'combined-escalation-passrole-lambda',
    });
    expect(result.reasons[0]?.text).toContain('iam:PassRole from inline policy pass-roles');
    expect(server.requests.map((request) => [request.action, request.params.GroupName])).toEqual(
      expect.arrayContaining([
        ['ListAttachedGroupPolicies', 'devs'],
        ['ListGroupPolicies', 'devs'],
        ['GetGroupPolicy', 'devs'],
      ]),
    );
    expect(server.requests).toHaveLength(3);
  });

  it('AttachUserPolicy: the user’s inline policy and the attached one, each read with its own call', async () => {
    server.users.set('bob', { attached: [], inline: { pass: PASS_ROLE } });
    const result = await enrichPolicy(
      event('AttachUserPolicy', { userName: 'bob', policyArn: LAMBDA_ARN }),
      directory(),
    );
    expect(result.reasons.map((reason) => reason.code)).toEqual(['combined-escalation-passrole-lambda']);
    expect(result.reasons[0]?.text).toContain('from this policy (managed policy lambda-dev)');
    expect(server.requests.map((request) => request.action).sort()).toEqual([
      'GetPolicy',
      'GetPolicyVersion',
      'GetUserPolicy',
      'ListAttachedUserPolicies',
      'ListUserPolicies',
    ]);
    expect(server.requests.find((request) => request.action === 'GetUserPolicy')?.params).toMatchObject({
      UserName: 'bob',
      PolicyName: 'pass',
    });
  });

  it('AttachRolePolicy: a role’s attached managed policy is fetched by its default version', async () => {
    const passArn = `arn:aws:iam::${ACCOUNT}:policy/pass-any`;
    server.policies.set(passArn, {
      name: 'pass-any',
      defaultVersionId: 'v3',
      versions: { v3: { document: PASS_ROLE } },
    });
    server.roles.set('builder', { attached: [{ policyArn: passArn, policyName: 'pass-any' }], inline: {} });
    const result = await enrichPolicy(
      event('AttachRolePolicy', { roleName: 'builder', policyArn: LAMBDA_ARN }),
      directory(),
    );
    expect(result.reasons[0]?.text).toContain('iam:PassRole from managed policy pass-any');
    expect(
      server.requests
        .filter((request) => request.action === 'GetPolicyVersion')
        .map((r) => r.params.VersionId),
    ).toEqual(expect.arrayContaining(['v1', 'v3']));
    expect(server.requests.find((request) => request.action === 'ListRolePolicies')?.params.RoleName).toBe(
      'builder',
    );
  });

  it('throttling that outlasts the retries is a note, and the alert still goes out with it', async () => {
    server.groups.set('devs', { attached: [], inline: { 'pass-roles': PASS_ROLE } });
    server.fail({ action: 'ListGroupPolicies', code: 'Throttling', times: 3 });
    server.fail({ action: 'ListAttachedGroupPolicies', code: 'AccessDenied', times: 1 });
    const alert = await buildAlert(
      event('PutGroupPolicy', { groupName: 'devs', policyName: 'lambda-dev', policyDocument: LAMBDA }),
      // Long enough for the SDK's three attempts with their throttling back-off.
      directory(15_000),
    );
    expect(alert.notes).toContain(
      "could not read the group's other policies: AccessDenied on iam:ListAttachedGroupPolicies: the notifier's role is not allowed to read it; Throttling on iam:ListGroupPolicies: IAM throttled the notifier and retries ran out",
    );
    expect(alert.eventName).toBe('PutGroupPolicy');
  }, 30_000);

  it('a slow GetRolePolicy times out into a note; what was read is still judged', async () => {
    const passArn = `arn:aws:iam::${ACCOUNT}:policy/pass-any`;
    server.policies.set(passArn, {
      name: 'pass-any',
      defaultVersionId: 'v1',
      versions: { v1: { document: PASS_ROLE } },
    });
    server.roles.set('builder', {
      attached: [{ policyArn: passArn, policyName: 'pass-any' }],
      inline: { slow: doc({ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }) },
    });
    server.delay('GetRolePolicy', 1000);
    try {
      const result = await enrichPolicy(
        event('AttachRolePolicy', { roleName: 'builder', policyArn: LAMBDA_ARN }),
        directory(150),
      );
      expect(result.notes).toContain(
        "could not read the role's other policies: inline policy slow: GetRolePolicy timed out after 150 ms",
      );
      expect(result.reasons[0]).toMatchObject({ code: 'combined-escalation-passrole-lambda' });
    } finally {
      server.delay('GetRolePolicy', 0);
    }
  });
});
