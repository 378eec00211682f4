// The alert's one shape: this schema is the source of `Alert`, `PolicyInsight`, `Reason` and `WordedFinding`
// (types.ts infers them), and the forwarder validates the `alert` message attribute with it.
import * as z from 'zod/mini';
import { CATEGORIES, type Principal, SEVERITIES, type Target } from './types.js';

const severity = z.enum(SEVERITIES);
const text = z.string();
const optionalText = z.optional(z.string());

/**
 * The caller as the forwarder reads it. Loose, and typed as the classifier's {@link Principal}: the fields the
 * formatters need are checked, the rest (permission set, issuer type, …) are kept as the notifier sent them.
 */
const principal: z.ZodMiniType<Principal, unknown> = z.looseObject({
  type: text,
  name: text,
  arn: optionalText,
  accountId: optionalText,
  issuerArn: optionalText,
  issuerName: optionalText,
  sessionName: optionalText,
  mfa: z.optional(z.boolean()),
  sourceIp: optionalText,
  userAgent: optionalText,
  via: z.enum(['console', 'cli', 'sdk', 'terraform', 'cloudformation', 'aws-service', 'unknown']),
  viaLabel: text,
  isRoot: z.boolean(),
  ec2Instance: z.optional(z.looseObject({ instanceId: optionalText, roleDelivery: text })),
  vpcEndpointId: optionalText,
});

/** The IAM entity a call acted on, typed as the classifier's {@link Target}. */
const target: z.ZodMiniType<Target, unknown> = z.looseObject({
  kind: z.enum([
    'user',
    'role',
    'group',
    'policy',
    'instance-profile',
    'saml-provider',
    'oidc-provider',
    'server-certificate',
    'mfa-device',
    'account',
    'other',
  ]),
  name: text,
  arn: optionalText,
});

/**
 * A call made with EC2 instance role credentials, as the identity rules report it: who (role, instance), from where
 * (source address, its scope, the network path) and what (service, operation, region).
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-user-identity.html
 */
export const instanceCredentialUseSchema = z.object({
  /** The instance's role (`sessionContext.sessionIssuer.userName`). */
  role: optionalText,
  /** The instance id (the session name), when it is one. */
  instanceId: optionalText,
  sourceIp: optionalText,
  /** `public`: a routable address; `private`: RFC 1918, CGNAT, loopback, link-local, ULA; `aws-service`: a name. */
  sourceScope: z.enum(['public', 'private', 'aws-service', 'unknown']),
  /** `vpc-endpoint` when the record carries `vpcEndpointId`, else `public-endpoint` (a public service endpoint). */
  network: z.enum(['vpc-endpoint', 'public-endpoint']),
  vpcEndpointId: optionalText,
  /** `s3`, `ec2`, … */
  service: text,
  operation: text,
  region: optionalText,
});

/** The kinds of credential an IAM call can create, change or delete (`shared/domain/credentials.ts` reads them). */
export const CREDENTIAL_KINDS = [
  'access-key',
  'ssh-public-key',
  'mfa-device',
  'signing-certificate',
  'service-specific-credential',
  'login-profile',
] as const;

/**
 * A credential an event created, changed or deleted, with the identifier a responder needs to find and disable it:
 * the access key id, the SSH public key id (and fingerprint), the MFA device's serial number, the signing
 * certificate id, the service-specific credential id; a login profile has none (it is the user's password).
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials.html
 */
export const credentialSchema = z.object({
  kind: z.enum(CREDENTIAL_KINDS),
  /** What the call did to it; a failed call only attempted it (the alert's `errorCode`). */
  action: z.enum([
    'created',
    'uploaded',
    'enabled',
    'deactivated',
    'resynced',
    'reset',
    'updated',
    'deleted',
  ]),
  /** `AKIA…`, `APKA…`, `arn:aws:iam::1:mfa/x`, certificate id, `ACCA…`; absent for a login profile. */
  id: optionalText,
  /** The IAM user it belongs to (`root` for the root user's own). */
  user: optionalText,
  /** `Active`, `Inactive` (`Expired` for service-specific credentials), as the event states it. */
  status: optionalText,
  /** An SSH public key's MD5 fingerprint (`UploadSSHPublicKey`). */
  fingerprint: optionalText,
  /** A service-specific credential's service (`codecommit.amazonaws.com`) and user name for it. */
  service: optionalText,
  serviceUserName: optionalText,
  /** A login profile's `passwordResetRequired`. */
  passwordResetRequired: z.optional(z.boolean()),
});

/** A reason that raised (or set) severity, in words a reviewer understands; `code` is stable (`root-activity`). */
export const reasonSchema = z.object({
  severity,
  text,
  code: text,
  /** The facts of a reason about EC2 instance credentials used away from their instance, as data. */
  instanceCredentials: z.optional(instanceCredentialUseSchema),
});

/** A policy finding as the alert carries it: worded once by `shared/format/finding-text.ts`. */
export const wordedFindingSchema = z.object({ severity, code: text, text });

/** What the enrichment stage learned about the policy a change touched, worded. */
export const policyInsightSchema = z.object({
  /** Where the document came from: the request, a managed policy version, a well-known AWS policy. */
  source: z.enum(['request', 'response', 'iam-api', 'well-known']),
  /** What the policy is: `inline policy admin-inline`, `managed policy AdministratorAccess`, `trust policy`. */
  label: text,
  policyArn: optionalText,
  /** The document as JSON text (possibly truncated by the formatter). */
  document: optionalText,
  findings: z.array(wordedFindingSchema),
  /** For trust policies: who may assume the role, in words. */
  trustedPrincipals: z.optional(z.array(text)),
  /** For CreatePolicyVersion/SetDefaultPolicyVersion: what the new version grants that the old one did not. */
  diff: z.optional(z.array(text)),
});

/**
 * The alert JSON (`iam-change-alerts/alert@1`) machine subscribers receive: one model, rendered per channel.
 * Unknown fields are dropped on parse (the forwarder renders only what it knows), so the notifier can add fields
 * without breaking the forwarder; a changed meaning needs a new `schema` value. zod/mini keeps the cold-start
 * cost low; the notifier imports only the inferred types.
 * @see https://docs.aws.amazon.com/sns/latest/dg/sns-message-attributes.html
 */
export const alertSchema = z.object({
  schema: z.literal('iam-change-alerts/alert@1'),
  eventId: optionalText,
  eventName: text,
  eventSource: text,
  eventTime: optionalText,
  eventType: optionalText,
  awsRegion: optionalText,
  /** The account that was changed (`recipientAccountId`), used for routing. */
  account: optionalText,
  /** The changed account's name in AWS Organizations, when the notifier could look it up (best effort). */
  accountName: optionalText,
  family: text,
  category: z.enum(CATEGORIES),
  severity,
  /** Reasons, highest severity first. */
  reasons: z.array(reasonSchema),
  title: text,
  principal,
  target: z.optional(target),
  /** The key request parameters, flattened to short strings (policy documents excluded). */
  parameters: z.record(z.string(), z.string()),
  readOnly: z.optional(z.boolean()),
  errorCode: optionalText,
  errorMessage: optionalText,
  policy: z.optional(policyInsightSchema),
  /** The access key the caller signed the request with (`userIdentity.accessKeyId`): `AKIA…` long-term, `ASIA…` temporary. */
  callerAccessKeyId: optionalText,
  /** Every credential the event created, changed or deleted, with its identifier (see {@link credentialSchema}). */
  credentials: z.optional(z.array(credentialSchema)),
  /** Console links: the event, the target, and the security credentials page of the user whose credential changed. */
  links: z.object({ event: optionalText, target: optionalText, credentials: optionalText }),
  /** Best-effort gaps: enrichment that failed, truncation, … Never fatal. */
  notes: z.array(text),
  /**
   * The routes of `alerts.yml` the alert takes (`matchRoutes`; `['default']` when none matches; never empty). Set by
   * the notifier; absent in alerts from an older notifier and from the CLI without `--config` (= `['default']`).
   */
  routes: z.optional(z.array(text)),
  /** The burst the alert joins (`groupKeyOf`), `null` = delivered at once. Set by the notifier; absent = `null`. */
  group: z.optional(z.nullable(text)),
});

/** Validates a parsed alert; returns the alert or the list of problems (`path: message`). */
export const validateAlert = (
  value: unknown,
): { alert: z.output<typeof alertSchema> } | { problems: string[] } => {
  const result = alertSchema.safeParse(value);
  if (result.success) return { alert: result.data };
  return {
    problems: result.error.issues
      .slice(0, 5)
      .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`),
  };
};
