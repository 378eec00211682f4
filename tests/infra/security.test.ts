// Least privilege and the policies of the compiled template: roles, bucket, queue, topic, key and the SCP.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  deployedResources,
  packageService,
  resolve,
  scenario,
  statementsOf,
  type Template,
  type TemplateResource,
} from '../helpers/template.js';

let template: Template;

beforeAll(async () => {
  ({ template } = await packageService());
}, 300_000);

const EVERYTHING_ON = {
  OrganizationId: 'o-abcdefghij',
  MemberOrganizationalUnitIds: 'ou-abcd-11111111',
  InManagementAccount: 'true',
  SlackWebhookUrlParameter: '/iam-alerts/slack-webhook-url',
  JiraApiTokenParameter: '/iam-alerts/jira-api-token',
};

type Statement = Record<string, unknown>;
const asList = (value: unknown): unknown[] => (Array.isArray(value) ? value : [value]);
const properties = (resource: TemplateResource | undefined): Record<string, unknown> => {
  if (!resource) throw new Error('resource missing');
  return resource.Properties ?? {};
};
const policyOf = (resource: TemplateResource | undefined): Statement[] =>
  statementsOf(properties(resource).PolicyDocument ?? properties(resource).Policies);
const sid = (statements: Statement[], name: string): Statement => {
  const found = statements.find((statement) => statement.Sid === name);
  if (!found) throw new Error(`no statement ${name}`);
  return found;
};

describe('function roles', () => {
  const roles = () => deployedResources(template, scenario(template, EVERYTHING_ON));

  it('are one per function, and no shared Serverless role exists', () => {
    expect(properties(template.Resources.NotifierLambdaFunction).Role).toEqual({
      'Fn::GetAtt': ['NotifierRole', 'Arn'],
    });
    expect(properties(template.Resources.ForwarderLambdaFunction).Role).toEqual({
      'Fn::GetAtt': ['ForwarderRole', 'Arn'],
    });
    expect(template.Resources.IamRoleLambdaExecution).toBeUndefined();
  });

  it('allow no wildcard action anywhere in the template IAM roles, and no iam:*', () => {
    const roleStatements = Object.values(roles())
      .filter((resource) => resource.Type === 'AWS::IAM::Role')
      .flatMap((role) => statementsOf(properties(role).Policies));
    expect(roleStatements.length).toBeGreaterThan(10);
    for (const statement of roleStatements) {
      expect(statement.Effect).toBe('Allow');
      expect(statement.NotAction).toBeUndefined();
      for (const action of asList(statement.Action)) expect(String(action)).not.toContain('*');
    }
  });

  it('give the notifier exactly what it uses', () => {
    const statements = statementsOf(properties(roles().NotifierRole).Policies);
    const actions = statements.flatMap((statement) => asList(statement.Action)).sort();
    // The IAM actions are read off the adapter's code, so a new call cannot ship without its permission.
    const adapter = readFileSync(
      join(import.meta.dirname, '../../functions/notifier/adapters/iam-directory.ts'),
      'utf8',
    );
    const iamActions = [...new Set([...adapter.matchAll(/new (\w+)Command\(/g)].map((m) => `iam:${m[1]}`))];
    expect(iamActions).toContain('iam:ListPolicyVersions');
    expect(actions).toEqual(
      [
        ...iamActions,
        'dynamodb:DeleteItem',
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:UpdateItem',
        'kms:Decrypt',
        'kms:GenerateDataKey',
        'logs:CreateLogStream',
        'logs:PutLogEvents',
        'organizations:DescribeAccount',
        'organizations:ListParents',
        'sns:Publish',
        'sqs:SendMessage',
      ].sort(),
    );
    expect(sid(statements, 'PublishAlerts').Resource).toEqual({ Ref: 'AlertTopic' });
    // Account names (issue 12): DescribeAccount on this organization's accounts, only when OrganizationId is set.
    // @see https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsorganizations.html
    expect(sid(statements, 'DescribeOrganizationAccounts')).toMatchObject({
      Action: 'organizations:DescribeAccount',
      Resource: `arn:aws:organizations::*:account/${EVERYTHING_ON.OrganizationId}/*`,
    });
    // Routes by organizational unit: ListParents on this organization's accounts and OUs only.
    expect(sid(statements, 'ListOrganizationParents')).toMatchObject({
      Action: 'organizations:ListParents',
      Resource: [
        `arn:aws:organizations::*:account/${EVERYTHING_ON.OrganizationId}/*`,
        `arn:aws:organizations::*:ou/${EVERYTHING_ON.OrganizationId}/*`,
      ],
    });
    const withoutOrganization = deployedResources(
      template,
      scenario(template, { ...EVERYTHING_ON, OrganizationId: '', MemberOrganizationalUnitIds: '' }),
    );
    const alone = statementsOf(properties(withoutOrganization.NotifierRole).Policies);
    expect(alone.flatMap((statement) => asList(statement.Action))).not.toContain(
      'organizations:DescribeAccount',
    );
    expect(alone.flatMap((statement) => asList(statement.Action))).not.toContain('organizations:ListParents');
    expect(sid(statements, 'UseTopicKey').Resource).toEqual({ 'Fn::GetAtt': ['AlertTopicKey', 'Arn'] });
    // The idempotency table is shared: the notifier may touch only items under its own key prefix, the one
    // functions/notifier/handler.ts gives the guard.
    // @see https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/specifying-conditions.html
    expect(sid(statements, 'IdempotencyRecords')).toMatchObject({
      Resource: { 'Fn::GetAtt': ['IdempotencyTable', 'Arn'] },
      Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['iam-alerts-notifier-*'] } },
    });
    const handler = readFileSync(join(import.meta.dirname, '../../functions/notifier/handler.ts'), 'utf8');
    expect(handler).toContain("keyPrefix: 'iam-alerts-notifier'");
    for (const statement of statements) expect(statement.Resource).not.toBe('*');
  });

  it('publish to SNS from the notifier and the digest only, and only to the alert topic', () => {
    const publishers = Object.entries(roles())
      .filter(([, resource]) => resource.Type === 'AWS::IAM::Role')
      .filter(([, role]) =>
        statementsOf(properties(role).Policies).some((s) => asList(s.Action).includes('sns:Publish')),
      )
      .map(([id]) => id);
    expect(publishers.sort()).toEqual(['DigestRole', 'NotifierRole']);
  });

  it('give the digest exactly what it uses: its metrics, the topic, and only its own idempotency keys', () => {
    const resources = roles();
    const statements = statementsOf(properties(resources.DigestRole).Policies);
    expect(statements.map((statement) => statement.Sid).sort()).toEqual([
      'IdempotencyRecords',
      'PublishDigest',
      'ReadSuppressionMetrics',
      'SendFailedInvocations',
      'UseTopicKey',
      'WriteOwnLogs',
    ]);
    // One digest per day: the shared table, only under the prefix functions/digest/handler.ts gives the guard.
    // @see https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/specifying-conditions.html
    expect(sid(statements, 'IdempotencyRecords')).toEqual({
      Sid: 'IdempotencyRecords',
      Effect: 'Allow',
      Action: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
      Resource: { 'Fn::GetAtt': ['IdempotencyTable', 'Arn'] },
      Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['iam-alerts-digest-*'] } },
    });
    const handler = readFileSync(join(import.meta.dirname, '../../functions/digest/handler.ts'), 'utf8');
    expect(handler).toContain("keyPrefix: 'iam-alerts-digest'");
    const environment = (
      properties(resources.DigestLambdaFunction).Environment as {
        Variables: Record<string, unknown>;
      }
    ).Variables;
    expect(environment.IDEMPOTENCY_TABLE).toEqual({ Ref: 'IdempotencyTable' });
  });

  it('let the forwarder read exactly its two SSM parameters, and decrypt them only through SSM', () => {
    const statements = statementsOf(properties(roles().ForwarderRole).Policies);
    const ssm = statements.filter((s) => asList(s.Action).includes('ssm:GetParameter'));
    expect(ssm.map((s) => s.Resource).sort()).toEqual([
      'arn:aws:ssm:us-east-1:111122223333:parameter/iam-alerts/jira-api-token',
      'arn:aws:ssm:us-east-1:111122223333:parameter/iam-alerts/slack-webhook-url',
    ]);
    const decrypt = statements.filter((s) => asList(s.Action).includes('kms:Decrypt'));
    expect(decrypt).toHaveLength(2);
    for (const statement of decrypt) {
      expect(statement.Condition).toMatchObject({
        StringEquals: {
          'kms:ViaService': 'ssm.us-east-1.amazonaws.com',
          'kms:EncryptionContext:PARAMETER_ARN': expect.stringMatching(
            /^arn:aws:ssm:us-east-1:111122223333:parameter\//,
          ),
        },
      });
    }
    expect(sid(statements, 'IdempotencyRecords')).toMatchObject({
      Action: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
      Resource: { 'Fn::GetAtt': ['IdempotencyTable', 'Arn'] },
      Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['iam-alerts-forwarder-*'] } },
    });
  });

  it('give the forwarder no SSM or KMS access when Slack and Jira are off', () => {
    const statements = statementsOf(
      properties(deployedResources(template, scenario(template)).ForwarderRole).Policies,
    );
    const actions = statements.flatMap((s) => asList(s.Action));
    expect(actions).not.toContain('ssm:GetParameter');
    expect(actions).not.toContain('kms:Decrypt');
  });
});

describe('resource policies', () => {
  it('let CloudTrail write the trail bucket only for this trail, over TLS', () => {
    const statements = policyOf(deployedResources(template, scenario(template)).TrailBucketPolicy);
    const trailArn = 'arn:aws:cloudtrail:us-east-1:111122223333:trail/iam-change-alerts-dev';
    expect(sid(statements, 'AWSCloudTrailAclCheck')).toMatchObject({
      Effect: 'Allow',
      Principal: { Service: 'cloudtrail.amazonaws.com' },
      Action: 's3:GetBucketAcl',
      Condition: { StringEquals: { 'aws:SourceArn': trailArn } },
    });
    expect(sid(statements, 'AWSCloudTrailWrite')).toMatchObject({
      Effect: 'Allow',
      Principal: { Service: 'cloudtrail.amazonaws.com' },
      Action: 's3:PutObject',
      Condition: { StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control', 'aws:SourceArn': trailArn } },
    });
    expect(sid(statements, 'DenyInsecureTransport')).toMatchObject({
      Effect: 'Deny',
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    });
    const trail = template.Resources.Trail;
    expect([trail?.DependsOn].flat()).toEqual(['TrailBucketPolicy']);
    expect(properties(trail)).toMatchObject({
      TrailName: 'iam-change-alerts-dev',
      IsLogging: true,
      IsMultiRegionTrail: true,
      IncludeGlobalServiceEvents: true,
      EnableLogFileValidation: true,
    });
    expect(template.Resources.TrailBucket?.DeletionPolicy).toBe('Retain');
    expect(properties(template.Resources.TrailBucket).PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
  });

  it.each([
    ['by default', {}],
    ['without the identity rules', { IdentityRules: 'false' }],
    ['with egress CIDRs', { InstanceEgressCidrs: '198.51.100.7/32' }],
  ])(
    'let EventBridge send to the DLQ only from the rules of this stack that use it (%s)',
    (_name, overrides) => {
      const resources = deployedResources(template, scenario(template, overrides));
      const statements = policyOf(resources.RuleDeadLetterQueuePolicy);
      const dlqUsers = Object.entries(resources)
        .filter(([, r]) => JSON.stringify(r.Properties?.Targets ?? []).includes('RuleDeadLetterQueue'))
        .map(([id]) => id);
      expect(dlqUsers).toEqual(
        expect.arrayContaining([
          'ForwardGuardRailRule',
          'ForwardIamRule',
          'GuardRailAlertRule',
          'IamAlertRule',
        ]),
      );
      expect(sid(statements, 'AllowRulesOfThisStack')).toEqual({
        Sid: 'AllowRulesOfThisStack',
        Effect: 'Allow',
        Principal: { Service: 'events.amazonaws.com' },
        Action: 'sqs:SendMessage',
        Resource: { 'Fn::GetAtt': ['RuleDeadLetterQueue', 'Arn'] },
        Condition: {
          ArnEquals: {
            'aws:SourceArn': expect.arrayContaining(
              dlqUsers.map((rule) => ({ 'Fn::GetAtt': [rule, 'Arn'] })),
            ),
          },
        },
      });
      const allowed = (
        sid(statements, 'AllowRulesOfThisStack') as { Condition: { ArnEquals: Record<string, unknown[]> } }
      ).Condition.ArnEquals['aws:SourceArn'];
      expect(allowed).toHaveLength(dlqUsers.length);
    },
  );

  it('refuse plain HTTP for every action on every queue, here and in member accounts', () => {
    const member = JSON.parse(
      properties(template.Resources.MemberStackSet).TemplateBody as string,
    ) as Template;
    for (const body of [template, member]) {
      const queues = Object.entries(body.Resources).filter(([, r]) => r.Type === 'AWS::SQS::Queue');
      expect(queues.length).toBeGreaterThan(0);
      for (const [queue] of queues) {
        const policies = Object.values(body.Resources).filter(
          (r) =>
            r.Type === 'AWS::SQS::QueuePolicy' &&
            JSON.stringify(properties(r).Queues) === JSON.stringify([{ Ref: queue }]),
        );
        expect([queue, policies.length]).toEqual([queue, 1]);
        expect([queue, sid(policyOf(policies[0]), 'DenyInsecureTransport')]).toEqual([
          queue,
          {
            Sid: 'DenyInsecureTransport',
            Effect: 'Deny',
            Principal: '*',
            Action: 'sqs:*',
            Resource: { 'Fn::GetAtt': [queue, 'Arn'] },
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          },
        ]);
      }
    }
  });

  it('let SNS send to the subscription DLQ only for the two topics of this stack', () => {
    const statements = policyOf(template.Resources.SubscriptionDeadLetterQueuePolicy);
    expect(statements.filter((s) => s.Effect === 'Allow')).toEqual([
      {
        Sid: 'AllowTopicsOfThisStack',
        Effect: 'Allow',
        Principal: { Service: 'sns.amazonaws.com' },
        Action: 'sqs:SendMessage',
        Resource: { 'Fn::GetAtt': ['SubscriptionDeadLetterQueue', 'Arn'] },
        Condition: { ArnEquals: { 'aws:SourceArn': [{ Ref: 'AlertTopic' }, { Ref: 'OperationsTopic' }] } },
      },
    ]);
    expect(policyOf(template.Resources.AsyncFailureQueuePolicy).filter((s) => s.Effect === 'Allow')).toEqual(
      [],
    );
  });

  it("let EventBridge send to a member account's DLQ only from its forwarding rules", () => {
    const member = JSON.parse(
      properties(template.Resources.MemberStackSet).TemplateBody as string,
    ) as Template;
    expect(
      sid(policyOf(member.Resources.ForwardDeadLetterQueuePolicy), 'AllowForwardingRules'),
    ).toMatchObject({
      Principal: { Service: 'events.amazonaws.com' },
      Action: 'sqs:SendMessage',
      Condition: {
        ArnEquals: {
          'aws:SourceArn': [
            {
              'Fn::If': [
                'ForwardsGlobal',
                { 'Fn::GetAtt': ['ForwardIamRule', 'Arn'] },
                { Ref: 'AWS::NoValue' },
              ],
            },
            {
              'Fn::If': [
                'ForwardsGlobal',
                { 'Fn::GetAtt': ['ForwardGuardRailRule', 'Arn'] },
                { Ref: 'AWS::NoValue' },
              ],
            },
            {
              'Fn::If': [
                'ForwardsIdentity',
                { 'Fn::GetAtt': ['ForwardIdentityRule', 'Arn'] },
                { Ref: 'AWS::NoValue' },
              ],
            },
            {
              'Fn::If': [
                'ForwardsInstanceEgress',
                { 'Fn::GetAtt': ['ForwardInstanceEgressRule1', 'Arn'] },
                { Ref: 'AWS::NoValue' },
              ],
            },
          ],
        },
      },
    });
  });

  it('log access to the trail bucket into a bucket only S3 logging may write, for that bucket only', () => {
    const resources = deployedResources(template, scenario(template));
    expect(properties(resources.TrailBucket).LoggingConfiguration).toEqual({
      DestinationBucketName: { Ref: 'AccessLogBucket' },
      LogFilePrefix: 'trail-bucket/',
    });
    const statements = policyOf(resources.AccessLogBucketPolicy);
    expect(sid(statements, 'S3ServerAccessLogsFromTheTrailBucket')).toEqual({
      Sid: 'S3ServerAccessLogsFromTheTrailBucket',
      Effect: 'Allow',
      Principal: { Service: 'logging.s3.amazonaws.com' },
      Action: 's3:PutObject',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: Fn::Sub's resource attribute, left by the resolver
      Resource: '${AccessLogBucket.Arn}/trail-bucket/*',
      Condition: {
        ArnLike: { 'aws:SourceArn': { 'Fn::GetAtt': ['TrailBucket', 'Arn'] } },
        StringEquals: { 'aws:SourceAccount': '111122223333' },
      },
    });
    expect(sid(statements, 'DenyInsecureTransport')).toMatchObject({
      Effect: 'Deny',
      Action: 's3:*',
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    });
    // Server access logs cannot be delivered to an SSE-KMS bucket.
    expect(properties(resources.AccessLogBucket)).toMatchObject({
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
    });
    expect(template.Resources.AccessLogBucket?.DeletionPolicy).toBe('Retain');
  });

  it('admit only the organization to the central bus', () => {
    const policy = properties(
      deployedResources(template, scenario(template, EVERYTHING_ON)).CentralEventBusOrganizationPolicy,
    );
    expect(policy.Statement).toMatchObject({
      Effect: 'Allow',
      Principal: '*',
      Action: 'events:PutEvents',
      Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-abcdefghij' } },
    });
  });

  it('deny publishing to the alert topic to anyone but the notifier and digest roles', () => {
    const statements = policyOf(template.Resources.AlertTopicPolicy);
    expect(statements.filter((s) => s.Effect === 'Allow')).toEqual([]);
    // A negated operator with several values denies when the key matches none of them (NOR): both roles may
    // publish, every other principal is denied.
    // @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_multi-value-conditions.html
    expect(sid(statements, 'DenyPublishByAnyoneButTheNotifierAndDigest')).toMatchObject({
      Effect: 'Deny',
      Principal: '*',
      Action: 'sns:Publish',
      Condition: {
        ArnNotEquals: {
          'aws:PrincipalArn': [
            { 'Fn::GetAtt': ['NotifierRole', 'Arn'] },
            { 'Fn::GetAtt': ['DigestRole', 'Arn'] },
          ],
        },
      },
    });
    // Exactly the roles whose IAM policies allow sns:Publish on the topic (the test above) are exempt.
    const publishers = Object.entries(template.Resources)
      .filter(([, resource]) => resource.Type === 'AWS::IAM::Role')
      .filter(([, role]) =>
        statementsOf(properties(role).Policies).some((s) => asList(s.Action).includes('sns:Publish')),
      )
      .map(([id]) => ({ 'Fn::GetAtt': [id, 'Arn'] }));
    expect(
      (sid(statements, 'DenyPublishByAnyoneButTheNotifierAndDigest').Condition as Record<string, Statement>)
        .ArnNotEquals?.['aws:PrincipalArn'],
    ).toEqual(expect.arrayContaining(publishers));
    expect(properties(template.Resources.AlertTopic).KmsMasterKeyId).toEqual({ Ref: 'AlertTopicKey' });
  });

  it('let the alarms publish to the encrypted operations topic, and only them', () => {
    const alarms = Object.values(template.Resources).filter((r) => r.Type === 'AWS::CloudWatch::Alarm');
    expect(alarms.length).toBeGreaterThanOrEqual(6);
    for (const alarm of alarms) expect(properties(alarm).AlarmActions).toEqual([{ Ref: 'OperationsTopic' }]);
    const topicStatements = policyOf(template.Resources.OperationsTopicPolicy);
    expect(sid(topicStatements, 'AllowCloudWatchAlarmsOfThisAccount')).toMatchObject({
      Principal: { Service: 'cloudwatch.amazonaws.com' },
      Action: 'sns:Publish',
    });
    // CloudWatch alarms and EventBridge publish to an encrypted topic only if its customer managed key's policy lets
    // their service principals generate and decrypt data keys (the AWS managed alias/aws/sns key cannot).
    // https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services
    const keyStatements = statementsOf(properties(template.Resources.OperationsTopicKey).KeyPolicy);
    expect(sid(keyStatements, 'AllowCloudWatchAlarms')).toMatchObject({
      Principal: { Service: 'cloudwatch.amazonaws.com' },
      Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
    });
    expect(sid(keyStatements, 'AllowEventBridgeKeyGuardRail')).toMatchObject({
      Principal: { Service: 'events.amazonaws.com' },
      Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
    });
    expect(properties(template.Resources.OperationsTopic).KmsMasterKeyId).toEqual({
      Ref: 'OperationsTopicKey',
    });
  });

  it('encrypt the two topics with two keys: a disabled alert key still lets the alarms and the key guard rails through', () => {
    expect(properties(template.Resources.AlertTopic).KmsMasterKeyId).toEqual({ Ref: 'AlertTopicKey' });
    expect(properties(template.Resources.OperationsTopicKey).EnableKeyRotation).toBe(true);
    // Nothing but the notifier publishes to the alert topic: no service principal may use its key.
    const alertKey = statementsOf(properties(template.Resources.AlertTopicKey).KeyPolicy);
    expect(alertKey.filter((statement) => JSON.stringify(statement.Principal).includes('Service'))).toEqual(
      [],
    );
  });

  it('let only the key guard-rail rule publish to the operations topic besides the alarms', () => {
    const statements = policyOf(template.Resources.OperationsTopicPolicy);
    expect(sid(statements, 'AllowKeyGuardRailRule')).toMatchObject({
      Principal: { Service: 'events.amazonaws.com' },
      Action: 'sns:Publish',
      Condition: { ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': ['KeyGuardRailRule', 'Arn'] } } },
    });
    expect(sid(statements, 'DenyPublishByAnyoneButCloudWatchAndTheKeyRule')).toMatchObject({
      Effect: 'Deny',
      Principal: '*',
      Action: 'sns:Publish',
      Condition: {
        StringNotEquals: { 'aws:PrincipalServiceName': ['cloudwatch.amazonaws.com', 'events.amazonaws.com'] },
      },
    });
  });
});

describe('service control policy', () => {
  const variants = [true, false].flatMap((tag) =>
    [true, false].flatMap((notActionIam) =>
      [true, false].map((ec2Infrastructure) => ({ tag, notActionIam, ec2Infrastructure })),
    ),
  );
  const scpFor = (variant: (typeof variants)[number]) =>
    properties(
      deployedResources(
        template,
        scenario(template, {
          InManagementAccount: 'true',
          ScpTargetIds: 'r-abcd,ou-abcd-11111111',
          ScpTagExemption: String(variant.tag),
          ScpExemptIam: String(variant.notActionIam),
          ScpEc2InfrastructureException: String(variant.ec2Infrastructure),
        }),
      ).Ec2CredentialScp,
    );

  it('exists only in the management account', () => {
    expect(template.Resources.Ec2CredentialScp?.Condition).toBe('InManagementAccount');
    expect(deployedResources(template, scenario(template)).Ec2CredentialScp).toBeUndefined();
  });

  it.each(variants)('holds both deny statements of the reference design (%o)', (variant) => {
    const scp = scpFor(variant);
    expect(scp.Type).toBe('SERVICE_CONTROL_POLICY');
    expect(scp.TargetIds).toEqual(['r-abcd', 'ou-abcd-11111111']);
    const statements = (scp.Content as { Statement: Statement[] }).Statement;
    expect(statements).toHaveLength(2);
    // IAM policy variables, not template placeholders.
    const policyVariable = (name: string) => `\${${name}}`;
    const pairs = [
      ['aws:ec2InstanceSourceVPC', policyVariable('aws:SourceVpc')],
      ['aws:ec2InstanceSourcePrivateIPv4', policyVariable('aws:VpcSourceIp')],
    ] as const;
    statements.forEach((statement, index) => {
      const [key, variable] = pairs[index] as (typeof pairs)[number];
      expect(statement.Effect).toBe('Deny');
      expect(statement.Resource).toBe('*');
      if (variant.notActionIam) {
        expect(statement).toMatchObject({ NotAction: 'iam:*' });
        expect(statement.Action).toBeUndefined();
      } else {
        expect(statement).toMatchObject({ Action: '*' });
        expect(statement.NotAction).toBeUndefined();
      }
      expect(statement.Condition).toEqual({
        StringNotEquals: {
          [key]: variable,
          ...(variant.tag ? { 'aws:PrincipalTag/exception-to-vpc-ip': 'true' } : {}),
        },
        Null: { 'ec2:SourceInstanceARN': 'false' },
        BoolIfExists: { 'aws:ViaAWSService': 'false' },
        ...(variant.ec2Infrastructure
          ? { ArnNotLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:role/aws:ec2-infrastructure' } }
          : {}),
      });
    });
    // AWS counts the policy's characters as stored; minified JSON is what a deployment can send.
    expect(JSON.stringify(scp.Content).length).toBeLessThanOrEqual(5120);
  });

  it('stays detached without target ids', () => {
    const scp = properties(
      deployedResources(template, scenario(template, { InManagementAccount: 'true' })).Ec2CredentialScp,
    );
    expect(scp.TargetIds).toBeUndefined();
    expect(resolve({ Ref: 'ScpTargetIds' }, template, scenario(template))).toEqual(['']);
  });
});
