// What a new policy version allows that the previous one did not: both versions are asked the same probe
// questions (every action and resource pattern either names, as a concrete request), and the diff is the set of
// probes whose answer widened.
import type { GrantChange, PolicyDiff } from '../findings.js';
import { identityPolicies, PROBE_ACTION } from './ask.js';
import type { PolicyDocument, PolicyStatement } from './document.js';
import { type Decision, evaluate } from './evaluator/index.js';

const MAX_LINES = 20;
// Probes asked at most: far above what a 6,144-character managed policy can name.
const MAX_PROBES = 2000;

/** One question asked of both versions, with the words it is reported in. */
interface Probe {
  action: string;
  notAction: boolean;
  resource: string;
  notResource: boolean;
  request: { action: string; resource: string };
}

// A concrete action a pattern names (`iam:Put*` → `iam:PutZzProbe`; `*` → an action of no real service).
const concreteAction = (pattern: string): string =>
  /^\*(:\*)?$/.test(pattern.trim()) || !pattern.includes(':')
    ? PROBE_ACTION
    : pattern.replace(/\*/g, 'ZzProbe').replace(/\?/g, 'Z');

// A concrete resource a pattern names (`arn:aws:s3:::ci/*` → `arn:aws:s3:::ci/zz-probe`); `*` asks about every one.
const concreteResource = (pattern: string): string =>
  pattern === '*' ? '*' : pattern.replace(/\*/g, 'zz-probe').replace(/\?/g, 'z');

const probesOf = (statement: PolicyStatement): Probe[] => {
  const actions: [string, string, boolean][] = statement.actions
    ? statement.actions.map((pattern) => [pattern, concreteAction(pattern), false])
    : [[(statement.notActions ?? []).join(', '), PROBE_ACTION, true]];
  const resources: [string, string, boolean][] = statement.resources
    ? statement.resources.map((pattern) => [pattern, concreteResource(pattern), false])
    : statement.notResources
      ? [[statement.notResources.join(', '), '*', true]]
      : [['*', '*', false]];
  return actions.flatMap(([action, concrete, notAction]) =>
    resources.map(([resource, target, notResource]) => ({
      action,
      notAction,
      resource,
      notResource,
      request: { action: concrete, resource: target },
    })),
  );
};

const rank = (decision: Decision): number =>
  decision.kind === 'allowed' ? 2 : decision.kind === 'allowed-when' ? 1 : 0;

/**
 * What `after` allows that `before` did not, and which denials it dropped (worded by `wordGrantChange`): every
 * action and resource pattern either version names is asked of both as a request (condition keys unknown), and a
 * probe whose answer widened (not allowed → allowed or allowed under conditions → allowed; denied → not denied) is
 * a change. Equivalent rewrites (`NotAction: iam:*` for `Allow *` + `Deny iam:*`) are no change.
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_managed-versioning.html
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
 */
export const diffPolicyGrants = (before: PolicyDocument, after: PolicyDocument): PolicyDiff => {
  const old = identityPolicies(before);
  const next = identityPolicies(after);
  const probes = [...after.statements, ...before.statements].flatMap(probesOf).slice(0, MAX_PROBES);
  const seen = new Set<string>();
  const changes: GrantChange[] = [];
  for (const probe of probes) {
    const key = JSON.stringify(probe.request);
    if (seen.has(key)) continue;
    seen.add(key);
    const was = evaluate({ ...probe.request, context: {} }, old);
    const now = evaluate({ ...probe.request, context: {} }, next);
    const change: GrantChange['change'] | undefined =
      was.kind === 'denied' && now.kind !== 'denied'
        ? 'no-longer-denies'
        : rank(now) > rank(was)
          ? 'now-allows'
          : undefined;
    if (!change) continue;
    changes.push({
      change,
      action: probe.action,
      notAction: probe.notAction,
      resource: probe.resource,
      notResource: probe.notResource,
      conditional: now.kind === 'allowed-when',
    });
  }
  return { changes: changes.slice(0, MAX_LINES), more: Math.max(0, changes.length - MAX_LINES) };
};
