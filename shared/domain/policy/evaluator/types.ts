// The evaluator's vocabulary: a request (who, what, on which resource, in which context), the policies asked,
// and the decision, which may depend on conditions the request context leaves unknown.
import type { PolicyDocument } from '../document.js';

/**
 * A request context value: one value, several (multivalued keys such as `aws:TagKeys`), or `null` when the key is
 * known to be absent from the request. A key the context does not list at all is *unknown*: the evaluator then
 * reports the conditions on it instead of guessing.
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html
 */
export type ContextValue = string | readonly string[] | null;

/** Request context as callers write it: context key (any case) → value. */
export type ContextInput = Readonly<Record<string, ContextValue>>;

/**
 * Who makes the request, as a resource policy's `Principal` sees it. `AWS` principals carry their account and,
 * when known, their ARN (a role, user, root or assumed-role session ARN).
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
 */
export type RequestPrincipal =
  | { type: 'AWS'; account: string; arn?: string }
  | { type: 'Service'; id: string }
  | { type: 'Federated'; id: string }
  | { type: 'CanonicalUser'; id: string };

/** One request to evaluate. `resource` is an ARN, or `*` for actions that act on no resource type. */
export interface EvaluationRequest {
  action: string;
  resource: string;
  /** Needed by resource (trust) policies; unknown when left out. */
  principal?: RequestPrincipal;
  context?: ContextInput;
}

/**
 * What a policy is to the evaluation: an identity policy grants, a resource policy (a role's trust policy, a bucket
 * policy) grants to its principals, a permissions boundary or session policy caps identity grants, and a service
 * control policy only takes away (Deny-list SCPs: their Allow statements are taken as `FullAWSAccess`).
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
 */
export type PolicyKind = 'identity' | 'resource' | 'boundary' | 'session' | 'scp';

/** A policy document with its role in the evaluation and a name for the decision's references. */
export interface EvaluatedPolicy {
  kind: PolicyKind;
  document: PolicyDocument;
  name?: string;
}

/** One condition test as written in a statement, after `IfExists`/set prefixes (kept in `operator`). */
export interface ConditionTest {
  operator: string;
  key: string;
  values: readonly string[];
}

/** Where a statement sits: the policy's name (or kind and index) and the statement's Sid or index. */
export interface StatementRef {
  policy: string;
  statement: string;
}

/** A statement that applies when all of `conditions` hold (they test keys the request context left unknown). */
export interface PendingStatement extends StatementRef {
  conditions: ConditionTest[];
}

/**
 * The evaluator's answer.
 * - `allowed`: an Allow applies and no Deny can apply.
 * - `denied`: an explicit Deny applies (it wins over every Allow).
 * - `not-allowed`: nothing allows it (implicit deny); `reason` says whether the action does not act on this
 *   resource's type at all.
 * - `allowed-when`: allowed when one of `allowWhen` holds (every Allow is unconditional when the list is empty) and
 *   none of `denyWhen` holds. Both lists name conditions on keys the request context left unknown.
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html
 */
export type Decision =
  | { kind: 'allowed'; allowedBy: StatementRef[] }
  | { kind: 'denied'; deniedBy: StatementRef[] }
  | { kind: 'not-allowed'; reason: 'no-allow' | 'resource-type' }
  | { kind: 'allowed-when'; allowWhen: PendingStatement[]; denyWhen: PendingStatement[] };

/** A three-valued truth: a condition on an unknown key is neither true nor false. */
export type Truth = { kind: 'true' } | { kind: 'false' } | { kind: 'unknown'; tests: ConditionTest[] };

/** The constant true and false truths. */
export const TRUE: Truth = { kind: 'true' };
/** The constant false truth. */
export const FALSE: Truth = { kind: 'false' };

/** Three-valued AND: false wins, then unknown (collecting its tests), then true. */
export const allOf = (truths: Iterable<Truth>): Truth => {
  const tests: ConditionTest[] = [];
  for (const truth of truths) {
    if (truth.kind === 'false') return FALSE;
    if (truth.kind === 'unknown') tests.push(...truth.tests);
  }
  return tests.length > 0 ? { kind: 'unknown', tests } : TRUE;
};

/**
 * How a policy variable whose key is known to be absent from the request (and has no default) is read. AWS's page
 * on policy variables documents both:
 * - `null` (the default, section "Policy variables with no value"): "Inverted condition operators like
 *   StringNotEquals or StringNotLike do match against a null value, as the value of the condition key they are
 *   testing against is not equal to or like the effectively null value": the value matches nothing, so a negated
 *   operator holds and a positive one does not;
 * - `invalid` (the note at the top of the page): "If AWS cannot resolve a variable this might cause the entire
 *   statement to be invalid": a statement with such a value in a condition or Resource entry does not apply.
 * The two differ only for negated operators (and `NotResource`); a caller who needs a verdict that holds either way
 * asks under both.
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
 */
export type UnresolvedVariableReading = 'null' | 'invalid';

/** Options of an evaluation; every field is optional, and a field left out keeps the default behaviour. */
export interface EvaluationOptions {
  /** How a policy variable whose key is absent is read; `null` unless said otherwise. */
  unresolvedVariables?: UnresolvedVariableReading;
}
