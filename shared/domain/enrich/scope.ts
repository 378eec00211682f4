// Which events the policy analysis (enrich.ts: gather → analyze) has anything to do for. Every other event skips
// it, so the notifier loads the analysis and the policy evaluator (a chunk of their own) only for these.
import type { CloudTrailRecord } from '../types.js';

/**
 * IAM operations whose enrichment reads or changes something: the documents the request carries (inline and new
 * policies, trust policies), the documents it names by ARN (attachments, permissions boundaries, policy versions, a
 * group's policies) and the group changes that make the IAM directory's cached answers about the group stale.
 * `tests/unit/domain/enrich/scope.test.ts` checks, operation by operation, that every other IAM operation gets no
 * enrichment and no IAM call.
 */
const POLICY_EVENTS: ReadonlySet<string> = new Set([
  'PutUserPolicy',
  'PutRolePolicy',
  'PutGroupPolicy',
  'CreateRole',
  'UpdateAssumeRolePolicy',
  'CreatePolicy',
  'AttachUserPolicy',
  'AttachRolePolicy',
  'AttachGroupPolicy',
  'PutUserPermissionsBoundary',
  'PutRolePermissionsBoundary',
  'CreatePolicyVersion',
  'SetDefaultPolicyVersion',
  'AddUserToGroup',
  'DetachGroupPolicy',
  'DeleteGroupPolicy',
]);

/**
 * Whether policy enrichment may find, fetch or forget anything for this record: an IAM call of
 * {@link POLICY_EVENTS}, or `CreateUser` with a permissions boundary. For any other record `enrichPolicy` returns
 * no reasons and no notes and makes no IAM call, so skipping it changes nothing but what is loaded.
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/cloudtrail-integration.html
 */
export const needsPolicyAnalysis = (record: CloudTrailRecord): boolean => {
  if (record.eventSource !== 'iam.amazonaws.com') return false;
  if (POLICY_EVENTS.has(record.eventName)) return true;
  return (
    record.eventName === 'CreateUser' && typeof record.requestParameters?.permissionsBoundary === 'string'
  );
};
