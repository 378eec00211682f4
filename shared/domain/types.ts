// The alert model shared by every stage: parse → classify → enrich → format → publish.
// Types, plus the constant lists and comparisons they are defined by; no I/O.

/** Severity levels, lowest first. A change is never `info`; reads are. */
export const SEVERITIES = ['info', 'low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** What an IAM call touches. `other` only for what truly fits nothing. */
export const CATEGORIES = [
  'credentials',
  'permissions',
  'identity',
  'federation',
  'account',
  'tagging',
  'read',
  'other',
] as const;
export type Category = (typeof CATEGORIES)[number];

/**
 * The `userIdentity` block of a CloudTrail record, as CloudTrail writes it.
 * Every field is optional: AWS service events carry only `accountId`/`invokedBy`.
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-user-identity.html
 */
export interface UserIdentity {
  type?: string;
  principalId?: string;
  arn?: string;
  accountId?: string;
  accessKeyId?: string;
  userName?: string;
  invokedBy?: string;
  identityProvider?: string;
  credentialId?: string;
  onBehalfOf?: { userId?: string; identityStoreArn?: string };
  sessionContext?: {
    sessionIssuer?: {
      type?: string;
      principalId?: string;
      arn?: string;
      accountId?: string;
      userName?: string;
    };
    webIdFederationData?: { federatedProvider?: string; attributes?: Record<string, unknown> };
    attributes?: { creationDate?: string; mfaAuthenticated?: string };
    sourceIdentity?: string;
    ec2RoleDelivery?: string;
    assumedRoot?: string;
  };
}

/**
 * One CloudTrail record (an element of a log file's `Records`, or the `detail` of an
 * EventBridge "AWS API Call via CloudTrail" event). Unknown fields are kept.
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html
 */
export interface CloudTrailRecord {
  eventVersion?: string;
  userIdentity: UserIdentity;
  eventTime?: string;
  eventSource: string;
  eventName: string;
  awsRegion?: string;
  sourceIPAddress?: string;
  userAgent?: string;
  errorCode?: string;
  errorMessage?: string;
  requestParameters: Record<string, unknown> | null;
  responseElements: Record<string, unknown> | null;
  additionalEventData?: Record<string, unknown>;
  requestID?: string;
  eventID?: string;
  readOnly?: boolean;
  eventType?: string;
  managementEvent?: boolean;
  recipientAccountId?: string;
  eventCategory?: string;
  sessionCredentialFromConsole?: string;
  vpcEndpointId?: string;
  vpcEndpointAccountId?: string;
  tlsDetails?: { tlsVersion?: string; cipherSuite?: string; clientProvidedHostHeader?: string };
  [key: string]: unknown;
}

/** The EventBridge envelope around a CloudTrail record, when the record came through EventBridge. */
export interface EventBridgeEnvelope {
  id: string;
  source: string;
  detailType: string;
  account: string;
  region: string;
  time: string;
}

/** A parsed input: the CloudTrail record and, if it came through EventBridge, its envelope. */
export interface IamEvent {
  record: CloudTrailRecord;
  envelope?: EventBridgeEnvelope;
  /**
   * The account that was changed, worked out once: `recipientAccountId`, else the envelope's account, else the
   * caller's account. Routing, links and trust analysis all use this one value.
   */
  account: string | undefined;
}

/** How the caller reached the API, from the user agent and identity. */
export type AccessMethod =
  | 'console'
  | 'cli'
  | 'sdk'
  | 'terraform'
  | 'cloudformation'
  | 'aws-service'
  | 'unknown';

/** Who made the call, derived from the event alone. */
export interface Principal {
  /** CloudTrail's `userIdentity.type` (`IAMUser`, `AssumedRole`, `Root`, `AWSService`, `IdentityCenterUser`, …). */
  type: string;
  /** Short human name: user name, `role/session`, the service, or `root`. */
  name: string;
  arn?: string;
  accountId?: string;
  /** For sessions: the role (or user) that issued the session. */
  issuerArn?: string;
  issuerName?: string;
  /** CloudTrail's `sessionIssuer.type` of a session: `Role`, `IAMUser` (federation tokens) or `Root`. */
  issuerType?: string;
  sessionName?: string;
  /** For IAM Identity Center sessions (role `AWSReservedSSO_<permission set>_<suffix>`): the permission set. */
  permissionSet?: string;
  /**
   * `true`/`false` from `mfaAuthenticated` (console sign-ins: `MFAUsed`); `undefined` when CloudTrail does not say
   * or cannot know: sign-in happened elsewhere (IAM Identity Center, SAML or web identity federation, the
   * management account of an `sts:AssumeRoot` session), where the flag is `false` whatever was used.
   */
  mfa?: boolean;
  sourceIp?: string;
  userAgent?: string;
  via: AccessMethod;
  /** Human label of `via`, e.g. `Terraform 1.9.5`, `AWS console`. */
  viaLabel: string;
  isRoot: boolean;
  /** A root session opened centrally from the management account (`sts:AssumeRoot`, `sessionContext.assumedRoot`). */
  assumedRoot?: boolean;
  /** Set when the credentials were delivered to an EC2 instance (`ec2RoleDelivery`). */
  ec2Instance?: { instanceId?: string; roleDelivery: string };
  vpcEndpointId?: string;
  invokedBy?: string;
  /** Identity Center user id / identity store, for `IdentityCenterUser` and `onBehalfOf`. */
  identityCenterUserId?: string;
  identityStoreArn?: string;
  sourceIdentity?: string;
  federatedProvider?: string;
}

/** The IAM entity a call acted on, for the headline and the console link. */
export interface Target {
  kind:
    | 'user'
    | 'role'
    | 'group'
    | 'policy'
    | 'instance-profile'
    | 'saml-provider'
    | 'oidc-provider'
    | 'server-certificate'
    | 'mfa-device'
    | 'account'
    | 'other';
  name: string;
  arn?: string;
}

/** A reason that raised (or set) severity, in words a reviewer understands. */
export interface Reason {
  severity: Severity;
  text: string;
  /** Stable machine code, e.g. `admin-policy-attached`, `root-activity`. */
  code: string;
  /** The facts of a reason about EC2 instance credentials used away from their instance, as data. */
  instanceCredentials?: InstanceCredentialUse;
}

/**
 * A call made with EC2 instance role credentials, as the identity rules report it: who (role, instance), from where
 * (source address, its scope, the network path) and what (service, operation, region).
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-user-identity.html
 */
export interface InstanceCredentialUse {
  /** The instance's role (`sessionContext.sessionIssuer.userName`). */
  role?: string;
  /** The instance id (the session name), when it is one. */
  instanceId?: string;
  sourceIp?: string;
  /** `public`: a routable address; `private`: RFC 1918, CGNAT, loopback, link-local, ULA; `aws-service`: a name. */
  sourceScope: 'public' | 'private' | 'aws-service' | 'unknown';
  /** `vpc-endpoint` when the record carries `vpcEndpointId`, else `public` (a public service endpoint). */
  network: 'vpc-endpoint' | 'public-endpoint';
  vpcEndpointId?: string;
  /** `s3`, `ec2`, … */
  service: string;
  operation: string;
  region?: string;
}

/** The result of classifying an event from the event alone (no API calls). */
export interface Classification {
  family: string;
  category: Category;
  severity: Severity;
  reasons: Reason[];
  /** One-line headline without severity, e.g. `AdministratorAccess attached to IAM user deploy-bot`. */
  title: string;
  target?: Target;
}

/** A finding about a policy document (from the policy-intelligence stage). */
export interface PolicyFinding {
  severity: Severity;
  code: string;
  text: string;
}

/** What the enrichment stage learned about the policy a change touched. */
export interface PolicyInsight {
  /** Where the document came from: the request, a managed policy version, a well-known AWS policy. */
  source: 'request' | 'response' | 'iam-api' | 'well-known';
  /** What the policy is: `inline policy admin-inline`, `managed policy AdministratorAccess`, `trust policy`. */
  label: string;
  policyArn?: string;
  /** The document as JSON text (possibly truncated by the formatter). */
  document?: string;
  findings: PolicyFinding[];
  /** For trust policies: who may assume the role, in words. */
  trustedPrincipals?: string[];
  /** For CreatePolicyVersion/SetDefaultPolicyVersion: what the new version grants that the old one did not. */
  diff?: string[];
}

/** The alert: one model, rendered per channel. This is the JSON machine subscribers receive. */
export interface Alert {
  schema: 'iam-change-alerts/alert@1';
  eventId?: string;
  eventName: string;
  eventSource: string;
  eventTime?: string;
  eventType?: string;
  awsRegion?: string;
  /** The account that was changed (`recipientAccountId`), used for routing. */
  account?: string;
  family: string;
  category: Category;
  severity: Severity;
  /** Reasons, highest severity first. */
  reasons: Reason[];
  title: string;
  principal: Principal;
  target?: Target;
  /** The key request parameters, flattened to short strings (policy documents excluded). */
  parameters: Record<string, string>;
  readOnly?: boolean;
  errorCode?: string;
  errorMessage?: string;
  policy?: PolicyInsight;
  links: { event?: string; target?: string };
  /** Best-effort gaps: enrichment that failed, truncation, … Never fatal. */
  notes: string[];
}

/** Numeric rank of a severity, for comparisons. */
export const severityRank = (severity: Severity): number => SEVERITIES.indexOf(severity);

/** The higher of two severities. */
export const maxSeverity = (a: Severity, b: Severity): Severity =>
  severityRank(a) >= severityRank(b) ? a : b;
