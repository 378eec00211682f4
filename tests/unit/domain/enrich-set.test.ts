// biome-ignore-all lint/suspicious/noTemplateCurlyInString: IAM policy variables are written ${…} inside policy text.
// A policy put on or attached to a user, group or role, judged together with the owner's other policies: an
// escalation path only the combination opens is reported, naming the policies; what could not be read is said.
// IAM evaluation across several identity policies: an Allow in any of them allows, an explicit Deny in any of them
// wins. https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
// The paths: Rhino Security Labs, https://rhinosecuritylabs.com/aws/aws-privilege-escalation-methods-mitigation/
import { describe, expect, it } from '@jest/globals';
import { iamEventOf } from '../../../shared/domain/cloudtrail.js';
import * as enrich from '../../../shared/domain/enrich.js';
import type { IamEvent } from '../../../shared/domain/types.js';
import type { IamDirectory, ManagedPolicyInfo, PolicyOwner } from '../../../shared/ports.js';
import { wordedEnrichment } from '../../helpers/worded.js';

const ACCOUNT = '123456789012';
const doc = (...statements: object[]): string =>
  JSON.stringify({ Version: '2012-10-17', Statement: statements });
const PASS_ROLE = doc({ Effect: 'Allow', Action: 'iam:PassRole', Resource: '*' });
const LAMBDA = doc({
  Effect: 'Allow',
  Action: ['lambda:CreateFunction', 'lambda:InvokeFunction'],
  Resource: '*',
});
const S3_READ = doc({ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::assets/*' });

/** An in-memory IAM of users, groups and roles with inline and attached policies; counts and can fail calls. */
class FakePolicyHolders implements IamDirectory {
  calls: string[] = [];
  failing = new Map<string, string>();
  holders = new Map<string, { attached: string[]; inline: Record<string, string> }>();
  managed = new Map<string, string>();
  forgotten: object[] = [];

  private record(call: string): void {
    this.calls.push(call);
    const failure = this.failing.get(call.split(' ')[0] ?? '');
    if (failure) throw new Error(failure);
  }
  private holder({ kind, name }: PolicyOwner) {
    return this.holders.get(`${kind} ${name}`) ?? { attached: [], inline: {} };
  }
  async getPolicy(policyArn: string): Promise<ManagedPolicyInfo> {
    this.record(`GetPolicy ${policyArn}`);
    if (!this.managed.has(policyArn)) throw new Error('NoSuchEntity on iam:GetPolicy');
    return { arn: policyArn, name: policyArn.split('/').pop() ?? '', defaultVersionId: 'v1' };
  }
  async getPolicyVersion(policyArn: string, versionId: string) {
    this.record(`GetPolicyVersion ${policyArn}`);
    return { versionId, document: this.managed.get(policyArn) ?? '' };
  }
  async listPolicyVersions() {
    return [];
  }
  async listAttachedGroupPolicies(groupName: string) {
    return this.listAttachedPolicies({ kind: 'group', name: groupName });
  }
  async listGroupPolicies(groupName: string) {
    return this.listInlinePolicies({ kind: 'group', name: groupName });
  }
  async getGroupPolicy(groupName: string, policyName: string) {
    return this.getInlinePolicy({ kind: 'group', name: groupName }, policyName);
  }
  async listAttachedPolicies(owner: PolicyOwner) {
    this.record(`ListAttached ${owner.kind} ${owner.name}`);
    return this.holder(owner).attached.map((policyArn) => ({
      policyArn,
      policyName: policyArn.split('/').pop() ?? '',
    }));
  }
  async listInlinePolicies(owner: PolicyOwner) {
    this.record(`ListInline ${owner.kind} ${owner.name}`);
    return Object.keys(this.holder(owner).inline);
  }
  async getInlinePolicy(owner: PolicyOwner, policyName: string) {
    this.record(`GetInline ${owner.kind} ${owner.name} ${policyName}`);
    return this.holder(owner).inline[policyName] ?? '';
  }
  forget(entity: object): void {
    this.forgotten.push(entity);
  }
}

const event = (eventName: string, requestParameters: Record<string, unknown>, errorCode?: string): IamEvent =>
  iamEventOf(
    {
      eventSource: 'iam.amazonaws.com',
      eventName,
      recipientAccountId: ACCOUNT,
      userIdentity: { type: 'IAMUser', accountId: ACCOUNT, userName: 'alice' },
      requestParameters,
      responseElements: null,
      ...(errorCode ? { errorCode, errorMessage: 'denied' } : {}),
    },
    undefined,
  );

const putGroupPolicy = (document: string, policyName = 'lambda-dev') =>
  event('PutGroupPolicy', { groupName: 'devs', policyName, policyDocument: document });

const enrichPolicy = async (...args: Parameters<typeof enrich.enrichPolicy>) =>
  wordedEnrichment(await enrich.enrichPolicy(...args));

const LAMBDA_PATH =
  'run code as any role through Lambda (iam:PassRole + lambda:CreateFunction + lambda:InvokeFunction)';

describe('a policy judged together with the owner’s other policies', () => {
  it('reports PassRole in one group policy plus Lambda in the new one, naming both; neither alone is an escalation', async () => {
    const iam = new FakePolicyHolders();
    // IAM may already list the new policy: it is judged from the event, never twice.
    iam.holders.set('group devs', {
      attached: [],
      inline: { 'pass-roles': PASS_ROLE, 'lambda-dev': LAMBDA },
    });
    const alone = await enrichPolicy(putGroupPolicy(LAMBDA), undefined);
    expect(alone.reasons).toEqual([]);

    const result = await enrichPolicy(putGroupPolicy(LAMBDA), iam);
    expect(result.reasons).toEqual([
      {
        severity: 'high',
        code: 'combined-escalation-passrole-lambda',
        text: `together with the other policies of group devs, its holders can ${LAMBDA_PATH}: lambda:CreateFunction and lambda:InvokeFunction from this policy (inline policy lambda-dev); iam:PassRole from inline policy pass-roles`,
      },
    ]);
    expect(result.policy?.findings[0]?.code).toBe('combined-escalation-passrole-lambda');
    expect(result.notes).toEqual([
      "judged together with the group's other policies: inline policy pass-roles",
    ]);
    expect(iam.calls).toEqual([
      'ListAttached group devs',
      'ListInline group devs',
      'GetInline group devs pass-roles',
    ]);
    // The event changed the group: cached answers about it are dropped before reading.
    expect(iam.forgotten).toContainEqual({ groupName: 'devs' });
  });

  it('sorts the combined findings in with the new policy’s own by severity, and caps the section again', async () => {
    const iam = new FakePolicyHolders();
    iam.holders.set('group devs', { attached: [], inline: { 'pass-roles': PASS_ROLE } });
    // Alone: findings of its own, high (rewriting any managed policy, any trust policy) and medium (whole services);
    // with PassRole from the group: many paths only the pair opens, more than the section shows.
    const wide = doc({
      Effect: 'Allow',
      Action: [
        'iam:CreatePolicyVersion',
        'iam:UpdateAssumeRolePolicy',
        's3:DeleteBucket',
        'ec2:RunInstances',
        'lambda:CreateFunction',
        'lambda:InvokeFunction',
        'lambda:CreateEventSourceMapping',
        'glue:CreateDevEndpoint',
        'cloudformation:CreateStack',
        'datapipeline:CreatePipeline',
        'datapipeline:PutPipelineDefinition',
        'codebuild:CreateProject',
        'codebuild:StartBuild',
        'sagemaker:CreateNotebookInstance',
        'ecs:RegisterTaskDefinition',
        'ecs:RunTask',
        'kms:*',
        's3:*',
        'ssm:*',
        'secretsmanager:*',
        'cloudtrail:*',
        'events:*',
      ],
      Resource: '*',
    });
    const alone = (await enrich.enrichPolicy(putGroupPolicy(wide), undefined)).policy?.findings ?? [];
    const judged = await enrich.enrichPolicy(putGroupPolicy(wide), iam);
    const result = judged.policy?.findings ?? [];
    const combined = judged.reasons.filter((reason) => reason.code.startsWith('combined-')).length;
    expect(combined).toBeGreaterThan(3);
    const rank = ['info', 'low', 'medium', 'high', 'critical'];
    const ranks = result.map((line) => rank.indexOf(line.severity));
    expect(ranks).toEqual([...ranks].sort((a, b) => b - a));
    expect(result.length).toBeLessThanOrEqual(12);
    // The new policy's most severe findings come first, however many combined ones there are.
    expect(result[0]?.severity).toBe(alone[0]?.severity);
    const top = alone.filter((line) => line.severity === alone[0]?.severity).map((line) => line.code);
    expect(result.map((line) => line.code)).toEqual(expect.arrayContaining(top));
    const count = (lines: typeof result) =>
      lines.reduce((n, line) => n + (line.finding.kind === 'more' ? line.finding.count : 1), 0);
    expect(result).toHaveLength(12);
    expect(result[11]?.finding.kind).toBe('more');
    expect(count(result)).toBe(count(alone) + combined);
  });

  // https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreatePolicy.html and
  // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html#reference_iam-quotas-names: IAM names
  // are unique within the account and not distinguished by case, so the event's spelling may differ from IAM's list.
  it('recognises the new policy in IAM’s list whatever the case of its name or ARN: never an “other” policy', async () => {
    const iam = new FakePolicyHolders();
    iam.holders.set('group devs', {
      attached: [],
      inline: { 'pass-roles': PASS_ROLE, 'Lambda-Dev': LAMBDA },
    });
    const inline = await enrichPolicy(putGroupPolicy(LAMBDA, 'lambda-dev'), iam);
    expect(inline.reasons.map((reason) => reason.code)).toEqual(['combined-escalation-passrole-lambda']);
    expect(iam.calls).not.toContain('GetInline group devs Lambda-Dev');

    const passArn = `arn:aws:iam::${ACCOUNT}:policy/pass-any`;
    const listed = `arn:aws:iam::${ACCOUNT}:policy/team/Lambda-Dev`;
    const typed = `arn:aws:iam::${ACCOUNT}:policy/team/lambda-dev`;
    iam.managed.set(passArn, PASS_ROLE);
    iam.managed.set(listed, LAMBDA);
    iam.managed.set(typed, LAMBDA);
    iam.holders.set('role builder', { attached: [passArn, listed], inline: {} });
    const managed = await enrichPolicy(
      event('AttachRolePolicy', { roleName: 'builder', policyArn: typed }),
      iam,
    );
    expect(managed.reasons.map((reason) => reason.code)).toEqual(['combined-escalation-passrole-lambda']);
    expect(iam.calls).not.toContain(`GetPolicy ${listed}`);
  });

  it('reads an attached managed policy of a role, and a user’s inline policies, through the same port', async () => {
    const iam = new FakePolicyHolders();
    const passArn = `arn:aws:iam::${ACCOUNT}:policy/pass-any`;
    const lambdaArn = `arn:aws:iam::${ACCOUNT}:policy/lambda-dev`;
    iam.managed.set(passArn, PASS_ROLE);
    iam.managed.set(lambdaArn, LAMBDA);
    iam.holders.set('role builder', { attached: [passArn], inline: {} });
    const role = await enrichPolicy(
      event('AttachRolePolicy', { roleName: 'builder', policyArn: lambdaArn }),
      iam,
    );
    expect(role.reasons[0]?.text).toBe(
      `together with the other policies of role builder, its holders can ${LAMBDA_PATH}: lambda:CreateFunction and lambda:InvokeFunction from this policy (managed policy lambda-dev); iam:PassRole from managed policy pass-any`,
    );

    iam.holders.set('user bob', { attached: [], inline: { lambda: LAMBDA } });
    const user = await enrichPolicy(
      event('PutUserPolicy', { userName: 'bob', policyName: 'pass', policyDocument: PASS_ROLE }),
      iam,
    );
    expect(user.reasons.map((reason) => reason.code)).toContain('combined-escalation-passrole-lambda');
  });

  it('reports nothing new when the other policies already open the path on their own', async () => {
    const iam = new FakePolicyHolders();
    iam.holders.set('group devs', {
      attached: [],
      inline: { both: doc(...JSON.parse(PASS_ROLE).Statement, ...JSON.parse(LAMBDA).Statement) },
    });
    const result = await enrichPolicy(putGroupPolicy(S3_READ, 'read-assets'), iam);
    expect(result.reasons).toEqual([]);
  });

  it('never lowers for a Deny that holds only under a condition: the path stays high', async () => {
    const iam = new FakePolicyHolders();
    // Deny PassRole without MFA: a condition on who, which alone would lower a grant one step.
    const guarded = doc(
      { Effect: 'Allow', Action: 'iam:PassRole', Resource: '*' },
      {
        Effect: 'Deny',
        Action: 'iam:PassRole',
        Resource: '*',
        Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'false' } },
      },
    );
    iam.holders.set('group devs', { attached: [], inline: { 'pass-roles': guarded } });
    const result = await enrichPolicy(putGroupPolicy(LAMBDA), iam);
    expect(result.reasons[0]).toMatchObject({
      severity: 'high',
      code: 'combined-escalation-passrole-lambda',
    });
  });

  it('leaves a path out only when another policy’s Deny closes it for every request, and says so', async () => {
    const iam = new FakePolicyHolders();
    iam.holders.set('group devs', {
      attached: [],
      inline: {
        'pass-roles': PASS_ROLE,
        'no-pass': doc({ Effect: 'Deny', Action: 'iam:PassRole', Resource: '*' }),
      },
    });
    const result = await enrichPolicy(putGroupPolicy(LAMBDA), iam);
    expect(result.reasons).toEqual([]);
    expect(result.notes).toContain(
      `the Deny statements of inline policy no-pass close what this policy and the other policies of group devs would open together: ${LAMBDA_PATH}`,
    );
  });

  it('never lowers the new policy’s own verdict for another policy’s Deny', async () => {
    const iam = new FakePolicyHolders();
    iam.holders.set('group devs', {
      attached: [],
      inline: { 'no-iam': doc({ Effect: 'Deny', Action: 'iam:*', Resource: '*' }) },
    });
    const IAM_STAR = doc({ Effect: 'Allow', Action: 'iam:*', Resource: '*' });
    const offline = await enrichPolicy(putGroupPolicy(IAM_STAR, 'iam-all'), undefined);
    const live = await enrichPolicy(putGroupPolicy(IAM_STAR, 'iam-all'), iam);
    expect(live.reasons).toEqual(offline.reasons);
    expect(live.reasons[0]).toMatchObject({ severity: 'high', code: 'service-wildcard-iam' });
  });

  // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_version.html: without
  // Version 2012-10-17, ${…} is literal text; such a document cannot be merged with a current one.
  it('merges a document of the older policy language when it writes no ${…}, and says so when it does', async () => {
    const iam = new FakePolicyHolders();
    const oldPass = JSON.stringify({
      Statement: [{ Effect: 'Allow', Action: 'iam:PassRole', Resource: '*' }],
    });
    const oldLiteral = JSON.stringify({
      Version: '2008-10-17',
      Statement: [
        { Effect: 'Allow', Action: 'iam:PassRole', Resource: 'arn:aws:iam::*:role/${aws:username}' },
      ],
    });
    iam.holders.set('group devs', { attached: [], inline: { 'old-pass': oldPass, literal: oldLiteral } });
    const result = await enrichPolicy(putGroupPolicy(LAMBDA), iam);
    expect(result.reasons[0]?.text).toContain('iam:PassRole from inline policy old-pass');
    expect(result.reasons[0]?.text).not.toContain('inline policy literal');
    expect(result.notes).toContain(
      'not judged together with inline policy literal: written in an older policy language version, where ${…} is literal text',
    );
  });

  describe('within a time budget (budgetMs)', () => {
    const passArn = `arn:aws:iam::${ACCOUNT}:policy/pass-any`;
    const lambdaArn = `arn:aws:iam::${ACCOUNT}:policy/lambda-dev`;
    const attach = () => event('AttachRolePolicy', { roleName: 'builder', policyArn: lambdaArn });
    const slowIam = (delayMs: (method: string) => number | 'never') => {
      const iam = new FakePolicyHolders();
      iam.managed.set(passArn, PASS_ROLE);
      iam.managed.set(lambdaArn, LAMBDA);
      iam.holders.set('role builder', { attached: [passArn], inline: { extra: S3_READ } });
      const slow = new Proxy(iam, {
        get(target, property, receiver) {
          const value = Reflect.get(target, property, receiver);
          if (typeof value !== 'function' || property === 'forget') return value;
          return async (...args: unknown[]) => {
            const delay = delayMs(String(property));
            if (delay === 'never') return new Promise(() => {});
            await new Promise((resolve) => setTimeout(resolve, delay));
            return Reflect.apply(value, target, args);
          };
        },
      });
      return { iam, slow };
    };
    const cutShort = (notes: string[]) =>
      notes.filter((note) => note.startsWith('policy analysis cut short'));

    it('stops gathering when the budget runs out, says so, and returns in time', async () => {
      const { iam, slow } = slowIam(() => 40);
      const started = Date.now();
      const result = await enrich.enrichPolicy(attach(), slow, { budgetMs: 100 });
      expect(Date.now() - started).toBeLessThan(400);
      // GetPolicy and GetPolicyVersion of the attached policy fit; the other policies do not.
      expect(iam.calls.slice(0, 2)).toEqual([`GetPolicy ${lambdaArn}`, `GetPolicyVersion ${lambdaArn}`]);
      expect(cutShort(result.notes).length).toBeGreaterThan(0);
      expect(result.notes[0]).toBe(
        'policy analysis cut short: IAM calls stopped after the 100 ms budget so that the alert goes out in time; what they would have read is not judged',
      );
    });

    it('gives up a call that never answers when the budget runs out', async () => {
      const { slow } = slowIam((method) => (method === 'listAttachedPolicies' ? 'never' : 0));
      const result = await enrich.enrichPolicy(attach(), slow, { budgetMs: 60 });
      expect(result.policy?.label).toContain('lambda-dev');
      expect(cutShort(result.notes).length).toBeGreaterThan(0);
    });

    it('makes no IAM call with no budget left, and still analyses what the event carries', async () => {
      const { iam, slow } = slowIam(() => 0);
      const result = await enrich.enrichPolicy(putGroupPolicy(LAMBDA), slow, { budgetMs: 0 });
      expect(iam.calls).toEqual([]);
      expect(result.policy).toBeDefined();
      expect(cutShort(result.notes)).toEqual([
        'policy analysis cut short: IAM calls stopped after the 0 ms budget so that the alert goes out in time; what they would have read is not judged',
      ]);
      expect(result.notes).toContain(
        "could not read the group's other policies: policy analysis cut short: no time left to read them",
      );
    });

    it('changes nothing when the calls fit the budget', async () => {
      const { slow } = slowIam(() => 0);
      const timed = await enrich.enrichPolicy(attach(), slow, { budgetMs: 5_000 });
      const untimed = await enrich.enrichPolicy(attach(), slowIam(() => 0).slow);
      expect(timed).toEqual(untimed);
    });
  });

  it('offline (replay, render) says the set was not read', async () => {
    const result = await enrichPolicy(putGroupPolicy(LAMBDA), undefined);
    expect(result.notes).toEqual([
      "the group's other policies were not read (no IAM access offline): a path that opens only together with them is not judged",
    ]);
  });

  it('a failed or throttled read never stops the alert and is stated: "could not read the group’s other policies"', async () => {
    const iam = new FakePolicyHolders();
    iam.failing.set(
      'ListAttached',
      'Throttling on iam:ListAttachedGroupPolicies: IAM throttled the notifier',
    );
    iam.failing.set('ListInline', 'AccessDenied on iam:ListGroupPolicies: not allowed');
    const result = await enrichPolicy(putGroupPolicy(LAMBDA), iam);
    expect(result.notes).toEqual([
      "could not read the group's other policies: Throttling on iam:ListAttachedGroupPolicies: IAM throttled the notifier; AccessDenied on iam:ListGroupPolicies: not allowed",
    ]);

    const partly = new FakePolicyHolders();
    partly.holders.set('group devs', { attached: [], inline: { 'pass-roles': PASS_ROLE, lambda: LAMBDA } });
    partly.failing.set('GetInline', 'Throttling on iam:GetGroupPolicy: IAM throttled the notifier');
    const some = await enrichPolicy(putGroupPolicy(S3_READ, 'read-assets'), partly);
    expect(some.notes).toEqual([
      "could not read the group's other policies: inline policy pass-roles: Throttling on iam:GetGroupPolicy: IAM throttled the notifier",
      "could not read the group's other policies: inline policy lambda: Throttling on iam:GetGroupPolicy: IAM throttled the notifier",
    ]);
  });

  it('a directory that cannot list an owner’s policies is stated, not ignored', async () => {
    const iam = new FakePolicyHolders();
    const limited: IamDirectory = {
      getPolicy: (arn) => iam.getPolicy(arn),
      getPolicyVersion: (arn, version) => iam.getPolicyVersion(arn, version),
      listPolicyVersions: () => iam.listPolicyVersions(),
      listAttachedGroupPolicies: (name) => iam.listAttachedGroupPolicies(name),
      listGroupPolicies: (name) => iam.listGroupPolicies(name),
      getGroupPolicy: (name, policy) => iam.getGroupPolicy(name, policy),
    };
    const result = await enrichPolicy(putGroupPolicy(LAMBDA), limited);
    expect(result.notes).toEqual([
      "could not read the group's other policies: this IAM directory cannot list them",
    ]);
  });

  it('stays within its call budget, and says how many policies were left out', async () => {
    const iam = new FakePolicyHolders();
    const inline = Object.fromEntries(Array.from({ length: 20 }, (_, index) => [`p${index}`, S3_READ]));
    iam.holders.set('group devs', { attached: [], inline });
    const result = await enrichPolicy(putGroupPolicy(LAMBDA), iam, { maxOtherPolicies: 6, maxSetCalls: 14 });
    expect(iam.calls.length).toBeLessThanOrEqual(14);
    expect(iam.calls.filter((call) => call.startsWith('GetInline'))).toHaveLength(6);
    expect(result.notes).toContain(
      "the group's other policies number 20: only the first 6 were judged together with the new one",
    );
  });

  it('makes no call for a failed Put (nothing was granted), nor for a policy that alone grants everything', async () => {
    const iam = new FakePolicyHolders();
    iam.holders.set('group devs', { attached: [], inline: { 'pass-roles': PASS_ROLE } });
    const failed = await enrichPolicy(
      event('PutGroupPolicy', { groupName: 'devs', policyName: 'x', policyDocument: LAMBDA }, 'AccessDenied'),
      iam,
    );
    expect(failed.notes.join(' ')).not.toContain('other policies');
    const admin = await enrichPolicy(
      putGroupPolicy(doc({ Effect: 'Allow', Action: '*', Resource: '*' }), 'admin'),
      iam,
    );
    expect(admin.notes.join(' ')).not.toContain('other policies');
    expect(iam.calls).toEqual([]);
  });
});
