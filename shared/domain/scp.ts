// The service control policy that pins EC2 instance role credentials to their instance: its documents, one per
// variant, and the table of requests it is judged against. Pure: the template (resources/derived.cjs), the
// README's table and its tests, and the planned `iam-alerts scp-impact` command all read it from here.

/** Principal tag that exempts a principal from the SCP when `ScpTagExemption` is on. */
export const SCP_TAG_KEY = 'aws:PrincipalTag/exception-to-vpc-ip';

/**
 * What a deployment turns on (stack parameters `ScpTagExemption`, `ScpExemptIam`,
 * `ScpEc2InfrastructureException`, `ScpDenyPublicEndpoints`, and whether `InstanceEgressCidrs` is empty).
 */
export interface ScpVariant {
  /** Principals tagged `exception-to-vpc-ip=true` are exempt. */
  tagExemption: boolean;
  /** `NotAction: iam:*` instead of `Action: *`: IAM calls are never denied. */
  exemptIam: boolean;
  /** The role `aws:ec2-infrastructure` (EC2 decrypting KMS-encrypted EBS volumes) is exempt. */
  ec2InfrastructureException: boolean;
  /** Instance credentials used through a public endpoint are denied unless from an egress address. */
  denyPublicEndpoints: boolean;
  /** `InstanceEgressCidrs` is not empty (only read with `denyPublicEndpoints`). */
  hasEgressCidrs: boolean;
}

/**
 * The values a document is built with: literal values for an evaluation, or CloudFormation intrinsics
 * (`Fn::Sub`, `Ref`) for the template.
 */
export interface ScpValues {
  /** ARN pattern of the `aws:ec2-infrastructure` role, e.g. `arn:aws:iam::*:role/aws:ec2-infrastructure`. */
  ec2InfrastructureArn: unknown;
  /** The egress CIDRs (a non-empty list), for `NotIpAddressIfExists aws:SourceIp`. */
  egressCidrs: unknown;
}

/** An IAM policy statement as the SCP writes it. */
export interface ScpStatement {
  Sid: string;
  Effect: 'Deny';
  Action?: string;
  NotAction?: string;
  Resource: '*';
  Condition: Record<string, Record<string, unknown>>;
}

/** An SCP document. */
export interface ScpDocument {
  Version: '2012-10-17';
  Statement: ScpStatement[];
}

/** Organizations' size limit of an SCP, in characters; every character counts, whitespace included. */
export const SCP_MAX_CHARACTERS = 5120;

// IAM policy variables, compared at request time.
// biome-ignore lint/suspicious/noTemplateCurlyInString: an IAM policy variable, not a template literal
const SOURCE_VPC_VARIABLE = '${aws:SourceVpc}';
// biome-ignore lint/suspicious/noTemplateCurlyInString: an IAM policy variable, not a template literal
const VPC_SOURCE_IP_VARIABLE = '${aws:VpcSourceIp}';

/** Conditions every statement shares: instance credentials, not an AWS service acting for them, exemptions. */
const shared = (variant: ScpVariant, values: ScpValues, nulls: Record<string, string>) => ({
  Null: { 'ec2:SourceInstanceARN': 'false', ...nulls },
  BoolIfExists: { 'aws:ViaAWSService': 'false' },
  ...(variant.ec2InfrastructureException
    ? { ArnNotLike: { 'aws:PrincipalArn': values.ec2InfrastructureArn } }
    : {}),
});

// A negated operator is true when the key is absent: untagged principals stay denied.
const tagCondition = (variant: ScpVariant) => (variant.tagExemption ? { [SCP_TAG_KEY]: 'true' } : {});

const actions = (variant: ScpVariant) => (variant.exemptIam ? { NotAction: 'iam:*' } : { Action: '*' });

/**
 * One of the reference design's two statements: the credentials' VPC (or private IP) must equal the request's,
 * compared through a policy variable. With `denyPublicEndpoints`, the statement is limited to requests that
 * carry the variable's key (`Null … false`), so its meaning no longer depends on how IAM treats a variable
 * whose key is absent; the third statement handles those requests explicitly.
 */
const pinStatement = (
  sid: string,
  credentialKey: string,
  variable: string,
  variableKey: string,
  variant: ScpVariant,
  values: ScpValues,
): ScpStatement => ({
  Sid: sid,
  Effect: 'Deny',
  ...actions(variant),
  Resource: '*',
  Condition: {
    StringNotEquals: { [credentialKey]: variable, ...tagCondition(variant) },
    ...shared(variant, values, variant.denyPublicEndpoints ? { [variableKey]: 'false' } : {}),
  },
});

/** Instance credentials on a public endpoint (no `aws:SourceVpc`), from outside the egress addresses. */
const publicEndpointStatement = (variant: ScpVariant, values: ScpValues): ScpStatement => {
  const tag = tagCondition(variant);
  return {
    Sid: 'DenyEc2CredentialsOnPublicEndpoints',
    Effect: 'Deny',
    ...actions(variant),
    Resource: '*',
    Condition: {
      ...(Object.keys(tag).length > 0 ? { StringNotEquals: tag } : {}),
      ...(variant.hasEgressCidrs ? { NotIpAddressIfExists: { 'aws:SourceIp': values.egressCidrs } } : {}),
      ...shared(variant, values, { 'aws:SourceVpc': 'true' }),
    },
  };
};

/**
 * The complete SCP document of one variant. Without `denyPublicEndpoints` it is AWS's reference design (two
 * statements, VPC and private IP); with it, those two are limited to requests through a VPC endpoint and a third
 * denies requests without one unless `aws:SourceIp` is an egress address (or, with no egress list, always).
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-ec2instancesourceprivateip4
 * @see https://github.com/aws-samples/data-perimeter-policy-examples/blob/main/service_control_policies/service_specific_controls/network_perimeter_ec2_scp.json
 */
export const buildScpDocument = (variant: ScpVariant, values: ScpValues): ScpDocument => ({
  Version: '2012-10-17',
  Statement: [
    pinStatement(
      'DenyEc2CredentialsOutsideTheirVpc',
      'aws:ec2InstanceSourceVPC',
      SOURCE_VPC_VARIABLE,
      'aws:SourceVpc',
      variant,
      values,
    ),
    pinStatement(
      'DenyEc2CredentialsOutsideTheirPrivateIp',
      'aws:ec2InstanceSourcePrivateIPv4',
      VPC_SOURCE_IP_VARIABLE,
      'aws:VpcSourceIp',
      variant,
      values,
    ),
    ...(variant.denyPublicEndpoints ? [publicEndpointStatement(variant, values)] : []),
  ],
});

/** Every variant a deployment can produce (`hasEgressCidrs` matters only with `denyPublicEndpoints`). */
export const ALL_SCP_VARIANTS: readonly ScpVariant[] = [false, true].flatMap((tagExemption) =>
  [false, true].flatMap((exemptIam) =>
    [false, true].flatMap((ec2InfrastructureException) =>
      [false, true].flatMap((denyPublicEndpoints) =>
        [false, true].map((hasEgressCidrs) => ({
          tagExemption,
          exemptIam,
          ec2InfrastructureException,
          denyPublicEndpoints,
          hasEgressCidrs,
        })),
      ),
    ),
  ),
);

// ------------------------------------------------------------------ the request table

/** What AWS decides for a request: `ambiguous` where AWS's documentation supports both answers. */
export type ScpOutcome = 'allowed' | 'denied' | 'ambiguous';

/**
 * A kind of request made with (or without) EC2 instance credentials, as its request context: condition keys
 * (lower case: IAM compares key names case-insensitively) and values. Keys absent here are absent from the
 * request.
 */
export interface ScpRequest {
  id: string;
  /** Words for the README's table. */
  label: string;
  action: string;
  context: ReadonlyMap<string, string>;
  /** Which documented behaviour decides this row, for the README. */
  why: string;
  /** What the SCP is meant to do with this request under `variant`. */
  intended: (variant: ScpVariant) => ScpOutcome;
}

/** The example egress list of the table: your NAT gateways' public addresses. */
export const EXAMPLE_EGRESS_CIDRS = ['198.51.100.0/24', '192.0.2.7/32'] as const;

const ACCOUNT = '111122223333';
const INSTANCE_ROLE = `arn:aws:iam::${ACCOUNT}:role/app-instance-role`;

const context = (entries: Record<string, string>): ReadonlyMap<string, string> =>
  new Map(Object.entries(entries).map(([key, value]) => [key.toLowerCase(), value]));

/** Keys every request signed with the instance's role credentials carries. */
const instanceCredentials = {
  'aws:PrincipalArn': INSTANCE_ROLE,
  'ec2:SourceInstanceARN': `arn:aws:ec2:us-east-1:${ACCOUNT}:instance/i-0123456789abcdef0`,
  'aws:Ec2InstanceSourceVpc': 'vpc-0aaa1111',
  'aws:Ec2InstanceSourcePrivateIPv4': '10.0.1.10',
  'aws:ViaAWSService': 'false',
};

const ownVpcEndpoint = {
  'aws:SourceVpc': 'vpc-0aaa1111',
  'aws:SourceVpce': 'vpce-0aaa',
  'aws:VpcSourceIp': '10.0.1.10',
};
const publicFromNat = { 'aws:SourceIp': '198.51.100.7' };
const publicFromElsewhere = { 'aws:SourceIp': '203.0.113.9' };

/**
 * Public endpoint, instance credentials, no exemption: the reference design compares the credentials' VPC with
 * `${aws:SourceVpc}`, a key such requests lack; AWS documents both readings (see `ScpOutcome`).
 */
const publicOutcome = (variant: ScpVariant, fromEgress: boolean): ScpOutcome => {
  if (!variant.denyPublicEndpoints) return 'ambiguous';
  return fromEgress && variant.hasEgressCidrs ? 'allowed' : 'denied';
};

const KEYS_DOC = 'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html';
const VARIABLES_DOC = 'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html';

/**
 * The request kinds of the README's table, each with the outcome the SCP is meant to have. The tests evaluate
 * the compiled template's document of every variant against each and compare with `intended`.
 */
export const SCP_REQUESTS: readonly ScpRequest[] = [
  {
    id: 'own-vpc-endpoint',
    label: 'Instance credentials, through a VPC endpoint of the instance’s VPC, from the instance',
    action: 's3:GetObject',
    context: context({ ...instanceCredentials, ...ownVpcEndpoint }),
    why: `\`aws:SourceVpc\` and \`aws:VpcSourceIp\` equal the credentials' VPC and IP ([keys](${KEYS_DOC}#condition-keys-ec2instancesourcevpc))`,
    intended: () => 'allowed',
  },
  {
    id: 'other-vpc-endpoint',
    label: 'Instance credentials, through a VPC endpoint of another VPC (same private IP there)',
    action: 's3:GetObject',
    context: context({
      ...instanceCredentials,
      'aws:SourceVpc': 'vpc-0bbb2222',
      'aws:SourceVpce': 'vpce-0bbb',
      'aws:VpcSourceIp': '10.0.1.10',
    }),
    why: `the VPC statement: \`aws:ec2InstanceSourceVPC\` ≠ \`aws:SourceVpc\` (the IP alone would match, [keys](${KEYS_DOC}#condition-keys-ec2instancesourceprivateip4))`,
    intended: () => 'denied',
  },
  {
    id: 'own-vpc-other-ip',
    label: 'Instance credentials, through a VPC endpoint of the instance’s VPC, from another private IP',
    action: 's3:GetObject',
    context: context({ ...instanceCredentials, ...ownVpcEndpoint, 'aws:VpcSourceIp': '10.0.1.99' }),
    why: `the IP statement: \`aws:ec2InstanceSourcePrivateIPv4\` ≠ \`aws:VpcSourceIp\` ([keys](${KEYS_DOC}#condition-keys-vpcsourceip))`,
    intended: () => 'denied',
  },
  {
    id: 'public-from-nat',
    label: 'Instance credentials, public endpoint, from your NAT egress address',
    action: 's3:GetObject',
    context: context({ ...instanceCredentials, ...publicFromNat }),
    why: `no \`aws:SourceVpc\`/\`aws:VpcSourceIp\` (only through VPC endpoints, [keys](${KEYS_DOC}#condition-keys-sourcevpc)); \`aws:SourceIp\` in \`InstanceEgressCidrs\` ([keys](${KEYS_DOC}#condition-keys-sourceip))`,
    intended: (variant) => publicOutcome(variant, true),
  },
  {
    id: 'public-from-elsewhere',
    label: 'Instance credentials, public endpoint, from anywhere else (stolen)',
    action: 's3:GetObject',
    context: context({ ...instanceCredentials, ...publicFromElsewhere }),
    why: `no \`aws:SourceVpc\`: the variable has no value ([variables](${VARIABLES_DOC})); \`aws:SourceIp\` outside the list`,
    intended: (variant) => publicOutcome(variant, false),
  },
  {
    id: 'via-aws-service',
    label: 'An AWS service calling on the instance role’s behalf (S3 → KMS, forward access session)',
    action: 'kms:Decrypt',
    context: context({
      ...instanceCredentials,
      'aws:ViaAWSService': 'true',
      'aws:CalledVia': 's3.amazonaws.com',
    }),
    why: '`aws:ViaAWSService` is true for forward access sessions, which keep no source VPC or IP ([FAS](https://docs.aws.amazon.com/IAM/latest/UserGuide/access_forward_access_sessions.html))',
    intended: () => 'allowed',
  },
  {
    id: 'non-instance-role',
    label: 'A role that is not an instance role (no `ec2:SourceInstanceARN`), from anywhere',
    action: 's3:GetObject',
    context: context({
      'aws:PrincipalArn': `arn:aws:iam::${ACCOUNT}:role/developer`,
      'aws:ViaAWSService': 'false',
      ...publicFromElsewhere,
    }),
    why: `\`Null ec2:SourceInstanceARN = false\` limits every statement to instance credentials ([keys](${KEYS_DOC}#condition-keys-ec2-source-instance-arn))`,
    intended: () => 'allowed',
  },
  {
    id: 'tagged-exempt',
    label:
      'Instance credentials of a role tagged `exception-to-vpc-ip=true`, public endpoint, from elsewhere',
    action: 's3:GetObject',
    context: context({ ...instanceCredentials, [SCP_TAG_KEY]: 'true', ...publicFromElsewhere }),
    why: '`StringNotEquals` on the tag is false for tagged principals, true when the tag is absent ([operators](https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html))',
    intended: (variant) => (variant.tagExemption ? 'allowed' : publicOutcome(variant, false)),
  },
  {
    id: 'iam-action',
    label: 'Instance credentials calling IAM (`iam:ListRoles`), public endpoint, from elsewhere',
    action: 'iam:ListRoles',
    context: context({ ...instanceCredentials, ...publicFromElsewhere }),
    why: '`NotAction: iam:*` leaves every IAM action out of every statement ([NotAction](https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notaction.html))',
    intended: (variant) => (variant.exemptIam ? 'allowed' : publicOutcome(variant, false)),
  },
  {
    id: 'ec2-infrastructure',
    label:
      'EC2 itself (`aws:ec2-infrastructure`) decrypting an encrypted EBS volume with the instance’s credentials',
    action: 'kms:Decrypt',
    context: context({
      ...instanceCredentials,
      'aws:PrincipalArn': `arn:aws:iam::${ACCOUNT}:role/aws:ec2-infrastructure`,
      'aws:SourceIp': '52.94.133.131',
    }),
    why: '`ArnNotLike aws:PrincipalArn` on `role/aws:ec2-infrastructure` ([AWS blog](https://aws.amazon.com/blogs/security/how-to-use-policies-to-restrict-where-ec2-instance-credentials-can-be-used-from/))',
    intended: (variant) => (variant.ec2InfrastructureException ? 'allowed' : publicOutcome(variant, false)),
  },
];

/** A column of the README's table: a named variant. */
export interface ScpColumn {
  label: string;
  variant: ScpVariant;
}

const referenceDesign: ScpVariant = {
  tagExemption: false,
  exemptIam: false,
  ec2InfrastructureException: true,
  denyPublicEndpoints: false,
  hasEgressCidrs: false,
};

/** The variants the README's table shows (the tests check all of `ALL_SCP_VARIANTS`). */
export const SCP_COLUMNS: readonly ScpColumn[] = [
  { label: 'Defaults (reference design)', variant: referenceDesign },
  { label: '`ScpTagExemption`', variant: { ...referenceDesign, tagExemption: true } },
  { label: '`ScpExemptIam`', variant: { ...referenceDesign, exemptIam: true } },
  {
    label: '`ScpDenyPublicEndpoints` + `InstanceEgressCidrs`',
    variant: { ...referenceDesign, denyPublicEndpoints: true, hasEgressCidrs: true },
  },
  {
    label: '`ScpDenyPublicEndpoints`, no CIDRs',
    variant: { ...referenceDesign, denyPublicEndpoints: true },
  },
];
