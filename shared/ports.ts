// What the pipeline needs from the outside world, in its own words. Adapters in
// shared/adapters/ implement these; tests use in-memory fakes (tests/helpers/fakes.ts).
import type { SnsMessage } from './format/sns-message.js';

/**
 * Read access to IAM for policy enrichment. Every method is best effort from the
 * pipeline's point of view: it may throw, and the caller turns the failure into a note.
 */
export interface IamDirectory {
  /** The default version's document of a managed policy (decoded JSON text), or its metadata if unknown. */
  getManagedPolicyDocument(policyArn: string): Promise<{ document: string; versionId: string } | undefined>;
  /** A specific version's document of a managed policy (decoded JSON text). */
  getPolicyVersionDocument(policyArn: string, versionId: string): Promise<string | undefined>;
  /** The policies attached to and inline in a group, for AddUserToGroup. */
  describeGroupPolicies(
    groupName: string,
  ): Promise<{ attachedPolicyArns: string[]; inlineDocuments: { name: string; document: string }[] }>;
}

/** Sends a rendered alert to the topic. Throws `PublishError` when it cannot. */
export interface NotificationPublisher {
  publish(message: SnsMessage): Promise<{ messageId?: string }>;
}
