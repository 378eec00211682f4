// AWS managed policies recognised by ARN, without an IAM call. The documents are AWS's own (the AWS Managed
// Policy Reference); the ones that change often or are long carry a summary finding instead of a document.
import type { KnownFinding, PolicyFinding } from '../findings.js';
import type { Severity } from '../types.js';

/** A well-known AWS managed policy. */
export interface WellKnownPolicy {
  name: string;
  /** The default version's document, when it is short and stable enough to keep here. */
  document?: string;
  /**
   * Findings to report instead of (or on top of) analysing the document; one with the same code as a
   * finding of the document replaces it (PowerUserAccess: said plainly instead of as a NotAction list).
   */
  findings: PolicyFinding[];
}

const ADMIN = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}';

const IAM_FULL = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Action: [
        'iam:*',
        'organizations:DescribeAccount',
        'organizations:DescribeOrganization',
        'organizations:DescribeOrganizationalUnit',
        'organizations:DescribePolicy',
        'organizations:ListChildren',
        'organizations:ListParents',
        'organizations:ListPoliciesForTarget',
        'organizations:ListRoots',
        'organizations:ListPolicies',
        'organizations:ListTargetsForPolicy',
      ],
      Resource: '*',
    },
  ],
});

// PowerUserAccess v12 (edited 2026-02-12), from the AWS Managed Policy Reference.
const POWER_USER = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    { Effect: 'Allow', NotAction: ['iam:*', 'organizations:*', 'account:*'], Resource: '*' },
    {
      Effect: 'Allow',
      Action: [
        'account:GetAccountInformation',
        'account:GetGovCloudAccountInformation',
        'account:GetPrimaryEmail',
        'account:ListRegions',
        'iam:CreateServiceLinkedRole',
        'iam:DeleteServiceLinkedRole',
        'iam:ListRoles',
        'organizations:DescribeEffectivePolicy',
        'organizations:DescribeOrganization',
      ],
      Resource: '*',
    },
  ],
});

const DENY_ALL = '{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}';

const quarantine = (name: string): WellKnownPolicy => ({
  name,
  findings: [
    {
      severity: 'high',
      code: 'quarantine-policy',
      kind: 'known',
      what: `AWS quarantine policy ${name}`,
      why:
        "AWS attaches it when it finds the user's access key exposed in public " +
        '(or a responder did): the key is compromised; rotate it and review what it did',
    },
  ],
});

/** A curated finding: `verb what: why`. */
const summary = (
  name: string,
  severity: Severity,
  code: string,
  said: Pick<KnownFinding, 'verb' | 'what' | 'why'>,
): WellKnownPolicy => ({
  name,
  findings: [{ severity, code, kind: 'known', ...said }],
});

const POLICIES: WellKnownPolicy[] = [
  { name: 'AdministratorAccess', document: ADMIN, findings: [] },
  { name: 'IAMFullAccess', document: IAM_FULL, findings: [] },
  {
    name: 'PowerUserAccess',
    document: POWER_USER,
    // Said plainly: the document's NotAction reads as a list of exclusions, not as "nearly everything".
    findings: [
      {
        severity: 'high',
        code: 'allow-not-action',
        kind: 'grant',
        actions: { kind: 'all-except', except: ['iam:*', 'organizations:*', 'account:*'], omitted: 0 },
        resources: { every: true, except: [], omitted: 0 },
        conditions: [],
      },
    ],
  },
  { name: 'AWSDenyAll', document: DENY_ALL, findings: [] },
  quarantine('AWSCompromisedKeyQuarantine'),
  quarantine('AWSCompromisedKeyQuarantineV2'),
  quarantine('AWSCompromisedKeyQuarantineV3'),
  summary('AWSOrganizationsFullAccess', 'high', 'service-wildcard-organizations', {
    verb: 'grants',
    what: 'organizations:* (every Organizations action)',
    why: 'can change service control policies, accounts, and leave the organization',
  }),
  summary('ReadOnlyAccess', 'medium', 'read-everything', {
    verb: 'can',
    what: 'read configuration and data in nearly every service (S3 objects, DynamoDB items, logs)',
  }),
  summary('SecurityAudit', 'low', 'read-configuration', {
    verb: 'can',
    what: 'read the security configuration of every service',
  }),
  summary('ViewOnlyAccess', 'low', 'read-configuration', {
    verb: 'can',
    what: 'list and describe resources in most services',
  }),
  summary('AmazonS3FullAccess', 'medium', 'service-wildcard-s3', {
    verb: 'grants',
    what: 's3:* on every bucket',
    why: 'can read, change and delete all S3 data',
  }),
  summary('AmazonEC2FullAccess', 'medium', 'service-wildcard-ec2', {
    verb: 'grants',
    what: 'ec2:* on every resource',
    why: 'can start instances, open security groups and snapshot disks',
  }),
  summary('AWSCloudTrail_FullAccess', 'medium', 'service-wildcard-cloudtrail', {
    verb: 'grants',
    what: 'every CloudTrail action',
    why: 'can stop or delete the audit trail',
  }),
  summary('AmazonSSMManagedInstanceCore', 'info', 'ssm-instance-core', {
    what: 'lets an EC2 instance register with Systems Manager (Session Manager, Run Command)',
  }),
  summary('Billing', 'low', 'billing', {
    verb: 'can',
    what: 'view and change billing, payment methods and budgets',
  }),
];

const BY_NAME = new Map(POLICIES.map((policy) => [policy.name, policy]));

/** Whether an ARN names an AWS managed policy (`arn:aws:iam::aws:policy/...`), in any partition. */
export const isAwsManagedPolicyArn = (arn: string): boolean => /^arn:aws[a-z-]*:iam::aws:policy\//.test(arn);

/** The policy name of a managed policy ARN (the last path segment). */
export const policyNameOfArn = (arn: string): string => arn.slice(arn.lastIndexOf('/') + 1) || arn;

/**
 * The well-known AWS managed policy an ARN names, if it is one of the recognised ones.
 * @see https://docs.aws.amazon.com/aws-managed-policy/latest/reference/policy-list.html
 */
export const wellKnownPolicy = (arn: string): WellKnownPolicy | undefined =>
  isAwsManagedPolicyArn(arn) ? BY_NAME.get(policyNameOfArn(arn)) : undefined;
