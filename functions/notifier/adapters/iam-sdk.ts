// The part of the IAM client the notifier uses, imported on the first IAM lookup (iam-directory.ts): only events that
// name a managed policy, a policy version, or put or attach a policy on a user, group or role call IAM, so the client
// is a chunk of its own in the bundle, not read, compiled nor constructed at cold start. Naming the client and its commands keeps esbuild's
// tree-shaking (a namespace import of the package would bundle every command).
export {
  GetGroupPolicyCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRolePolicyCommand,
  GetUserPolicyCommand,
  IAMClient,
  ListAttachedGroupPoliciesCommand,
  ListAttachedRolePoliciesCommand,
  ListAttachedUserPoliciesCommand,
  ListGroupPoliciesCommand,
  ListPolicyVersionsCommand,
  ListRolePoliciesCommand,
  ListUserPoliciesCommand,
} from '@aws-sdk/client-iam';
