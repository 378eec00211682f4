// parse → [classify] → enrich → format → publish
// STS operations of the catalogue: session issuance is routine; federation tokens and root sessions are not.
import type { OperationSpec, OperationSpecs, Params } from './operation.js';
import { op } from './spec.js';
import { findStsTarget, targetAccount } from './targets.js';
import { nameFromArn, str } from './words.js';

/** `sts:AssumeRoot`'s task policy (`taskPolicyArn` is `{ arn }` in CloudTrail, a string in the API). */
const taskPolicyName = (p: Params): string | undefined => {
  const value = p.taskPolicyArn;
  const arn = typeof value === 'object' && value !== null ? str((value as Params).arn) : str(value);
  return arn ? nameFromArn(arn) : undefined;
};

// Issuing a session changes no configuration and happens all day: routine unless a rule says otherwise.
const session: OperationSpec = op('credentials', 'info', 'issues temporary credentials', {
  isRead: true,
  target: findStsTarget,
});

/** STS operations, keyed by `eventName` of `sts.amazonaws.com`. Others are rated by caller and outcome. */
export const STS_OPERATIONS: OperationSpecs = {
  AssumeRole: session,
  AssumeRoleWithSAML: session,
  AssumeRoleWithWebIdentity: session,
  GetSessionToken: session,
  GetFederationToken: op(
    'credentials',
    'low',
    'issues credentials for a federated user (they outlive a deleted access key: a persistence technique)',
  ),
  AssumeRoot: op(
    'credentials',
    'medium',
    (p) => {
      const task = taskPolicyName(p);
      const account = targetAccount(p);
      return `opens a root session in ${account ? `member account ${account}` : 'a member account'}${
        task ? `, limited to the task policy ${task}` : ''
      }`;
    },
    {
      target: findStsTarget,
      title: ({ p, target, t }) => {
        const task = taskPolicyName(p);
        return `Root session opened in ${target ? `member ${t}` : 'a member account'}${task ? ` (task policy ${task})` : ''}`;
      },
    },
  ),
};
