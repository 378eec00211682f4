// Where an action is allowed: the Resource patterns of the Allow statements that grant it, each asked of the
// evaluator with a representative resource, so that findings can tell "on every policy" from "on policy/team-*".
import { toContext } from './context.js';
import { evaluate } from './evaluate.js';
import { substitute, wildcardMatches } from './patterns.js';
import { actsOnResource, patternFitsAction, resourceTypesOf } from './resource-types.js';
import type { ConditionTest, ContextInput, Decision, EvaluatedPolicy } from './types.js';

/** One Resource pattern an action is allowed on, and the evaluator's answer for a resource it names. */
export interface AllowedScope {
  /** The pattern as written (`*`, `arn:aws:iam::*:policy/team-*`), or an ARN format of the action for NotResource. */
  pattern: string;
  /** The resource that was asked about. */
  resource: string;
  decision: Decision;
}

// Fillers for a pattern's wildcards, tried in turn: a resource name may hold `/` and `:` (a task definition is
// `family:revision`), and the representative must be of a type the action acts on.
// A wildcard's place while fillers are chosen: no ARN holds it.
const MARK = '\u0000';
const FILLERS = ['zz-probe', 'zz-probe:1', 'zz-probe/zz-probe', 'zz-probe/zz-probe/zz-probe'];

// A concrete resource a pattern names, of a type the action acts on: wildcards filled in, variables resolved
// from the context where known.
const representative = (action: string, pattern: string, context: ContextInput): string | undefined => {
  if (pattern === '*') return '*';
  const substituted = substitute(pattern, toContext(context));
  if (substituted.kind === 'absent') return undefined;
  const parts = substituted.kind === 'ok' ? substituted.parts : [{ text: pattern, literal: false }];
  // Wildcards become a marker first; those in the partition, service, region and account become `zz-probe`, those
  // in the resource part the filler.
  const marked = parts
    .map((part) => (part.literal ? part.text : part.text.replace(/\*/g, MARK).replace(/\?/g, 'z')))
    .join('');
  const fields = marked.split(':');
  const fill = (filler: string): string =>
    [
      ...fields.slice(0, 5).map((field) => field.split(MARK).join('zz-probe')),
      ...fields.slice(5).map((field) => field.split(MARK).join(filler)),
    ].join(':');
  const candidates = FILLERS.map(fill);
  return candidates.find((candidate) => actsOnResource(action, candidate) !== false) ?? candidates[0];
};

/**
 * The Resource patterns on which `action` is or may be allowed, each with the decision for a resource it names:
 * Allow statements' Resource entries that can name a resource of the action's type, and for NotResource
 * statements the action's own ARN formats. `*` stands for every resource at once. Patterns whose resource is denied
 * or not allowed are left out.
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html
 */
export const allowedScopes = (
  policies: readonly EvaluatedPolicy[],
  action: string,
  context: ContextInput = {},
): AllowedScope[] => {
  const patterns = new Set<string>();
  for (const policy of policies) {
    if (policy.kind !== 'identity' && policy.kind !== 'resource') continue;
    for (const statement of policy.document.statements) {
      if (statement.effect !== 'Allow') continue;
      const named = statement.actions
        ? statement.actions.some((pattern) => wildcardMatches(pattern, action, true))
        : !(statement.notActions ?? []).some((pattern) => wildcardMatches(pattern, action, true));
      if (!named) continue;
      if (statement.resources) {
        for (const entry of statement.resources) if (patternFitsAction(action, entry)) patterns.add(entry);
      } else {
        const formats = [...(resourceTypesOf(action)?.types.values() ?? [])];
        for (const format of formats.length > 0 ? formats : ['*']) patterns.add(format);
      }
    }
  }
  const scopes: AllowedScope[] = [];
  const allowed = (decision: Decision): boolean =>
    decision.kind === 'allowed' || decision.kind === 'allowed-when';
  for (const pattern of patterns) {
    const resource = representative(action, pattern, context);
    if (resource === undefined) continue;
    const decision = evaluate({ action, resource, context }, policies);
    if (allowed(decision)) {
      scopes.push({ pattern, resource, decision });
      continue;
    }
    // `*` denied as a whole (a Deny with NotResource) may still be allowed on a resource of the action's types.
    if (pattern !== '*') continue;
    for (const format of resourceTypesOf(action)?.types.values() ?? []) {
      const typed = representative(action, format.replace(/^arn:\*:/, 'arn:aws:'), context);
      if (typed === undefined) continue;
      const answer = evaluate({ action, resource: typed, context }, policies);
      if (allowed(answer)) {
        scopes.push({ pattern, resource: typed, decision: answer });
        break;
      }
    }
  }
  return scopes;
};

/** Every condition a decision depends on, once each (for wording the conditions of a finding). */
export const conditionsOf = (decision: Decision): ConditionTest[] => {
  if (decision.kind !== 'allowed-when') return [];
  const seen = new Map<string, ConditionTest>();
  for (const entry of [...decision.allowWhen, ...decision.denyWhen]) {
    for (const test of entry.conditions)
      seen.set(JSON.stringify([test.operator, test.key, test.values]), test);
  }
  return [...seen.values()];
};
