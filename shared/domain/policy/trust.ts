// Who a role's trust policy lets in: everyone, other accounts, federated identities, services. Each verdict is a
// question to the evaluator (`whoCanAssume` and probe principals: an outsider of another organization, any
// subject of a web identity provider, each named account, this organization); statements are read only to name
// who is listed.
import type { AssumeFinding, TrustEntry, TrustExposure, TrustedPrincipal } from '../findings.js';
import { BoundedCache, deepFreeze, isDeeplyFrozen } from '../memo.js';
import { severityRank } from '../types.js';
import { actionMatches } from './actions.js';
import type { PolicyDocument, PolicyStatement } from './document.js';
import {
  type AssumeProbeResult,
  type ConditionTest,
  conditionsOf,
  evaluate,
  mayBeAllowed,
  whoCanAssume,
} from './evaluator/index.js';
import { describeFederated } from './trust-federated.js';
import {
  assume,
  type Collected,
  conditionKeys,
  entry,
  keysOf,
  keysShown,
  limitsWho,
  negatedValues,
  record,
} from './trust-parts.js';

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

const ASSUME_ACTIONS = ['sts:AssumeRole', 'sts:AssumeRoleWithSAML', 'sts:AssumeRoleWithWebIdentity'];

/** The account id of an AWS principal (`123456789012`, `arn:aws:iam::123456789012:root`, a role ARN…). */
export const accountOfPrincipal = (principal: string): string | undefined => {
  if (/^\d{12}$/.test(principal)) return principal;
  return /^arn:aws[a-z-]*:(?:iam|sts)::(\d{12}):/.exec(principal)?.[1];
};

const assumes = (statement: PolicyStatement): boolean =>
  statement.actions
    ? statement.actions.some((pattern) => ASSUME_ACTIONS.some((action) => actionMatches(pattern, action)))
    : statement.notActions !== undefined;

const probesOf = (result: { probes: AssumeProbeResult[] }, probe: AssumeProbeResult['probe']) =>
  result.probes.filter((entry) => entry.probe === probe);

/** Everyone (`*`, `AWS: *`, NotPrincipal), asked as a principal of another organization or of none. */
const describeEveryone = (
  document: PolicyDocument,
  account: string,
  allows: PolicyStatement[],
  into: Collected,
) => {
  const asked = whoCanAssume(document, { ownAccount: account });
  const outsider = [...probesOf(asked, 'outsider'), ...probesOf(asked, 'outsider-without-organization')].find(
    (result) => mayBeAllowed(result.decision),
  );
  const notPrincipal = allows.find((statement) => statement.notPrincipals)?.notPrincipals;
  if (outsider && notPrincipal) {
    const principal: TrustedPrincipal = {
      class: 'everyone-except',
      excluded: Object.values(notPrincipal).flat().slice(0, 3),
    };
    record(into, principal, assume('critical', 'trust-not-principal', principal));
    return;
  }
  if (outsider?.decision.kind === 'allowed') {
    // Allowed outright to an outsider: anyone, or anyone outside the organization a negated condition names.
    const organizations = negatedValues(document, 'aws:PrincipalOrgID');
    const first = organizations[0];
    const members = first
      ? probesOf(whoCanAssume(document, { ownAccount: account, orgId: first }), 'organization-account')
      : [];
    const principal: TrustedPrincipal =
      members.length > 0 && members.every((result) => !mayBeAllowed(result.decision))
        ? { class: 'outside-organization', organizations: keysShown(organizations) }
        : { class: 'anyone' };
    record(
      into,
      principal,
      assume(
        'critical',
        principal.class === 'anyone' ? 'trust-everyone' : 'trust-outside-organization',
        principal,
      ),
    );
    return;
  }
  if (outsider) {
    // Conditions that limit who lower the rating a step; any other condition is no limit on who: still critical.
    const tests = conditionsOf(outsider.decision);
    const principal: TrustedPrincipal = { class: 'any-aws-principal' };
    const lowered = tests.every(limitsWho);
    record(
      into,
      principal,
      assume(lowered ? 'high' : 'critical', 'trust-everyone-conditional', principal, keysOf(tests)),
    );
    return;
  }
  const wildcard = allows.some(
    (statement) =>
      statement.principals?.['*'] !== undefined || (statement.principals?.AWS ?? []).includes('*'),
  );
  if (!wildcard) return;
  // Nobody outside: the wildcard is held to the organization or an account by its conditions or by a Deny.
  const inside = [...probesOf(asked, 'organization-account'), ...probesOf(asked, 'this-account')].find(
    (result) => mayBeAllowed(result.decision),
  );
  const keys = keysShown(document.statements.filter(assumes).flatMap(conditionKeys));
  const principal: TrustedPrincipal = { class: 'any-aws-principal' };
  // No probe got in (a condition names some other account or principal the probes are not): unsure who, so rated
  // as a wildcard under conditions, never left out.
  // A condition a caller in any account can meet (`aws:PrincipalArn` of `arn:aws:iam::*:role/deploy`) limits no one.
  const tests: ConditionTest[] = document.statements
    .filter(assumes)
    .flatMap((statement) =>
      Object.entries(statement.conditions).flatMap(([operator, block]) =>
        Object.entries(block).map(([key, values]) => ({ operator, key, values })),
      ),
    );
  const open = tests.length > 0 && !tests.every(limitsWho);
  if (!inside)
    record(
      into,
      principal,
      assume(open ? 'critical' : 'high', 'trust-everyone-conditional', principal, keys),
    );
  else record(into, principal, assume('medium', 'trust-everyone-org-limited', principal, keys));
};

/** A named AWS principal: this account, another account (asked as itself), or an unresolved unique id. */
const describeAws = (
  value: string,
  document: PolicyDocument,
  account: string,
  ownAccount: string | undefined,
  into: Collected,
): void => {
  const principalAccount = accountOfPrincipal(value);
  if (principalAccount === undefined) {
    // A unique id (AIDA…/AROA…) means the trusted principal was deleted and recreated or never resolved.
    record(into, { class: 'unresolved', id: value });
    return;
  }
  const arn = /^\d{12}$/.test(value) ? `arn:aws:iam::${value}:root` : value;
  if (ownAccount !== undefined && principalAccount === ownAccount) {
    record(into, { class: 'this-account', arn });
    return;
  }
  const decision = evaluate(
    {
      action: 'sts:AssumeRole',
      resource: `arn:aws:iam::${account}:role/zz-probe-target`,
      principal: { type: 'AWS', account: principalAccount, arn },
      context: {
        'aws:PrincipalAccount': principalAccount,
        'aws:PrincipalArn': arn,
        'aws:PrincipalIsAWSService': 'false',
        'aws:SourceAccount': null,
        'aws:SourceArn': null,
      },
    },
    [{ kind: 'resource', document, name: 'trust policy' }],
  );
  const tests = conditionsOf(decision);
  const externalId = tests.some((test) => test.key.toLowerCase() === 'sts:externalid');
  const keys = keysOf(tests.filter((test) => test.key.toLowerCase() !== 'sts:externalid'));
  const principal: TrustedPrincipal = {
    class: 'other-account',
    arn,
    account: principalAccount,
    externalId,
    ownAccountKnown: ownAccount !== undefined,
  };
  if (!mayBeAllowed(decision)) {
    into.trusted.push(entry(principal, keys));
    return;
  }
  if (externalId) {
    record(into, principal, assume('medium', 'trust-other-account-external-id', principal));
    return;
  }
  const lowered = keys.length > 0 && tests.every(limitsWho);
  record(into, principal, assume(lowered ? 'medium' : 'high', 'trust-other-account', principal, keys));
};

/**
 * Reads a role's trust policy (CreateRole `assumeRolePolicyDocument`, UpdateAssumeRolePolicy `policyDocument`):
 * who may now assume the role, asked of the evaluator with probe principals, and a finding for each class a
 * reviewer should look at. A principal is in "another account" when its account differs from `ownAccount` (the
 * event's `recipientAccountId`). Conditions that limit who lower a rating one step; any other condition is no
 * limit on who (unsure: the rating stays up). For a document read from text (frozen by `parsePolicyDocument`) the
 * analysis is memoised per document and account, and frozen: callers copy before they change anything.
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-idp_oidc.html
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html
 */
export const analyzeTrustPolicy = (
  document: PolicyDocument,
  ownAccount: string | undefined,
): TrustAnalysis => {
  if (!isDeeplyFrozen(document)) return analyzeTrustOnce(document, ownAccount);
  let byAccount = TRUST_ANALYSES.get(document);
  if (!byAccount) {
    byAccount = new BoundedCache(MAX_ACCOUNTS_PER_DOCUMENT);
    TRUST_ANALYSES.set(document, byAccount);
  }
  const known = byAccount.get(ownAccount);
  if (known) return known;
  const analysis = deepFreeze(analyzeTrustOnce(document, ownAccount));
  byAccount.set(ownAccount, analysis);
  return analysis;
};

// A document read from text is frozen (document.ts): its analyses, one per account that owns the role, are kept with
// it. The account is part of the key: who counts as "another account" depends on it.
const TRUST_ANALYSES = new WeakMap<PolicyDocument, BoundedCache<string | undefined, TrustAnalysis>>();
const MAX_ACCOUNTS_PER_DOCUMENT = 16;

const analyzeTrustOnce = (document: PolicyDocument, ownAccount: string | undefined): TrustAnalysis => {
  const account = ownAccount ?? '000000000000';
  const into: Collected = { findings: [], trusted: [] };
  const allows = document.statements.filter(
    (statement) => statement.effect === 'Allow' && assumes(statement),
  );
  describeEveryone(document, account, allows, into);
  for (const statement of allows) {
    for (const [type, entries] of Object.entries(statement.principals ?? {})) {
      for (const value of entries) {
        if (type === '*' || (type === 'AWS' && value === '*')) continue;
        if (type === 'AWS') describeAws(value, document, account, ownAccount, into);
        else if (type === 'Federated') describeFederated(value, statement, document, account, into);
        else if (type === 'Service') record(into, { class: 'service', service: value });
        else record(into, { class: 'other', type, principal: value });
      }
    }
  }
  const { findings, trusted: trustedPrincipals } = into;
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
