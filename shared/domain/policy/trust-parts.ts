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

// Keys that say who the caller is: its organization, account, own attributes, network, MFA, ExternalId, and the
// claims of a federated identity.
const WHO_KEY =
  /^(aws:principal|aws:source|aws:vpcsourceip|aws:multifactor|aws:userid$|aws:username$|sts:externalid$|saml:|[a-z0-9.-]+\.[a-z]+(\/[^:]*)?:(aud|sub|amr|repository|repository_owner|job_workflow_ref|environment)$)/i;

/**
 * Whether a condition limits *who* may assume the role: such a condition may lower a rating one step. A negated
 * operator or an `IfExists` form limits nothing for a principal that lacks the key.
 */
export const limitsWho = (test: ConditionTest): boolean =>
  !/not|ifexists/i.test(test.operator) && WHO_KEY.test(test.key);

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
