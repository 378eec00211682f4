// The words of a trust-policy analysis, as data: entries, findings, the condition keys a finding names, and
// whether a condition limits who may assume the role. Shared by trust.ts and trust-federated.ts.
import type { AssumeFinding, TrustEntry, TrustedPrincipal } from '../findings.js';
import type { Severity } from '../types.js';
import type { PolicyDocument, PolicyStatement } from './document.js';
import type { ConditionTest } from './evaluator/index.js';

/** One principal a trust policy lets in, with the condition keys it must meet. */
export const entry = (principal: TrustedPrincipal, conditions: string[] = []): TrustEntry => ({
  principal,
  conditions,
});

/** The condition keys of a statement, in document order. */
export const conditionKeys = (statement: PolicyStatement): string[] =>
  Object.values(statement.conditions).flatMap((block) => Object.keys(block));

/** Every value a statement's conditions give `key`, under any operator. */
export const conditionValues = (statement: PolicyStatement, key: string): string[] =>
  Object.values(statement.conditions).flatMap((block) =>
    Object.entries(block)
      .filter(([candidate]) => candidate.toLowerCase() === key.toLowerCase())
      .flatMap(([, values]) => values),
  );

/** At most three distinct keys: what a finding names. */
export const keysShown = (keys: string[]): string[] => [...new Set(keys)].slice(0, 3);

/** An assume finding. */
export const assume = (
  severity: Severity,
  code: string,
  principal: TrustedPrincipal,
  conditions: string[] = [],
): AssumeFinding => ({ severity, code, kind: 'assume', principal, conditions });

/** Whether a network value lets every address in (`0.0.0.0/0`, `::/0`, or a wildcard). */
export const isOpenNetwork = (value: string): boolean => /\/0$/.test(value.trim()) || value.trim() === '*';

const concreteValues = (test: ConditionTest): boolean =>
  test.values.length > 0 && test.values.every((value) => value.trim() !== '' && value.trim() !== '*');

// The caller's account in an ARN pattern (`arn:aws:iam::111122223333:role/x`): limiting only when written out.
const concreteAccount = (value: string): boolean => /^\d{12}$/.test(value.split(':')[4] ?? '');

/**
 * Global condition keys whose value a caller in another account cannot choose, with the check its values must pass
 * to limit who. Left out on purpose: `aws:PrincipalTag/*`, `aws:username`, `aws:userid`, `aws:PrincipalType`
 * (any account can tag its own role or name its own user to fit). Each key as the IAM User Guide's global
 * condition keys page describes it.
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalorgid
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalarn
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principaltag
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-sourceip
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-sourceaccount
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-multifactorauthpresent
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-user_externalid.html
 */
const WHO_KEYS: ReadonlyMap<string, (test: ConditionTest) => boolean> = new Map([
  ['aws:principalorgid', concreteValues],
  ['aws:principalorgpaths', concreteValues],
  ['aws:principalaccount', concreteValues],
  ['aws:principalarn', (test: ConditionTest) => concreteValues(test) && test.values.every(concreteAccount)],
  ['aws:sourceaccount', concreteValues],
  ['aws:sourcearn', concreteValues],
  ['aws:sourceorgid', concreteValues],
  ['aws:sourceorgpaths', concreteValues],
  ['sts:externalid', concreteValues],
  ['aws:multifactorauthpresent', concreteValues],
  ['aws:multifactorauthage', concreteValues],
  ['aws:sourceip', (test: ConditionTest) => concreteValues(test) && !test.values.some(isOpenNetwork)],
  ['aws:vpcsourceip', (test: ConditionTest) => concreteValues(test) && !test.values.some(isOpenNetwork)],
  ['aws:sourcevpc', concreteValues],
  ['aws:sourcevpce', concreteValues],
]);

// The claims of a federated identity, which its provider sets (the provider itself is pinned by the Principal).
const FEDERATED_CLAIM =
  /^(saml:|[a-z0-9.-]+\.[a-z]+(\/[^:]*)?:(aud|sub|amr|repository|repository_owner|job_workflow_ref|environment)$)/i;

/**
 * Whether a condition limits *who* may assume the role: such a condition may lower a rating one step. Only keys a
 * caller in another account cannot set count (see `WHO_KEYS`), with values that exclude someone (`0.0.0.0/0` and
 * `*` exclude no one). A negated operator or an `IfExists` form limits nothing for a principal that lacks the key.
 */
export const limitsWho = (test: ConditionTest): boolean => {
  if (/not|ifexists/i.test(test.operator)) return false;
  const check = WHO_KEYS.get(test.key.toLowerCase());
  if (check) return check(test);
  return FEDERATED_CLAIM.test(test.key);
};

/** The keys a finding names from the conditions an answer depends on (at most three). */
export const keysOf = (tests: ConditionTest[]): string[] =>
  keysShown(tests.filter((test) => test.operator !== 'Principal').map((test) => test.key));

/** Values an Allow's negated operator on `key` shuts out (`StringNotEquals aws:PrincipalOrgID o-1` → `o-1`). */
export const negatedValues = (document: PolicyDocument, key: string): string[] => [
  ...new Set(
    document.statements.flatMap((statement) =>
      statement.effect !== 'Allow'
        ? []
        : Object.entries(statement.conditions).flatMap(([operator, block]) =>
            /not/i.test(operator)
              ? Object.entries(block)
                  .filter(([candidate]) => candidate.toLowerCase() === key.toLowerCase())
                  .flatMap(([, values]) => values)
              : [],
          ),
    ),
  ),
];

/** Findings and "may be assumed by" entries, without repeats. */
export interface Collected {
  findings: AssumeFinding[];
  trusted: TrustEntry[];
}

/** Records a principal, and its finding once. */
export const record = (into: Collected, principal: TrustedPrincipal, finding?: AssumeFinding): void => {
  into.trusted.push(entry(principal, finding?.conditions ?? []));
  if (finding && !into.findings.some((other) => JSON.stringify(other) === JSON.stringify(finding)))
    into.findings.push(finding);
};
