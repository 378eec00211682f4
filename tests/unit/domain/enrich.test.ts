import { describe, expect, it } from '@jest/globals';
import { iamEventOf } from '../../../shared/domain/cloudtrail.js';
import * as enrich from '../../../shared/domain/enrich.js';
import type { CloudTrailRecord, IamEvent } from '../../../shared/domain/types.js';
import type { IamDirectory, ManagedPolicyInfo, PolicyVersionInfo } from '../../../shared/ports.js';
import { findRecord } from '../../helpers/fixtures.js';
import { type WordedEnrichment, wordedEnrichment } from '../../helpers/worded.js';

type PolicyEnrichment = WordedEnrichment;
/** The enrichment as the alert words it. */
const enrichPolicy = async (...args: Parameters<typeof enrich.enrichPolicy>): Promise<PolicyEnrichment> =>
  wordedEnrichment(await enrich.enrichPolicy(...args));
const analyzeEventPolicies = (event: IamEvent): PolicyEnrichment =>
  wordedEnrichment(enrich.analyzeEventPolicies(event));

/** An in-memory IAM: policies by ARN with versions, groups; counts and can fail calls. */
class FakeDirectory implements IamDirectory {
  calls: string[] = [];
  failWith: Error | undefined;
  policies = new Map<string, { defaultVersionId: string; versions: Record<string, string> }>();
  groups = new Map<string, { attached: string[]; inline: Record<string, string> }>();

  private record(call: string): void {
    this.calls.push(call);
    if (this.failWith) throw this.failWith;
  }
  async getPolicy(policyArn: string): Promise<ManagedPolicyInfo> {
    this.record(`GetPolicy ${policyArn}`);
    const policy = this.policies.get(policyArn);
    if (!policy) throw new Error('NoSuchEntity on iam:GetPolicy');
    return {
      arn: policyArn,
      name: policyArn.split('/').pop() ?? '',
      defaultVersionId: policy.defaultVersionId,
    };
  }
  async getPolicyVersion(policyArn: string, versionId: string) {
    this.record(`GetPolicyVersion ${policyArn} ${versionId}`);
    const document = this.policies.get(policyArn)?.versions[versionId];
    if (document === undefined) throw new Error('NoSuchEntity on iam:GetPolicyVersion');
    return { versionId, document };
  }
  async listPolicyVersions(policyArn: string): Promise<PolicyVersionInfo[]> {
    this.record(`ListPolicyVersions ${policyArn}`);
    const policy = this.policies.get(policyArn);
    return Object.keys(policy?.versions ?? {}).map((versionId, index) => ({
      versionId,
      isDefaultVersion: versionId === policy?.defaultVersionId,
      createDate: `2024-01-0${index + 1}T00:00:00.000Z`,
    }));
  }
  async listAttachedGroupPolicies(groupName: string) {
    this.record(`ListAttachedGroupPolicies ${groupName}`);
    return (this.groups.get(groupName)?.attached ?? []).map((policyArn) => ({
      policyArn,
      policyName: policyArn.split('/').pop() ?? '',
    }));
  }
  async listGroupPolicies(groupName: string) {
    this.record(`ListGroupPolicies ${groupName}`);
    return Object.keys(this.groups.get(groupName)?.inline ?? {});
  }
  async getGroupPolicy(groupName: string, policyName: string) {
    this.record(`GetGroupPolicy ${groupName} ${policyName}`);
    return this.groups.get(groupName)?.inline[policyName] ?? '';
  }
}

const ACCOUNT = '123456789012';
const event = (
  eventName: string,
  requestParameters: Record<string, unknown>,
  extra: Partial<CloudTrailRecord> = {},
): IamEvent =>
  iamEventOf(
    {
      eventSource: 'iam.amazonaws.com',
      eventName,
      recipientAccountId: ACCOUNT,
      userIdentity: { type: 'IAMUser', accountId: ACCOUNT, userName: 'alice' },
      requestParameters,
      responseElements: null,
      ...extra,
    },
    undefined,
  );
const IAM_STAR = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:*","Resource":"*"}]}';
const ADMIN = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}';
const TRUST_ANYONE =
  '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole"}]}';
const TRUST_GITHUB = JSON.stringify({
  Statement: [
    {
      Effect: 'Allow',
      Principal: { Federated: `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com` },
      Action: 'sts:AssumeRoleWithWebIdentity',
      Condition: { StringEquals: { 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com' } },
    },
  ],
});
const trustFor = (principal: unknown): string =>
  JSON.stringify({ Statement: [{ Effect: 'Allow', Principal: principal, Action: 'sts:AssumeRole' }] });

describe('enrichPolicy: the alerts of the issue read what was granted and why it matters', () => {
  it('AttachUserPolicy with AdministratorAccess (corpus), offline: no IAM call needed', async () => {
    const record = findRecord(
      (r) =>
        r.eventName === 'AttachUserPolicy' &&
        String(r.requestParameters?.policyArn).endsWith('/AdministratorAccess'),
    );
    const enrichment = await enrichPolicy(iamEventOf(record, undefined), undefined);
    expect(enrichment.reasons).toEqual([
      {
        severity: 'high',
        code: 'full-admin',
        text: 'grants every action on every resource (AWS managed policy AdministratorAccess)',
      },
    ]);
    expect(enrichment.policy).toMatchObject({
      source: 'well-known',
      label: 'AWS managed policy AdministratorAccess',
    });
    expect(enrichment.notes).toEqual([]);
  });

  it('PutRolePolicy with iam:* (corpus record, document widened)', async () => {
    const record = findRecord((r) => r.eventName === 'PutRolePolicy');
    record.requestParameters = { ...record.requestParameters, policyDocument: IAM_STAR };
    const enrichment = await enrichPolicy(iamEventOf(record, undefined), undefined);
    expect(enrichment.reasons[0]).toEqual({
      severity: 'high',
      code: 'service-wildcard-iam',
      text: 'grants iam:* (every IAM action) on every resource: enough to make itself or anyone administrator (inline policy inline-policy)',
    });
    expect(enrichment.policy?.label).toBe(
      'inline policy inline-policy on role stratus-red-team-ec2-get-password-data-role',
    );
  });

  it('UpdateAssumeRolePolicy to * (corpus record, document opened)', async () => {
    const record = findRecord((r) => r.eventName === 'UpdateAssumeRolePolicy');
    record.requestParameters = {
      ...record.requestParameters,
      policyDocument:
        '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}]}',
    };
    const enrichment = await enrichPolicy(iamEventOf(record, undefined), undefined);
    expect(enrichment.reasons).toEqual([
      { severity: 'critical', code: 'trust-everyone', text: 'role can now be assumed by anyone (*)' },
    ]);
    expect(enrichment.policy?.trustedPrincipals).toEqual(['anyone (*), no conditions']);
  });

  it('CreatePolicyVersion with a widened document, set as default: diff against the previous version', async () => {
    const arn = `arn:aws:iam::${ACCOUNT}:policy/ci-deploy`;
    const iam = new FakeDirectory();
    iam.policies.set(arn, {
      defaultVersionId: 'v2',
      versions: {
        v1: '{"Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}',
        v2: IAM_STAR,
      },
    });
    const enrichment = await enrichPolicy(
      event(
        'CreatePolicyVersion',
        { policyArn: arn, policyDocument: IAM_STAR, setAsDefault: true },
        {
          responseElements: { policyVersion: { versionId: 'v2', isDefaultVersion: true } },
        },
      ),
      iam,
    );
    expect(enrichment.reasons[0]?.text).toBe(
      'the new default version v2 of ci-deploy now allows iam:* on * that v1 did not: it grants iam:* (every IAM action) on every resource: enough to make itself or anyone administrator',
    );
    expect(enrichment.reasons[0]?.severity).toBe('high');
    expect(enrichment.policy?.diff).toEqual(['now allows iam:* on *']);
    expect(iam.calls).toEqual([`ListPolicyVersions ${arn}`, `GetPolicyVersion ${arn} v1`]);
    expect(enrichment.notes).toEqual([
      'compared with v1, the newest earlier version (IAM does not record which version was default before)',
    ]);
  });

  it('CreatePolicyVersion not set as default caps its reasons at medium', async () => {
    const enrichment = await enrichPolicy(
      event('CreatePolicyVersion', {
        policyArn: `arn:aws:iam::${ACCOUNT}:policy/p`,
        policyDocument: IAM_STAR,
        setAsDefault: false,
      }),
      new FakeDirectory(),
    );
    expect(enrichment.reasons.map((reason) => reason.severity)).toEqual(['medium', 'medium']);
    expect(enrichment.notes[0]).toContain('grants nothing until someone makes it the default version');
  });

  it('CreatePolicyVersion not set as default says what it would grant if made the default', async () => {
    const enrichment = await enrichPolicy(
      event(
        'CreatePolicyVersion',
        { policyArn: `arn:aws:iam::${ACCOUNT}:policy/ci-deploy`, policyDocument: ADMIN, setAsDefault: false },
        { responseElements: { policyVersion: { versionId: 'v3', isDefaultVersion: false } } },
      ),
      undefined,
    );
    expect(enrichment.reasons).toEqual([
      {
        severity: 'medium',
        code: 'full-admin',
        text: 'would grant every action on every resource if made the default (version v3 of ci-deploy)',
      },
    ]);
    expect(enrichment.headline).toBeUndefined();
  });
});

describe('enrichPolicy: managed policies and groups', () => {
  it('fetches a customer managed policy through IAM: GetPolicy then GetPolicyVersion', async () => {
    const arn = `arn:aws:iam::${ACCOUNT}:policy/pass`;
    const iam = new FakeDirectory();
    iam.policies.set(arn, {
      defaultVersionId: 'v3',
      versions: {
        v3: '{"Statement":{"Effect":"Allow","Action":["iam:PassRole","ec2:RunInstances"],"Resource":"*"}}',
      },
    });
    const enrichment = await enrichPolicy(event('AttachRolePolicy', { roleName: 'r', policyArn: arn }), iam);
    expect(enrichment.reasons.map((reason) => reason.text)).toEqual([
      'grants iam:PassRole on every role (managed policy pass)',
      'can start EC2 instances with any role and take its credentials (iam:PassRole + ec2:RunInstances) (managed policy pass)',
    ]);
    expect(iam.calls).toEqual([`GetPolicy ${arn}`, `GetPolicyVersion ${arn} v3`]);
  });

  it('notes the offline gap for a customer managed policy', async () => {
    const enrichment = await enrichPolicy(
      event('AttachUserPolicy', { userName: 'u', policyArn: `arn:aws:iam::${ACCOUNT}:policy/x` }),
      undefined,
    );
    expect(enrichment.notes).toEqual([
      `managed policy document not fetched: offline (arn:aws:iam::${ACCOUNT}:policy/x)`,
    ]);
    expect(enrichment.reasons).toEqual([]);
  });

  it('turns an IAM failure into a note', async () => {
    const iam = new FakeDirectory();
    iam.failWith = new Error("AccessDenied on iam:GetPolicy: the notifier's role is not allowed to read it");
    const enrichment = await enrichPolicy(
      event('AttachUserPolicy', { userName: 'u', policyArn: `arn:aws:iam::${ACCOUNT}:policy/x` }),
      iam,
    );
    expect(enrichment.notes).toEqual([
      "policy details unavailable: AccessDenied on iam:GetPolicy: the notifier's role is not allowed to read it",
    ]);
  });

  it('AddUserToGroup (corpus) says the group is an admin group, within the call budget', async () => {
    const record = findRecord((r) => r.eventName === 'AddUserToGroup');
    const iam = new FakeDirectory();
    iam.groups.set('admin', {
      attached: ['arn:aws:iam::aws:policy/AdministratorAccess'],
      inline: { a: IAM_STAR, b: IAM_STAR, c: IAM_STAR },
    });
    const enrichment = await enrichPolicy(iamEventOf(record, undefined), iam, { maxGroupPolicies: 2 });
    expect(enrichment.reasons[0]).toEqual({
      severity: 'high',
      code: 'added-to-admin-group',
      text: 'user Bob joined group admin, which grants administrator-level access',
    });
    expect(enrichment.notes).toContain('group has 4 policies: only the first 2 analysed');
    expect(iam.calls).toEqual([
      'ListAttachedGroupPolicies admin',
      'ListGroupPolicies admin',
      'GetGroupPolicy admin a',
    ]);
  });

  it('stops at the call budget and says so', async () => {
    const iam = new FakeDirectory();
    iam.groups.set('g', { attached: ['arn:aws:iam::1:policy/a', 'arn:aws:iam::1:policy/b'], inline: {} });
    const enrichment = await enrichPolicy(event('AddUserToGroup', { userName: 'u', groupName: 'g' }), iam, {
      maxApiCalls: 3,
    });
    expect(iam.calls).toHaveLength(3);
    expect(
      enrichment.notes.some((note) => note.includes('call budget of 3 IAM calls per event reached')),
    ).toBe(true);
  });

  it('makes no call for a failed call and words it as an attempt', async () => {
    const iam = new FakeDirectory();
    const enrichment = await enrichPolicy(
      event(
        'AttachUserPolicy',
        { userName: 'u', policyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' },
        { errorCode: 'AccessDenied' },
      ),
      iam,
    );
    expect(iam.calls).toEqual([]);
    expect(enrichment.reasons).toEqual([
      {
        severity: 'low',
        code: 'attempted-full-admin',
        text: 'tried to grant every action on every resource (AWS managed policy AdministratorAccess); the call failed',
      },
    ]);
    expect(enrichment.policy?.findings[0]).toEqual({
      severity: 'high',
      code: 'full-admin',
      text: 'tried to grant every action on every resource; the call failed',
    });
    expect(enrichment.notes).toEqual([
      'the call failed (AccessDenied): nothing was granted; the findings describe what was attempted',
    ]);
  });

  it('PowerUserAccess: high, said plainly', async () => {
    const enrichment = await enrichPolicy(
      event('AttachUserPolicy', { userName: 'bob', policyArn: 'arn:aws:iam::aws:policy/PowerUserAccess' }),
      undefined,
    );
    expect(enrichment.reasons).toEqual([
      {
        severity: 'high',
        code: 'allow-not-action',
        text: 'grants every action except IAM, Organizations and account management on every resource (AWS managed policy PowerUserAccess)',
      },
    ]);
    // Its name says what it is: the classifier's "PowerUserAccess attached to IAM user bob" stays.
    expect(enrichment.headline).toBeUndefined();
  });

  it('recognises the quarantine policy AWS attaches to leaked keys', async () => {
    const enrichment = await enrichPolicy(
      event('AttachUserPolicy', {
        userName: 'u',
        policyArn: 'arn:aws:iam::aws:policy/AWSCompromisedKeyQuarantineV3',
      }),
      undefined,
    );
    expect(enrichment.reasons[0]?.code).toBe('quarantine-policy');
  });
});

describe('analyzeEventPolicies', () => {
  it('reads the trust policy of the AWS documentation CreateRole example (no recipientAccountId)', () => {
    const record = findRecord(
      (r) => r.eventName === 'CreateRole' && r.requestParameters?.roleName === 'TestRole',
    );
    const enrichment = analyzeEventPolicies(iamEventOf(record, undefined));
    expect(enrichment.policy?.trustedPrincipals).toEqual([
      'arn:aws:iam::210987654321:root (another account, no conditions)',
    ]);
    expect(enrichment.reasons[0]?.severity).toBe('high');
  });

  it('analyses a new managed policy but caps it: it grants nothing until attached', () => {
    const enrichment = analyzeEventPolicies(
      event('CreatePolicy', {
        policyName: 'p',
        policyDocument: '{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}',
      }),
    );
    expect(enrichment.reasons).toEqual([
      {
        severity: 'medium',
        code: 'full-admin',
        text: 'would grant every action on every resource once attached (new policy p)',
      },
    ]);
  });

  it('falls back to the URL-encoded response when the request document is unreadable', () => {
    const record = findRecord(
      (r) =>
        r.eventName === 'CreateRole' &&
        r.requestParameters?.roleName === 'stratus-red-team-malicious-iam-role',
    );
    record.requestParameters = {
      ...record.requestParameters,
      assumeRolePolicyDocument: '{"Version": "2012-10-17", "Statement": [',
    };
    const enrichment = analyzeEventPolicies(iamEventOf(record, undefined));
    expect(enrichment.policy?.source).toBe('response');
    expect(enrichment.reasons[0]?.code).toBe('trust-other-account');
    expect(enrichment.notes).toContain('permissions boundary: AWSDenyAll (denies everything)');
  });

  it('notes a malformed inline document instead of throwing', () => {
    const enrichment = analyzeEventPolicies(
      event('PutUserPolicy', { userName: 'u', policyName: 'p', policyDocument: '{"Statement": [}' }),
    );
    expect(enrichment.reasons).toEqual([]);
    expect(enrichment.notes[0]).toMatch(
      /^policy document not analysed: the document is incomplete|^policy document not analysed: the document is not valid JSON/,
    );
  });

  it('ignores events of other services', () => {
    expect(analyzeEventPolicies(event('PutBucketPolicy', {}, { eventSource: 's3.amazonaws.com' }))).toEqual({
      reasons: [],
      notes: [],
    });
  });
});

/** What a failed call's enrichment must never do: claim a grant, raise above low, or headline it. */
const expectAttemptOnly = (enrichment: PolicyEnrichment): void => {
  expect(enrichment.headline).toBeUndefined();
  expect(enrichment.policy?.trustedPrincipals).toBeUndefined();
  for (const reason of enrichment.reasons) {
    expect(reason.severity).toBe('low');
    expect(reason.text).toMatch(/^tried to .*; the call failed$/);
  }
  for (const finding of enrichment.policy?.findings ?? []) {
    if (finding.code === 'more-findings') continue;
    expect(finding.text).toMatch(/the call failed/);
    expect(finding.text).not.toMatch(/^(grants|can |role can now|the new trust policy)/);
  }
  expect(enrichment.notes).toContain(
    'the call failed (AccessDenied): nothing was granted; the findings describe what was attempted',
  );
};

describe('enrichPolicy: a failed call changed nothing, on every path', () => {
  const denied = { errorCode: 'AccessDenied' };

  it("UpdateAssumeRolePolicy to * (the reviewer's trust-star-denied)", async () => {
    const enrichment = await enrichPolicy(
      event('UpdateAssumeRolePolicy', { roleName: 'prod-admin', policyDocument: TRUST_ANYONE }, denied),
      new FakeDirectory(),
    );
    expectAttemptOnly(enrichment);
    expect(enrichment.reasons).toEqual([
      {
        severity: 'low',
        code: 'attempted-trust-everyone',
        text: 'tried to let anyone (*) assume the role; the call failed',
      },
    ]);
    expect(enrichment.policy?.findings).toEqual([
      {
        severity: 'critical',
        code: 'trust-everyone',
        text: 'tried to let anyone (*) assume the role; the call failed',
      },
    ]);
  });

  it('CreateRole trusting any GitHub workflow, and another account', async () => {
    const enrichment = await enrichPolicy(
      event('CreateRole', { roleName: 'deploy', assumeRolePolicyDocument: TRUST_GITHUB }, denied),
      undefined,
    );
    expectAttemptOnly(enrichment);
    expect(enrichment.reasons[0]?.text).toBe(
      'tried to let any GitHub Actions workflow, in any repository of anyone, assume the role: the trust policy has no token.actions.githubusercontent.com:sub condition; the call failed',
    );
    const other = await enrichPolicy(
      event(
        'UpdateAssumeRolePolicy',
        { roleName: 'r', policyDocument: trustFor({ AWS: 'arn:aws:iam::999988887777:root' }) },
        denied,
      ),
      undefined,
    );
    expectAttemptOnly(other);
    expect(other.reasons[0]?.text).toBe(
      'tried to let arn:aws:iam::999988887777:root assume the role, with no ExternalId condition; the call failed',
    );
  });

  it('PutRolePolicy granting * on *, through analyzeEventPolicies too', async () => {
    const failed = event('PutRolePolicy', { roleName: 'r', policyName: 'p', policyDocument: ADMIN }, denied);
    const enrichment = await enrichPolicy(failed, undefined);
    expectAttemptOnly(enrichment);
    expect(enrichment.reasons[0]?.text).toBe(
      'tried to grant every action on every resource (inline policy p); the call failed',
    );
    expect(analyzeEventPolicies(failed)).toEqual(enrichment);
  });

  it('PutUserPolicy with NotAction: effective admin and its catalogue, all as attempts', async () => {
    const enrichment = await enrichPolicy(
      event(
        'PutUserPolicy',
        {
          userName: 'u',
          policyName: 'p',
          policyDocument: '{"Statement":[{"Effect":"Allow","NotAction":"s3:GetObject","Resource":"*"}]}',
        },
        denied,
      ),
      undefined,
    );
    expectAttemptOnly(enrichment);
    expect(enrichment.policy?.findings.at(-1)?.code).toBe('more-findings');
  });

  it('CreatePolicyVersion set as default (no version id: the call failed before one existed)', async () => {
    const iam = new FakeDirectory();
    const enrichment = await enrichPolicy(
      event(
        'CreatePolicyVersion',
        { policyArn: `arn:aws:iam::${ACCOUNT}:policy/ci-deploy`, policyDocument: ADMIN, setAsDefault: true },
        denied,
      ),
      iam,
    );
    expectAttemptOnly(enrichment);
    expect(iam.calls).toEqual([]);
    expect(enrichment.policy?.label).toBe('new default version of managed policy ci-deploy');
    expect(enrichment.reasons[0]?.text).toBe(
      'tried to grant every action on every resource (new default version of ci-deploy); the call failed',
    );
  });

  it('CreatePolicy and a permissions boundary', async () => {
    expectAttemptOnly(
      await enrichPolicy(
        event('CreatePolicy', { policyName: 'p', policyDocument: ADMIN }, denied),
        undefined,
      ),
    );
    const boundary = await enrichPolicy(
      event(
        'PutRolePermissionsBoundary',
        { roleName: 'r', permissionsBoundary: 'arn:aws:iam::aws:policy/AdministratorAccess' },
        denied,
      ),
      undefined,
    );
    expectAttemptOnly(boundary);
    expect(boundary.reasons).toEqual([]);
  });

  it('AddUserToGroup into an admin group: no call, no claim', async () => {
    const iam = new FakeDirectory();
    iam.groups.set('admin', { attached: ['arn:aws:iam::aws:policy/AdministratorAccess'], inline: {} });
    const enrichment = await enrichPolicy(
      event('AddUserToGroup', { userName: 'bob', groupName: 'admin' }, denied),
      iam,
    );
    expect(iam.calls).toEqual([]);
    expect(enrichment.reasons).toEqual([]);
    expect(enrichment.headline).toBeUndefined();
  });
});

describe('enrichPolicy: the headline names the key finding', () => {
  it('trust opened to anyone, by UpdateAssumeRolePolicy or CreateRole', async () => {
    for (const [eventName, key] of [
      ['UpdateAssumeRolePolicy', 'policyDocument'],
      ['CreateRole', 'assumeRolePolicyDocument'],
    ] as const) {
      const enrichment = await enrichPolicy(
        event(eventName, { roleName: 'prod-admin', [key]: TRUST_ANYONE }),
        undefined,
      );
      expect(enrichment.headline).toBe('Role prod-admin can now be assumed by anyone');
    }
  });

  it('trust opened to another account', async () => {
    const enrichment = await enrichPolicy(
      event('UpdateAssumeRolePolicy', {
        roleName: 'billing-reader',
        policyDocument: trustFor({ AWS: 'arn:aws:iam::999988887777:root' }),
      }),
      undefined,
    );
    expect(enrichment.headline).toBe('Role billing-reader now trusts account 999988887777');
  });

  it('GitHub OIDC without a sub condition', async () => {
    const enrichment = await enrichPolicy(
      event('UpdateAssumeRolePolicy', { roleName: 'deploy', policyDocument: TRUST_GITHUB }),
      undefined,
    );
    expect(enrichment.headline).toBe('Role deploy can now be assumed by any GitHub Actions workflow');
  });

  it('an inline policy granting * on *', async () => {
    const enrichment = await enrichPolicy(
      event('PutRolePolicy', { roleName: 'r', policyName: 'p', policyDocument: ADMIN }),
      undefined,
    );
    expect(enrichment.headline).toBe('Inline policy p on role r grants full administrator access');
  });

  it('a customer managed policy that grants * on *, but not AdministratorAccess, whose name says it', async () => {
    const arn = `arn:aws:iam::${ACCOUNT}:policy/ci-helper`;
    const iam = new FakeDirectory();
    iam.policies.set(arn, { defaultVersionId: 'v1', versions: { v1: ADMIN } });
    const custom = await enrichPolicy(event('AttachRolePolicy', { roleName: 'ci', policyArn: arn }), iam);
    expect(custom.headline).toBe('Policy ci-helper attached to role ci grants full administrator access');
    const known = await enrichPolicy(
      event('AttachUserPolicy', { userName: 'x', policyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' }),
      undefined,
    );
    expect(known.headline).toBeUndefined();
  });

  it('none for a harmless trust policy', async () => {
    const enrichment = await enrichPolicy(
      event('CreateRole', {
        roleName: 'r',
        assumeRolePolicyDocument: trustFor({ Service: 'lambda.amazonaws.com' }),
      }),
      undefined,
    );
    expect(enrichment.headline).toBeUndefined();
  });
});

describe('enrichPolicy: one document, a few reasons', () => {
  it('collapses an effectively-admin NotAction policy to one reason, the catalogue capped in the findings', async () => {
    const enrichment = await enrichPolicy(
      event('PutRolePolicy', {
        roleName: 'web-role',
        policyName: 'x',
        policyDocument: '{"Statement":[{"Effect":"Allow","NotAction":"s3:GetObject","Resource":"*"}]}',
      }),
      undefined,
    );
    expect(enrichment.reasons).toEqual([
      {
        severity: 'high',
        code: 'allow-not-action-admin',
        text: 'effectively administrator: allows every action except s3:GetObject on every resource (NotAction, IAM included) (inline policy x)',
      },
    ]);
    expect(enrichment.headline).toBe(
      'Inline policy x on role web-role grants effective administrator access',
    );
    const findings = enrichment.policy?.findings ?? [];
    expect(findings).toHaveLength(12);
    expect(findings[0]?.code).toBe('allow-not-action-admin');
    expect(findings[11]).toEqual({ severity: 'info', code: 'more-findings', text: 'and 20 more findings' });
  });

  it('caps the reasons of one document at five, the most severe first', async () => {
    const actions = [
      'iam:CreatePolicyVersion',
      'iam:SetDefaultPolicyVersion',
      'iam:CreateAccessKey',
      'iam:CreateLoginProfile',
      'iam:UpdateLoginProfile',
      'iam:AttachUserPolicy',
      'ssm:SendCommand',
    ];
    const enrichment = await enrichPolicy(
      event('PutUserPolicy', {
        userName: 'u',
        policyName: 'p',
        policyDocument: JSON.stringify({ Statement: [{ Effect: 'Allow', Action: actions, Resource: '*' }] }),
      }),
      undefined,
    );
    expect(enrichment.reasons).toHaveLength(5);
    expect(enrichment.reasons.every((reason) => reason.severity === 'high')).toBe(true);
    expect(enrichment.policy?.findings).toHaveLength(7);
  });

  it('NotResource reads "every resource except", never "every resource"', async () => {
    const enrichment = await enrichPolicy(
      event('PutUserPolicy', {
        userName: 'bob',
        policyName: 'p',
        policyDocument: '{"Statement":[{"Effect":"Allow","Action":"*","NotResource":"arn:aws:s3:::x"}]}',
      }),
      undefined,
    );
    expect(enrichment.reasons.map((reason) => reason.text)).toEqual([
      'grants every action on every resource except arn:aws:s3:::x (NotResource) (inline policy p)',
    ]);
  });

  it('a large document is large, not malformed: the true remainder, and what was analysed', async () => {
    const resources = Array.from({ length: 4000 }, (_, index) => `arn:aws:s3:::bucket-${index}/*`);
    const enrichment = await enrichPolicy(
      event('PutUserPolicy', {
        userName: 'bob',
        policyName: 'big',
        policyDocument: JSON.stringify({
          Statement: [{ Effect: 'Allow', Action: ['s3:GetObject'], Resource: resources }],
        }),
      }),
      undefined,
    );
    expect(enrichment.policy?.findings[0]?.text).toBe(
      'allows s3:GetObject on arn:aws:s3:::bucket-0/*, arn:aws:s3:::bucket-1/* and 3998 more',
    );
    expect(enrichment.notes).toEqual([
      'policy document is large: only the first 2000 of 4000 resources of Statement[0] analysed',
      "the user's other policies were not read (no IAM access offline): a path that opens only together with them is not judged",
    ]);
  });

  it('still says malformed when something is malformed', async () => {
    const enrichment = await enrichPolicy(
      event('PutUserPolicy', {
        userName: 'bob',
        policyName: 'p',
        policyDocument: '{"Statement":[{"Effect":"Allow","Action":["s3:GetObject",7],"Resource":"*"}]}',
      }),
      undefined,
    );
    expect(enrichment.notes).toEqual([
      'policy document partly malformed: Statement[0].Action: ignored a number entry',
      "the user's other policies were not read (no IAM access offline): a path that opens only together with them is not judged",
    ]);
  });
});
