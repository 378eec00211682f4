// The alert model shared by every stage: parse → classify → enrich → format → publish.
// Types, plus the constant lists and comparisons they are defined by; no I/O. The alert's own types are inferred
// from its schema (alert-schema.ts), so its shape is written once.
import type * as z from 'zod/mini';
import type {
  alertSchema,
  instanceCredentialUseSchema,
  policyInsightSchema,
  reasonSchema,
  wordedFindingSchema,
} from './alert-schema.js';

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

/** A reason that raised (or set) severity, in words a reviewer understands (shape: `reasonSchema`). */
export type Reason = z.output<typeof reasonSchema>;

/** A call made with EC2 instance role credentials (shape: `instanceCredentialUseSchema`). */
export type InstanceCredentialUse = z.output<typeof instanceCredentialUseSchema>;

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

/** A policy finding as the alert carries it, worded (shape: `wordedFindingSchema`). */
export type WordedFinding = z.output<typeof wordedFindingSchema>;

/** What the enrichment stage learned about the policy a change touched, worded (shape: `policyInsightSchema`). */
export type PolicyInsight = z.output<typeof policyInsightSchema>;

/** The alert: one model, rendered per channel. This is the JSON machine subscribers receive (shape: `alertSchema`). */
export type Alert = z.output<typeof alertSchema>;

/** Numeric rank of a severity, for comparisons. */
export const severityRank = (severity: Severity): number => SEVERITIES.indexOf(severity);

/** The higher of two severities. */
export const maxSeverity = (a: Severity, b: Severity): Severity =>
  severityRank(a) >= severityRank(b) ? a : b;
