// What the pipeline needs from the outside world, in its own words. The notifier's adapters
// (functions/notifier/adapters/) implement these; tests use small in-memory fakes.

/** A managed policy's metadata (IAM `GetPolicy`). */
export interface ManagedPolicyInfo {
  arn: string;
  name: string;
  defaultVersionId: string;
  attachmentCount?: number;
}

/** One version of a managed policy (IAM `ListPolicyVersions`); `createDate` is ISO 8601. */
export interface PolicyVersionInfo {
  versionId: string;
  isDefaultVersion: boolean;
  createDate?: string;
}

/** A user, group or role that holds policies, by name. */
export interface PolicyOwner {
  kind: 'user' | 'group' | 'role';
  name: string;
}

/**
 * Read access to IAM for policy enrichment. Every method may throw (deleted entity, AccessDenied, throttling,
 * timeout) with a message fit for an alert note; the caller turns the failure into a note, never a lost alert.
 * Documents are returned decoded (plain JSON text).
 * @see https://docs.aws.amazon.com/IAM/latest/APIReference/API_Operations.html
 */
export interface IamDirectory {
  getPolicy(policyArn: string): Promise<ManagedPolicyInfo>;
  /** A version's document, decoded from IAM's URL encoding. */
  getPolicyVersion(policyArn: string, versionId: string): Promise<{ versionId: string; document: string }>;
  listPolicyVersions(policyArn: string): Promise<PolicyVersionInfo[]>;
  listAttachedGroupPolicies(groupName: string): Promise<{ policyArn: string; policyName: string }[]>;
  listGroupPolicies(groupName: string): Promise<string[]>;
  /** An inline group policy's document, decoded. */
  getGroupPolicy(groupName: string, policyName: string): Promise<string>;
  /**
   * The managed policies attached to a user, group or role (`ListAttachedUserPolicies`,
   * `ListAttachedGroupPolicies`, `ListAttachedRolePolicies`). Optional: a directory without it cannot read an
   * owner's other policies, which the alert then says.
   */
  listAttachedPolicies?(owner: PolicyOwner): Promise<{ policyArn: string; policyName: string }[]>;
  /** The names of an owner's inline policies (`ListUserPolicies`, `ListGroupPolicies`, `ListRolePolicies`). */
  listInlinePolicies?(owner: PolicyOwner): Promise<string[]>;
  /** An owner's inline policy document, decoded (`GetUserPolicy`, `GetGroupPolicy`, `GetRolePolicy`). */
  getInlinePolicy?(owner: PolicyOwner, policyName: string): Promise<string>;
  /** Drops cached answers about a policy, group, user or role that the current event has just changed. */
  forget?(entity: { policyArn?: string; groupName?: string; userName?: string; roleName?: string }): void;
}

/** A String-typed or Number-typed SNS message attribute, as `PublishCommand` takes it. */
export interface SnsAttribute {
  DataType: 'String' | 'String.Array' | 'Number';
  StringValue: string;
}

/**
 * Exactly the input of SNS `PublishCommand`, less `TopicArn`: a String-structured message (plain text
 * for e-mail) whose attributes carry the filter keys and the JSON alert.
 *
 * Why not `MessageStructure: 'json'`: SNS sends message attributes only for String-structured messages,
 * and subscriptions must filter on severity, category, family, eventName and account. So the body is
 * the readable e-mail text for every protocol, the filter keys are attributes, and machine subscribers
 * read the alert JSON from the `alert` attribute (delivered to Lambda, SQS and HTTP/S; not to e-mail).
 * @see https://docs.aws.amazon.com/sns/latest/dg/sns-message-attributes.html
 * @see https://docs.aws.amazon.com/sns/latest/api/API_Publish.html
 */
export interface SnsMessage {
  Subject: string;
  Message: string;
  MessageAttributes: Record<string, SnsAttribute>;
}

/** Sends a rendered alert to the topic. Throws `PublishError` when it cannot. */
export interface NotificationPublisher {
  publish(message: SnsMessage): Promise<{ messageId?: string }>;
}
