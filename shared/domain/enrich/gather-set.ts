// parse → classify → [enrich: gather → analyze] → format → publish
// Gather, for a policy put on or attached to a user, group or role: the owner's other policies, so that the new
// policy can be judged together with them (analyze-set.ts). Bounded in calls, best effort: every failure is a
// value that the alert states, never a lost alert.
import { describeError } from '../../errors.js';
import type { IamDirectory, PolicyOwner } from '../../ports.js';
import { wellKnownPolicy } from '../policy/managed.js';
import { attempt, Budget, type Fetched, type ManagedPolicyFetch } from './gather.js';

/** The owner's policies other than the one the event put or attached, listed, then fetched up to a cap. */
export interface OtherPolicies {
  /** Failures of the list calls and of the directory itself, as note texts. */
  listErrors: string[];
  /** How many other policies the lists named (attached, inline). */
  attachedCount: number;
  inlineCount: number;
  attached: ManagedPolicyFetch[];
  inline: { policyName: string; document: Fetched<string> }[];
}

/** The policy the event put (inline, by name) or attached (managed, by ARN), left out of the others. */
export type NewPolicyRef = { kind: 'inline'; policyName: string } | { kind: 'managed'; policyArn: string };

/** Tuning for {@link gatherOtherPolicies}. */
export interface GatherSetOptions {
  /** At most this many IAM calls for the other policies of one event. Default 14. */
  maxSetCalls?: number;
  /** At most this many other policies fetched. Default 6. */
  maxOtherPolicies?: number;
}

/** Whether the directory can read an owner's policies at all (the port's methods are optional). */
const canList = (
  iam: IamDirectory,
): iam is IamDirectory &
  Required<Pick<IamDirectory, 'listAttachedPolicies' | 'listInlinePolicies' | 'getInlinePolicy'>> =>
  typeof iam.listAttachedPolicies === 'function' &&
  typeof iam.listInlinePolicies === 'function' &&
  typeof iam.getInlinePolicy === 'function';

const reasonOf = (settled: PromiseRejectedResult): string =>
  describeError(settled.reason, { withName: false });

const FORGET_KEYS = { user: 'userName', group: 'groupName', role: 'roleName' } as const;

/**
 * A managed policy's ARN as IAM tells policies apart: partition, account and name, the name in lower case and the
 * path left out. Policy names are unique within an account and not distinguished by case, whatever the path, so
 * an event's ARN written in another case (or with the path in another form) is still the policy IAM lists.
 * @see https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreatePolicy.html
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html#reference_iam-quotas-names
 */
const policyKey = (arn: string): string => {
  const [prefix = '', partition = '', , , account = '', resource = ''] = arn.trim().split(':');
  return `${prefix}:${partition}:iam::${account}:policy/${resource.split('/').pop() ?? ''}`.toLowerCase();
};

/** Whether IAM's listing names the policy the event put or attached (names compared without case). */
const isNewPolicy = (
  newPolicy: NewPolicyRef,
  listed: { policyArn?: string; policyName?: string },
): boolean =>
  newPolicy.kind === 'managed'
    ? listed.policyArn !== undefined && policyKey(listed.policyArn) === policyKey(newPolicy.policyArn)
    : listed.policyName !== undefined &&
      listed.policyName.toLowerCase() === newPolicy.policyName.toLowerCase();

/**
 * A managed policy's default version (GetPolicy, then GetPolicyVersion), unless a copy of its document is kept
 * here (well-known AWS policies): unlike the policy an event attaches, whose curated findings may stand in for its
 * document, an other policy is judged only by its statements.
 */
const fetchDocument = async (
  policyArn: string,
  iam: IamDirectory,
  budget: Budget,
): Promise<ManagedPolicyFetch> => {
  if (wellKnownPolicy(policyArn)?.document) return { policyArn };
  const defaultVersion = await attempt(async () => {
    const policy = await budget.call(() => iam.getPolicy(policyArn));
    return budget.call(() => iam.getPolicyVersion(policyArn, policy.defaultVersionId));
  });
  return { policyArn, defaultVersion };
};

/**
 * Reads the other policies of the user, group or role an event put a policy on or attached one to: the two list
 * calls in parallel (`ListAttached{User,Group,Role}Policies`, `List{User,Group,Role}Policies`), then each policy
 * (`Get{User,Group,Role}Policy`, or `GetPolicy` + `GetPolicyVersion`; none for well-known AWS policies), at most
 * `maxOtherPolicies` of them and `maxSetCalls` calls. With `iam` undefined (offline CLI, replay) nothing is read:
 * `offline`. Never throws. Drops the directory's cached answers about the owner first: the event has just changed
 * them.
 * @see https://docs.aws.amazon.com/IAM/latest/APIReference/API_ListAttachedUserPolicies.html
 * @see https://docs.aws.amazon.com/IAM/latest/APIReference/API_ListGroupPolicies.html
 * @see https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetRolePolicy.html
 */
export const gatherOtherPolicies = async (
  owner: PolicyOwner,
  newPolicy: NewPolicyRef,
  iam: IamDirectory | undefined,
  options: GatherSetOptions = {},
): Promise<Fetched<OtherPolicies>> => {
  if (!iam) return { status: 'offline' };
  iam.forget?.({ [FORGET_KEYS[owner.kind]]: owner.name });
  if (!canList(iam)) return { status: 'failed', error: 'this IAM directory cannot list them' };
  const budget = new Budget(options.maxSetCalls ?? 14);
  const maxPolicies = options.maxOtherPolicies ?? 6;
  const [attachedResult, inlineResult] = await Promise.allSettled([
    budget.call(() => iam.listAttachedPolicies(owner)),
    budget.call(() => iam.listInlinePolicies(owner)),
  ]);
  const listErrors: string[] = [];
  if (attachedResult.status === 'rejected') listErrors.push(reasonOf(attachedResult));
  if (inlineResult.status === 'rejected') listErrors.push(reasonOf(inlineResult));
  if (listErrors.length === 2) return { status: 'failed', error: listErrors.join('; ') };
  // IAM may still list the new policy (or not yet): it is judged from the event, never from the list.
  // Names are compared as IAM compares them, without case (see isNewPolicy).
  const attached = (attachedResult.status === 'fulfilled' ? attachedResult.value : []).filter(
    (policy) => newPolicy.kind !== 'managed' || !isNewPolicy(newPolicy, { policyArn: policy.policyArn }),
  );
  const inline = (inlineResult.status === 'fulfilled' ? inlineResult.value : []).filter(
    (policyName) => newPolicy.kind !== 'inline' || !isNewPolicy(newPolicy, { policyName }),
  );
  const attachedSlice = attached.slice(0, maxPolicies);
  const inlineSlice = inline.slice(0, Math.max(0, maxPolicies - attachedSlice.length));
  const [attachedFetched, inlineFetched] = await Promise.all([
    Promise.all(attachedSlice.map((policy) => fetchDocument(policy.policyArn, iam, budget))),
    Promise.all(
      inlineSlice.map(async (policyName) => ({
        policyName,
        document: await attempt(() => budget.call(() => iam.getInlinePolicy(owner, policyName))),
      })),
    ),
  ]);
  return {
    status: 'fetched',
    value: {
      listErrors,
      attachedCount: attached.length,
      inlineCount: inline.length,
      attached: attachedFetched,
      inline: inlineFetched,
    },
  };
};
