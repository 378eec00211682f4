// What a new policy version grants that the previous one did not.
import type { GrantChange, PolicyDiff } from '../findings.js';
import { actionMatches } from './actions.js';
import type { PolicyDocument, PolicyStatement } from './document.js';

interface Entry {
  effect: 'Allow' | 'Deny';
  action: string;
  notAction: boolean;
  resource: string;
  notResource: boolean;
  conditions: string;
}

const MAX_LINES = 20;

const entriesOf = (document: PolicyDocument): Entry[] =>
  document.statements.flatMap((statement: PolicyStatement) => {
    const notAction = statement.actions === undefined;
    const actions = statement.actions ?? statement.notActions ?? [];
    const notResource = statement.resources === undefined && statement.notResources !== undefined;
    const resources = statement.resources ?? statement.notResources ?? ['*'];
    const conditions = JSON.stringify(statement.conditions);
    return actions.flatMap((action) =>
      resources.map((resource) => ({
        effect: statement.effect,
        action,
        notAction,
        resource,
        notResource,
        conditions,
      })),
    );
  });

// An old entry covers a new one when it allows at least as much: same polarity, its action pattern matches the
// new pattern, its resource pattern matches the new resource, and it is no more conditional.
const covers = (old: Entry, entry: Entry): boolean =>
  old.effect === entry.effect &&
  old.notAction === entry.notAction &&
  old.notResource === entry.notResource &&
  (entry.notAction
    ? old.action.toLowerCase() === entry.action.toLowerCase()
    : actionMatches(old.action, entry.action)) &&
  (old.resource === '*' || actionMatches(old.resource, entry.resource)) &&
  (old.conditions === '{}' || old.conditions === entry.conditions);

const changeOf = (change: GrantChange['change'], entry: Entry): GrantChange => ({
  change,
  action: entry.action,
  notAction: entry.notAction,
  resource: entry.resource,
  notResource: entry.notResource,
  conditional: entry.conditions !== '{}',
});

/**
 * What `after` allows that `before` did not, and which denials it dropped (worded by `wordGrantChange`). A syntactic
 * comparison: a grant counts as new unless a statement of `before` visibly covers it (same or wider action
 * pattern and resource, no extra condition), so the result may over-report but never hides a widening.
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_managed-versioning.html
 */
export const diffPolicyGrants = (before: PolicyDocument, after: PolicyDocument): PolicyDiff => {
  const oldEntries = entriesOf(before);
  const newEntries = entriesOf(after);
  const added = newEntries
    .filter((entry) => entry.effect === 'Allow' && !oldEntries.some((old) => covers(old, entry)))
    .map((entry) => changeOf('now-allows', entry));
  const removedDenies = oldEntries
    .filter((entry) => entry.effect === 'Deny' && !newEntries.some((next) => covers(next, entry)))
    .map((entry) => changeOf('no-longer-denies', entry));
  const seen = new Set<string>();
  const changes = [...added, ...removedDenies].filter((change) => {
    const key = JSON.stringify(change);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return { changes: changes.slice(0, MAX_LINES), more: Math.max(0, changes.length - MAX_LINES) };
};
