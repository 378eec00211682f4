// AWS's policy evaluation logic over the policies a caller hands in: explicit Deny wins, then an Allow is needed
// from identity or resource policies, capped by permissions boundaries and session policies; SCPs only take away.
import type { PolicyStatement } from '../document.js';
import { evaluateConditions } from './conditions.js';
import { type Context, toContext } from './context.js';
import { globMatches, substitute, variableTest, wildcardMatches } from './patterns.js';
import { principalMatches } from './principals.js';
import { actsOnResource } from './resource-types.js';
import {
  allOf,
  type ConditionTest,
  type Decision,
  type EvaluatedPolicy,
  type EvaluationOptions,
  type EvaluationRequest,
  FALSE,
  type PendingStatement,
  type PolicyKind,
  type StatementRef,
  TRUE,
  type Truth,
  type UnresolvedVariableReading,
} from './types.js';

// Conditional alternatives kept when two conditional grants must both hold (their product can grow fast).
const MAX_ALTERNATIVES = 64;

const truthOf = (value: boolean): Truth => (value ? TRUE : FALSE);

const actionMatches = (statement: PolicyStatement, action: string): boolean => {
  if (statement.actions) return statement.actions.some((pattern) => wildcardMatches(pattern, action, true));
  if (statement.notActions)
    return !statement.notActions.some((pattern) => wildcardMatches(pattern, action, true));
  return false;
};

// One Resource entry against the requested resource, with policy variables substituted.
const resourceEntry = (pattern: string, resource: string, context: Context, variables: boolean): Truth => {
  const substituted = substitute(pattern, context, variables);
  if (substituted.kind === 'absent') return FALSE;
  if (substituted.kind === 'unknown')
    return { kind: 'unknown', tests: [variableTest(substituted.keys, pattern)] };
  if (substituted.parts.every((part) => !part.literal))
    return truthOf(wildcardMatches(pattern, resource, false));
  return truthOf(globMatches(substituted.parts, resource, false));
};

// Three-valued OR over Resource entries: a true entry wins; else the statement depends on every unknown entry.
const anyOf = (truths: Truth[]): Truth => {
  if (truths.some((truth) => truth.kind === 'true')) return TRUE;
  const unknown = truths.filter((truth) => truth.kind === 'unknown');
  if (unknown.length === 0) return FALSE;
  return {
    kind: 'unknown',
    tests: unknown.flatMap((truth) => (truth.kind === 'unknown' ? truth.tests : [])),
  };
};

const resourceMatches = (
  statement: PolicyStatement,
  scope: StatementScope,
  resource: string,
  context: Context,
): Truth => {
  const entries = statement.resources ?? statement.notResources ?? [];
  if (
    scope.unresolvedVariables === 'invalid' &&
    scope.variables &&
    entries.some((entry) => substitute(entry, context, true).kind === 'absent')
  )
    return FALSE;
  if (statement.resources)
    return anyOf(
      statement.resources.map((entry) => resourceEntry(entry, resource, context, scope.variables)),
    );
  if (statement.notResources) {
    const inside = anyOf(
      statement.notResources.map((entry) => resourceEntry(entry, resource, context, scope.variables)),
    );
    if (inside.kind === 'unknown') return inside;
    return truthOf(inside.kind === 'false');
  }
  // Trust policies have no Resource element: the resource is the role itself.
  return truthOf(scope.kind === 'resource' || scope.kind === 'scp');
};

const principalTest = (statement: PolicyStatement): ConditionTest => ({
  operator: statement.principals ? 'Principal' : 'NotPrincipal',
  key: 'principal',
  values: Object.entries(statement.principals ?? statement.notPrincipals ?? {}).flatMap(([type, entries]) =>
    entries.map((entry) => `${type}:${entry}`),
  ),
});

const principalOf = (statement: PolicyStatement, request: EvaluationRequest): Truth => {
  const block = statement.principals ?? statement.notPrincipals;
  if (!block) return TRUE;
  if (!request.principal) return { kind: 'unknown', tests: [principalTest(statement)] };
  const named = principalMatches(block, request.principal);
  return truthOf(statement.principals ? named : !named);
};

/**
 * Where a statement is read: the kind of its policy, and whether its policy variables are substituted (only in
 * documents of `Version` `2012-10-17`; older documents take `${…}` as literal text).
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_version.html
 */
export interface StatementScope {
  kind: PolicyKind;
  variables: boolean;
  /** How a variable whose key is absent is read (see {@link UnresolvedVariableReading}); `null` when left out. */
  unresolvedVariables?: UnresolvedVariableReading;
}

/**
 * Whether one statement applies to a request: its action, resource, principal (resource policies only) and
 * conditions. `unknown` lists what it depends on.
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notaction.html
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notresource.html
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html
 */
export const statementApplies = (
  statement: PolicyStatement,
  scope: StatementScope,
  request: EvaluationRequest,
  context: Context,
): Truth => {
  if (!actionMatches(statement, request.action)) return FALSE;
  const resource = resourceMatches(statement, scope, request.resource, context);
  if (resource.kind === 'false') return FALSE;
  const principal = scope.kind === 'resource' ? principalOf(statement, request) : TRUE;
  if (principal.kind === 'false') return FALSE;
  return allOf([
    resource,
    principal,
    evaluateConditions(statement, context, scope.variables, scope.unresolvedVariables),
  ]);
};

/** What the statements of one effect say: some apply outright, others only when their conditions hold. */
interface Matches {
  sure: StatementRef[];
  pending: PendingStatement[];
}

const refOf = (policy: EvaluatedPolicy, index: number, policyIndex: number, statement: PolicyStatement) => ({
  policy: policy.name ?? `${policy.kind}[${policyIndex}]`,
  statement: statement.sid ?? `Statement[${index}]`,
});

const collect = (
  policies: readonly { policy: EvaluatedPolicy; index: number }[],
  effect: 'Allow' | 'Deny',
  request: EvaluationRequest,
  context: Context,
  options: EvaluationOptions,
): Matches => {
  const matches: Matches = { sure: [], pending: [] };
  for (const { policy, index: policyIndex } of policies) {
    // An SCP never grants: Deny-list SCPs sit beside FullAWSAccess, whose Allow is assumed.
    if (policy.kind === 'scp' && effect === 'Allow') continue;
    const scope: StatementScope = {
      kind: policy.kind,
      variables: policy.document.version === '2012-10-17',
      ...(options.unresolvedVariables ? { unresolvedVariables: options.unresolvedVariables } : {}),
    };
    policy.document.statements.forEach((statement, index) => {
      if (statement.effect !== effect) return;
      const truth = statementApplies(statement, scope, request, context);
      const ref = refOf(policy, index, policyIndex, statement);
      if (truth.kind === 'true') matches.sure.push(ref);
      else if (truth.kind === 'unknown') matches.pending.push({ ...ref, conditions: truth.tests });
    });
  }
  return matches;
};

// An Allow source: `sure` when some statement applies outright, else the pending alternatives (none: no allow).
type Grant =
  | { kind: 'sure'; by: StatementRef[] }
  | { kind: 'pending'; when: PendingStatement[] }
  | { kind: 'none' };

const grantOf = (matches: Matches): Grant => {
  if (matches.sure.length > 0) return { kind: 'sure', by: matches.sure };
  return matches.pending.length > 0 ? { kind: 'pending', when: matches.pending } : { kind: 'none' };
};

// Both grants are needed (identity policy and boundary, or both sides of a cross-account request).
const both = (a: Grant, b: Grant): Grant => {
  if (a.kind === 'none' || b.kind === 'none') return { kind: 'none' };
  if (a.kind === 'sure' && b.kind === 'sure') return { kind: 'sure', by: [...a.by, ...b.by] };
  if (a.kind === 'sure') return b;
  if (b.kind === 'sure') return a;
  const when: PendingStatement[] = [];
  for (const left of a.when) {
    for (const right of b.when) {
      // Past the cap the alternatives are not all listed, but the decision stays `allowed-when`: never narrower.
      if (when.length < MAX_ALTERNATIVES)
        when.push({ ...left, conditions: [...left.conditions, ...right.conditions] });
    }
  }
  return { kind: 'pending', when };
};

// Either grant suffices (identity or resource policy within one account).
const either = (a: Grant, b: Grant): Grant => {
  if (a.kind === 'sure' && b.kind === 'sure') return { kind: 'sure', by: [...a.by, ...b.by] };
  if (a.kind === 'sure' || b.kind === 'none') return a;
  if (b.kind === 'sure' || a.kind === 'none') return b;
  return { kind: 'pending', when: [...a.when, ...b.when] };
};

const accountOfArn = (arn: string): string | undefined => /^arn:[^:]*:[^:]*:[^:]*:(\d{12}):/.exec(arn)?.[1];

/**
 * Evaluates a request against a set of policies, following AWS's policy evaluation logic: an explicit Deny in any
 * policy wins; otherwise an Allow is needed from an identity policy (within every permissions boundary and session
 * policy given) or from a resource policy; across accounts both sides must allow. SCPs contribute only their Deny
 * statements. A request whose resource is not of a type the action acts on is not allowed.
 * Statements that depend on context keys the request leaves unknown are reported, never dropped: a Deny that may
 * apply becomes `denyWhen`, an Allow that may apply becomes `allowWhen`. `options.unresolvedVariables` chooses how a
 * policy variable whose key is absent is read (AWS documents two readings; `null` by default).
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html
 */
export const evaluate = (
  request: EvaluationRequest,
  policies: readonly EvaluatedPolicy[],
  options: EvaluationOptions = {},
): Decision => {
  if (actsOnResource(request.action, request.resource) === false)
    return { kind: 'not-allowed', reason: 'resource-type' };
  const context = toContext(request.context);
  const indexed = policies.map((policy, index) => ({ policy, index }));
  const denies = collect(indexed, 'Deny', request, context, options);
  if (denies.sure.length > 0) return { kind: 'denied', deniedBy: denies.sure };
  const of = (kind: PolicyKind) => indexed.filter((entry) => entry.policy.kind === kind);
  let identity = grantOf(collect(of('identity'), 'Allow', request, context, options));
  for (const kind of ['boundary', 'session'] as const) {
    for (const entry of of(kind))
      identity = both(identity, grantOf(collect([entry], 'Allow', request, context, options)));
  }
  const resourcePolicies = of('resource');
  const resource = grantOf(collect(resourcePolicies, 'Allow', request, context, options));
  const principalAccount = request.principal?.type === 'AWS' ? request.principal.account : undefined;
  const resourceAccount = accountOfArn(request.resource);
  const crossAccount =
    of('identity').length > 0 &&
    resourcePolicies.length > 0 &&
    principalAccount !== undefined &&
    resourceAccount !== undefined &&
    principalAccount !== resourceAccount;
  const grant = crossAccount ? both(identity, resource) : either(identity, resource);
  if (grant.kind === 'none') return { kind: 'not-allowed', reason: 'no-allow' };
  if (grant.kind === 'sure' && denies.pending.length === 0) return { kind: 'allowed', allowedBy: grant.by };
  return {
    kind: 'allowed-when',
    allowWhen: grant.kind === 'sure' ? [] : grant.when,
    denyWhen: denies.pending,
  };
};
