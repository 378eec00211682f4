// Who a role's trust policy lets in: everyone, other accounts, federated identities, services.
import type { AssumeFinding, TrustEntry, TrustExposure, TrustedPrincipal } from '../findings.js';
import type { Severity } from '../types.js';
import { severityRank } from '../types.js';
import { actionMatches } from './actions.js';
import type { PolicyDocument, PolicyStatement } from './document.js';

/** The result of reading a trust policy. */
export interface TrustAnalysis {
  findings: AssumeFinding[];
  /** Who may assume the role, one entry per principal (worded by `wordTrustEntry`). */
  trustedPrincipals: TrustEntry[];
  /**
   * The most severe finding (medium or above), for a headline completing "Role deploy …" (worded by
   * `wordExposure`: `can now be assumed by anyone`, `now trusts account 999988887777`).
   */
  exposure?: TrustExposure;
}

/** One principal, with the finding it raises. */
interface Described {
  entry: TrustEntry;
  finding?: AssumeFinding;
}

const entry = (principal: TrustedPrincipal, conditions: string[] = []): TrustEntry => ({
  principal,
  conditions,
});

const ASSUME_ACTIONS = ['sts:AssumeRole', 'sts:AssumeRoleWithSAML', 'sts:AssumeRoleWithWebIdentity'];

// Condition keys that restrict a wildcard principal to a known organisation or account.
const ORG_KEYS = ['aws:principalorgid', 'aws:principalorgpaths', 'aws:principalaccount', 'aws:sourceaccount'];

const conditionKeys = (statement: PolicyStatement): string[] =>
  Object.values(statement.conditions).flatMap((block) => Object.keys(block));

const hasKey = (statement: PolicyStatement, key: string): boolean =>
  conditionKeys(statement).some((candidate) => candidate.toLowerCase() === key.toLowerCase());

const conditionValues = (statement: PolicyStatement, key: string): string[] =>
  Object.values(statement.conditions).flatMap((block) =>
    Object.entries(block)
      .filter(([candidate]) => candidate.toLowerCase() === key.toLowerCase())
      .flatMap(([, values]) => values),
  );

/** At most three distinct keys: what a finding names. */
const keysShown = (keys: string[]): string[] => [...new Set(keys)].slice(0, 3);

const assume = (
  severity: Severity,
  code: string,
  principal: TrustedPrincipal,
  conditions: string[] = [],
): AssumeFinding => ({ severity, code, kind: 'assume', principal, conditions });

/** The account id of an AWS principal (`123456789012`, `arn:aws:iam::123456789012:root`, a role ARN…). */
export const accountOfPrincipal = (principal: string): string | undefined => {
  if (/^\d{12}$/.test(principal)) return principal;
  return /^arn:aws[a-z-]*:(?:iam|sts)::(\d{12}):/.exec(principal)?.[1];
};

const describeAws = (
  principal: string,
  statement: PolicyStatement,
  ownAccount: string | undefined,
): Described => {
  const keys = conditionKeys(statement);
  if (principal === '*') {
    const orgLimited = keys.some((key) => ORG_KEYS.includes(key.toLowerCase()));
    if (keys.length === 0) {
      return {
        entry: entry({ class: 'anyone' }),
        finding: assume('critical', 'trust-everyone', { class: 'anyone' }),
      };
    }
    return {
      entry: entry({ class: 'any-aws-principal' }, keysShown(keys)),
      finding: assume(
        orgLimited ? 'medium' : 'high',
        orgLimited ? 'trust-everyone-org-limited' : 'trust-everyone-conditional',
        { class: 'any-aws-principal' },
        keysShown(keys),
      ),
    };
  }
  const account = accountOfPrincipal(principal);
  if (account === undefined) {
    // A unique id (AIDA…/AROA…) means the trusted principal was deleted and recreated or never resolved.
    return { entry: entry({ class: 'unresolved', id: principal }) };
  }
  const who = /^\d{12}$/.test(principal) ? `arn:aws:iam::${principal}:root` : principal;
  if (ownAccount !== undefined && account === ownAccount) {
    return { entry: entry({ class: 'this-account', arn: who }) };
  }
  const externalId = hasKey(statement, 'sts:ExternalId');
  const otherKeys = keys.filter((key) => key.toLowerCase() !== 'sts:externalid');
  const other = {
    class: 'other-account',
    arn: who,
    account,
    ownAccountKnown: ownAccount !== undefined,
  } as const;
  if (externalId) {
    const trusted: TrustedPrincipal = { ...other, externalId: true };
    return { entry: entry(trusted), finding: assume('medium', 'trust-other-account-external-id', trusted) };
  }
  const severity: Severity = otherKeys.length > 0 ? 'medium' : 'high';
  const trusted: TrustedPrincipal = { ...other, externalId: false };
  return {
    entry: entry(trusted, keysShown(otherKeys)),
    finding: assume(severity, 'trust-other-account', trusted, keysShown(otherKeys)),
  };
};

const GITHUB = 'token.actions.githubusercontent.com';

const describeFederated = (provider: string, statement: PolicyStatement): Described => {
  const name = provider.replace(/^arn:aws[a-z-]*:iam::\d{12}:(?:oidc|saml)-provider\//, '');
  if (/:saml-provider\//.test(provider)) {
    const principal: TrustedPrincipal = { class: 'saml-provider', provider: name };
    return { entry: entry(principal), finding: assume('low', 'trust-saml', principal) };
  }
  if (name === GITHUB || name.startsWith(`${GITHUB}/`)) {
    const subjects = conditionValues(statement, `${GITHUB}:sub`);
    if (subjects.length === 0) {
      const principal: TrustedPrincipal = {
        class: 'github-actions',
        provider: GITHUB,
        match: 'any',
        subjects: [],
      };
      return {
        entry: entry(principal),
        finding: assume('critical', 'trust-github-any-repository', principal),
      };
    }
    const broad = subjects.filter((subject) => /^repo:[^/]*\*|^\*/.test(subject));
    if (broad.length > 0) {
      return {
        entry: entry({ class: 'github-actions', provider: GITHUB, match: 'broad', subjects: broad }),
        finding: assume('high', 'trust-github-broad-subject', {
          class: 'github-actions',
          provider: GITHUB,
          match: 'broad',
          subjects: keysShown(broad),
        }),
      };
    }
    return { entry: entry({ class: 'github-actions', provider: GITHUB, match: 'scoped', subjects }) };
  }
  const audience = conditionValues(statement, `${name}:aud`).concat(
    conditionValues(statement, `${name}:sub`),
  );
  if (
    name === 'cognito-identity.amazonaws.com' ||
    /^(accounts\.google\.com|graph\.facebook\.com|www\.amazon\.com)$/.test(name)
  ) {
    const principal: TrustedPrincipal = { class: 'web-identity', provider: name, audiences: audience };
    if (audience.length > 0) return { entry: entry(principal) };
    return { entry: entry(principal), finding: assume('high', 'trust-web-identity-unrestricted', principal) };
  }
  const principal: TrustedPrincipal = { class: 'oidc-provider', provider: name, audiences: audience };
  if (audience.length > 0) return { entry: entry(principal) };
  return { entry: entry(principal), finding: assume('medium', 'trust-oidc-unrestricted', principal) };
};

/**
 * Reads a role's trust policy (CreateRole `assumeRolePolicyDocument`, UpdateAssumeRolePolicy `policyDocument`):
 * who may now assume the role, with a finding for each principal a reviewer should look at. A principal is in
 * "another account" when its account differs from `ownAccount` (the event's `recipientAccountId`).
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-idp_oidc.html
 */
export const analyzeTrustPolicy = (
  document: PolicyDocument,
  ownAccount: string | undefined,
): TrustAnalysis => {
  const findings: AssumeFinding[] = [];
  const trustedPrincipals: TrustEntry[] = [];
  // Two principals said the same way are one finding.
  const sameAs = (finding: AssumeFinding) => (other: AssumeFinding) =>
    JSON.stringify(other) === JSON.stringify(finding);
  for (const statement of document.statements) {
    if (statement.effect !== 'Allow') continue;
    const assumes = statement.actions
      ? statement.actions.some((pattern) => ASSUME_ACTIONS.some((action) => actionMatches(pattern, action)))
      : statement.notActions !== undefined;
    if (!assumes) continue;
    if (statement.notPrincipals) {
      const excluded = Object.values(statement.notPrincipals).flat();
      const principal: TrustedPrincipal = { class: 'everyone-except', excluded: excluded.slice(0, 3) };
      trustedPrincipals.push(entry(principal));
      const finding = assume('critical', 'trust-not-principal', principal);
      findings.push(finding);
      continue;
    }
    for (const [type, entries] of Object.entries(statement.principals ?? {})) {
      for (const principal of entries) {
        let described: Described;
        if (type === '*' || (type === 'AWS' && principal === '*')) {
          described = describeAws('*', statement, ownAccount);
        } else if (type === 'AWS') {
          described = describeAws(principal, statement, ownAccount);
        } else if (type === 'Federated') {
          described = describeFederated(principal, statement);
        } else if (type === 'Service') {
          described = { entry: entry({ class: 'service', service: principal }) };
        } else {
          described = { entry: entry({ class: 'other', type, principal }) };
        }
        trustedPrincipals.push(described.entry);
        if (described.finding && !findings.some(sameAs(described.finding))) {
          findings.push(described.finding);
        }
      }
    }
  }
  if (findings.length === 0 && trustedPrincipals.length > 0) {
    findings.push(
      assume('info', 'trust-summary', { class: 'listed', entries: trustedPrincipals.slice(0, 3) }),
    );
  }
  findings.sort((a, b) => severityRank(b.severity) - severityRank(a.severity));
  const analysis: TrustAnalysis = { findings, trustedPrincipals };
  const top = findings[0];
  // SAML users (low) and summaries (info) never reach a headline.
  if (top && severityRank(top.severity) >= severityRank('medium')) {
    // Several other accounts at once: name them together, not only the first.
    const accounts = [
      ...new Set(
        findings
          .filter((finding) => finding.code === top.code)
          .flatMap((finding) =>
            finding.principal.class === 'other-account' ? [finding.principal.account] : [],
          ),
      ),
    ];
    analysis.exposure = { principal: top.principal, conditions: top.conditions, accounts };
  }
  return analysis;
};
