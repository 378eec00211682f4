'use strict';
// CloudFormation fragments derived from the TypeScript sources of truth, for serverless.yml
// (`${file(./resources/derived.cjs):<name>}`). osls loads `.cjs` files with require(), so this file
// compiles shared/domain/patterns.ts with esbuild (already a build dependency) and evaluates it: the
// deployed patterns are, by construction, the ones `iam-alerts patterns` prints.
//
// Every string handed back is escaped for osls: a literal `${aws:SourceVpc}` (an IAM policy variable) or
// `${AWS::Region}` (Fn::Sub) would otherwise be taken for a Serverless variable. osls turns `\${` into `${`.

const fs = require('node:fs');
const path = require('node:path');
const { buildSync } = require('esbuild');

/** Compiles a self-contained TypeScript module of this project to CommonJS and evaluates it. */
const loadTypeScript = (relativePath) => {
  const { outputFiles } = buildSync({
    entryPoints: [path.join(__dirname, '..', relativePath)],
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node22',
    write: false,
    logLevel: 'silent',
  });
  const loaded = { exports: {} };
  new Function('module', 'exports', 'require', outputFiles[0].text)(loaded, loaded.exports, require);
  return loaded.exports;
};

const patterns = loadTypeScript('shared/domain/patterns.ts');

/** Loaded on first use: only the functions' environments need the rules engine (and its YAML parser). */
let rulesModules;
const rulesEngine = () => {
  rulesModules ??= {
    ...loadTypeScript('shared/domain/rules/load-yaml.ts'),
    ...loadTypeScript('shared/domain/rules/model.ts'),
  };
  return rulesModules;
};

const escapeVariables = (value) => {
  if (typeof value === 'string') return value.replaceAll('${', '\\${');
  if (Array.isArray(value)) return value.map(escapeVariables);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, escapeVariables(item)]));
  }
  return value;
};

const capitalise = (name) => name.charAt(0).toUpperCase() + name.slice(1);

/** Condition name that is true when the `Preset` stack parameter selects `preset`. */
const presetCondition = (preset) => `Preset${capitalise(preset)}`;

/** The `Preset` parameter and one condition per preset (shared by this stack and the member template). */
const presetFragment = () => ({
  Parameters: {
    Preset: {
      Type: 'String',
      Default: patterns.DEFAULT_PRESET,
      AllowedValues: [...patterns.PRESET_NAMES],
      Description:
        'Which IAM calls raise alerts: all (reads too), writes (readOnly false), changes or auth. ' +
        'Print a pattern with `iam-alerts patterns --preset <name>`.',
    },
  },
  Conditions: Object.fromEntries(
    patterns.PRESET_NAMES.map((preset) => [
      presetCondition(preset),
      { 'Fn::Equals': [{ Ref: 'Preset' }, preset] },
    ]),
  ),
});

/**
 * Chains Fn::If over the presets: the first matching condition wins, the last preset is the fallback
 * (the parameter's AllowedValues make the chain exhaustive). CloudFormation accepts Fn::If as the value
 * of any resource property, EventPattern included.
 */
const selectByPreset = (valueFor) => {
  const [last, ...rest] = [...patterns.PRESET_NAMES].reverse();
  return rest.reduce(
    (otherwise, preset) => ({ 'Fn::If': [presetCondition(preset), valueFor(preset), otherwise] }),
    valueFor(last),
  );
};

const iamEventPattern = () => selectByPreset((preset) => patterns.PRESETS[preset]);

// Read-only management events reach a rule only in this state; it is harmless for the other presets but
// kept to the one that needs it so that a reviewer sees why.
const iamRuleState = () =>
  selectByPreset((preset) =>
    patterns.needsReadOnlyEvents(preset) ? 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS' : 'ENABLED',
  );

/** One rule of `patterns.deployedRules(options)`, by name (the one list of what a deployment deploys). */
const deployedRule = (name, options = {}) => {
  const rule = patterns.deployedRules(options).find((candidate) => candidate.name === name);
  if (!rule) throw new Error(`deployedRules() has no rule ${name}`);
  return rule;
};

/** A rule's state: read-only management events reach it only in this state, on the default and custom buses. */
const ruleState = (rule) =>
  rule.needsReadOnlyEvents ? 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS' : 'ENABLED';

/**
 * The egress rules' patterns (issue 16, item 5). EventBridge takes no "not in these CIDRs" and CloudFormation cannot
 * turn a parameter into the complementary CIDR blocks, so the exact patterns (`instanceEgressPatterns`) are compiled
 * here from the `InstanceEgressCidrs` value known when the template is packaged (`params:` or `--param`, as
 * `stackParameters` passes it to CloudFormation). Without one, the coarser `INSTANCE_PUBLIC_ENDPOINT_PATTERN` is
 * compiled (every successful public-endpoint call with instance credentials) and the notifier filters by address
 * (`INSTANCE_EGRESS_CIDRS`). Either way the rules exist only when the stack parameter is not empty
 * (`HasInstanceEgressCidrs`).
 */
const egressRules = (egressCidrs) => {
  const exact = patterns
    .deployedRules({ identityRules: false, instanceEgressCidrs: egressCidrs })
    .filter((rule) => rule.name.startsWith('instance-egress-'));
  if (exact.length > 0) return exact;
  return [
    {
      name: 'instance-egress-1',
      pattern: patterns.INSTANCE_PUBLIC_ENDPOINT_PATTERN,
      needsReadOnlyEvents: true,
      regions: 'all',
    },
  ];
};

/** `instance-egress-2` → `2`: the suffix of the logical ids of each egress rule. */
const egressIndex = (rule) => rule.name.slice('instance-egress-'.length);

const eventBridgeTrust = {
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Principal: { Service: 'events.amazonaws.com' },
      Action: 'sts:AssumeRole',
      Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
    },
  ],
};

/** The central bus lives beside the notifier, in the stack's region (serverless.yml `provider.region`). */
const CENTRAL_REGION = 'us-east-1';

/**
 * The forwarding template, one for every account and region that forwards to the central bus: member accounts in
 * every region of `ForwardingRegions` (the service-managed `MemberStackSet`) and this account's own regions (the
 * self-managed `RegionalStackSet`). A role that may put events on the central bus only, a dead-letter queue, and
 * rules on the default bus: the preset and the guard rails in us-east-1 (IAM is global: its events are recorded
 * there), the identity rules and the egress rules in every region (sign-ins and other services' calls are recorded
 * in the region where they happen). Where the central bus itself is (this account's us-east-1, whose own stack
 * forwards already) it creates nothing but a placeholder: a stack must hold a resource.
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-cross-account.html
 */
const memberTemplate = (egressCidrs = []) => {
  const queueArn = { 'Fn::GetAtt': ['ForwardDeadLetterQueue', 'Arn'] };
  const forwardTarget = {
    Id: 'central-bus',
    Arn: { Ref: 'CentralEventBusArn' },
    RoleArn: { 'Fn::GetAtt': ['ForwardRole', 'Arn'] },
    // Events the central bus did not accept after EventBridge's retries (24 h) wait here for redrive.
    DeadLetterConfig: { Arn: queueArn },
  };
  const { Parameters, Conditions } = presetFragment();
  const rule = (condition, name, description, pattern, state) => ({
    Type: 'AWS::Events::Rule',
    Condition: condition,
    Properties: {
      // Named so that the guard-rail pattern (names containing the service name) watches it.
      Name: `${patterns.SERVICE_NAME}-${name}`,
      Description: description,
      EventBusName: 'default',
      EventPattern: pattern,
      State: state,
      Targets: [forwardTarget],
    },
  });
  const identity = deployedRule('identity');
  const egress = egressRules(egressCidrs);
  const rules = {
    ForwardIamRule: rule(
      'ForwardsGlobal',
      'forward-iam',
      'IAM calls (filter preset) to the central IAM alerts bus',
      iamEventPattern(),
      iamRuleState(),
    ),
    ForwardGuardRailRule: rule(
      'ForwardsGlobal',
      'forward-guard-rails',
      'Tampering with trails, SCPs and the alerting itself, to the central IAM alerts bus',
      patterns.GUARD_RAIL_PATTERN,
      'ENABLED',
    ),
    ForwardIdentityRule: rule(
      'ForwardsIdentity',
      'forward-identity',
      'Root activity, console sign-ins without MFA or failed, SCP-denied instance credentials, to the central IAM alerts bus',
      identity.pattern,
      ruleState(identity),
    ),
    ...Object.fromEntries(
      egress.map((egressRule) => [
        `ForwardInstanceEgressRule${egressIndex(egressRule)}`,
        rule(
          'ForwardsInstanceEgress',
          `forward-${egressRule.name}`,
          'Instance credentials used through a public endpoint outside the egress addresses, to the central IAM alerts bus',
          egressRule.pattern,
          ruleState(egressRule),
        ),
      ]),
    ),
  };
  const conditional = (condition, value) => ({ 'Fn::If': [condition, value, { Ref: 'AWS::NoValue' }] });
  const atHome = {
    'Fn::And': [
      { 'Fn::Equals': [{ Ref: 'AWS::AccountId' }, { Ref: 'CentralAccountId' }] },
      { 'Fn::Equals': [{ Ref: 'AWS::Region' }, CENTRAL_REGION] },
    ],
  };
  const forwarding = ['ForwardsGlobal', 'ForwardsIdentity', 'ForwardsInstanceEgress'];
  const onlyWhenForwarding = { Condition: 'ForwardsAnything' };
  return {
    AWSTemplateFormatVersion: '2010-09-09',
    Description: `${patterns.SERVICE_NAME} forwarding: IAM, guard-rail, identity and egress events to the central bus`,
    Parameters: {
      ...Parameters,
      CentralEventBusArn: {
        Type: 'String',
        AllowedPattern: '^arn:aws[a-z-]*:events:[a-z0-9-]+:[0-9]{12}:event-bus/.+$',
        Description: 'ARN of the central event bus in the security account',
      },
      CentralAccountId: {
        Type: 'String',
        AllowedPattern: '^[0-9]{12}$',
        Description: `Account of the central bus: its ${CENTRAL_REGION} forwards with the central stack itself`,
      },
      IdentityRules: {
        Type: 'String',
        Default: 'true',
        AllowedValues: ['true', 'false'],
        Description: 'Forward root activity, console sign-ins and SCP-denied instance credentials',
      },
      InstanceEgressRules: {
        Type: 'String',
        Default: 'false',
        AllowedValues: ['true', 'false'],
        Description:
          'Forward instance credentials used through public endpoints outside the egress addresses',
      },
    },
    Conditions: {
      ...Conditions,
      AtCentralBus: atHome,
      ForwardsGlobal: {
        'Fn::And': [
          { 'Fn::Equals': [{ Ref: 'AWS::Region' }, CENTRAL_REGION] },
          { 'Fn::Not': [{ Condition: 'AtCentralBus' }] },
        ],
      },
      ForwardsIdentity: {
        'Fn::And': [
          { 'Fn::Equals': [{ Ref: 'IdentityRules' }, 'true'] },
          { 'Fn::Not': [{ Condition: 'AtCentralBus' }] },
        ],
      },
      ForwardsInstanceEgress: {
        'Fn::And': [
          { 'Fn::Equals': [{ Ref: 'InstanceEgressRules' }, 'true'] },
          { 'Fn::Not': [{ Condition: 'AtCentralBus' }] },
        ],
      },
      ForwardsAnything: { 'Fn::Or': forwarding.map((name) => ({ Condition: name })) },
      ForwardsNothing: { 'Fn::Not': [{ Condition: 'ForwardsAnything' }] },
    },
    Resources: {
      // A stack instance with every rule off (IdentityRules=false outside us-east-1, or the central bus's own
      // region) must still create something; this creates nothing billable.
      Placeholder: { Type: 'AWS::CloudFormation::WaitConditionHandle', Condition: 'ForwardsNothing' },
      ForwardRole: {
        Type: 'AWS::IAM::Role',
        ...onlyWhenForwarding,
        Properties: {
          Description: 'Lets EventBridge put events on the central IAM alerts bus',
          // A path of its own: the central account's StackSet execution role may manage only these roles.
          Path: `/${patterns.SERVICE_NAME}/`,
          AssumeRolePolicyDocument: eventBridgeTrust,
          Policies: [
            {
              PolicyName: 'put-events-on-central-bus',
              PolicyDocument: {
                Version: '2012-10-17',
                Statement: [
                  { Effect: 'Allow', Action: 'events:PutEvents', Resource: { Ref: 'CentralEventBusArn' } },
                ],
              },
            },
          ],
        },
      },
      ForwardDeadLetterQueue: {
        Type: 'AWS::SQS::Queue',
        ...onlyWhenForwarding,
        Metadata: {
          cdk_nag: {
            rules_to_suppress: [
              {
                id: 'AwsSolutions-SQS3',
                reason:
                  "This queue is the dead-letter queue of the forwarding rules' targets (DeadLetterConfig); cdk-nag only recognises a queue named in another queue's RedrivePolicy.",
              },
              {
                id: 'Serverless-SQSRedrivePolicy',
                reason:
                  'This queue is itself a dead-letter queue (EventBridge DeadLetterConfig). Nothing consumes it automatically, so no message can fail here; an operator redrives it by hand.',
              },
            ],
          },
        },
        Properties: { MessageRetentionPeriod: 1209600, SqsManagedSseEnabled: true },
      },
      ForwardDeadLetterQueuePolicy: {
        Type: 'AWS::SQS::QueuePolicy',
        ...onlyWhenForwarding,
        Properties: {
          Queues: [{ Ref: 'ForwardDeadLetterQueue' }],
          PolicyDocument: {
            Version: '2012-10-17',
            Statement: [
              {
                Sid: 'AllowForwardingRules',
                Effect: 'Allow',
                Principal: { Service: 'events.amazonaws.com' },
                Action: 'sqs:SendMessage',
                Resource: queueArn,
                Condition: {
                  ArnEquals: {
                    'aws:SourceArn': Object.entries(rules).map(([id, { Condition }]) =>
                      conditional(Condition, { 'Fn::GetAtt': [id, 'Arn'] }),
                    ),
                  },
                },
              },
              {
                Sid: 'DenyInsecureTransport',
                Effect: 'Deny',
                Principal: '*',
                Action: 'sqs:*',
                Resource: queueArn,
                Condition: { Bool: { 'aws:SecureTransport': 'false' } },
              },
            ],
          },
        },
      },
      ...rules,
    },
    Outputs: {
      ForwardDeadLetterQueueUrl: {
        Condition: 'ForwardsAnything',
        Description: 'Events the central bus did not accept (redrive to the central bus)',
        Value: { Ref: 'ForwardDeadLetterQueue' },
      },
    },
  };
};

/**
 * The central stack's own identity and egress rules, each twice like the preset: on this account's default bus
 * (forwarding to the central bus, with the forwarding role and the dead-letter queue) and on the central bus
 * (invoking the notifier with retries and the dead-letter queue). The identity rules are in events.yml; this
 * fragment holds the egress rules, whose number depends on the CIDRs (`egressRules`).
 */
const egressFragment = (egressCidrs) => {
  const resources = {};
  for (const rule of egressRules(egressCidrs)) {
    const index = egressIndex(rule);
    const description =
      'Instance credentials used through a public endpoint outside InstanceEgressCidrs (issue 16)';
    resources[`ForwardInstanceEgressRule${index}`] = {
      Type: 'AWS::Events::Rule',
      Condition: 'HasInstanceEgressCidrs',
      Properties: {
        Description: `${description}, to the central bus`,
        EventBusName: 'default',
        EventPattern: rule.pattern,
        State: ruleState(rule),
        Targets: [
          {
            Id: 'central-bus',
            Arn: { 'Fn::GetAtt': ['CentralEventBus', 'Arn'] },
            RoleArn: { 'Fn::GetAtt': ['ForwardToCentralBusRole', 'Arn'] },
            DeadLetterConfig: { Arn: { 'Fn::GetAtt': ['RuleDeadLetterQueue', 'Arn'] } },
          },
        ],
      },
    };
    resources[`InstanceEgressAlertRule${index}`] = {
      Type: 'AWS::Events::Rule',
      Condition: 'HasInstanceEgressCidrs',
      Properties: {
        Description: `${description}, to the notifier`,
        EventBusName: { Ref: 'CentralEventBus' },
        EventPattern: rule.pattern,
        State: ruleState(rule),
        Targets: [
          {
            Id: 'notifier',
            Arn: { 'Fn::GetAtt': ['NotifierLambdaFunction', 'Arn'] },
            RetryPolicy: { MaximumEventAgeInSeconds: 86400, MaximumRetryAttempts: 185 },
            DeadLetterConfig: { Arn: { 'Fn::GetAtt': ['RuleDeadLetterQueue', 'Arn'] } },
          },
        ],
      },
    };
    resources[`InstanceEgressAlertRule${index}InvokeNotifier`] = {
      Type: 'AWS::Lambda::Permission',
      Condition: 'HasInstanceEgressCidrs',
      Properties: {
        Action: 'lambda:InvokeFunction',
        FunctionName: { 'Fn::GetAtt': ['NotifierLambdaFunction', 'Arn'] },
        Principal: 'events.amazonaws.com',
        SourceArn: { 'Fn::GetAtt': [`InstanceEgressAlertRule${index}`, 'Arn'] },
      },
    };
  }
  return { Resources: resources };
};

/**
 * Every rule of the central stack whose target may send to `RuleDeadLetterQueue`: the queue policy's
 * `aws:SourceArn` list, with the conditional rules behind their conditions.
 */
const centralDeadLetterSources = (egressCidrs) => {
  const arn = (id) => ({ 'Fn::GetAtt': [id, 'Arn'] });
  const when = (condition, id) => ({ 'Fn::If': [condition, arn(id), { Ref: 'AWS::NoValue' }] });
  return [
    arn('ForwardIamRule'),
    arn('ForwardGuardRailRule'),
    arn('IamAlertRule'),
    arn('GuardRailAlertRule'),
    arn('KeyGuardRailRule'),
    arn('ParameterGuardRailRule'),
    arn('DigestScheduleRule'),
    when('IdentityRulesOn', 'ForwardIdentityRule'),
    when('IdentityRulesOn', 'IdentityAlertRule'),
    ...egressRules(egressCidrs).flatMap((rule) => [
      when('HasInstanceEgressCidrs', `ForwardInstanceEgressRule${egressIndex(rule)}`),
      when('HasInstanceEgressCidrs', `InstanceEgressAlertRule${egressIndex(rule)}`),
    ]),
  ];
};

/**
 * The central stack's key guard-rail pattern: the catalogue's KMS guard rails on the two topic keys, each by the id
 * (`Ref`) and the ARN (`Fn::GetAtt`) a caller may pass as `keyId`.
 */
const TOPIC_KEYS = ['AlertTopicKey', 'OperationsTopicKey'];
const keyGuardRailPattern = () =>
  patterns.keyGuardRailPattern(TOPIC_KEYS.flatMap((key) => [{ 'Fn::GetAtt': [key, 'Arn'] }, { Ref: key }]));

/**
 * `OWN_KEYS`: the ARNs of the keys `KeyGuardRailRule` is built from, comma-separated, resolved at deploy time, so that
 * the notifier calls a KMS key call the guard rail on exactly those (by ARN, or the key ID the ARN ends with).
 */
const ownKeysVariable = () => ({
  'Fn::Join': [',', TOPIC_KEYS.map((key) => ({ 'Fn::GetAtt': [key, 'Arn'] }))],
});

/**
 * The stack parameters naming the SSM parameters the forwarder reads, with the condition that says each is set
 * (parameters.yml).
 */
const DELIVERY_STACK_PARAMETERS = [
  ['SlackWebhookUrlParameter', 'HasSlackWebhook'],
  ['SlackBotTokenParameter', 'HasSlackBot'],
  ['JiraApiTokenParameter', 'HasJira'],
];

/**
 * A stack parameter's spellings in the template, resolved at deploy time, as `patterns.parameterNameSpellings` writes
 * them for a known name: the name (`Ref`), and the name without its leading slash (its AllowedPattern requires one).
 * CloudFormation has no substring function, so the slash is cut with `Fn::Split` on `#/` of `#<name>#/` (`Fn::Sub`): `#` cannot
 * occur in the name, and the trailing `#/` keeps index 1 defined even for an empty value. Each behind its `Has…`
 * condition: an unset parameter adds no empty string to the pattern.
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference-split.html
 */
const stackParameterSpellings = () =>
  DELIVERY_STACK_PARAMETERS.flatMap(([parameter, condition]) => {
    const when = (value) => ({ 'Fn::If': [condition, value, { Ref: 'AWS::NoValue' }] });
    const withoutSlash = {
      'Fn::Select': [1, { 'Fn::Split': ['#/', { 'Fn::Sub': `#\${${parameter}}#/` }] }],
    };
    return [when({ Ref: parameter }), when(withoutSlash)];
  });

/** The routes' webhook parameters of the rules file (`alerts.yml`), known when packaging. */
const routeParameterNames = (rules) => rules.routes.flatMap((route) => (route.slack ? [route.slack] : []));

/**
 * The central stack's parameter guard-rail pattern: the catalogue's SSM guard rails on every spelling of the stack
 * parameters' names (resolved at deploy time) and of the routes' webhook parameters (literal).
 */
const parameterGuardRailPattern = (rules) =>
  patterns.parameterGuardRailPattern([
    ...stackParameterSpellings(),
    ...routeParameterNames(rules).flatMap(patterns.parameterNameSpellings),
  ]);

/**
 * The parameter guard rail (the catalogue's `ownParameter` operations) on the SSM parameters the forwarder reads, in
 * this account and region (where they are; member accounts read none), like `KeyGuardRailRule`: to the notifier (a
 * critical alert) and to the operations topic directly, so that the team hears of it even when the forwarder, or
 * the parameter it reads, is what was tampered with. Always deployed: with no Slack, Jira or route webhook it matches
 * only padded names.
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-transform-target-input.html
 */
const parameterGuardRailFragment = (rules) => {
  const retries = { MaximumEventAgeInSeconds: 86400, MaximumRetryAttempts: 185 };
  const deadLetter = { Arn: { 'Fn::GetAtt': ['RuleDeadLetterQueue', 'Arn'] } };
  return {
    Resources: {
      ParameterGuardRailRule: {
        Type: 'AWS::Events::Rule',
        Properties: {
          Description:
            'SSM parameters the forwarder reads (Slack webhook, Slack bot token, Jira token, route webhooks) overwritten or deleted',
          EventBusName: 'default',
          EventPattern: parameterGuardRailPattern(rules),
          State: 'ENABLED',
          Targets: [
            {
              Id: 'notifier',
              Arn: { 'Fn::GetAtt': ['NotifierLambdaFunction', 'Arn'] },
              RetryPolicy: retries,
              DeadLetterConfig: deadLetter,
            },
            {
              Id: 'operations-topic',
              Arn: { Ref: 'OperationsTopic' },
              RetryPolicy: retries,
              DeadLetterConfig: deadLetter,
              // `name` (PutParameter, DeleteParameter) or `names` (DeleteParameters): the path absent from the event
              // adds nothing, and a list inside this string template is inserted without its inner quotes
              // (EventBridge's "Common issues with transforming input"), so one message fits all three calls.
              // The pattern also matches every name padded with spaces, whatever it trims to, and a transformer
              // cannot compare names: the message says so rather than calling every match a delivery parameter
              // (the notifier's alert, which compares them, says which). The quotes show the padding.
              // @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-transform-target-input.html#eb-transform-input-issues
              InputTransformer: {
                InputPathsMap: {
                  eventName: '$.detail.eventName',
                  name: '$.detail.requestParameters.name',
                  names: '$.detail.requestParameters.names',
                  caller: '$.detail.userIdentity.arn',
                  account: '$.account',
                  time: '$.time',
                },
                InputTemplate:
                  "\"Guard rail: ssm:<eventName> on parameter '<name><names>' by <caller> in account <account> at <time>. Either it names an SSM parameter the IAM change alerts forwarder reads its Slack or Jira secrets from (CRITICAL: Slack and Jira alerts may now go to another endpoint, or fail), or it is a name padded with spaces, which this rule matches whatever Parameter Store trims it to: the notifier's alert says which.\"",
              },
            },
          ],
        },
      },
      ParameterGuardRailRuleInvokeNotifier: {
        Type: 'AWS::Lambda::Permission',
        Properties: {
          Action: 'lambda:InvokeFunction',
          FunctionName: { 'Fn::GetAtt': ['NotifierLambdaFunction', 'Arn'] },
          Principal: 'events.amazonaws.com',
          SourceArn: { 'Fn::GetAtt': ['ParameterGuardRailRule', 'Arn'] },
        },
      },
    },
  };
};

/**
 * EventBridge's default quota on a pattern's size, in characters (adjustable to 4,096 on request).
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-quota.html
 */
const EVENT_PATTERN_MAX_LENGTH = 2048;

/**
 * Fails the package when the parameter guard rail's pattern, resolved with the names known now (the stack parameters
 * given with `params:` or `--param`, the routes of the rules file), is over EventBridge's quota: CloudFormation would
 * fail the deploy, later and less clearly. Names set only in CloudFormation are checked there.
 */
const checkParameterPatternSize = async (context, rules) => {
  const sources = await parameterSources(context, { skipMalformed: true });
  const given = DELIVERY_STACK_PARAMETERS.flatMap(([name]) => {
    const value = sources.filter(([key]) => key === name).at(-1);
    return value && String(value[1]) !== '' ? [String(value[1])] : [];
  });
  const names = [...given, ...routeParameterNames(rules)];
  const length = JSON.stringify(
    patterns.parameterGuardRailPattern(names.flatMap(patterns.parameterNameSpellings)),
  ).length;
  if (length > EVENT_PATTERN_MAX_LENGTH) {
    throw new ParameterError(
      `the guard rail on the forwarder's SSM parameters (${names.length} names) needs a ${length}-character event ` +
        `pattern, over EventBridge's ${EVENT_PATTERN_MAX_LENGTH}: use shorter parameter names or fewer route webhooks`,
    );
  }
};

const scp = loadTypeScript('shared/domain/scp.ts');

/**
 * The EC2-credential SCP's `Content`: a chain of Fn::If over the Scp* conditions whose every leaf is a complete
 * document of shared/domain/scp.ts (no AWS::NoValue inside the JSON), so that what Organizations receives is
 * exactly one of the documents the tests evaluate. The egress list is a `Ref` to the CommaDelimitedList
 * parameter, used only where `HasInstanceEgressCidrs` holds (an empty list would be `[""]`, not a CIDR).
 * @see https://aws.amazon.com/blogs/security/how-to-use-policies-to-restrict-where-ec2-instance-credentials-can-be-used-from/
 */
const scpContent = () => {
  const values = {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudFormation Fn::Sub placeholder
    ec2InfrastructureArn: { 'Fn::Sub': 'arn:${AWS::Partition}:iam::*:role/aws:ec2-infrastructure' },
    egressCidrs: { Ref: 'InstanceEgressCidrs' },
  };
  const branches = [
    ['ScpDenyPublicEndpoints', 'denyPublicEndpoints'],
    ['HasInstanceEgressCidrs', 'hasEgressCidrs'],
    ['ScpTagExemption', 'tagExemption'],
    ['ScpExemptIam', 'exemptIam'],
    ['ScpEc2InfrastructureException', 'ec2InfrastructureException'],
  ];
  const select = (depth, variant) => {
    if (depth === branches.length) return scp.buildScpDocument(variant, values);
    const [condition, flag] = branches[depth];
    // The egress list matters only when public endpoints are denied: no branch (and no duplicate) otherwise.
    if (flag === 'hasEgressCidrs' && !variant.denyPublicEndpoints) {
      return select(depth + 1, { ...variant, [flag]: false });
    }
    return {
      'Fn::If': [
        condition,
        select(depth + 1, { ...variant, [flag]: true }),
        select(depth + 1, { ...variant, [flag]: false }),
      ],
    };
  };
  return select(0, {});
};

/** The stack parameters the compiled template declares: every `Parameters` of the `resources` fragments. */
const declaredParameters = async (resolveConfigurationProperty) => {
  const resources = await resolveConfigurationProperty(['resources']);
  const fragments = Array.isArray(resources) ? resources : [resources];
  const declared = new Map();
  for (const fragment of fragments) {
    for (const [key, parameter] of Object.entries(fragment?.Parameters ?? {})) declared.set(key, parameter);
  }
  return declared;
};

/** Why `value` is not acceptable for `parameter`, as CloudFormation would reject it; undefined when it is. */
const parameterProblem = (parameter, value) => {
  if (parameter.AllowedValues && !parameter.AllowedValues.map(String).includes(value)) {
    return `must be one of ${parameter.AllowedValues.join(', ')}`;
  }
  if (parameter.Type === 'Number') {
    const number = Number(value);
    if (value.trim() === '' || !Number.isFinite(number)) return 'must be a number';
    if (parameter.MinValue !== undefined && number < parameter.MinValue)
      return `must be at least ${parameter.MinValue}`;
    if (parameter.MaxValue !== undefined && number > parameter.MaxValue)
      return `must be at most ${parameter.MaxValue}`;
  }
  if (
    parameter.Type === 'String' &&
    parameter.AllowedPattern &&
    !new RegExp(`^(?:${parameter.AllowedPattern})$`).test(value)
  ) {
    return `must match ${parameter.AllowedPattern}`;
  }
  if (parameter.Type === 'CommaDelimitedList' && value !== '') {
    // An empty value is an empty list; an empty item (`a,,b`, `a,`) is a mistake: Organizations rejects an SCP
    // condition holding "", and a StackSet an empty region.
    const items = value.split(',').map((item) => item.trim());
    if (items.includes('')) return 'an empty item in the comma-separated list';
    // CloudFormation applies AllowedPattern to each item of a CommaDelimitedList.
    const pattern = parameter.AllowedPattern && new RegExp(`^(?:${parameter.AllowedPattern})$`);
    const wrong = pattern && items.find((item) => !pattern.test(item));
    if (wrong) return `${JSON.stringify(wrong)} must match ${parameter.AllowedPattern}`;
  }
  return undefined;
};

/** Why the egress rules' patterns cannot be compiled from `cidrs` (`not a CIDR: "…"`); undefined when they can. */
const egressCidrsProblem = (cidrs) => {
  try {
    patterns.instanceEgressPatterns(cidrs);
    return undefined;
  } catch (error) {
    return (error instanceof Error ? error.message : String(error)).replace(/^InstanceEgressCidrs: /, '');
  }
};

/** Severity names, for `JiraPriorityMap` (loaded on first use). */
let severities;
/**
 * Why a value CloudFormation would take still breaks the stack or a function; undefined when it does not. Keyed by
 * parameter (null prototype: keys come from the command line).
 */
const deploymentProblems = Object.assign(Object.create(null), {
  // The egress rules' patterns are compiled from the CIDRs at package time (egressRules).
  InstanceEgressCidrs: (value) =>
    egressCidrsProblem(
      value
        .split(',')
        .map((cidr) => cidr.trim())
        .filter((cidr) => cidr !== ''),
    ),
  // Members forward IAM events from us-east-1, where IAM's CloudTrail events are delivered.
  ForwardingRegions: (value) =>
    value
      .split(',')
      .map((region) => region.trim())
      .includes('us-east-1')
      ? undefined
      : 'must include us-east-1 (IAM events are delivered there)',
  // The forwarder parses it at every cold start (functions/forwarder/config.ts): a bad map fails each one.
  JiraPriorityMap: (value) => {
    let parsed;
    try {
      parsed = JSON.parse(value);
    } catch {
      return 'must be JSON like {"critical":"Highest","high":"High"}';
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
      return 'must be a JSON object';
    severities ??= loadTypeScript('shared/domain/types.ts').SEVERITIES;
    for (const [severity, priority] of Object.entries(parsed)) {
      if (!severities.includes(severity)) {
        return `unknown severity ${JSON.stringify(severity)} (use ${severities.join(', ')})`;
      }
      if (typeof priority !== 'string' || priority.trim() === '') {
        return `the priority for ${severity} must be a non-empty string`;
      }
    }
    return undefined;
  },
});

/**
 * A parameter mistake. osls prints a resolver's rejection with its `stack`: without the frames, the
 * mistake stays on one line that names the key.
 */
class ParameterError extends Error {
  constructor(message) {
    super(message);
    this.name = 'ParameterError';
    this.stack = `${this.name}: ${message}`;
  }
}

/**
 * Stack parameter values for `serverless deploy`: `params.default`, then `params.<stage>` of
 * serverless.yml, then `--param Key=Value` on the command line. A key that is not a stack parameter
 * (`preset=auth` instead of `Preset=auth`), or a value CloudFormation would refuse (outside
 * AllowedValues, AllowedPattern, MinValue/MaxValue), fails `package` and `deploy` at once, naming the
 * key, instead of being dropped or failing later in CloudFormation.
 */
/**
 * Every stack parameter value given to `serverless package`/`deploy`, in order of precedence (later wins):
 * `params.default`, `params.<stage>`, then `--param Key=Value`, each as `[key, value, source]`.
 */
const parameterSources = async (
  { options, resolveConfigurationProperty },
  { skipMalformed = false } = {},
) => {
  const params = await resolveConfigurationProperty(['params']);
  const stage = options.stage ?? (await resolveConfigurationProperty(['provider', 'stage'])) ?? 'dev';
  return [
    ...Object.entries(params?.default ?? {}).map(([key, value]) => [key, value, 'params.default']),
    ...Object.entries(params?.[stage] ?? {}).map(([key, value]) => [key, value, `params.${stage}`]),
    ...[options.param ?? []].flat().flatMap((entry) => {
      const text = String(entry);
      const at = text.indexOf('=');
      if (at < 0) {
        if (skipMalformed) return [];
        throw new ParameterError(`--param "${text}" is not Key=Value`);
      }
      return [[text.slice(0, at), text.slice(at + 1), '--param']];
    }),
  ];
};

/**
 * The `InstanceEgressCidrs` given at package time (empty when none): the CIDRs the egress rules' patterns are
 * compiled from. A malformed CIDR or `--param` is `stackParameters`' to report, once.
 */
const packagedEgressCidrs = async (context) => {
  const sources = await parameterSources(context, { skipMalformed: true });
  const given = sources.filter(([key]) => key === 'InstanceEgressCidrs').at(-1);
  if (!given) return [];
  const cidrs = String(given[1])
    .split(',')
    .map((cidr) => cidr.trim())
    .filter((cidr) => cidr !== '');
  // A malformed CIDR is `stackParameters`' to report (deploymentProblems): thrown here, osls would print it once
  // for every resource built from the CIDRs.
  return egressCidrsProblem(cidrs) ? [] : cidrs;
};

const stackParameters = async ({ options, resolveConfigurationProperty }) => {
  const sources = await parameterSources({ options, resolveConfigurationProperty });
  const declared = await declaredParameters(resolveConfigurationProperty);
  const values = new Map();
  for (const [key, raw, source] of sources) {
    // A package-time param (the rules file's path), read by alertRules, never passed to CloudFormation.
    if (key === ALERTS_CONFIG_PARAM) continue;
    const value = String(raw);
    const parameter = declared.get(key);
    if (!parameter) {
      const hint = [...declared.keys()].find((name) => name.toLowerCase() === key.toLowerCase());
      throw new ParameterError(
        `${source} ${key}: not a stack parameter${hint ? ` (did you mean ${hint}?)` : ''}; see the README's Parameters table`,
      );
    }
    const problem = parameterProblem(parameter, value) ?? deploymentProblems[key]?.(value);
    if (problem) throw new ParameterError(`${source} ${key}=${value}: ${problem}`);
    values.set(key, value);
  }
  return [...values].map(([ParameterKey, ParameterValue]) => ({ ParameterKey, ParameterValue }));
};

// `serverless invoke local` resolves every `Ref` in a function's environment through the deployed stack
// (the CloudFormation API), which fails offline and before the first deploy. osls tells a file resolver
// nothing about the command, so the command line says it: for `invoke local`, references give way to
// values that work with no AWS account, and what the shell sets passes through.
const isInvokeLocal = () => {
  const args = process.argv.slice(2);
  return args.includes('invoke') && args.includes('local');
};

/** The package-time param naming the rules file (`params:` or `--param alertsConfig=path`); not a stack parameter. */
const ALERTS_CONFIG_PARAM = 'alertsConfig';
/** The rules file when `alertsConfig` is not given, relative to the service directory. */
const DEFAULT_ALERTS_CONFIG = 'alerts.yml';

/**
 * Lambda's limit on a function's environment: "The total size of all environment variables doesn't exceed 4 KB"
 * (keys and values). @see https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html
 */
const LAMBDA_ENVIRONMENT_BYTES = 4096;
/** What a `Ref`/`Fn::Join` value may become once CloudFormation resolves it (an ARN, a table name, a URL). */
const RESOLVED_REFERENCE_BYTES = 256;

/** A rules-file mistake: one message, one line per problem, no stack frames (osls prints `stack`). */
class RulesFileError extends Error {
  constructor(message) {
    super(message);
    this.name = 'RulesFileError';
    this.stack = `${this.name}: ${message}`;
  }
}

const compiledRules = new Map();
const failedRules = new Set();

/**
 * `alerts.yml` (or the `alertsConfig` param's path) validated in mode `package` against today's UTC date and
 * compiled (`compileRules`) to one line of JSON for `ALERT_RULES`. Any problem, an expired rule included, fails
 * `serverless package` with one line per problem (`alerts.yml:4: suppress[0].expires: …`). A missing file is an
 * error when the param names it; the default `alerts.yml` absent means the empty rule set. Memoized per path: both
 * functions' environments ask for it.
 */
const alertRules = async (context) => {
  const sources = await parameterSources(context, { skipMalformed: true });
  const given = sources.filter(([key]) => key === ALERTS_CONFIG_PARAM).at(-1);
  const serviceDir = path.join(__dirname, '..');
  const fileName = given ? String(given[1]) : DEFAULT_ALERTS_CONFIG;
  const file = path.resolve(serviceDir, fileName);
  if (compiledRules.has(file)) return compiledRules.get(file);
  // Every function's environment and the subscriptions ask for the rules: their problems are listed once.
  if (failedRules.has(file))
    throw new RulesFileError(`${fileName}: cannot be used (its problems are listed above)`);
  const engine = rulesEngine();
  let text;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    if (!given && error.code === 'ENOENT') text = '';
    else {
      failedRules.add(file);
      throw new RulesFileError(`${fileName}: cannot read the rules file (${error.code ?? error.message})`);
    }
  }
  const today = new Date().toISOString().slice(0, 10);
  const { config, errors } = engine.loadRulesYaml(text, { fileName, mode: 'package', today });
  if (errors.length > 0 || !config) {
    failedRules.add(file);
    throw new RulesFileError(
      `${fileName} has ${errors.length} problem${errors.length === 1 ? '' : 's'}:\n${errors.join('\n')}`,
    );
  }
  // One line: the notifier reads JSON.parse(text), and Lambda's 4 KB are too few for indentation.
  const compiled = JSON.stringify(JSON.parse(engine.compileRules(config)));
  compiledRules.set(file, { fileName, compiled });
  return compiledRules.get(file);
};

/** Bytes a function's environment takes in Lambda's count, a reference counted at its longest likely value. */
const environmentBytes = (environment) =>
  Object.entries(environment).reduce(
    (sum, [key, value]) =>
      sum +
      Buffer.byteLength(key) +
      (typeof value === 'string' ? Buffer.byteLength(value) : RESOLVED_REFERENCE_BYTES),
    0,
  );

/**
 * The environment with `ALERT_RULES` added, or a clear failure when the compiled rules would push it over Lambda's
 * 4 KB (the provider-wide variables count too).
 */
const withAlertRules = async (context, functionName, environment) => {
  const { fileName, compiled } = await alertRules(context);
  const provider = (await context.resolveConfigurationProperty(['provider', 'environment'])) ?? {};
  const others = environmentBytes({ ...provider, ...environment });
  const total = others + Buffer.byteLength('ALERT_RULES') + Buffer.byteLength(compiled);
  if (total > LAMBDA_ENVIRONMENT_BYTES) {
    throw new RulesFileError(
      `${fileName} compiles to ${Buffer.byteLength(compiled)} bytes of JSON (ALERT_RULES); with the ${functionName}'s ` +
        `other variables (up to ${others} bytes) that is ${total} bytes, over Lambda's 4 KB environment limit: ` +
        'shorten reasons and globs, or merge rules',
    );
  }
  // A reason may hold `${`, which osls would take for a variable.
  return { ...environment, ALERT_RULES: escapeVariables(compiled) };
};

/**
 * The notifier's environment: deployed, the topic and IAM enrichment; invoked locally, alerts are printed. The
 * delivery parameters come from the compiled rules' routes, which a rules file with problems does not give: that
 * failure is reported by `withAlertRules`.
 */
const notifierEnvironment = async (context) => {
  const { compiled } = await alertRules(context);
  return withAlertRules(context, 'notifier', notifierEnvironmentBase(JSON.parse(compiled)));
};

/**
 * `DELIVERY_PARAMETERS`: the names `ParameterGuardRailRule` is built from (`parameterGuardRailPattern`), comma-separated,
 * so that the notifier calls an SSM write the guard rail on exactly those: the stack parameters' values, resolved at
 * deploy time (`Ref`), each behind its `Has…` condition (an unset parameter adds nothing, not an empty item), and the
 * routes' webhook parameters (literal). SSM parameter names hold no comma. Fn::Join takes Fn::If in its list.
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference-join.html
 */
const deliveryParametersVariable = (rules) => ({
  'Fn::Join': [
    ',',
    [
      ...DELIVERY_STACK_PARAMETERS.map(([parameter, condition]) => ({
        'Fn::If': [condition, { Ref: parameter }, { Ref: 'AWS::NoValue' }],
      })),
      ...routeParameterNames(rules),
    ],
  ],
});

const notifierEnvironmentBase = (rules) => {
  const deployed = {
    ALERT_TOPIC_ARN: { Ref: 'AlertTopic' },
    IAM_ENRICHMENT: 'on',
    IAM_TIMEOUT_MS: '1500',
    ENRICHMENT_CACHE_TTL_SECONDS: '300',
    // Comma-separated CIDRs (empty: none), the egress rule's precise filter (issue 16, item 5).
    INSTANCE_EGRESS_CIDRS: { 'Fn::Join': [',', { Ref: 'InstanceEgressCidrs' }] },
    // The forwarder's SSM parameters: only a write to one of them is the parameter guard rail.
    DELIVERY_PARAMETERS: deliveryParametersVariable(rules),
    // The topics' KMS keys: only a call on one of them is the key guard rail.
    OWN_KEYS: ownKeysVariable(),
    // One publish per CloudTrail eventID (keys iam-alerts-notifier-*, the only keys its role may touch).
    IDEMPOTENCY_TABLE: { Ref: 'IdempotencyTable' },
    SNS_TIMEOUT_MS: '3000',
    // Account names from Organizations DescribeAccount, only with an organization (its permission too).
    ACCOUNT_NAMES: { 'Fn::If': ['HasOrganization', 'on', 'off'] },
    POWERTOOLS_SERVICE_NAME: 'notifier',
  };
  if (!isInvokeLocal()) return deployed;
  return {
    ...deployed,
    // No topic: the publisher prints what it would publish. IAM calls only when asked for.
    ALERT_TOPIC_ARN: process.env.ALERT_TOPIC_ARN ?? '',
    IAM_ENRICHMENT: process.env.IAM_ENRICHMENT ?? 'off',
    INSTANCE_EGRESS_CIDRS: process.env.INSTANCE_EGRESS_CIDRS ?? '',
    DELIVERY_PARAMETERS: process.env.DELIVERY_PARAMETERS ?? routeParameterNames(rules).join(','),
    OWN_KEYS: process.env.OWN_KEYS ?? '',
    IDEMPOTENCY_TABLE: process.env.IDEMPOTENCY_TABLE ?? '',
    ACCOUNT_NAMES: process.env.ACCOUNT_NAMES ?? 'off',
  };
};

/**
 * The forwarder's environment: deployed, from stack parameters (secrets as SSM parameter names) and the
 * idempotency table; invoked locally, from the shell (`SLACK_WEBHOOK_URL`, `JIRA_*`), with no table.
 */
const forwarderEnvironment = async (context) => {
  try {
    return await withAlertRules(context, 'forwarder', forwarderEnvironmentBase());
  } catch (error) {
    // The notifier's environment reports every problem; once is enough.
    if (error instanceof RulesFileError && !error.message.includes('over Lambda')) {
      throw new RulesFileError('the rules file has problems (listed for the notifier above)');
    }
    throw error;
  }
};

const forwarderEnvironmentBase = () => {
  if (isInvokeLocal()) {
    return {
      POWERTOOLS_SERVICE_NAME: 'forwarder',
      IDEMPOTENCY_TABLE: process.env.IDEMPOTENCY_TABLE ?? '',
    };
  }
  return {
    SLACK_WEBHOOK_URL_PARAMETER: { Ref: 'SlackWebhookUrlParameter' },
    JIRA_BASE_URL: { Ref: 'JiraBaseUrl' },
    JIRA_EMAIL: { Ref: 'JiraEmail' },
    JIRA_API_TOKEN_PARAMETER: { Ref: 'JiraApiTokenParameter' },
    JIRA_PROJECT_KEY: { Ref: 'JiraProjectKey' },
    JIRA_ISSUE_TYPE: { Ref: 'JiraIssueType' },
    JIRA_PRIORITY_MAP: { Ref: 'JiraPriorityMap' },
    IDEMPOTENCY_TABLE: { Ref: 'IdempotencyTable' },
    // Slack bot mode (issue 12, item 3 of the exactly-once work): empty parameters leave it off.
    SLACK_BOT_TOKEN_PARAMETER: { Ref: 'SlackBotTokenParameter' },
    SLACK_CHANNEL_ID: { Ref: 'SlackChannelId' },
    // The default route's threshold, for alerts that reached the forwarder by another route's filter.
    FORWARDER_MINIMUM_SEVERITY: { Ref: 'ForwarderMinimumSeverity' },
    // Slack's ~1 message/s is shared by all containers: each spaces its posts by SLACK_MIN_INTERVAL_MS × this.
    FORWARDER_CONCURRENCY: { Ref: 'ForwarderReservedConcurrency' },
    POWERTOOLS_SERVICE_NAME: 'forwarder',
  };
};

/**
 * The digest's environment: the topic, the idempotency table (one digest per day, keys iam-alerts-digest-*) and the
 * rules (for the expired rule ids); locally, printed and remembered in memory.
 */
const digestEnvironment = async (context) => {
  const base = {
    ALERT_TOPIC_ARN: isInvokeLocal() ? (process.env.ALERT_TOPIC_ARN ?? '') : { Ref: 'AlertTopic' },
    IDEMPOTENCY_TABLE: isInvokeLocal() ? (process.env.IDEMPOTENCY_TABLE ?? '') : { Ref: 'IdempotencyTable' },
    AWS_CALL_TIMEOUT_MS: '3000',
    POWERTOOLS_SERVICE_NAME: 'digest',
  };
  try {
    return await withAlertRules(context, 'digest', base);
  } catch (error) {
    if (error instanceof RulesFileError && !error.message.includes('over Lambda')) {
      throw new RulesFileError('the rules file has problems (listed for the notifier above)');
    }
    throw error;
  }
};

/**
 * The bundles' file extension. Deployed: `.mjs`, ESM on Lambda with no package.json in the zip. Invoked
 * locally: `.js`, because osls's `invoke local` loads only `handler.js` (as ESM under this project's
 * `"type": "module"`) or `handler.cjs`.
 */
const bundleExtension = () => (isInvokeLocal() ? '.js' : '.mjs');

/** Where esbuild writes the bundles: apart for `invoke local`, so its `.js` files never reach a package. */
const bundleFolder = () => (isInvokeLocal() ? '.build-invoke-local' : '.build');

// ---- Issue 12, forwarder side: the topic's subscriptions follow the routes and the grouping of alerts.yml. ----
// The rules are the ones compiled for ALERT_RULES (`alertRules`: alerts.yml or the `alertsConfig` param's file), so
// the subscriptions and what the functions apply can never disagree.

/**
 * The notifier's SNS message attributes the subscriptions filter on (contract of issue 12): `routes` (String.Array
 * of route names), `grouped` (String "true"/"false", absent when an ungrouped alert needs its slot for another
 * attribute) and `kind` (only on the daily digest, which has no `alert` attribute for the forwarder to read).
 */
const ALERT_ATTRIBUTES = Object.freeze({
  routes: 'routes',
  grouped: 'grouped',
  groupedYes: 'true',
  groupedNo: 'false',
  kind: 'kind',
  digestKind: 'suppression-digest',
});

const DEFAULT_ROUTE = 'default';

/** The compiled rules of this package (see `alertRules`), as the RulesConfig value the functions read. */
const rulesForSubscriptions = async (context) => JSON.parse((await alertRules(context)).compiled);

/** The severities at or above a stack parameter, from the SeverityAtLeast mapping (parameters.yml). */
const severitiesFrom = (parameter) => ({
  'Fn::FindInMap': ['SeverityAtLeast', { Ref: parameter }, 'Severities'],
});

/** `[a, b]` × `[c, d]` of filter policy branches: every combination, merged. */
const crossBranches = (...alternatives) =>
  alternatives.reduce(
    (branches, options) => branches.flatMap((branch) => options.map((o) => ({ ...branch, ...o }))),
    [{}],
  );

/** One policy, or `$or` over several (SNS filter policy OR operator). */
const anyOf = (branches) => (branches.length === 1 ? branches[0] : { $or: branches });

/** `routes` is the default route, or absent (an alert published by a notifier older than the routes). */
const defaultRoute = () => [
  { [ALERT_ATTRIBUTES.routes]: [DEFAULT_ROUTE] },
  { [ALERT_ATTRIBUTES.routes]: [{ exists: false }] },
];

/** The names of the routes that the forwarder delivers (a Slack webhook or a Jira project). */
const forwardedRouteNames = (rules) =>
  rules.routes.filter((route) => route.slack || route.jira).map((route) => route.name);

/**
 * The forwarder's filter policy for `grouped` alerts (`true`: the grouped alerts' queue) or not (`false` or absent:
 * the direct subscription): the default route at or above ForwarderMinimumSeverity, and every route with a Slack or
 * Jira destination (its own severity range is in its `match`).
 * @see https://docs.aws.amazon.com/sns/latest/dg/and-or-logic.html
 * @see https://docs.aws.amazon.com/sns/latest/dg/attribute-key-matching.html
 */
const forwarderPolicy = (rules, grouped) => {
  const groupedValues = grouped
    ? [{ [ALERT_ATTRIBUTES.grouped]: [ALERT_ATTRIBUTES.groupedYes] }]
    : [
        { [ALERT_ATTRIBUTES.grouped]: [ALERT_ATTRIBUTES.groupedNo] },
        { [ALERT_ATTRIBUTES.grouped]: [{ exists: false }] },
      ];
  const routes = forwardedRouteNames(rules);
  // The daily digest carries no `alert` for the forwarder to read; with `routes` absent it would otherwise pass.
  const notDigest = [{ [ALERT_ATTRIBUTES.kind]: [{ exists: false }] }];
  return anyOf([
    ...crossBranches(
      defaultRoute(),
      [{ severity: severitiesFrom('ForwarderMinimumSeverity') }],
      groupedValues,
      notDigest,
    ),
    ...(routes.length > 0 ? crossBranches([{ [ALERT_ATTRIBUTES.routes]: routes }], groupedValues) : []),
  ]);
};

/** The existing e-mail subscription: the default route at or above EmailMinimumSeverity. */
const emailPolicy = () =>
  anyOf([
    ...crossBranches(defaultRoute(), [{ severity: severitiesFrom('EmailMinimumSeverity') }]),
    // The daily suppression digest, whatever the severity filter: hiding must stay visible.
    { [ALERT_ATTRIBUTES.kind]: [ALERT_ATTRIBUTES.digestKind] },
  ]);

const pascal = (name) =>
  name
    .split('-')
    .map((part) => capitalise(part))
    .join('');

/** `arn:…:parameter/iam-alerts/slack/prod`: SSM parameter names start with `/`. */
const parameterArn = (name) => ({
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudFormation Fn::Sub placeholder
  'Fn::Sub': ['arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter${name}', { name }],
});

/**
 * Per route of alerts.yml: an e-mail subscription per address, filtered on the route (its severity range is in its
 * `match`), with the subscriptions' dead-letter queue; and, for routes with a Slack webhook, the forwarder's right to
 * read and decrypt exactly those SSM parameters.
 */
const routeSubscriptions = (rules) => {
  const resources = {};
  for (const route of rules.routes) {
    for (const [index, address] of (route.email ?? []).entries()) {
      resources[`RouteEmailSubscription${pascal(route.name)}${index + 1}`] = {
        Type: 'AWS::SNS::Subscription',
        Properties: {
          TopicArn: { Ref: 'AlertTopic' },
          Protocol: 'email',
          Endpoint: address,
          RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': ['SubscriptionDeadLetterQueue', 'Arn'] } },
          FilterPolicyScope: 'MessageAttributes',
          FilterPolicy: { [ALERT_ATTRIBUTES.routes]: [route.name] },
        },
      };
    }
  }
  const webhooks = rules.routes.filter((route) => route.slack).map((route) => route.slack);
  if (webhooks.length > 0) {
    resources.ForwarderRouteWebhooksPolicy = {
      Type: 'AWS::IAM::Policy',
      Properties: {
        PolicyName: 'forwarder-route-webhooks',
        Roles: [{ Ref: 'ForwarderRole' }],
        PolicyDocument: {
          Version: '2012-10-17',
          Statement: [
            {
              Sid: 'ReadRouteWebhookUrls',
              Effect: 'Allow',
              Action: 'ssm:GetParameter',
              Resource: webhooks.map(parameterArn),
            },
            {
              Sid: 'DecryptRouteWebhookUrls',
              Effect: 'Allow',
              Action: 'kms:Decrypt',
              // biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudFormation Fn::Sub placeholder
              Resource: { 'Fn::Sub': 'arn:${AWS::Partition}:kms:${AWS::Region}:${AWS::AccountId}:key/*' },
              Condition: {
                // biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudFormation Fn::Sub placeholder
                StringEquals: { 'kms:ViaService': { 'Fn::Sub': 'ssm.${AWS::Region}.amazonaws.com' } },
                'ForAnyValue:StringEquals': {
                  'kms:EncryptionContext:PARAMETER_ARN': webhooks.map(parameterArn),
                },
              },
            },
          ],
        },
      },
    };
  }
  return { Resources: resources };
};

/** The grouped alerts' queue mapping: the batching window is `grouping.windowSeconds` (0: no window, 10 a batch). */
const groupedBatching = (rules) => {
  const window = Math.min(rules.grouping.windowSeconds, 300);
  // Lambda allows a BatchSize above 10 only with a batching window of at least 1 second.
  return { window, batchSize: window === 0 ? 10 : 1000 };
};

const forwarderSide = {
  /** Filter of the forwarder's direct subscription (never delayed). */
  forwarderFilterPolicy: async (context) =>
    escapeVariables(forwarderPolicy(await rulesForSubscriptions(context), false)),
  /** Filter of the grouped alerts' queue subscription. */
  groupedFilterPolicy: async (context) =>
    escapeVariables(forwarderPolicy(await rulesForSubscriptions(context), true)),
  /** Filter of the existing e-mail subscription. */
  emailFilterPolicy: () => escapeVariables(emailPolicy()),
  routeSubscriptionsFragment: async (context) =>
    escapeVariables(routeSubscriptions(await rulesForSubscriptions(context))),
  /** The parameter guard rail on the stack's and the routes' delivery parameters (`parameterGuardRailFragment`). */
  parameterGuardRailFragment: async (context) => {
    const rules = await rulesForSubscriptions(context);
    await checkParameterPatternSize(context, rules);
    return escapeVariables(parameterGuardRailFragment(rules));
  },
  groupingWindowSeconds: async (context) => groupedBatching(await rulesForSubscriptions(context)).window,
  groupingBatchSize: async (context) => groupedBatching(await rulesForSubscriptions(context)).batchSize,
  /** For tests: the same fragments from given rules. */
  subscriptionsFor: (rules) => ({
    forwarderFilterPolicy: forwarderPolicy(rules, false),
    groupedFilterPolicy: forwarderPolicy(rules, true),
    emailFilterPolicy: emailPolicy(),
    routeSubscriptionsFragment: routeSubscriptions(rules),
    groupedBatching: groupedBatching(rules),
    parameterGuardRailFragment: parameterGuardRailFragment(rules),
  }),
  ALERT_ATTRIBUTES,
};

module.exports = {
  bundleExtension,
  bundleFolder,
  notifierEnvironment,
  forwarderEnvironment,
  digestEnvironment,
  serviceName: patterns.SERVICE_NAME,
  presetFragment: () => escapeVariables(presetFragment()),
  iamEventPattern: () => escapeVariables(iamEventPattern()),
  iamRuleState: () => escapeVariables(iamRuleState()),
  guardRailPattern: () => escapeVariables(patterns.GUARD_RAIL_PATTERN),
  keyGuardRailPattern: () => escapeVariables(keyGuardRailPattern()),
  identityPattern: () => escapeVariables(deployedRule('identity').pattern),
  identityRuleState: () => ruleState(deployedRule('identity')),
  egressFragment: async (context) => escapeVariables(egressFragment(await packagedEgressCidrs(context))),
  centralDeadLetterSources: async (context) =>
    escapeVariables(centralDeadLetterSources(await packagedEgressCidrs(context))),
  memberTemplateBody: async (context) =>
    escapeVariables(JSON.stringify(memberTemplate(await packagedEgressCidrs(context)))),
  scpContent: () => escapeVariables(scpContent()),
  stackParameters,
  ...forwarderSide,
};
