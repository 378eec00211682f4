'use strict';
// CloudFormation fragments derived from the TypeScript sources of truth, for serverless.yml
// (`${file(./resources/derived.cjs):<name>}`). osls loads `.cjs` files with require(), so this file
// compiles shared/domain/patterns.ts with esbuild (already a build dependency) and evaluates it: the
// deployed patterns are, by construction, the ones `iam-alerts patterns` prints.
//
// Every string handed back is escaped for osls: a literal `${aws:SourceVpc}` (an IAM policy variable) or
// `${AWS::Region}` (Fn::Sub) would otherwise be taken for a Serverless variable. osls turns `\${` into `${`.

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

/**
 * The template every member account's us-east-1 gets from the StackSet: a role that may put events on
 * the central bus only, and two rules on the default bus (the IAM preset and the guard rails) that
 * forward to it.
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-cross-account.html
 */
const memberTemplate = () => {
  const forwardTarget = {
    Id: 'central-bus',
    Arn: { Ref: 'CentralEventBusArn' },
    RoleArn: { 'Fn::GetAtt': ['ForwardRole', 'Arn'] },
    // Events the central bus did not accept after EventBridge's retries (24 h) wait here for redrive.
    DeadLetterConfig: { Arn: { 'Fn::GetAtt': ['ForwardDeadLetterQueue', 'Arn'] } },
  };
  const queueArn = { 'Fn::GetAtt': ['ForwardDeadLetterQueue', 'Arn'] };
  const { Parameters, Conditions } = presetFragment();
  return {
    AWSTemplateFormatVersion: '2010-09-09',
    Description: `${patterns.SERVICE_NAME} member account: forwards IAM and guard-rail events to the central bus`,
    Parameters: {
      ...Parameters,
      CentralEventBusArn: {
        Type: 'String',
        AllowedPattern: '^arn:aws[a-z-]*:events:[a-z0-9-]+:[0-9]{12}:event-bus/.+$',
        Description: 'ARN of the central event bus in the security account',
      },
    },
    Conditions,
    Resources: {
      ForwardRole: {
        Type: 'AWS::IAM::Role',
        Properties: {
          Description: 'Lets EventBridge put events on the central IAM alerts bus',
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
        Metadata: {
          cdk_nag: {
            rules_to_suppress: [
              {
                id: 'AwsSolutions-SQS3',
                reason:
                  "This queue is the dead-letter queue of both forwarding rules' targets (DeadLetterConfig); cdk-nag only recognises a queue named in another queue's RedrivePolicy.",
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
                    'aws:SourceArn': [
                      { 'Fn::GetAtt': ['ForwardIamRule', 'Arn'] },
                      { 'Fn::GetAtt': ['ForwardGuardRailRule', 'Arn'] },
                    ],
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
      ForwardIamRule: {
        Type: 'AWS::Events::Rule',
        Properties: {
          // Named so that the guard-rail pattern (names containing the service name) watches it.
          Name: `${patterns.SERVICE_NAME}-forward-iam`,
          Description: 'IAM calls (filter preset) to the central IAM alerts bus',
          EventBusName: 'default',
          EventPattern: iamEventPattern(),
          State: iamRuleState(),
          Targets: [forwardTarget],
        },
      },
      ForwardGuardRailRule: {
        Type: 'AWS::Events::Rule',
        Properties: {
          Name: `${patterns.SERVICE_NAME}-forward-guard-rails`,
          Description: 'Tampering with trails, SCPs and the alerting itself, to the central IAM alerts bus',
          EventBusName: 'default',
          EventPattern: patterns.GUARD_RAIL_PATTERN,
          State: 'ENABLED',
          Targets: [forwardTarget],
        },
      },
    },
    Outputs: {
      ForwardDeadLetterQueueUrl: {
        Description: 'Events the central bus did not accept (redrive to the central bus)',
        Value: { Ref: 'ForwardDeadLetterQueue' },
      },
    },
  };
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
  return undefined;
};

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
const stackParameters = async ({ options, resolveConfigurationProperty }) => {
  const params = await resolveConfigurationProperty(['params']);
  const stage = options.stage ?? (await resolveConfigurationProperty(['provider', 'stage'])) ?? 'dev';
  const sources = [
    ...Object.entries(params?.default ?? {}).map(([key, value]) => [key, value, 'params.default']),
    ...Object.entries(params?.[stage] ?? {}).map(([key, value]) => [key, value, `params.${stage}`]),
    ...[options.param ?? []].flat().map((entry) => {
      const text = String(entry);
      const at = text.indexOf('=');
      if (at < 0) throw new ParameterError(`--param "${text}" is not Key=Value`);
      return [text.slice(0, at), text.slice(at + 1), '--param'];
    }),
  ];
  const declared = await declaredParameters(resolveConfigurationProperty);
  const values = new Map();
  for (const [key, raw, source] of sources) {
    const value = String(raw);
    const parameter = declared.get(key);
    if (!parameter) {
      const hint = [...declared.keys()].find((name) => name.toLowerCase() === key.toLowerCase());
      throw new ParameterError(
        `${source} ${key}: not a stack parameter${hint ? ` (did you mean ${hint}?)` : ''}; see the README's Parameters table`,
      );
    }
    const problem = parameterProblem(parameter, value);
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

/** The notifier's environment: deployed, the topic and IAM enrichment; invoked locally, alerts are printed. */
const notifierEnvironment = () => {
  const deployed = {
    ALERT_TOPIC_ARN: { Ref: 'AlertTopic' },
    IAM_ENRICHMENT: 'on',
    IAM_TIMEOUT_MS: '1500',
    ENRICHMENT_CACHE_TTL_SECONDS: '300',
    // One publish per CloudTrail eventID (keys iam-alerts-notifier-*, the only keys its role may touch).
    IDEMPOTENCY_TABLE: { Ref: 'IdempotencyTable' },
    SNS_TIMEOUT_MS: '3000',
    POWERTOOLS_SERVICE_NAME: 'notifier',
  };
  if (!isInvokeLocal()) return deployed;
  return {
    ...deployed,
    // No topic: the publisher prints what it would publish. IAM calls only when asked for.
    ALERT_TOPIC_ARN: process.env.ALERT_TOPIC_ARN ?? '',
    IAM_ENRICHMENT: process.env.IAM_ENRICHMENT ?? 'off',
    IDEMPOTENCY_TABLE: process.env.IDEMPOTENCY_TABLE ?? '',
  };
};

/**
 * The forwarder's environment: deployed, from stack parameters (secrets as SSM parameter names) and the
 * idempotency table; invoked locally, from the shell (`SLACK_WEBHOOK_URL`, `JIRA_*`), with no table.
 */
const forwarderEnvironment = () => {
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
    // Slack's ~1 message/s is shared by all containers: each spaces its posts by SLACK_MIN_INTERVAL_MS × this.
    FORWARDER_CONCURRENCY: { Ref: 'ForwarderReservedConcurrency' },
    POWERTOOLS_SERVICE_NAME: 'forwarder',
  };
};

/**
 * The bundles' file extension. Deployed: `.mjs`, ESM on Lambda with no package.json in the zip. Invoked
 * locally: `.js`, because osls's `invoke local` loads only `handler.js` (as ESM under this project's
 * `"type": "module"`) or `handler.cjs`.
 */
const bundleExtension = () => (isInvokeLocal() ? '.js' : '.mjs');

/** Where esbuild writes the bundles: apart for `invoke local`, so its `.js` files never reach a package. */
const bundleFolder = () => (isInvokeLocal() ? '.build-invoke-local' : '.build');

module.exports = {
  bundleExtension,
  bundleFolder,
  notifierEnvironment,
  forwarderEnvironment,
  serviceName: patterns.SERVICE_NAME,
  presetFragment: () => escapeVariables(presetFragment()),
  iamEventPattern: () => escapeVariables(iamEventPattern()),
  iamRuleState: () => escapeVariables(iamRuleState()),
  guardRailPattern: () => escapeVariables(patterns.GUARD_RAIL_PATTERN),
  memberTemplateBody: () => escapeVariables(JSON.stringify(memberTemplate())),
  scpContent: () => escapeVariables(scpContent()),
  stackParameters,
};
