// biome-ignore-all lint/suspicious/noTemplateCurlyInString: IAM policy variables are written ${…} inside policy text.
// Table-driven semantics of the evaluator, one group per page of AWS's IAM User Guide (cited above each group).
// Every row: the policies, the request, and the decision AWS documents for it.
import { describe, expect, it } from '@jest/globals';
import {
  type ContextInput,
  type Decision,
  type EvaluatedPolicy,
  evaluate,
  type RequestPrincipal,
} from '../../../../../shared/domain/policy/evaluator/index.js';
import { identity, pol } from './build.js';

type Row = {
  name: string;
  policies: EvaluatedPolicy[];
  action: string;
  resource?: string;
  context?: ContextInput;
  principal?: RequestPrincipal;
  expected: Decision['kind'];
};

const ACCOUNT = '111122223333';
const OTHER = '444455556666';
const role = (name: string, account = ACCOUNT) => `arn:aws:iam::${account}:role/${name}`;
const aws = (account: string, arn?: string): RequestPrincipal =>
  arn === undefined ? { type: 'AWS', account } : { type: 'AWS', account, arn };
const allow = (action: unknown, resource: unknown = '*', extra: object = {}) => ({
  Effect: 'Allow',
  Action: action,
  Resource: resource,
  ...extra,
});
const deny = (action: unknown, resource: unknown = '*', extra: object = {}) => ({
  Effect: 'Deny',
  Action: action,
  Resource: resource,
  ...extra,
});
const when = (condition: object) => ({ Condition: condition });
const bucket = 'arn:aws:s3:::amzn-s3-demo-bucket';

const run = (rows: Row[]) => {
  it.each(rows)('$name → $expected', (row) => {
    const decision = evaluate(
      {
        action: row.action,
        resource: row.resource ?? '*',
        context: row.context ?? {},
        ...(row.principal ? { principal: row.principal } : {}),
      },
      row.policies,
    );
    expect(decision.kind).toBe(row.expected);
  });
};

// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html
describe('policy evaluation logic', () => {
  run([
    {
      name: 'no policy at all is an implicit deny',
      policies: [],
      action: 's3:GetObject',
      expected: 'not-allowed',
    },
    {
      name: 'an Allow applies',
      policies: [identity(allow('s3:GetObject'))],
      action: 's3:GetObject',
      expected: 'allowed',
    },
    {
      name: 'an explicit Deny wins over an Allow in the same policy',
      policies: [identity(allow('s3:GetObject'), deny('s3:GetObject'))],
      action: 's3:GetObject',
      expected: 'denied',
    },
    {
      name: 'Allow * and Deny * allow nothing',
      policies: [identity(allow('*'), deny('*'))],
      action: 'iam:CreateUser',
      resource: `arn:aws:iam::${ACCOUNT}:user/bob`,
      expected: 'denied',
    },
    {
      name: 'a Deny in another policy wins',
      policies: [identity(allow('*')), identity(deny('iam:*'))],
      action: 'iam:CreateUser',
      resource: `arn:aws:iam::${ACCOUNT}:user/bob`,
      expected: 'denied',
    },
    {
      name: 'a Deny alone is still a deny',
      policies: [identity(deny('s3:*'))],
      action: 's3:GetObject',
      expected: 'denied',
    },
    {
      name: 'a permissions boundary that does not allow the action caps the identity policy',
      policies: [identity(allow('*')), pol('boundary', allow('s3:*'))],
      action: 'iam:CreateUser',
      resource: `arn:aws:iam::${ACCOUNT}:user/bob`,
      expected: 'not-allowed',
    },
    {
      name: 'identity policy and boundary both allowing',
      policies: [identity(allow('*')), pol('boundary', allow('s3:*'))],
      action: 's3:GetObject',
      resource: `${bucket}/a`,
      expected: 'allowed',
    },
    {
      name: 'a boundary alone grants nothing',
      policies: [pol('boundary', allow('*'))],
      action: 's3:GetObject',
      expected: 'not-allowed',
    },
    {
      name: 'a session policy caps the identity policy',
      policies: [identity(allow('*')), pol('session', allow('ec2:Describe*'))],
      action: 's3:GetObject',
      expected: 'not-allowed',
    },
    {
      name: 'an SCP Deny wins',
      policies: [identity(allow('*')), pol('scp', deny('iam:*'))],
      action: 'iam:ListRoles',
      expected: 'denied',
    },
    {
      name: 'an SCP never grants',
      policies: [pol('scp', allow('*'))],
      action: 's3:GetObject',
      expected: 'not-allowed',
    },
    {
      name: 'a resource policy alone grants within the account',
      policies: [
        pol('resource', {
          Effect: 'Allow',
          Principal: { AWS: ACCOUNT },
          Action: 's3:GetObject',
          Resource: `${bucket}/*`,
        }),
      ],
      action: 's3:GetObject',
      resource: `${bucket}/a`,
      principal: aws(ACCOUNT, role('app')),
      expected: 'allowed',
    },
    {
      name: 'across accounts the identity side must allow too',
      policies: [
        identity(allow('ec2:Describe*')),
        pol('resource', {
          Effect: 'Allow',
          Principal: { AWS: OTHER },
          Action: 'sqs:SendMessage',
          Resource: '*',
        }),
      ],
      action: 'sqs:SendMessage',
      resource: `arn:aws:sqs:us-east-1:${ACCOUNT}:queue`,
      principal: aws(OTHER, role('app', OTHER)),
      expected: 'not-allowed',
    },
    {
      name: 'across accounts both sides allowing',
      policies: [
        identity(allow('sqs:*')),
        pol('resource', {
          Effect: 'Allow',
          Principal: { AWS: OTHER },
          Action: 'sqs:SendMessage',
          Resource: '*',
        }),
      ],
      action: 'sqs:SendMessage',
      resource: `arn:aws:sqs:us-east-1:${ACCOUNT}:queue`,
      principal: aws(OTHER, role('app', OTHER)),
      expected: 'allowed',
    },
    {
      name: 'a Deny in a permissions boundary wins',
      policies: [identity(allow('*')), pol('boundary', allow('*'), deny('iam:*'))],
      action: 'iam:ListRoles',
      expected: 'denied',
    },
  ]);
});

// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html
describe('Action', () => {
  run([
    {
      name: 'action names ignore case',
      policies: [identity(allow('S3:getobject'))],
      action: 's3:GetObject',
      expected: 'allowed',
    },
    {
      name: 'a trailing * matches a prefix',
      policies: [identity(allow('iam:Get*'))],
      action: 'iam:GetUser',
      expected: 'allowed',
    },
    {
      name: 'a prefix does not match other verbs',
      policies: [identity(allow('iam:Get*'))],
      action: 'iam:PutUserPolicy',
      expected: 'not-allowed',
    },
    {
      name: '? matches one character',
      policies: [identity(allow('iam:?etUser'))],
      action: 'iam:GetUser',
      expected: 'allowed',
    },
    {
      name: '? does not match two',
      policies: [identity(allow('iam:?User'))],
      action: 'iam:GetUser',
      expected: 'not-allowed',
    },
    {
      name: 'a lone * matches every action',
      policies: [identity(allow('*'))],
      action: 'ec2:RunInstances',
      expected: 'allowed',
    },
    {
      name: 's3:* is not s3express:*',
      policies: [identity(allow('s3:*'))],
      action: 's3express:CreateSession',
      expected: 'not-allowed',
    },
    {
      name: 'a list of actions ORs',
      policies: [identity(allow(['s3:GetObject', 'sqs:*']))],
      action: 'sqs:SendMessage',
      expected: 'allowed',
    },
  ]);
});

// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notaction.html
describe('NotAction', () => {
  const notIam = { Effect: 'Allow', NotAction: 'iam:*', Resource: '*' };
  run([
    {
      name: 'Allow NotAction iam:* allows other services',
      policies: [identity(notIam)],
      action: 's3:GetObject',
      expected: 'allowed',
    },
    {
      name: 'Allow NotAction iam:* does not allow IAM',
      policies: [identity(notIam)],
      action: 'iam:CreateUser',
      resource: `arn:aws:iam::${ACCOUNT}:user/bob`,
      expected: 'not-allowed',
    },
    {
      name: 'Deny NotAction denies everything else',
      policies: [identity(allow('*'), { Effect: 'Deny', NotAction: ['iam:*', 'sts:*'], Resource: '*' })],
      action: 's3:GetObject',
      expected: 'denied',
    },
    {
      name: 'Deny NotAction leaves its exceptions allowed',
      policies: [identity(allow('*'), { Effect: 'Deny', NotAction: ['iam:*', 'sts:*'], Resource: '*' })],
      action: 'iam:ListRoles',
      expected: 'allowed',
    },
    {
      name: 'NotAction still needs the Resource to match',
      policies: [identity({ Effect: 'Allow', NotAction: 'iam:*', Resource: `${bucket}/*` })],
      action: 's3:GetObject',
      resource: 'arn:aws:s3:::other-bucket/a',
      expected: 'not-allowed',
    },
  ]);
});

// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notresource.html
// https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html
describe('Resource and NotResource', () => {
  const user = (name: string, account = ACCOUNT) => `arn:aws:iam::${account}:user/${name}`;
  run([
    {
      name: 'resource ARNs are case-sensitive',
      policies: [identity(allow('s3:GetObject', 'arn:aws:s3:::Bucket/*'))],
      action: 's3:GetObject',
      resource: 'arn:aws:s3:::bucket/a',
      expected: 'not-allowed',
    },
    {
      name: '* spans path segments',
      policies: [identity(allow('s3:GetObject', `${bucket}/*`))],
      action: 's3:GetObject',
      resource: `${bucket}/a/b/c`,
      expected: 'allowed',
    },
    {
      name: '? matches one character of an ARN',
      policies: [identity(allow('s3:GetObject', `${bucket}/file-?.txt`))],
      action: 's3:GetObject',
      resource: `${bucket}/file-1.txt`,
      expected: 'allowed',
    },
    {
      name: 'NotResource allows what it leaves out',
      policies: [identity({ Effect: 'Allow', Action: 's3:*', NotResource: 'arn:aws:s3:::secret/*' })],
      action: 's3:GetObject',
      resource: 'arn:aws:s3:::public/a',
      expected: 'allowed',
    },
    {
      name: 'NotResource does not allow what it names',
      policies: [identity({ Effect: 'Allow', Action: 's3:*', NotResource: 'arn:aws:s3:::secret/*' })],
      action: 's3:GetObject',
      resource: 'arn:aws:s3:::secret/a',
      expected: 'not-allowed',
    },
    {
      name: 'Deny with NotResource denies everything else',
      policies: [identity(allow('*'), { Effect: 'Deny', Action: '*', NotResource: `${bucket}/*` })],
      action: 's3:GetObject',
      resource: 'arn:aws:s3:::other/a',
      expected: 'denied',
    },
    {
      name: 'Action * on every resource of one account is admin there',
      policies: [identity(allow('*', `arn:aws:*:*:${ACCOUNT}:*`))],
      action: 'iam:CreateUser',
      resource: user('bob'),
      expected: 'allowed',
    },
    {
      name: '…and nothing in another account',
      policies: [identity(allow('*', `arn:aws:*:*:${ACCOUNT}:*`))],
      action: 'iam:CreateUser',
      resource: user('bob', OTHER),
      expected: 'not-allowed',
    },
    {
      name: 'iam:CreatePolicyVersion never acts on a role',
      policies: [identity(allow('iam:CreatePolicyVersion'))],
      action: 'iam:CreatePolicyVersion',
      resource: role('x'),
      expected: 'not-allowed',
    },
    {
      name: 'iam:CreatePolicyVersion acts on policies',
      policies: [identity(allow('iam:CreatePolicyVersion'))],
      action: 'iam:CreatePolicyVersion',
      resource: `arn:aws:iam::${ACCOUNT}:policy/p`,
      expected: 'allowed',
    },
    {
      name: 'an action without resource types needs Resource "*"',
      policies: [identity(allow('iam:ListRoles', role('*')))],
      action: 'iam:ListRoles',
      expected: 'not-allowed',
    },
    {
      name: '…which Resource "*" gives',
      policies: [identity(allow('iam:ListRoles'))],
      action: 'iam:ListRoles',
      expected: 'allowed',
    },
  ]);
});

// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html
describe('Principal and NotPrincipal', () => {
  const trust = (principal: unknown, action = 'sts:AssumeRole') =>
    pol('resource', { Effect: 'Allow', Principal: principal, Action: action });
  const assume = { action: 'sts:AssumeRole', resource: role('target') };
  run([
    {
      name: 'a bare account id names every principal of the account',
      policies: [trust({ AWS: ACCOUNT })],
      ...assume,
      principal: aws(ACCOUNT, role('app')),
      expected: 'allowed',
    },
    {
      name: 'a root ARN names every principal of the account',
      policies: [trust({ AWS: `arn:aws:iam::${ACCOUNT}:root` })],
      ...assume,
      principal: aws(ACCOUNT, `arn:aws:iam::${ACCOUNT}:user/bob`),
      expected: 'allowed',
    },
    {
      name: 'an account id names nobody elsewhere',
      policies: [trust({ AWS: ACCOUNT })],
      ...assume,
      principal: aws(OTHER, role('app', OTHER)),
      expected: 'not-allowed',
    },
    {
      name: 'a role ARN names its sessions',
      policies: [trust({ AWS: role('app') })],
      ...assume,
      principal: aws(ACCOUNT, `arn:aws:sts::${ACCOUNT}:assumed-role/app/session-1`),
      expected: 'allowed',
    },
    {
      name: 'a role ARN does not name another role',
      policies: [trust({ AWS: role('app') })],
      ...assume,
      principal: aws(ACCOUNT, role('other')),
      expected: 'not-allowed',
    },
    {
      name: 'Principal "*" names anyone',
      policies: [trust('*')],
      ...assume,
      principal: aws(OTHER, role('x', OTHER)),
      expected: 'allowed',
    },
    {
      name: 'AWS "*" names any AWS principal',
      policies: [trust({ AWS: '*' })],
      ...assume,
      principal: aws(OTHER, role('x', OTHER)),
      expected: 'allowed',
    },
    {
      name: 'a Service principal',
      policies: [trust({ Service: 'ec2.amazonaws.com' })],
      ...assume,
      principal: { type: 'Service', id: 'ec2.amazonaws.com' },
      expected: 'allowed',
    },
    {
      name: 'another service is not named',
      policies: [trust({ Service: 'ec2.amazonaws.com' })],
      ...assume,
      principal: { type: 'Service', id: 'lambda.amazonaws.com' },
      expected: 'not-allowed',
    },
    {
      name: 'a Federated principal',
      policies: [trust({ Federated: 'cognito-identity.amazonaws.com' }, 'sts:AssumeRoleWithWebIdentity')],
      action: 'sts:AssumeRoleWithWebIdentity',
      resource: role('target'),
      principal: { type: 'Federated', id: 'cognito-identity.amazonaws.com' },
      expected: 'allowed',
    },
    {
      name: 'a CanonicalUser principal',
      policies: [
        pol('resource', {
          Effect: 'Allow',
          Principal: { CanonicalUser: 'abc123' },
          Action: 's3:GetObject',
          Resource: `${bucket}/*`,
        }),
      ],
      action: 's3:GetObject',
      resource: `${bucket}/a`,
      principal: { type: 'CanonicalUser', id: 'abc123' },
      expected: 'allowed',
    },
    {
      name: 'Deny with NotPrincipal spares the named principal',
      policies: [
        pol(
          'resource',
          { Effect: 'Allow', Principal: '*', Action: 's3:*', Resource: '*' },
          { Effect: 'Deny', NotPrincipal: { AWS: role('admin') }, Action: 's3:*', Resource: '*' },
        ),
      ],
      action: 's3:GetObject',
      resource: `${bucket}/a`,
      principal: aws(ACCOUNT, role('admin')),
      expected: 'allowed',
    },
    {
      name: 'Deny with NotPrincipal denies everyone else',
      policies: [
        pol(
          'resource',
          { Effect: 'Allow', Principal: '*', Action: 's3:*', Resource: '*' },
          { Effect: 'Deny', NotPrincipal: { AWS: role('admin') }, Action: 's3:*', Resource: '*' },
        ),
      ],
      action: 's3:GetObject',
      resource: `${bucket}/a`,
      principal: aws(ACCOUNT, role('intern')),
      expected: 'denied',
    },
    {
      name: 'an unknown principal leaves the trust conditional',
      policies: [trust({ AWS: role('app') })],
      ...assume,
      expected: 'allowed-when',
    },
  ]);
});

// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-logic-multiple-context-keys-or-values.html
describe('condition operators', () => {
  const c = (operator: string, key: string, values: unknown) =>
    identity(allow('s3:GetObject', '*', when({ [operator]: { [key]: values } })));
  const d = (operator: string, key: string, values: unknown) => [
    identity(allow('*'), deny('*', '*', when({ [operator]: { [key]: values } }))),
  ];
  const get = { action: 's3:GetObject', resource: `${bucket}/a` };
  const tag = 'aws:PrincipalTag/team';
  run([
    {
      name: 'StringEquals matches exactly',
      policies: [c('StringEquals', tag, 'blue')],
      ...get,
      context: { [tag]: 'blue' },
      expected: 'allowed',
    },
    {
      name: 'StringEquals is case-sensitive',
      policies: [c('StringEquals', tag, 'blue')],
      ...get,
      context: { [tag]: 'Blue' },
      expected: 'not-allowed',
    },
    {
      name: 'StringEquals on an absent key is false',
      policies: [c('StringEquals', tag, 'blue')],
      ...get,
      context: { [tag]: null },
      expected: 'not-allowed',
    },
    {
      name: 'context key names ignore case',
      policies: [c('StringEquals', 'AWS:PRINCIPALTAG/team', 'blue')],
      ...get,
      context: { 'aws:principaltag/team': 'blue' },
      expected: 'allowed',
    },
    {
      name: 'several values OR',
      policies: [c('StringEquals', tag, ['red', 'blue'])],
      ...get,
      context: { [tag]: 'blue' },
      expected: 'allowed',
    },
    {
      name: 'StringNotEquals on an absent key is true',
      policies: [c('StringNotEquals', tag, 'blue')],
      ...get,
      context: { [tag]: null },
      expected: 'allowed',
    },
    {
      name: 'StringNotEquals with several values is a NOR (value listed)',
      policies: [c('StringNotEquals', tag, ['red', 'blue'])],
      ...get,
      context: { [tag]: 'blue' },
      expected: 'not-allowed',
    },
    {
      name: 'StringNotEquals with several values is a NOR (value not listed)',
      policies: [c('StringNotEquals', tag, ['red', 'blue'])],
      ...get,
      context: { [tag]: 'green' },
      expected: 'allowed',
    },
    {
      name: 'StringEqualsIgnoreCase',
      policies: [c('StringEqualsIgnoreCase', tag, 'BLUE')],
      ...get,
      context: { [tag]: 'blue' },
      expected: 'allowed',
    },
    {
      name: 'StringNotEqualsIgnoreCase',
      policies: [c('StringNotEqualsIgnoreCase', tag, 'BLUE')],
      ...get,
      context: { [tag]: 'blue' },
      expected: 'not-allowed',
    },
    {
      name: 'StringLike with *',
      policies: [c('StringLike', 's3:prefix', 'home/*')],
      ...get,
      context: { 's3:prefix': 'home/bob/x' },
      expected: 'allowed',
    },
    {
      name: 'StringLike with ?',
      policies: [c('StringLike', 's3:prefix', 'v?')],
      ...get,
      context: { 's3:prefix': 'v12' },
      expected: 'not-allowed',
    },
    {
      name: 'StringLike is case-sensitive',
      policies: [c('StringLike', 's3:prefix', 'home/*')],
      ...get,
      context: { 's3:prefix': 'Home/x' },
      expected: 'not-allowed',
    },
    {
      name: 'StringNotLike',
      policies: [c('StringNotLike', 's3:prefix', 'home/*')],
      ...get,
      context: { 's3:prefix': 'etc/x' },
      expected: 'allowed',
    },
    {
      name: 'NumericLessThan true',
      policies: [c('NumericLessThan', 's3:max-keys', '10')],
      ...get,
      context: { 's3:max-keys': '9' },
      expected: 'allowed',
    },
    {
      name: 'NumericLessThan false',
      policies: [c('NumericLessThan', 's3:max-keys', '10')],
      ...get,
      context: { 's3:max-keys': '10' },
      expected: 'not-allowed',
    },
    {
      name: 'NumericGreaterThanEquals',
      policies: [c('NumericGreaterThanEquals', 's3:max-keys', 10)],
      ...get,
      context: { 's3:max-keys': '10' },
      expected: 'allowed',
    },
    {
      name: 'NumericNotEquals',
      policies: [c('NumericNotEquals', 's3:max-keys', '10')],
      ...get,
      context: { 's3:max-keys': '10.0' },
      expected: 'not-allowed',
    },
    {
      name: 'DateGreaterThan with ISO 8601',
      policies: [c('DateGreaterThan', 'aws:CurrentTime', '2026-01-01T00:00:00Z')],
      ...get,
      context: { 'aws:CurrentTime': '2026-11-30T10:00:00Z' },
      expected: 'allowed',
    },
    {
      name: 'DateLessThan with epoch seconds',
      policies: [c('DateLessThan', 'aws:EpochTime', '1700000000')],
      ...get,
      context: { 'aws:EpochTime': '1800000000' },
      expected: 'not-allowed',
    },
    {
      name: 'DateNotEquals',
      policies: [c('DateNotEquals', 'aws:CurrentTime', '2026-01-01T00:00:00Z')],
      ...get,
      context: { 'aws:CurrentTime': '2026-01-01T00:00:00.000Z' },
      expected: 'not-allowed',
    },
    {
      name: 'Bool true',
      policies: [c('Bool', 'aws:MultiFactorAuthPresent', 'true')],
      ...get,
      context: { 'aws:MultiFactorAuthPresent': 'true' },
      expected: 'allowed',
    },
    {
      name: 'Bool on an absent key is false',
      policies: [c('Bool', 'aws:MultiFactorAuthPresent', true)],
      ...get,
      context: { 'aws:MultiFactorAuthPresent': null },
      expected: 'not-allowed',
    },
    {
      name: 'Deny on Bool SecureTransport false',
      policies: d('Bool', 'aws:SecureTransport', 'false'),
      ...get,
      context: { 'aws:SecureTransport': 'false' },
      expected: 'denied',
    },
    {
      name: 'BinaryEquals compares base64',
      policies: [c('BinaryEquals', 'key', 'QmluYXJ5VmFsdWVJbkJhc2U2NA==')],
      ...get,
      context: { key: 'QmluYXJ5VmFsdWVJbkJhc2U2NA==' },
      expected: 'allowed',
    },
    {
      name: 'IpAddress inside an IPv4 range',
      policies: [c('IpAddress', 'aws:SourceIp', '203.0.113.0/24')],
      ...get,
      context: { 'aws:SourceIp': '203.0.113.9' },
      expected: 'allowed',
    },
    {
      name: 'IpAddress outside the range',
      policies: [c('IpAddress', 'aws:SourceIp', '203.0.113.0/24')],
      ...get,
      context: { 'aws:SourceIp': '203.0.114.9' },
      expected: 'not-allowed',
    },
    {
      name: 'IpAddress with IPv6',
      policies: [c('IpAddress', 'aws:SourceIp', '2001:DB8:1234:5678::/64')],
      ...get,
      context: { 'aws:SourceIp': '2001:db8:1234:5678::abcd' },
      expected: 'allowed',
    },
    {
      name: 'NotIpAddress on an absent key is true',
      policies: [c('NotIpAddress', 'aws:SourceIp', '203.0.113.0/24')],
      ...get,
      context: { 'aws:SourceIp': null },
      expected: 'allowed',
    },
    {
      name: 'NotIpAddress inside the range is false',
      policies: [c('NotIpAddress', 'aws:SourceIp', ['10.0.0.0/8', '203.0.113.0/24'])],
      ...get,
      context: { 'aws:SourceIp': '10.1.2.3' },
      expected: 'not-allowed',
    },
    {
      name: 'ArnLike with wildcards',
      policies: [c('ArnLike', 'aws:SourceArn', 'arn:aws:sns:*:111122223333:*')],
      ...get,
      context: { 'aws:SourceArn': 'arn:aws:sns:us-east-1:111122223333:topic' },
      expected: 'allowed',
    },
    {
      name: 'ArnLike checks each ARN part',
      policies: [c('ArnLike', 'aws:SourceArn', 'arn:aws:sns:*:111122223333:*')],
      ...get,
      context: { 'aws:SourceArn': 'arn:aws:sns:us-east-1:444455556666:topic' },
      expected: 'not-allowed',
    },
    {
      name: 'ArnEquals behaves as ArnLike',
      policies: [c('ArnEquals', 'aws:PrincipalArn', 'arn:aws:iam::111122223333:role/*')],
      ...get,
      context: { 'aws:PrincipalArn': role('app') },
      expected: 'allowed',
    },
    {
      name: 'ArnNotLike',
      policies: [c('ArnNotLike', 'aws:PrincipalArn', 'arn:aws:iam::111122223333:role/admin*')],
      ...get,
      context: { 'aws:PrincipalArn': role('admin-1') },
      expected: 'not-allowed',
    },
    {
      name: 'Null true: the key is absent',
      policies: [c('Null', 'aws:TokenIssueTime', 'true')],
      ...get,
      context: { 'aws:TokenIssueTime': null },
      expected: 'allowed',
    },
    {
      name: 'Null true: the key is present',
      policies: [c('Null', 'aws:TokenIssueTime', 'true')],
      ...get,
      context: { 'aws:TokenIssueTime': '2026-01-01T00:00:00Z' },
      expected: 'not-allowed',
    },
    {
      name: 'Null false: the key is present',
      policies: [c('Null', 'aws:TokenIssueTime', 'false')],
      ...get,
      context: { 'aws:TokenIssueTime': '2026-01-01T00:00:00Z' },
      expected: 'allowed',
    },
    {
      name: 'IfExists: absent key is true',
      policies: [c('StringEqualsIfExists', 'ec2:InstanceType', 't3.micro')],
      ...get,
      context: { 'ec2:InstanceType': null },
      expected: 'allowed',
    },
    {
      name: 'IfExists: present key is compared',
      policies: [c('StringEqualsIfExists', 'ec2:InstanceType', 't3.micro')],
      ...get,
      context: { 'ec2:InstanceType': 'm5.large' },
      expected: 'not-allowed',
    },
    {
      name: 'several keys AND',
      policies: [
        identity(
          allow(
            's3:GetObject',
            '*',
            when({ StringEquals: { [tag]: 'blue', 'aws:PrincipalAccount': ACCOUNT } }),
          ),
        ),
      ],
      ...get,
      context: { [tag]: 'blue', 'aws:PrincipalAccount': OTHER },
      expected: 'not-allowed',
    },
    {
      name: 'several operators AND',
      policies: [
        identity(
          allow(
            's3:GetObject',
            '*',
            when({ StringEquals: { [tag]: 'blue' }, Bool: { 'aws:SecureTransport': 'true' } }),
          ),
        ),
      ],
      ...get,
      context: { [tag]: 'blue', 'aws:SecureTransport': 'true' },
      expected: 'allowed',
    },
    {
      name: 'an unknown key makes an Allow conditional',
      policies: [c('StringEquals', tag, 'blue')],
      ...get,
      expected: 'allowed-when',
    },
    {
      name: 'an unknown key makes a Deny conditional, not void',
      policies: d('StringNotEquals', 'aws:PrincipalOrgID', 'o-abc'),
      ...get,
      expected: 'allowed-when',
    },
    {
      name: 'an operator the evaluator does not know is conditional',
      policies: [c('StringSoundsLike', tag, 'blue')],
      ...get,
      context: { [tag]: 'blue' },
      expected: 'allowed-when',
    },
  ]);
});

// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition_examples-multi-valued-context-keys.html
describe('multivalued context keys', () => {
  const c = (operator: string, values: unknown) =>
    identity(allow('s3:GetObject', '*', when({ [operator]: { 'aws:TagKeys': values } })));
  const get = { action: 's3:GetObject', resource: `${bucket}/a` };
  // The DenyRestrictedTags example of "Multivalued context key examples" in the IAM User Guide.
  const denyRestricted = [
    identity(
      { Effect: 'Allow', Action: 'iam:*', Resource: '*' },
      {
        Effect: 'Deny',
        Action: ['iam:Tag*', 'iam:UnTag*'],
        Resource: '*',
        Condition: { 'ForAllValues:StringNotLike': { 'aws:TagKeys': 'key1*' } },
      },
    ),
  ];
  const tagRole = { action: 'iam:TagRole', resource: `arn:aws:iam::${ACCOUNT}:role/r` };
  run([
    {
      name: 'DenyRestrictedTags: key1 tags only are not denied',
      policies: denyRestricted,
      ...tagRole,
      context: { 'aws:TagKeys': ['key1:hr', 'key1:personnel'] },
      expected: 'allowed',
    },
    {
      name: 'DenyRestrictedTags: another tag key is denied',
      policies: denyRestricted,
      ...tagRole,
      context: { 'aws:TagKeys': ['key2:audit'] },
      expected: 'denied',
    },
    {
      name: 'DenyRestrictedTags: no tag keys at all is denied',
      policies: denyRestricted,
      ...tagRole,
      context: { 'aws:TagKeys': null },
      expected: 'denied',
    },
    {
      name: 'ForAllValues is true for an absent key',
      policies: [c('ForAllValues:StringEquals', ['a', 'b'])],
      ...get,
      context: { 'aws:TagKeys': null },
      expected: 'allowed',
    },
    {
      name: 'ForAllValues is true for an empty key',
      policies: [c('ForAllValues:StringEquals', ['a', 'b'])],
      ...get,
      context: { 'aws:TagKeys': [] },
      expected: 'allowed',
    },
    {
      name: 'ForAllValues: every value listed',
      policies: [c('ForAllValues:StringEquals', ['a', 'b'])],
      ...get,
      context: { 'aws:TagKeys': ['a', 'b'] },
      expected: 'allowed',
    },
    {
      name: 'ForAllValues: one value not listed',
      policies: [c('ForAllValues:StringEquals', ['a', 'b'])],
      ...get,
      context: { 'aws:TagKeys': ['a', 'c'] },
      expected: 'not-allowed',
    },
    {
      name: 'ForAnyValue is false for an absent key',
      policies: [c('ForAnyValue:StringEquals', ['a'])],
      ...get,
      context: { 'aws:TagKeys': null },
      expected: 'not-allowed',
    },
    {
      name: 'ForAnyValue: one value listed',
      policies: [c('ForAnyValue:StringEquals', ['a'])],
      ...get,
      context: { 'aws:TagKeys': ['c', 'a'] },
      expected: 'allowed',
    },
    {
      name: 'ForAnyValue:StringNotEquals: some value not listed',
      policies: [c('ForAnyValue:StringNotEquals', ['a'])],
      ...get,
      context: { 'aws:TagKeys': ['a', 'b'] },
      expected: 'allowed',
    },
    {
      name: 'ForAllValues:StringNotEquals: a listed value present',
      policies: [c('ForAllValues:StringNotEquals', ['a'])],
      ...get,
      context: { 'aws:TagKeys': ['a', 'b'] },
      expected: 'not-allowed',
    },
    {
      name: 'ForAllValues:StringLike',
      policies: [c('ForAllValues:StringLike', ['env-*'])],
      ...get,
      context: { 'aws:TagKeys': ['env-a', 'env-b'] },
      expected: 'allowed',
    },
    {
      name: 'ForAnyValue absent key stays false even when negated',
      policies: [c('ForAnyValue:StringNotEquals', ['a'])],
      ...get,
      context: { 'aws:TagKeys': null },
      expected: 'not-allowed',
    },
  ]);
});

// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
describe('policy variables', () => {
  const own = (resource: string) => identity(allow('iam:CreateAccessKey', resource));
  const key = { action: 'iam:CreateAccessKey' };
  const userArn = (name: string) => `arn:aws:iam::${ACCOUNT}:user/${name}`;
  const selfPolicy = own(`arn:aws:iam::${ACCOUNT}:user/\${aws:username}`);
  const get = { action: 's3:GetObject', resource: `${bucket}/a` };
  run([
    {
      name: '${aws:username} matches the caller’s own user',
      policies: [selfPolicy],
      ...key,
      resource: userArn('bob'),
      context: { 'aws:username': 'bob' },
      expected: 'allowed',
    },
    {
      name: '${aws:username} does not match another user',
      policies: [selfPolicy],
      ...key,
      resource: userArn('alice'),
      context: { 'aws:username': 'bob' },
      expected: 'not-allowed',
    },
    {
      name: 'an absent variable key matches no resource',
      policies: [selfPolicy],
      ...key,
      resource: userArn('bob'),
      context: { 'aws:username': null },
      expected: 'not-allowed',
    },
    {
      name: 'an unknown variable key leaves the statement conditional',
      policies: [selfPolicy],
      ...key,
      resource: userArn('bob'),
      expected: 'allowed-when',
    },
    {
      name: 'a default value stands in for an absent key',
      policies: [own(`arn:aws:iam::${ACCOUNT}:user/\${aws:username, 'shared'}`)],
      ...key,
      resource: userArn('shared'),
      context: { 'aws:username': null },
      expected: 'allowed',
    },
    {
      name: '${aws:PrincipalTag/…} in a condition value',
      policies: [
        identity(
          allow(
            's3:GetObject',
            '*',
            when({ StringEquals: { 'aws:ResourceTag/team': '${aws:PrincipalTag/team}' } }),
          ),
        ),
      ],
      ...get,
      context: { 'aws:ResourceTag/team': 'blue', 'aws:PrincipalTag/team': 'blue' },
      expected: 'allowed',
    },
    {
      name: '${aws:userid} in a resource',
      policies: [identity(allow('s3:GetObject', `${bucket}/home/\${aws:userid}/*`))],
      ...get,
      resource: `${bucket}/home/AIDAEXAMPLE/x`,
      context: { 'aws:userid': 'AIDAEXAMPLE' },
      expected: 'allowed',
    },
    {
      name: '${*} is a literal asterisk, not a wildcard',
      policies: [identity(allow('s3:GetObject', `${bucket}/\${*}`))],
      ...get,
      resource: `${bucket}/anything`,
      expected: 'not-allowed',
    },
    {
      name: '${*} matches an asterisk',
      policies: [identity(allow('s3:GetObject', `${bucket}/\${*}`))],
      ...get,
      resource: `${bucket}/*`,
      expected: 'allowed',
    },
    {
      name: '${?} is a literal question mark',
      policies: [identity(allow('s3:GetObject', `${bucket}/a\${?}`))],
      ...get,
      resource: `${bucket}/ab`,
      expected: 'not-allowed',
    },
    {
      name: '${$} is a literal dollar',
      policies: [identity(allow('s3:GetObject', `${bucket}/\${$}x`))],
      ...get,
      resource: `${bucket}/$x`,
      expected: 'allowed',
    },
    {
      name: 'a condition value whose variable is absent matches nothing (StringEquals false)',
      policies: [
        identity(allow('s3:GetObject', '*', when({ StringLike: { 's3:prefix': '${aws:username}/*' } }))),
      ],
      ...get,
      context: { 's3:prefix': 'bob/x', 'aws:username': null },
      expected: 'not-allowed',
    },
    {
      name: 'a negated condition whose variable is absent holds',
      policies: [
        identity(allow('s3:GetObject', '*', when({ StringNotEquals: { 's3:prefix': '${aws:username}' } }))),
      ],
      ...get,
      context: { 's3:prefix': 'bob', 'aws:username': null },
      expected: 'allowed',
    },
    {
      name: 'a document without Version 2012-10-17 takes ${…} as literal text',
      policies: [
        {
          kind: 'identity',
          document: { ...selfPolicy.document, version: '2008-10-17' },
        },
      ],
      ...key,
      resource: userArn('bob'),
      context: { 'aws:username': 'bob' },
      expected: 'not-allowed',
    },
    {
      name: '${aws:SourceVpc} compared with the resource’s VPC',
      policies: [
        identity(
          allow('s3:GetObject', '*', when({ StringEquals: { 'aws:ResourceTag/vpc': '${aws:SourceVpc}' } })),
        ),
      ],
      ...get,
      context: { 'aws:ResourceTag/vpc': 'vpc-1', 'aws:SourceVpc': 'vpc-2' },
      expected: 'not-allowed',
    },
  ]);
});

// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html
describe('IAM condition keys passed by the caller', () => {
  const passRole = identity(
    allow(
      'iam:PassRole',
      '*',
      when({
        StringEquals: {
          'iam:PassedToService': ['application-autoscaling.amazonaws.com', 'dax.amazonaws.com'],
        },
      }),
    ),
  );
  const pass = { action: 'iam:PassRole', resource: role('r') };
  const attach = (operator: string, values: unknown) =>
    identity(allow('iam:AttachRolePolicy', '*', when({ [operator]: { 'iam:PolicyARN': values } })));
  run([
    {
      name: 'PassRole to a listed service',
      policies: [passRole],
      ...pass,
      context: { 'iam:PassedToService': 'dax.amazonaws.com' },
      expected: 'allowed',
    },
    {
      name: 'PassRole to another service',
      policies: [passRole],
      ...pass,
      context: { 'iam:PassedToService': 'lambda.amazonaws.com' },
      expected: 'not-allowed',
    },
    { name: 'PassRole with the service unknown', policies: [passRole], ...pass, expected: 'allowed-when' },
    {
      name: 'iam:PolicyARN limits the attachable policies',
      policies: [attach('ArnEquals', 'arn:aws:iam::aws:policy/ReadOnlyAccess')],
      action: 'iam:AttachRolePolicy',
      resource: role('r'),
      context: { 'iam:PolicyARN': 'arn:aws:iam::aws:policy/AdministratorAccess' },
      expected: 'not-allowed',
    },
    {
      name: 'iam:PolicyARN matching',
      policies: [attach('ArnLike', 'arn:aws:iam::aws:policy/ReadOnly*')],
      action: 'iam:AttachRolePolicy',
      resource: role('r'),
      context: { 'iam:PolicyARN': 'arn:aws:iam::aws:policy/ReadOnlyAccess' },
      expected: 'allowed',
    },
    {
      name: 'iam:AWSServiceName limits service-linked roles',
      policies: [
        identity(
          allow(
            'iam:CreateServiceLinkedRole',
            '*',
            when({ StringEquals: { 'iam:AWSServiceName': 'autoscaling.amazonaws.com' } }),
          ),
        ),
      ],
      action: 'iam:CreateServiceLinkedRole',
      resource: role('aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling'),
      context: { 'iam:AWSServiceName': 'elasticbeanstalk.amazonaws.com' },
      expected: 'not-allowed',
    },
    {
      name: 'iam:PermissionsBoundary required on CreateRole',
      policies: [
        identity(
          allow(
            'iam:CreateRole',
            '*',
            when({ StringEquals: { 'iam:PermissionsBoundary': `arn:aws:iam::${ACCOUNT}:policy/boundary` } }),
          ),
        ),
      ],
      action: 'iam:CreateRole',
      resource: role('new'),
      context: { 'iam:PermissionsBoundary': null },
      expected: 'not-allowed',
    },
  ]);
});
