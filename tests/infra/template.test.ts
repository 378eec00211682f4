// The compiled template (`serverless package`, real osls CLI): sound against the CloudFormation spec,
// deploying exactly the patterns of shared/domain/patterns.ts, with the optional parts behind conditions.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compileEventPattern, matchesEventPattern } from '../../cli/patterns/event-pattern.js';
import { readNotifierConfig } from '../../functions/notifier/config.js';
import { classifyEvent } from '../../shared/domain/classify/index.js';
import { parseIamEvent, toEventBridgeEvent } from '../../shared/domain/cloudtrail.js';
import {
  GUARD_RAIL_PATTERN,
  keyGuardRailPattern,
  PRESET_NAMES,
  PRESETS,
  type PresetName,
  SERVICE_NAME,
} from '../../shared/domain/patterns.js';
import { describePrincipal } from '../../shared/domain/principal.js';
import type { CloudTrailRecord } from '../../shared/domain/types.js';
import { FIXTURES_DIR } from '../helpers/fixtures.js';
import {
  checkAgainstSpec,
  deployedResources,
  listZip,
  type PackagedService,
  packageService,
  resolve,
  scenario,
  type Template,
  type TemplateResource,
} from '../helpers/template.js';

let packaged: PackagedService;
let template: Template;

beforeAll(async () => {
  packaged = await packageService();
  template = packaged.template;
}, 300_000);

/** The commercial regions enabled by default (launched before 20 March 2019), as the ForwardingRegions default.
 * @see https://docs.aws.amazon.com/accounts/latest/reference/manage-acct-regions.html */
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

const EVERYTHING_ON = {
  ExistingTrailArn: '',
  OrganizationTrail: 'true',
  OrganizationId: 'o-abcdefghij',
  MemberOrganizationalUnitIds: 'ou-abcd-11111111,ou-abcd-22222222',
  InManagementAccount: 'true',
  ScpTargetIds: 'r-abcd',
  ScpTagExemption: 'true',
  ScpExemptIam: 'true',
  AlertEmail: 'security@example.com',
  SlackWebhookUrlParameter: '/iam-alerts/slack-webhook-url',
  JiraApiTokenParameter: '/iam-alerts/jira-api-token',
  JiraBaseUrl: 'https://example.atlassian.net',
};

const properties = (resource: TemplateResource | undefined): Record<string, unknown> => {
  if (!resource) throw new Error('resource missing');
  return resource.Properties ?? {};
};

describe('serverless package', () => {
  it('names the functions notifier, forwarder and digest, on nodejs24.x (the newest LTS) with their handlers', () => {
    const functions = Object.values(template.Resources).filter((r) => r.Type === 'AWS::Lambda::Function');
    expect(functions.map((f) => properties(f).FunctionName).sort()).toEqual([
      `${SERVICE_NAME}-dev-digest`,
      `${SERVICE_NAME}-dev-forwarder`,
      `${SERVICE_NAME}-dev-notifier`,
    ]);
    for (const fn of functions) expect(properties(fn).Runtime).toBe('nodejs24.x');
    expect(properties(template.Resources.NotifierLambdaFunction).Handler).toBe(
      'functions/notifier/handler.handler',
    );
    expect(properties(template.Resources.ForwarderLambdaFunction).Handler).toBe(
      'functions/forwarder/handler.handler',
    );
    expect(properties(template.Resources.DigestLambdaFunction).Handler).toBe(
      'functions/digest/handler.handler',
    );
  });

  it('bundles each handler as an ES module in its own zip, with no node_modules', async () => {
    for (const name of ['notifier', 'forwarder']) {
      const files = await listZip(join(packaged.artifactDir, `${name}.zip`));
      expect(files).toContain(`functions/${name}/handler.mjs`);
      expect(files.filter((file) => file.startsWith('node_modules/'))).toEqual([]);
    }
  });

  it('sets the environment contracts of both functions', () => {
    const notifierEnv = (
      properties(template.Resources.NotifierLambdaFunction).Environment as { Variables: object }
    ).Variables;
    expect(notifierEnv).toMatchObject({
      ALERT_TOPIC_ARN: { Ref: 'AlertTopic' },
      IAM_ENRICHMENT: 'on',
      IAM_TIMEOUT_MS: '1500',
      ENRICHMENT_CACHE_TTL_SECONDS: '300',
      // One publish per eventID, on the shared table (its role is limited to the notifier's key prefix).
      IDEMPOTENCY_TABLE: { Ref: 'IdempotencyTable' },
      SNS_TIMEOUT_MS: '3000',
      POWERTOOLS_SERVICE_NAME: 'notifier',
    });
    const forwarderEnv = (
      properties(template.Resources.ForwarderLambdaFunction).Environment as { Variables: object }
    ).Variables;
    expect(Object.keys(forwarderEnv)).toEqual(
      expect.arrayContaining([
        'SLACK_WEBHOOK_URL_PARAMETER',
        'JIRA_BASE_URL',
        'JIRA_EMAIL',
        'JIRA_API_TOKEN_PARAMETER',
        'JIRA_PROJECT_KEY',
        'JIRA_ISSUE_TYPE',
        'JIRA_PRIORITY_MAP',
        'IDEMPOTENCY_TABLE',
      ]),
    );
    expect(forwarderEnv).toMatchObject({
      IDEMPOTENCY_TABLE: { Ref: 'IdempotencyTable' },
      // The Slack spacing per container is multiplied by the cap that CloudFormation sets on the function.
      FORWARDER_CONCURRENCY: { Ref: 'ForwarderReservedConcurrency' },
    });
    expect(properties(template.Resources.ForwarderLambdaFunction).ReservedConcurrentExecutions).toEqual({
      'Fn::If': ['CapForwarderConcurrency', { Ref: 'ForwarderReservedConcurrency' }, { Ref: 'AWS::NoValue' }],
    });
  });

  it('uses only resource types and property names that CloudFormation knows, with every required property', async () => {
    for (const overrides of [{}, EVERYTHING_ON]) {
      expect(await checkAgainstSpec(template.Resources)).toEqual([]);
      expect(await checkAgainstSpec(deployedResources(template, scenario(template, overrides)))).toEqual([]);
    }
  });

  it('gives the member StackSet a sound template of its own', async () => {
    const body = JSON.parse(properties(template.Resources.MemberStackSet).TemplateBody as string) as Template;
    expect(await checkAgainstSpec(body.Resources)).toEqual([]);
    for (const preset of PRESET_NAMES) {
      const member = deployedResources(
        body,
        scenario(body, { Preset: preset, CentralAccountId: '999988887777' }),
      );
      expect(properties(member.ForwardIamRule).EventPattern).toEqual(PRESETS[preset]);
      expect(properties(member.ForwardGuardRailRule).EventPattern).toEqual(GUARD_RAIL_PATTERN);
    }
    expect(properties(template.Resources.MemberStackSet).Parameters).toEqual([
      { ParameterKey: 'CentralEventBusArn', ParameterValue: { 'Fn::GetAtt': ['CentralEventBus', 'Arn'] } },
      { ParameterKey: 'CentralAccountId', ParameterValue: { Ref: 'AWS::AccountId' } },
      { ParameterKey: 'Preset', ParameterValue: { Ref: 'Preset' } },
      { ParameterKey: 'IdentityRules', ParameterValue: { Ref: 'IdentityRules' } },
      {
        ParameterKey: 'InstanceEgressRules',
        ParameterValue: { 'Fn::If': ['HasInstanceEgressCidrs', 'true', 'false'] },
      },
    ]);
  });
});

describe('rules', () => {
  const rulesAt = (preset: PresetName) => deployedResources(template, scenario(template, { Preset: preset }));

  it.each(PRESET_NAMES)('deploy exactly the %s preset of shared/domain/patterns.ts', (preset) => {
    const resources = rulesAt(preset);
    for (const id of ['ForwardIamRule', 'IamAlertRule']) {
      expect(properties(resources[id]).EventPattern).toEqual(PRESETS[preset]);
      expect(properties(resources[id]).State).toBe(
        preset === 'all' ? 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS' : 'ENABLED',
      );
    }
  });

  it('default to the writes preset', () => {
    expect(template.Parameters.Preset?.Default).toBe('writes');
    expect(template.Parameters.Preset?.AllowedValues).toEqual([...PRESET_NAMES]);
  });

  it('deploy the guard-rail pattern, which EventBridge syntax accepts', () => {
    for (const id of ['ForwardGuardRailRule', 'GuardRailAlertRule']) {
      expect(properties(template.Resources[id]).EventPattern).toEqual(GUARD_RAIL_PATTERN);
    }
    expect(() => compileEventPattern(GUARD_RAIL_PATTERN)).not.toThrow();
  });

  it('match tampering with this deployment, and not the same calls on unrelated resources', () => {
    const call = (source: string, eventName: string, requestParameters: Record<string, unknown> = {}) => ({
      source: `aws.${source}`,
      'detail-type': 'AWS API Call via CloudTrail',
      detail: { eventSource: `${source}.amazonaws.com`, eventName, requestParameters },
    });
    const ours = `${SERVICE_NAME}-prod-notifier`;
    const tampering = [
      call('cloudtrail', 'StopLogging', { name: 'any-trail' }),
      call('organizations', 'DetachPolicy', { policyId: 'p-1', targetId: 'r-1' }),
      call('events', 'DisableRule', { name: `${SERVICE_NAME}-prod-IamAlertRule-X1` }),
      call('events', 'RemoveTargets', { rule: `${SERVICE_NAME}-prod-IamAlertRule-X1`, ids: ['notifier'] }),
      call('sns', 'Unsubscribe', {
        subscriptionArn: `arn:aws:sns:us-east-1:1:${SERVICE_NAME}-prod-alerts:u-1`,
      }),
      call('lambda', 'UpdateFunctionCode20150331v2', { functionName: ours }),
      call('lambda', 'DeleteFunction20150331', {
        functionName: `arn:aws:lambda:us-east-1:1:function:${ours}`,
      }),
      call('organizations', 'LeaveOrganization'),
      call('events', 'PutRule', { name: `${SERVICE_NAME}-prod-IamAlertRule-X1`, eventPattern: '{}' }),
      call('events', 'PutTargets', {
        rule: `${SERVICE_NAME}-prod-IamAlertRule-X1`,
        targets: [{ id: 'notifier' }],
      }),
      call('events', 'DeleteEventBus', { name: `${SERVICE_NAME}-prod` }),
      call('events', 'RemovePermission', { eventBusName: `${SERVICE_NAME}-prod`, statementId: 'AllowOrg' }),
      call('sns', 'RemovePermission', {
        topicArn: `arn:aws:sns:us-east-1:1:${SERVICE_NAME}-prod-alerts`,
        label: 'x',
      }),
    ];
    const unrelated = [
      call('lambda', 'UpdateFunctionCode20150331v2', { functionName: 'billing-api' }),
      call('events', 'DeleteRule', { name: 'nightly-backup' }),
      call('sns', 'DeleteTopic', { topicArn: 'arn:aws:sns:us-east-1:1:orders' }),
      call('cloudtrail', 'StartLogging', { name: 'any-trail' }),
      call('iam', 'CreateUser', { userName: SERVICE_NAME }),
      call('events', 'PutRule', { name: 'nightly-backup' }),
      call('events', 'PutTargets', { rule: 'nightly-backup', targets: [] }),
      call('events', 'RemovePermission', { statementId: 'x' }),
      call('sns', 'RemovePermission', { topicArn: 'arn:aws:sns:us-east-1:1:orders', label: 'x' }),
    ];
    for (const event of tampering)
      expect([event.detail.eventName, matchesEventPattern(GUARD_RAIL_PATTERN, event)]).toEqual([
        event.detail.eventName,
        true,
      ]);
    for (const event of unrelated)
      expect([event.detail.eventName, matchesEventPattern(GUARD_RAIL_PATTERN, event)]).toEqual([
        event.detail.eventName,
        false,
      ]);
  });

  it('forward from the default bus to the central bus, whose rules invoke the notifier', () => {
    for (const id of ['ForwardIamRule', 'ForwardGuardRailRule']) {
      const rule = properties(template.Resources[id]);
      expect(rule.EventBusName).toBe('default');
      expect(rule.Targets).toEqual([
        expect.objectContaining({
          Arn: { 'Fn::GetAtt': ['CentralEventBus', 'Arn'] },
          RoleArn: { 'Fn::GetAtt': ['ForwardToCentralBusRole', 'Arn'] },
        }),
      ]);
    }
    for (const id of ['IamAlertRule', 'GuardRailAlertRule']) {
      const rule = properties(template.Resources[id]);
      expect(rule.EventBusName).toEqual({ Ref: 'CentralEventBus' });
      expect(rule.Targets).toEqual([
        {
          Id: 'notifier',
          Arn: { 'Fn::GetAtt': ['NotifierLambdaFunction', 'Arn'] },
          RetryPolicy: { MaximumEventAgeInSeconds: 86400, MaximumRetryAttempts: 185 },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': ['RuleDeadLetterQueue', 'Arn'] } },
        },
      ]);
    }
  });

  it('watch this stack’s two topic keys by id and ARN, and send what happens to them to the notifier and the operations topic', () => {
    const rule = properties(template.Resources.KeyGuardRailRule);
    expect(rule.EventBusName).toBe('default');
    expect(rule.State).toBe('ENABLED');
    const keys = ['AlertTopicKey', 'OperationsTopicKey'].flatMap((key) => [
      { 'Fn::GetAtt': [key, 'Arn'] },
      { Ref: key },
    ]);
    expect(rule.EventPattern).toEqual(keyGuardRailPattern(keys));
    // With the intrinsics resolved, the deployed pattern matches our key and no other.
    const resolved = keyGuardRailPattern([
      'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
      '1234abcd-12ab-34cd-56ef-1234567890ab',
    ]);
    const disable = (keyId: string) => ({
      source: 'aws.kms',
      'detail-type': 'AWS API Call via CloudTrail',
      detail: { eventSource: 'kms.amazonaws.com', eventName: 'DisableKey', requestParameters: { keyId } },
    });
    expect(matchesEventPattern(resolved, disable('1234abcd-12ab-34cd-56ef-1234567890ab'))).toBe(true);
    expect(matchesEventPattern(resolved, disable('ffffabcd-12ab-34cd-56ef-1234567890ab'))).toBe(false);
    const targets = rule.Targets as Record<string, unknown>[];
    expect(targets.map((target) => [target.Id, target.Arn])).toEqual([
      ['notifier', { 'Fn::GetAtt': ['NotifierLambdaFunction', 'Arn'] }],
      ['operations-topic', { Ref: 'OperationsTopic' }],
    ]);
    expect(JSON.stringify(targets[1]?.InputTransformer)).toContain('$.detail.requestParameters.keyId');
    expect(properties(template.Resources.KeyGuardRailRuleInvokeNotifier)).toMatchObject({
      Principal: 'events.amazonaws.com',
      SourceArn: { 'Fn::GetAtt': ['KeyGuardRailRule', 'Arn'] },
    });
    expect(JSON.stringify(properties(template.Resources.RuleDeadLetterQueuePolicy))).toContain(
      'KeyGuardRailRule',
    );
  });

  it('give the notifier the keys the key rule is built from (OWN_KEYS), so that it calls the guard rail on exactly those', () => {
    const variable = (
      properties(template.Resources.NotifierLambdaFunction).Environment as {
        Variables: Record<string, unknown>;
      }
    ).Variables.OWN_KEYS;
    expect(variable).toEqual({
      'Fn::Join': [
        ',',
        [{ 'Fn::GetAtt': ['AlertTopicKey', 'Arn'] }, { 'Fn::GetAtt': ['OperationsTopicKey', 'Arn'] }],
      ],
    });
    // What CloudFormation resolves each key's `Fn::GetAtt …Arn` and `Ref` (the key ID) to, once deployed.
    // https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-kms-key.html#aws-resource-kms-key-return-values
    const ids: Record<string, string> = {
      AlertTopicKey: '1234abcd-12ab-34cd-56ef-1234567890ab',
      OperationsTopicKey: '0987dcba-09fe-87dc-65ba-ab0987654321',
    };
    const arnOf = (key: string) => `arn:aws:kms:us-east-1:111122223333:key/${ids[key]}`;
    const deployed = (node: unknown): unknown => {
      if (Array.isArray(node)) return node.map(deployed);
      if (typeof node !== 'object' || node === null) return node;
      const { Ref: ref, 'Fn::GetAtt': getAtt, 'Fn::Join': join } = node as Record<string, unknown>;
      if (typeof ref === 'string' && ref in ids) return ids[ref];
      if (Array.isArray(getAtt) && getAtt[1] === 'Arn' && String(getAtt[0]) in ids)
        return arnOf(String(getAtt[0]));
      if (Array.isArray(join)) return (deployed(join[1]) as string[]).join(String(join[0]));
      return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, deployed(v)]));
    };
    const config = readNotifierConfig({ OWN_KEYS: deployed(variable) as string });
    expect(config.ownKeys).toEqual([arnOf('AlertTopicKey'), arnOf('OperationsTopicKey')]);
    // On the KMS fixtures, the deployed rule delivers a call exactly when the notifier calls it the guard rail.
    const pattern = deployed(properties(template.Resources.KeyGuardRailRule).EventPattern) as Record<
      string,
      unknown
    >;
    const folder = join(FIXTURES_DIR, 'kms-guard-rails');
    const records = readFileSync(join(folder, 'records.jsonl'), 'utf8').split('\n').filter(Boolean);
    const verdicts = records.map((line) => {
      const record = JSON.parse(line) as CloudTrailRecord;
      const event = parseIamEvent(toEventBridgeEvent(record));
      const { reasons } = classifyEvent(event, describePrincipal(event.record), { ownKeys: config.ownKeys });
      return [
        record.eventID,
        matchesEventPattern(pattern, toEventBridgeEvent(record)),
        reasons.some((reason) => reason.code === 'guard-rail'),
      ];
    });
    expect(verdicts.filter(([, matched, rail]) => matched !== rail)).toEqual([]);
    expect(verdicts.filter(([, matched]) => matched).length).toBe(7);
  });

  it('give every rule target a dead-letter queue, here and in member accounts', () => {
    const member = JSON.parse(
      properties(template.Resources.MemberStackSet).TemplateBody as string,
    ) as Template;
    for (const [body, queue] of [
      [template, 'RuleDeadLetterQueue'],
      [member, 'ForwardDeadLetterQueue'],
    ] as const) {
      const rules = Object.entries(body.Resources).filter(([, r]) => r.Type === 'AWS::Events::Rule');
      expect(rules.length).toBeGreaterThanOrEqual(2);
      for (const [id, rule] of rules) {
        for (const target of properties(rule).Targets as Record<string, unknown>[])
          expect([id, target.DeadLetterConfig]).toEqual([id, { Arn: { 'Fn::GetAtt': [queue, 'Arn'] } }]);
      }
    }
  });

  it('send async failures of both functions, after 2 retries, to the failure queue', () => {
    for (const [id, fn] of [
      ['NotifierAsyncConfig', 'NotifierLambdaFunction'],
      ['ForwarderAsyncConfig', 'ForwarderLambdaFunction'],
    ] as const) {
      expect(properties(template.Resources[id])).toMatchObject({
        FunctionName: { Ref: fn },
        MaximumRetryAttempts: 2,
        DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': ['AsyncFailureQueue', 'Arn'] } } },
      });
    }
  });
});

describe('subscriptions and the forwarder', () => {
  it('give every SNS subscription a dead-letter queue', () => {
    const resources = deployedResources(template, scenario(template, EVERYTHING_ON));
    const subscriptions = Object.entries(resources).filter(([, r]) => r.Type === 'AWS::SNS::Subscription');
    expect(subscriptions.map(([id]) => id).sort()).toEqual([
      'AlertEmailSubscription',
      'ForwarderSubscription',
      'GroupedAlertsSubscription',
      'OperationsEmailSubscription',
    ]);
    for (const [id, subscription] of subscriptions) {
      expect([id, properties(subscription).RedrivePolicy]).toEqual([
        id,
        { deadLetterTargetArn: { 'Fn::GetAtt': ['SubscriptionDeadLetterQueue', 'Arn'] } },
      ]);
    }
  });

  it('run one forwarder at a time by default, and none reserved with ForwarderReservedConcurrency=0', () => {
    const forwarderAt = (overrides: Record<string, string>) =>
      properties(deployedResources(template, scenario(template, overrides)).ForwarderLambdaFunction);
    expect(template.Parameters.ForwarderReservedConcurrency).toMatchObject({ Type: 'Number', Default: 1 });
    expect(forwarderAt({}).ReservedConcurrentExecutions).toBe('1');
    expect(forwarderAt({ ForwarderReservedConcurrency: '3' }).ReservedConcurrentExecutions).toBe('3');
    expect(forwarderAt({ ForwarderReservedConcurrency: '0' })).not.toHaveProperty(
      'ReservedConcurrentExecutions',
    );
    expect(properties(template.Resources.NotifierLambdaFunction)).not.toHaveProperty(
      'ReservedConcurrentExecutions',
    );
  });

  it('alarm on a forwarder backlog rather than on throttles, which the cap makes normal', () => {
    expect(template.Resources.ForwarderThrottlesAlarm).toBeUndefined();
    expect(properties(template.Resources.ForwarderBacklogAlarm)).toMatchObject({
      Namespace: 'AWS/Lambda',
      MetricName: 'AsyncEventAge',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: 'ForwarderLambdaFunction' } }],
      Statistic: 'Maximum',
      Threshold: 3_600_000,
    });
    // The alarm must ring well before Lambda drops an event that has waited MaximumEventAgeInSeconds.
    const maxAgeMs =
      (properties(template.Resources.ForwarderAsyncConfig).MaximumEventAgeInSeconds as number) * 1000;
    expect(3_600_000).toBeLessThan(maxAgeMs / 2);
  });
});

describe('conditions', () => {
  /** What any forwarder destination adds: its subscription, and the grouped alerts' queue (issue 12). */
  const FORWARDER = [
    'ForwarderSubscription',
    'ForwarderInvokeFromTopic',
    'GroupedAlertsSubscription',
    'GroupedAlertsQueue',
    'GroupedAlertsQueuePolicy',
    'GroupedAlertsDeadLetterQueue',
    'GroupedAlertsDeadLetterQueuePolicy',
    'GroupedAlertsDeadLetterQueueAlarm',
    'GroupedAlertsEventSourceMapping',
  ];
  const OPTIONAL: Record<string, string[]> = {
    ExistingTrailArn: [],
    OrganizationId: ['CentralEventBusOrganizationPolicy'],
    InManagementAccount: ['Ec2CredentialScp'],
    AlertEmail: ['AlertEmailSubscription', 'OperationsEmailSubscription'],
    SlackWebhookUrlParameter: FORWARDER,
    SlackBotTokenParameter: FORWARDER,
  };

  it('leave every optional part out with no parameters', () => {
    const ids = Object.keys(deployedResources(template, scenario(template)));
    for (const optional of [...Object.values(OPTIONAL).flat(), 'MemberStackSet'])
      expect(ids).not.toContain(optional);
    expect(ids).toEqual(expect.arrayContaining(['Trail', 'TrailBucket', 'TrailBucketPolicy']));
  });

  it('switch each optional part on with its parameter', () => {
    const cases: [Record<string, string>, string[]][] = [
      [{ OrganizationId: 'o-abcdefghij' }, ['CentralEventBusOrganizationPolicy']],
      [
        { OrganizationId: 'o-abcdefghij', MemberOrganizationalUnitIds: 'ou-abcd-11111111' },
        ['CentralEventBusOrganizationPolicy', 'MemberStackSet'],
      ],
      [{ InManagementAccount: 'true' }, ['Ec2CredentialScp']],
      [{ AlertEmail: 'a@example.com' }, ['AlertEmailSubscription', 'OperationsEmailSubscription']],
      [{ SlackWebhookUrlParameter: '/x' }, FORWARDER],
      [{ SlackBotTokenParameter: '/z', SlackChannelId: 'C0SECURITY1' }, FORWARDER],
      [{ JiraApiTokenParameter: '/y' }, FORWARDER],
    ];
    const baseline = new Set(Object.keys(deployedResources(template, scenario(template))));
    for (const [overrides, expected] of cases) {
      const added = Object.keys(deployedResources(template, scenario(template, overrides))).filter(
        (id) => !baseline.has(id),
      );
      expect(added.sort()).toEqual([...expected].sort());
    }
  });

  it('reuse an existing trail instead of creating one', () => {
    const at = scenario(template, {
      ExistingTrailArn: 'arn:aws:cloudtrail:us-east-1:111122223333:trail/org',
    });
    const ids = Object.keys(deployedResources(template, at));
    for (const id of [
      'Trail',
      'TrailBucket',
      'TrailBucketPolicy',
      'AccessLogBucket',
      'AccessLogBucketPolicy',
    ])
      expect(ids).not.toContain(id);
    expect(resolve(template.Outputs.TrailArn, template, at)).toMatchObject({
      Value: 'arn:aws:cloudtrail:us-east-1:111122223333:trail/org',
    });
  });

  it('needs the organization for the StackSet, and never deploys it to this account', () => {
    const withoutOrg = deployedResources(
      template,
      scenario(template, { MemberOrganizationalUnitIds: 'ou-a-1' }),
    );
    expect(Object.keys(withoutOrg)).not.toContain('MemberStackSet');
    const stackSet = properties(
      deployedResources(template, scenario(template, EVERYTHING_ON)).MemberStackSet,
    ) as Record<string, unknown>;
    expect(stackSet).toMatchObject({
      PermissionModel: 'SERVICE_MANAGED',
      CallAs: 'SELF',
      AutoDeployment: { Enabled: true, RetainStacksOnAccountRemoval: false },
      StackInstancesGroup: [
        {
          Regions: DEFAULT_REGIONS,
          DeploymentTargets: {
            OrganizationalUnitIds: ['ou-abcd-11111111', 'ou-abcd-22222222'],
            AccountFilterType: 'DIFFERENCE',
            Accounts: ['111122223333'],
          },
        },
      ],
    });
  });

  it('filter the e-mail and forwarder subscriptions by minimum severity on the message attribute', () => {
    const resources = deployedResources(
      template,
      scenario(template, {
        ...EVERYTHING_ON,
        EmailMinimumSeverity: 'high',
        ForwarderMinimumSeverity: 'medium',
      }),
    );
    // Every branch of the default route carries the severity filter (issue 12 adds the route and grouping keys;
    // tests/infra/filter-policies.test.ts evaluates the policies against alerts).
    const defaultBranches = (id: string) => {
      const branches = (properties(resources[id]).FilterPolicy as { $or: Record<string, unknown>[] }).$or;
      expect(branches.length).toBeGreaterThan(0);
      return branches;
    };
    expect(properties(resources.AlertEmailSubscription)).toMatchObject({
      Protocol: 'email',
      FilterPolicyScope: 'MessageAttributes',
    });
    // Every alert branch filters on severity; one more branch takes the daily suppression digest, whatever it says.
    const emailBranches = defaultBranches('AlertEmailSubscription');
    expect(emailBranches.filter((branch) => !('severity' in branch))).toEqual([
      { kind: ['suppression-digest'] },
    ]);
    for (const branch of emailBranches.filter((b) => 'routes' in b))
      expect(branch.severity).toEqual(['high', 'critical']);
    expect(properties(resources.ForwarderSubscription)).toMatchObject({
      Protocol: 'lambda',
      FilterPolicyScope: 'MessageAttributes',
    });
    for (const branch of defaultBranches('ForwarderSubscription'))
      expect(branch.severity).toEqual(['medium', 'high', 'critical']);
    expect(template.Parameters.EmailMinimumSeverity?.Default).toBe('high');
  });
});
