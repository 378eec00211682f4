// What a new policy version grants that the previous one did not.
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

const describe = (entry: Entry): string =>
  `${entry.notAction ? 'every action except ' : ''}${entry.action} on ${
    entry.notResource
      ? `every resource except ${entry.resource}`
      : entry.resource === '*'
        ? '*'
        : entry.resource
  }${entry.conditions === '{}' ? '' : ' (with conditions)'}`;

/**
 * Lines saying what `after` allows that `before` did not, and which denials it dropped. A syntactic
 * comparison: a grant counts as new unless a statement of `before` visibly covers it (same or wider action
 * pattern and resource, no extra condition), so the result may over-report but never hides a widening.
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_managed-versioning.html
 */
export const diffPolicyGrants = (before: PolicyDocument, after: PolicyDocument): string[] => {
  const oldEntries = entriesOf(before);
  const newEntries = entriesOf(after);
  const added = newEntries
    .filter((entry) => entry.effect === 'Allow' && !oldEntries.some((old) => covers(old, entry)))
    .map((entry) => `now allows ${describe(entry)}`);
  const removedDenies = oldEntries
    .filter((entry) => entry.effect === 'Deny' && !newEntries.some((next) => covers(next, entry)))
    .map((entry) => `no longer denies ${describe(entry)}`);
  const lines = [...new Set([...added, ...removedDenies])];
  return lines.length > MAX_LINES
    ? [...lines.slice(0, MAX_LINES), `and ${lines.length - MAX_LINES} more`]
    : lines;
};
