// Who a role's trust policy lets in: everyone, other accounts, federated identities, services.
import type { AssumeFinding, TrustExposure, TrustedPrincipal } from '../findings.js';
import type { Severity } from '../types.js';
import { severityRank } from '../types.js';
import { actionMatches } from './actions.js';
import type { PolicyDocument, PolicyStatement } from './document.js';

/** The result of reading a trust policy. */
export interface TrustAnalysis {
  findings: AssumeFinding[];
  /** Who may assume the role, in words, one entry per principal. */
  trustedPrincipals: string[];
  /**
   * The most severe finding (medium or above), for a headline completing "Role deploy …" (worded by
   * `wordExposure`: `can now be assumed by anyone`, `now trusts account 999988887777`).
   */
  exposure?: TrustExposure;
}

/** One principal in words, with the finding it raises. */
interface Described {
  text: string;
  finding?: AssumeFinding;
}

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

const keysText = (keys: string[]): string => keysShown(keys).join(', ');

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
        text: 'anyone (*), no conditions',
        finding: assume('critical', 'trust-everyone', { class: 'anyone' }),
      };
    }
    return {
      text: `anyone (*) meeting ${keysText(keys)}`,
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
    return { text: `${principal} (not an ARN: a deleted principal's unique id?)` };
  }
  const who = /^\d{12}$/.test(principal) ? `arn:aws:iam::${principal}:root` : principal;
  if (ownAccount !== undefined && account === ownAccount) {
    return { text: `${who} (this account)` };
  }
  const externalId = hasKey(statement, 'sts:ExternalId');
  const otherKeys = keys.filter((key) => key.toLowerCase() !== 'sts:externalid');
  const accountNote = ownAccount === undefined ? 'an account other than the caller’s?' : 'another account';
  if (externalId) {
    return {
      text: `${who} (${accountNote}, with an ExternalId condition)`,
      finding: assume('medium', 'trust-other-account-external-id', {
        class: 'other-account',
        arn: who,
        account,
        externalId: true,
      }),
    };
  }
  const severity: Severity = otherKeys.length > 0 ? 'medium' : 'high';
  return {
    text: `${who} (${accountNote}${otherKeys.length > 0 ? `, when ${keysText(otherKeys)}` : ', no conditions'})`,
    finding: assume(
      severity,
      'trust-other-account',
      { class: 'other-account', arn: who, account, externalId: false },
      keysShown(otherKeys),
    ),
  };
};

const GITHUB = 'token.actions.githubusercontent.com';

const describeFederated = (provider: string, statement: PolicyStatement): Described => {
  const name = provider.replace(/^arn:aws[a-z-]*:iam::\d{12}:(?:oidc|saml)-provider\//, '');
  if (/:saml-provider\//.test(provider)) {
    return {
      text: `users signed in through SAML provider ${name}`,
      finding: assume('low', 'trust-saml', { class: 'saml-provider', provider: name }),
    };
  }
  if (name === GITHUB || name.startsWith(`${GITHUB}/`)) {
    const subjects = conditionValues(statement, `${GITHUB}:sub`);
    if (subjects.length === 0) {
      return {
        text: 'any GitHub Actions workflow, in any repository (no sub condition)',
        finding: assume('critical', 'trust-github-any-repository', {
          class: 'github-actions',
          provider: GITHUB,
          subjects: [],
        }),
      };
    }
    const broad = subjects.filter((subject) => /^repo:[^/]*\*|^\*/.test(subject));
    if (broad.length > 0) {
      return {
        text: `GitHub Actions workflows matching ${broad.join(', ')}`,
        finding: assume('high', 'trust-github-broad-subject', {
          class: 'github-actions',
          provider: GITHUB,
          subjects: keysShown(broad),
        }),
      };
    }
    return { text: `GitHub Actions workflows of ${keysText(subjects)}` };
  }
  const audience = conditionValues(statement, `${name}:aud`).concat(
    conditionValues(statement, `${name}:sub`),
  );
  if (
    name === 'cognito-identity.amazonaws.com' ||
    /^(accounts\.google\.com|graph\.facebook\.com|www\.amazon\.com)$/.test(name)
  ) {
    if (audience.length === 0) {
      return {
        text: `anyone with a ${name} identity (no aud condition)`,
        finding: assume('high', 'trust-web-identity-unrestricted', { class: 'web-identity', provider: name }),
      };
    }
    return { text: `${name} identities of ${keysText(audience)}` };
  }
  if (audience.length === 0) {
    return {
      text: `any identity of OIDC provider ${name} (no aud or sub condition)`,
      finding: assume('medium', 'trust-oidc-unrestricted', { class: 'oidc-provider', provider: name }),
    };
  }
  return { text: `identities of OIDC provider ${name} (${keysText(audience)})` };
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
  const trustedPrincipals: string[] = [];
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
      trustedPrincipals.push(`everyone except ${excluded.slice(0, 3).join(', ')}`);
      const finding = assume('critical', 'trust-not-principal', {
        class: 'everyone-except',
        excluded: excluded.slice(0, 3),
      });
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
          described = { text: `service ${principal}` };
        } else {
          described = { text: `${type} ${principal}` };
        }
        trustedPrincipals.push(described.text);
        if (described.finding && !findings.some(sameAs(described.finding))) {
          findings.push(described.finding);
        }
      }
    }
  }
  if (findings.length === 0 && trustedPrincipals.length > 0) {
    findings.push(
      assume('info', 'trust-summary', { class: 'listed', descriptions: trustedPrincipals.slice(0, 3) }),
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
