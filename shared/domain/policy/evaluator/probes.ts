// Questions the findings ask, each a request to the evaluator: does a policy set allow this; who can assume a
// role; what does an SCP deny; does a policy grant everything; may a caller act on its own user or on others.
import type { PolicyDocument } from '../document.js';
import { evaluate } from './evaluate.js';
import type {
  ContextInput,
  Decision,
  EvaluatedPolicy,
  EvaluationOptions,
  EvaluationRequest,
  PolicyKind,
  RequestPrincipal,
} from './types.js';

/** Wraps a document as a policy of the given kind. */
export const policyOf = (
  document: PolicyDocument,
  kind: PolicyKind = 'identity',
  name?: string,
): EvaluatedPolicy => (name === undefined ? { kind, document } : { kind, document, name });

/**
 * Asks whether `policies` allow `action` on `resource` in `context` (keys it leaves out are unknown).
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
 */
export const allows = (
  policies: readonly EvaluatedPolicy[],
  action: string,
  resource: string,
  context: ContextInput = {},
  principal?: RequestPrincipal,
): Decision =>
  evaluate(principal ? { action, resource, context, principal } : { action, resource, context }, policies);

/** True for `allowed` and `allowed-when`: the request is or may be allowed (callers rate up on a maybe). */
export const mayBeAllowed = (decision: Decision): boolean =>
  decision.kind === 'allowed' || decision.kind === 'allowed-when';

// The SCP is evaluated beside FullAWSAccess, which every Deny-list SCP setup keeps attached.
const FULL_ACCESS: EvaluatedPolicy = {
  kind: 'identity',
  name: 'FullAWSAccess',
  document: {
    version: '2012-10-17',
    statements: [{ effect: 'Allow', actions: ['*'], resources: ['*'], conditions: {} }],
    warnings: [],
    limits: [],
  },
};

/**
 * Evaluates a Deny-list service control policy against a request: `denied`, `allowed` (the SCP takes nothing
 * away) or `allowed-when` with the Deny statements that apply under conditions the context leaves unknown.
 * `deniedBy` lists the denying statements in document order. `options` as for {@link evaluate}.
 * @see https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_evaluation.html
 */
export const evaluateScp = (
  scp: PolicyDocument,
  request: EvaluationRequest,
  options: EvaluationOptions = {},
): Decision => evaluate(request, [FULL_ACCESS, { kind: 'scp', document: scp, name: 'SCP' }], options);

/** The action and service names no policy writes, so only wildcards and NotAction can match them. */
export const PROBE_SERVICE = 'zzprobe';
const PROBE_ACTION = 'ZzProbeUnlistedAction';

// Services whose every action makes an administrator: a grant that leaves them out (PowerUserAccess) is not one.
const ADMIN_SERVICES = [PROBE_SERVICE, 'iam', 'organizations', 'account', 'sts'];

const rank = (decision: Decision): number =>
  decision.kind === 'allowed' ? 2 : decision.kind === 'allowed-when' ? 1 : 0;

/**
 * Asks whether the policies grant every action on every resource (administrator): an action no policy names, in a
 * made-up service and in IAM, STS, Organizations and Account, which only `*`, wildcards and NotAction can match.
 * Returns the narrowest of those answers. With `account`, the resources lie in that account (administrator of one
 * account: `arn:aws:*:*:111122223333:*`).
 */
export const grantsEverything = (policies: readonly EvaluatedPolicy[], account?: string): Decision => {
  const decisions = ADMIN_SERVICES.map((service) =>
    allows(
      policies,
      `${service}:${PROBE_ACTION}`,
      `arn:aws:${service}:us-east-1:${account ?? '999999999999'}:zz-probe/zz-probe`,
    ),
  );
  return decisions.reduce((narrowest, decision) => (rank(decision) < rank(narrowest) ? decision : narrowest));
};

/**
 * Asks whether the policies grant every action of one service (`iam:*`, or NotAction that leaves it in): an action
 * of that service no policy names, on every resource.
 */
export const grantsWholeService = (policies: readonly EvaluatedPolicy[], service: string): Decision =>
  allows(policies, `${service}:${PROBE_ACTION}`, '*');

/** A caller who is an IAM user, for self-service questions: its own user ARN, another user's, and its context. */
export interface SelfServiceProbe {
  own: string;
  other: string;
  context: ContextInput;
}

/**
 * A probe caller for policies on `user/${aws:username}`: asking with `own` tells what the caller may do to itself,
 * with `other` what it may do to other users.
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
 */
export const selfServiceProbe = (account: string): SelfServiceProbe => ({
  own: `arn:aws:iam::${account}:user/zz-probe-self`,
  other: `arn:aws:iam::${account}:user/zz-probe-other`,
  context: {
    'aws:username': 'zz-probe-self',
    'aws:userid': 'AIDAZZPROBESELF000000',
    'aws:PrincipalArn': `arn:aws:iam::${account}:user/zz-probe-self`,
    'aws:PrincipalAccount': account,
    'aws:PrincipalType': 'User',
  },
});
