// The identity and egress rules in the compiled template (`serverless package`, real osls CLI), and their
// forwarding from every region: the central rules carry exactly the patterns of shared/domain/patterns.ts, the
// forwarding template puts each rule where AWS records its events, and the egress patterns follow the CIDRs known
// at package time.
// Read-only events on default and custom buses:
// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-service-event-cloudtrail-management.html
// Regions enabled by default: https://docs.aws.amazon.com/accounts/latest/reference/manage-acct-regions.html
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { compileEventPattern } from '../../cli/patterns/event-pattern.js';
import { toEventBridgeEvent } from '../../shared/domain/cloudtrail.js';
import {
  deployedRules,
  type EventPattern,
  IDENTITY_RULES_PATTERN,
  INSTANCE_PUBLIC_ENDPOINT_PATTERN,
  instanceEgressPatterns,
} from '../../shared/domain/patterns.js';
import type { CloudTrailRecord } from '../../shared/domain/types.js';
import { FIXTURES_DIR, loadCorpus } from '../helpers/fixtures.js';
import {
  checkAgainstSpec,
  deployedResources,
  packageService,
  resolve,
  scenario,
  type Template,
  type TemplateResource,
} from '../helpers/template.js';

const require = createRequire(import.meta.url);
const derived = require('../../resources/derived.cjs') as {
  egressFragment: (context: unknown) => Promise<{ Resources: Record<string, TemplateResource> }>;
  memberTemplateBody: (context: unknown) => Promise<string>;
};

let template: Template;
let member: Template;

beforeAll(async () => {
  ({ template } = await packageService());
  member = JSON.parse(properties(template.Resources.MemberStackSet).TemplateBody as string) as Template;
}, 300_000);

const THIS_ACCOUNT = '111122223333';
const MEMBER_ACCOUNT = '444455556666';
const READ_ONLY_TOO = 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS';

/** The commercial regions enabled by default (launched before 20 March 2019; they cannot be disabled). */
const DEFAULT_REGIONS = [
  'us-east-1',
  'us-east-2',
  'us-west-1',
  'us-west-2',
  'ap-south-1',
  'ap-northeast-1',
  'ap-northeast-2',
  'ap-northeast-3',
  'ap-southeast-1',
  'ap-southeast-2',
  'ca-central-1',
  'eu-central-1',
  'eu-west-1',
  'eu-west-2',
  'eu-west-3',
  'eu-north-1',
  'sa-east-1',
];

function properties(resource: TemplateResource | undefined): Record<string, unknown> {
  if (!resource) throw new Error('resource missing');
  return resource.Properties ?? {};
}

const identityRule = () => {
  const rule = deployedRules().find(({ name }) => name === 'identity');
  if (!rule) throw new Error('no identity rule in deployedRules()');
  return rule;
};

const fixture = (file: string): CloudTrailRecord[] =>
  readFileSync(join(FIXTURES_DIR, 'identity', file), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as CloudTrailRecord);

/** The 1-based lines of `identity-rules.jsonl` that a pattern matches. */
const matchedLines = (pattern: unknown): number[] => {
  const matcher = compileEventPattern(pattern as EventPattern);
  return fixture('identity-rules.jsonl').flatMap((record, i) =>
    matcher.matches(toEventBridgeEvent(record)) ? [i + 1] : [],
  );
};

/** A resolver context as osls hands it to derived.cjs: `params:` of serverless.yml and `--param` options. */
const packageContext = (
  param: string[],
  params: Record<string, Record<string, string>> = { default: {} },
) => ({
  options: { param },
  resolveConfigurationProperty: async (path: string[]) => {
    if (path[0] === 'params') return params;
    if (path.join('.') === 'provider.stage') return 'dev';
    return undefined;
  },
});

describe('the central identity rules', () => {
  it('deploy the identity pattern of patterns.ts, with read-only events, on the default and the central bus', () => {
    for (const id of ['ForwardIdentityRule', 'IdentityAlertRule']) {
      const rule = template.Resources[id];
      expect([id, rule?.Condition]).toEqual([id, 'IdentityRulesOn']);
      expect(properties(rule).EventPattern).toEqual(identityRule().pattern);
      expect(properties(rule).EventPattern).toEqual(IDENTITY_RULES_PATTERN);
      // Root reads and denied reads are read-only events: the rule state must admit them.
      expect(identityRule().needsReadOnlyEvents).toBe(true);
      expect(properties(rule).State).toBe(READ_ONLY_TOO);
    }
  });

  it('forward to the central bus with the role and the DLQ, and invoke the notifier with retries and the DLQ', () => {
    expect(properties(template.Resources.ForwardIdentityRule)).toMatchObject({
      EventBusName: 'default',
      Targets: [
        {
          Id: 'central-bus',
          Arn: { 'Fn::GetAtt': ['CentralEventBus', 'Arn'] },
          RoleArn: { 'Fn::GetAtt': ['ForwardToCentralBusRole', 'Arn'] },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': ['RuleDeadLetterQueue', 'Arn'] } },
        },
      ],
    });
    expect(properties(template.Resources.IdentityAlertRule)).toMatchObject({
      EventBusName: { Ref: 'CentralEventBus' },
      Targets: [
        {
          Id: 'notifier',
          Arn: { 'Fn::GetAtt': ['NotifierLambdaFunction', 'Arn'] },
          RetryPolicy: { MaximumEventAgeInSeconds: 86400, MaximumRetryAttempts: 185 },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': ['RuleDeadLetterQueue', 'Arn'] } },
        },
      ],
    });
    expect(properties(template.Resources.IdentityAlertRuleInvokeNotifier)).toMatchObject({
      Principal: 'events.amazonaws.com',
      SourceArn: { 'Fn::GetAtt': ['IdentityAlertRule', 'Arn'] },
    });
  });

  it('are on by default, and IdentityRules=false removes them here, in this account’s regions and in members', () => {
    expect(template.Parameters.IdentityRules).toMatchObject({
      Default: 'true',
      AllowedValues: ['true', 'false'],
    });
    const identityIds = [
      'ForwardIdentityRule',
      'IdentityAlertRule',
      'IdentityAlertRuleInvokeNotifier',
      'RegionalStackSet',
      'RegionalStackSetAdministrationRole',
      'RegionalStackSetExecutionRole',
    ];
    const on = Object.keys(deployedResources(template, scenario(template)));
    const off = Object.keys(deployedResources(template, scenario(template, { IdentityRules: 'false' })));
    expect(on).toEqual(expect.arrayContaining(identityIds));
    for (const id of identityIds) expect(off).not.toContain(id);
    const members = { OrganizationId: 'o-abcdefghij', MemberOrganizationalUnitIds: 'ou-abcd-11111111' };
    const passed = (overrides: Record<string, string>) =>
      resolve(
        properties(template.Resources.MemberStackSet).Parameters,
        template,
        scenario(template, { ...members, ...overrides }),
      );
    expect(passed({})).toContainEqual({ ParameterKey: 'IdentityRules', ParameterValue: 'true' });
    expect(passed({ IdentityRules: 'false' })).toContainEqual({
      ParameterKey: 'IdentityRules',
      ParameterValue: 'false',
    });
  });

  it('match the identity fixtures (SCP-denied instance credentials, root sign-in, root read) and nothing else there', () => {
    const deployed = properties(
      deployedResources(template, scenario(template)).IdentityAlertRule,
    ).EventPattern;
    // identity-rules.jsonl (tests/fixtures/identity/README.md): 1, 2 denied by an SCP; 6 root sign-in; 7 root read.
    // Not 3 (denied by an identity policy), 4 (root call made by Auto Scaling), 5 (AWS's service event about
    // root), 8–10 (successful instance calls), 11 (a call a service made for the instance).
    expect(matchedLines(deployed)).toEqual([1, 2, 6, 7]);
  });

  it('reject ordinary IAM calls of the corpus: successful calls by users and roles', () => {
    const deployed = compileEventPattern(
      properties(deployedResources(template, scenario(template)).IdentityAlertRule)
        .EventPattern as EventPattern,
    );
    const ordinary = loadCorpus().filter(
      ({ record }) =>
        record.eventSource === 'iam.amazonaws.com' &&
        record.errorCode === undefined &&
        (record.userIdentity.type === 'IAMUser' || record.userIdentity.type === 'AssumedRole'),
    );
    expect(ordinary.length).toBeGreaterThanOrEqual(20);
    const routed = ordinary
      .filter(({ record }) => deployed.matches(toEventBridgeEvent(record)))
      .map(({ file, line }) => `${file}:${line}`);
    expect(routed).toEqual([]);
  });
});

describe('every region', () => {
  it('forwards from every region of ForwardingRegions, by default the 17 regions enabled by default', () => {
    const parameter = template.Parameters.ForwardingRegions as {
      Type: string;
      Default: string;
      AllowedPattern: string;
    };
    expect(parameter.Type).toBe('CommaDelimitedList');
    expect(parameter.Default.split(',')).toEqual(DEFAULT_REGIONS);
    // CloudFormation applies AllowedPattern to each item of a CommaDelimitedList.
    const item = new RegExp(parameter.AllowedPattern);
    for (const region of [...DEFAULT_REGIONS, 'af-south-1', 'ap-southeast-5', 'il-central-1'])
      expect([region, item.test(region)]).toEqual([region, true]);
    for (const wrong of ['US-EAST-1', 'us-east-1 ', 'europe', ''])
      expect([wrong, item.test(wrong)]).toEqual([wrong, false]);
  });

  it("rolls the forwarding template out to members' regions and to this account's own regions", () => {
    const at = scenario(template, {
      OrganizationId: 'o-abcdefghij',
      MemberOrganizationalUnitIds: 'ou-abcd-11111111',
      ForwardingRegions: 'us-east-1,eu-west-1,ap-southeast-5',
    });
    const resources = deployedResources(template, at);
    const members = properties(resources.MemberStackSet);
    const regional = properties(resources.RegionalStackSet);
    expect(members).toMatchObject({
      PermissionModel: 'SERVICE_MANAGED',
      StackInstancesGroup: [
        {
          Regions: ['us-east-1', 'eu-west-1', 'ap-southeast-5'],
          DeploymentTargets: { AccountFilterType: 'DIFFERENCE', Accounts: [THIS_ACCOUNT] },
        },
      ],
    });
    // Service-managed StackSets never deploy to the management account: this account's regions are self-managed.
    expect(regional).toMatchObject({
      PermissionModel: 'SELF_MANAGED',
      AdministrationRoleARN: { 'Fn::GetAtt': ['RegionalStackSetAdministrationRole', 'Arn'] },
      ExecutionRoleName: { Ref: 'RegionalStackSetExecutionRole' },
      StackInstancesGroup: [
        {
          Regions: ['us-east-1', 'eu-west-1', 'ap-southeast-5'],
          DeploymentTargets: { Accounts: [THIS_ACCOUNT] },
        },
      ],
    });
    expect(regional.TemplateBody).toBe(members.TemplateBody);
    expect(regional.Parameters).toEqual(members.Parameters);
    expect(regional).not.toHaveProperty('AutoDeployment');
  });

  it("lets the regional StackSet's administration role assume only its execution role, which it trusts alone", () => {
    const resources = deployedResources(template, scenario(template));
    const execution = properties(resources.RegionalStackSetExecutionRole);
    const administration = properties(resources.RegionalStackSetAdministrationRole);
    expect(execution.RoleName).toBe('iam-change-alerts-dev-regions-exec');
    expect(JSON.stringify(administration.Policies)).toContain(
      `"arn:aws:iam::${THIS_ACCOUNT}:role/iam-change-alerts-dev-regions-exec"`,
    );
    expect((execution.AssumeRolePolicyDocument as { Statement: unknown[] }).Statement).toEqual([
      {
        Effect: 'Allow',
        Principal: { AWS: { 'Fn::GetAtt': ['RegionalStackSetAdministrationRole', 'Arn'] } },
        Action: 'sts:AssumeRole',
      },
    ]);
    expect((administration.AssumeRolePolicyDocument as { Statement: unknown[] }).Statement).toEqual([
      {
        Effect: 'Allow',
        Principal: { Service: 'cloudformation.amazonaws.com' },
        Action: 'sts:AssumeRole',
        Condition: { StringEquals: { 'aws:SourceAccount': THIS_ACCOUNT } },
      },
    ]);
  });

  const situations: [string, Record<string, string>, Record<string, string>, string[]][] = [
    [
      'a member account, us-east-1',
      {},
      { 'AWS::AccountId': MEMBER_ACCOUNT },
      ['ForwardIamRule', 'ForwardGuardRailRule', 'ForwardIdentityRule'],
    ],
    [
      'a member account, eu-west-1',
      {},
      { 'AWS::AccountId': MEMBER_ACCOUNT, 'AWS::Region': 'eu-west-1' },
      ['ForwardIdentityRule'],
    ],
    ['this account, eu-west-1', {}, { 'AWS::Region': 'eu-west-1' }, ['ForwardIdentityRule']],
    ['this account, us-east-1 (its own stack forwards)', {}, {}, []],
    ['eu-west-1 without the identity rules', { IdentityRules: 'false' }, { 'AWS::Region': 'eu-west-1' }, []],
    [
      'eu-west-1 with the egress rules',
      { InstanceEgressRules: 'true' },
      { 'AWS::Region': 'eu-west-1' },
      ['ForwardIdentityRule', 'ForwardInstanceEgressRule1'],
    ],
  ];

  it.each(situations)(
    'deploys in %s the rules AWS records there',
    async (_name, overrides, pseudo, expected) => {
      const at = scenario(
        member,
        {
          CentralAccountId: THIS_ACCOUNT,
          CentralEventBusArn: `arn:aws:events:us-east-1:${THIS_ACCOUNT}:event-bus/x`,
          ...overrides,
        },
        pseudo,
      );
      const resources = deployedResources(member, at);
      const rules = Object.entries(resources).filter(([, r]) => r.Type === 'AWS::Events::Rule');
      expect(rules.map(([id]) => id)).toEqual(expected);
      expect(await checkAgainstSpec(resources)).toEqual([]);
      if (expected.length === 0) {
        // A stack must hold a resource: a placeholder, and nothing else.
        expect(Object.values(resources).map((r) => r.Type)).toEqual([
          'AWS::CloudFormation::WaitConditionHandle',
        ]);
        return;
      }
      for (const [id, rule] of rules) {
        expect([id, properties(rule).Targets]).toEqual([
          id,
          [
            {
              Id: 'central-bus',
              Arn: `arn:aws:events:us-east-1:${THIS_ACCOUNT}:event-bus/x`,
              RoleArn: { 'Fn::GetAtt': ['ForwardRole', 'Arn'] },
              DeadLetterConfig: { Arn: { 'Fn::GetAtt': ['ForwardDeadLetterQueue', 'Arn'] } },
            },
          ],
        ]);
      }
      if (resources.ForwardIdentityRule) {
        expect(properties(resources.ForwardIdentityRule).EventPattern).toEqual(IDENTITY_RULES_PATTERN);
        expect(properties(resources.ForwardIdentityRule).State).toBe(READ_ONLY_TOO);
      }
      if (resources.ForwardInstanceEgressRule1) {
        expect(properties(resources.ForwardInstanceEgressRule1).EventPattern).toEqual(
          INSTANCE_PUBLIC_ENDPOINT_PATTERN,
        );
      }
      // The DLQ admits exactly the rules deployed here.
      const policy = properties(resources.ForwardDeadLetterQueuePolicy).PolicyDocument as {
        Statement: { Sid: string; Condition?: { ArnEquals: Record<string, unknown> } }[];
      };
      const allow = policy.Statement.find(({ Sid }) => Sid === 'AllowForwardingRules');
      expect(allow?.Condition?.ArnEquals['aws:SourceArn']).toEqual(
        expected.map((id) => ({ 'Fn::GetAtt': [id, 'Arn'] })),
      );
    },
  );
});

describe('the forwarding template and deployedRules()', () => {
  const logicalId = (name: string): string =>
    ({ preset: 'ForwardIamRule', 'guard-rails': 'ForwardGuardRailRule', identity: 'ForwardIdentityRule' })[
      name
    ] ?? `ForwardInstanceEgressRule${name.replace('instance-egress-', '')}`;

  it.each(['us-east-1', 'eu-west-1', 'ap-southeast-2'])(
    "puts each rule of a member's %s where deployedRules() says its events are recorded, with its state",
    (region) => {
      // deployedRules() with egress CIDRs lists every rule; the packaged template has the coarse egress pattern.
      const rules = deployedRules({ instanceEgressCidrs: ['198.51.100.7/32'] }).filter(
        ({ name }) => !name.startsWith('instance-egress-') || name === 'instance-egress-1',
      );
      const at = scenario(
        member,
        { CentralAccountId: THIS_ACCOUNT, InstanceEgressRules: 'true' },
        {
          'AWS::AccountId': MEMBER_ACCOUNT,
          'AWS::Region': region,
        },
      );
      const resources = deployedResources(member, at);
      const here = rules.filter((rule) => rule.regions === 'all' || rule.regions === region);
      const deployed = Object.keys(resources).filter((id) => resources[id]?.Type === 'AWS::Events::Rule');
      expect(deployed.sort()).toEqual([...new Set(here.map(({ name }) => logicalId(name)))].sort());
      for (const rule of here) {
        const state = properties(resources[logicalId(rule.name)]).State;
        expect([rule.name, state]).toEqual([rule.name, rule.needsReadOnlyEvents ? READ_ONLY_TOO : 'ENABLED']);
      }
    },
  );
});

describe('the egress rules (issue 16, item 5)', () => {
  const cidrs = ['198.51.100.7/32', '203.0.113.0/24'];

  it('exist only when InstanceEgressCidrs is set; without CIDRs at package time, with the coarser pattern', () => {
    const ids = [
      'ForwardInstanceEgressRule1',
      'InstanceEgressAlertRule1',
      'InstanceEgressAlertRule1InvokeNotifier',
    ];
    const off = Object.keys(deployedResources(template, scenario(template)));
    for (const id of ids) expect(off).not.toContain(id);
    const on = deployedResources(template, scenario(template, { InstanceEgressCidrs: cidrs.join(',') }));
    expect(Object.keys(on)).toEqual(expect.arrayContaining([...ids, 'RegionalStackSet']));
    for (const id of ['ForwardInstanceEgressRule1', 'InstanceEgressAlertRule1']) {
      expect(properties(on[id]).EventPattern).toEqual(INSTANCE_PUBLIC_ENDPOINT_PATTERN);
      expect(properties(on[id]).State).toBe(READ_ONLY_TOO);
    }
    expect(properties(on.InstanceEgressAlertRule1).Targets).toEqual([
      {
        Id: 'notifier',
        Arn: { 'Fn::GetAtt': ['NotifierLambdaFunction', 'Arn'] },
        RetryPolicy: { MaximumEventAgeInSeconds: 86400, MaximumRetryAttempts: 185 },
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': ['RuleDeadLetterQueue', 'Arn'] } },
      },
    ]);
    // The egress rules need every region even with the identity rules off.
    const egressOnly = deployedResources(
      template,
      scenario(template, { IdentityRules: 'false', InstanceEgressCidrs: cidrs.join(',') }),
    );
    expect(Object.keys(egressOnly)).toContain('RegionalStackSet');
  });

  it('give the notifier the CIDRs, comma-separated, to filter precisely (empty: none)', () => {
    const env = (overrides: Record<string, string>) =>
      (
        properties(deployedResources(template, scenario(template, overrides)).NotifierLambdaFunction)
          .Environment as {
          Variables: Record<string, unknown>;
        }
      ).Variables.INSTANCE_EGRESS_CIDRS;
    // CloudFormation joins the CommaDelimitedList back: `''` for the empty default, `a,b` for two CIDRs.
    expect(env({})).toEqual({ 'Fn::Join': [',', { Ref: 'InstanceEgressCidrs' }] });
    expect(template.Parameters.InstanceEgressCidrs).toMatchObject({
      Type: 'CommaDelimitedList',
      Default: '',
    });
  });

  it('match public-endpoint calls with instance credentials, and leave the filtering by address to the notifier', () => {
    // identity-rules.jsonl 9: from the NAT address; 10: from an IPv6 address; 11: a call Secrets Manager made for the
    // instance (sourceIPAddress is the service's name), which the notifier leaves alone. Not 8 (own VPC endpoint),
    // 1–3 (denied).
    expect(matchedLines(INSTANCE_PUBLIC_ENDPOINT_PATTERN)).toEqual([9, 10, 11]);
  });

  it('compile the exact patterns when the CIDRs are given at package time (--param or params:)', async () => {
    const given = ['198.51.100.7/32'];
    const expected = instanceEgressPatterns(given);
    expect(expected.length).toBeGreaterThanOrEqual(1);
    for (const context of [
      packageContext([`InstanceEgressCidrs=${given.join(',')}`]),
      packageContext([], {
        default: { InstanceEgressCidrs: '10.0.0.0/8' },
        dev: { InstanceEgressCidrs: given[0] ?? '' },
      }),
    ]) {
      const { Resources } = await derived.egressFragment(context);
      const rules = (prefix: string) =>
        Object.entries(Resources)
          .filter(([id, r]) => id.startsWith(prefix) && r.Type === 'AWS::Events::Rule')
          .map(([, r]) => properties(r).EventPattern);
      expect(rules('ForwardInstanceEgressRule')).toEqual(expected);
      expect(rules('InstanceEgressAlertRule')).toEqual(expected);
      const forwarding = JSON.parse(await derived.memberTemplateBody(context)) as Template;
      expect(
        Object.entries(forwarding.Resources)
          .filter(([id]) => id.startsWith('ForwardInstanceEgressRule'))
          .map(([, r]) => properties(r).EventPattern),
      ).toEqual(expected);
    }
    // The NAT address is inside the list; the IPv6 address is not; a service's name is no address at all.
    const union = (line: number) => expected.some((pattern) => matchedLines(pattern).includes(line));
    expect([union(9), union(10), union(11)]).toEqual([false, true, false]);
  });

  // The package itself fails on a malformed CIDR, once, in stackParameters (tests/infra/parameters.test.ts):
  // the fragments built from the CIDRs leave it to that one report.
  it('leave a malformed CIDR to the one stack-parameter error', async () => {
    expect(await derived.egressFragment(packageContext(['InstanceEgressCidrs=198.51.100.300/32']))).toEqual(
      await derived.egressFragment(packageContext([])),
    );
    expect(await derived.egressFragment(packageContext(['InstanceEgressCidrs=198.51.100.7/32']))).not.toEqual(
      await derived.egressFragment(packageContext([])),
    );
  });
});
