// Hand-built alerts shaped like the notifier's output (shared/domain/types.ts `Alert`), for the formatter
// and forwarder tests. Values follow the CloudTrail corpus (tests/fixtures/).
import type { Alert } from '../../shared/domain/types.js';

const ADMIN_POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
});

/** AdministratorAccess attached to IAM user deploy-bot by alice from the console, without MFA (high). */
export const attachAdminAlert = (overrides: Partial<Alert> = {}): Alert => ({
  schema: 'iam-change-alerts/alert@1',
  eventId: '6f1c2b9e-4a4f-4d7e-9a51-3b0c8c1d2e3f',
  eventName: 'AttachUserPolicy',
  eventSource: 'iam.amazonaws.com',
  eventTime: '2026-11-01T10:00:00Z',
  eventType: 'AwsApiCall',
  awsRegion: 'us-east-1',
  account: '123456789012',
  family: 'Attach',
  category: 'permissions',
  severity: 'high',
  reasons: [
    {
      severity: 'high',
      code: 'admin-policy-attached',
      text: 'grants every action on every resource (AWS managed policy AdministratorAccess)',
    },
    { severity: 'medium', code: 'no-mfa', text: 'made by a person with console credentials, without MFA' },
  ],
  title: 'AdministratorAccess attached to IAM user deploy-bot',
  principal: {
    type: 'IAMUser',
    name: 'alice',
    arn: 'arn:aws:iam::123456789012:user/alice',
    accountId: '123456789012',
    mfa: false,
    sourceIp: '203.0.113.9',
    userAgent: 'AWS Internal',
    via: 'console',
    viaLabel: 'AWS console',
    isRoot: false,
  },
  target: { kind: 'user', name: 'deploy-bot', arn: 'arn:aws:iam::123456789012:user/deploy-bot' },
  parameters: { userName: 'deploy-bot', policyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' },
  readOnly: false,
  policy: {
    source: 'well-known',
    label: 'managed policy AdministratorAccess',
    policyArn: 'arn:aws:iam::aws:policy/AdministratorAccess',
    document: ADMIN_POLICY,
    findings: [{ severity: 'critical', code: 'full-admin', text: 'Allow * on * (full administrator)' }],
  },
  links: {
    event:
      'https://us-east-1.console.aws.amazon.com/cloudtrail/home?region=us-east-1#/events/6f1c2b9e-4a4f-4d7e-9a51-3b0c8c1d2e3f',
    target: 'https://us-east-1.console.aws.amazon.com/iam/home#/users/details/deploy-bot',
  },
  notes: [],
  ...overrides,
});

/** UpdateAssumeRolePolicy by a Terraform session opening a role to another account (high). */
export const trustPolicyAlert = (overrides: Partial<Alert> = {}): Alert => ({
  schema: 'iam-change-alerts/alert@1',
  eventId: '0a9d7c7e-1111-4b8e-8f3a-5c1e2d3f4a5b',
  eventName: 'UpdateAssumeRolePolicy',
  eventSource: 'iam.amazonaws.com',
  eventTime: '2026-11-02T08:30:12Z',
  awsRegion: 'us-east-1',
  account: '123456789012',
  family: 'Update',
  category: 'permissions',
  severity: 'high',
  reasons: [
    {
      severity: 'high',
      code: 'trust-external-account',
      text: 'the new trust policy lets arn:aws:iam::999988887777:root assume the role, with no ExternalId condition',
    },
  ],
  title: 'Role billing-reader can now be assumed from another account',
  principal: {
    type: 'AssumedRole',
    name: 'ci-role/ci-run-4411',
    arn: 'arn:aws:sts::123456789012:assumed-role/ci-role/ci-run-4411',
    accountId: '123456789012',
    issuerArn: 'arn:aws:iam::123456789012:role/ci-role',
    issuerName: 'ci-role',
    sessionName: 'ci-run-4411',
    mfa: false,
    sourceIp: '198.51.100.20',
    userAgent:
      'APN/1.0 HashiCorp/1.0 Terraform/1.9.5 (+https://www.terraform.io) terraform-provider-aws/5.70.0',
    via: 'terraform',
    viaLabel: 'Terraform 1.9.5',
    isRoot: false,
  },
  target: { kind: 'role', name: 'billing-reader', arn: 'arn:aws:iam::123456789012:role/billing-reader' },
  parameters: { roleName: 'billing-reader' },
  policy: {
    source: 'request',
    label: 'trust policy',
    document: JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::999988887777:root' }, Action: 'sts:AssumeRole' },
      ],
    }),
    findings: [],
    trustedPrincipals: ['arn:aws:iam::999988887777:root'],
  },
  links: {
    event:
      'https://us-east-1.console.aws.amazon.com/cloudtrail/home?region=us-east-1#/events/0a9d7c7e-1111-4b8e-8f3a-5c1e2d3f4a5b',
    target: 'https://us-east-1.console.aws.amazon.com/iam/home#/roles/details/billing-reader',
  },
  notes: [],
  ...overrides,
});

/** A failed CreateAccessKey for another user, with an attacker-controlled user name and user agent. */
export const hostileAlert = (overrides: Partial<Alert> = {}): Alert =>
  attachAdminAlert({
    eventId: 'b7e1c0de-0000-4000-8000-000000000001',
    eventName: 'CreateAccessKey',
    family: 'Create',
    category: 'credentials',
    severity: 'critical',
    title: 'Access key created for <!channel> by *boss*',
    principal: {
      type: 'IAMUser',
      name: '<!here> @channel `rm -rf` <http://evil.example|click me> & co',
      arn: 'arn:aws:iam::123456789012:user/<@U123>',
      mfa: false,
      sourceIp: '203.0.113.66',
      userAgent: '```\n<!everyone>\n``` > quote',
      via: 'cli',
      viaLabel: 'AWS CLI',
      isRoot: false,
    },
    target: { kind: 'user', name: 'victim</a><script>', arn: 'arn:aws:iam::123456789012:user/victim' },
    parameters: { userName: '<https://phish.example|AWS Console>' },
    policy: undefined,
    errorCode: 'AccessDenied',
    errorMessage: 'User: <!subteam^S123> is not authorized',
    notes: ['enrichment: <!here> failed & retried'],
    links: {
      event: 'javascript:alert(1)',
      target: 'https://console.aws.amazon.com/iam/home#/users/x|<forged>',
    },
    ...overrides,
  });
