// What the pipeline needs from the outside world, in its own words. The notifier's adapters
// (functions/notifier/adapters/) implement these; tests use small in-memory fakes.
import type { SnsMessage } from './format/sns-message.js';

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
  /** Drops cached answers about a policy or group that the current event has just changed. */
  forget?(entity: { policyArn?: string; groupName?: string }): void;
}

/** Sends a rendered alert to the topic. Throws `PublishError` when it cannot. */
export interface NotificationPublisher {
  publish(message: SnsMessage): Promise<{ messageId?: string }>;
}
