// Who a role's trust policy lets in: everyone, other accounts, federated identities, services. Each verdict is a
// question to the evaluator (`whoCanAssume` and probe principals: an outsider of another organization, any
// subject of a web identity provider, each named account, this organization); statements are read only to name
// who is listed.
import type { AssumeFinding, TrustEntry, TrustExposure, TrustedPrincipal } from '../findings.js';
import type { Severity } from '../types.js';
import { severityRank } from '../types.js';
import { actionMatches } from './actions.js';
import type { PolicyDocument, PolicyStatement } from './document.js';
import {
  type AssumeProbeResult,
  type ConditionTest,
  conditionsOf,
  type Decision,
  evaluate,
  mayBeAllowed,
  whoCanAssume,
} from './evaluator/index.js';

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

const entry = (principal: TrustedPrincipal, conditions: string[] = []): TrustEntry => ({
  principal,
  conditions,
});

const ASSUME_ACTIONS = ['sts:AssumeRole', 'sts:AssumeRoleWithSAML', 'sts:AssumeRoleWithWebIdentity'];

const conditionKeys = (statement: PolicyStatement): string[] =>
  Object.values(statement.conditions).flatMap((block) => Object.keys(block));

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

const GITHUB = 'token.actions.githubusercontent.com';
const PUBLIC_WEB_IDENTITY = /^(accounts\.google\.com|graph\.facebook\.com|www\.amazon\.com)$/;
const COGNITO = 'cognito-identity.amazonaws.com';
// A subject no legitimate condition names: only conditions that admit every subject let it in.
const OUTSIDER_SUBJECT = 'repo:zz-probe-outsider/zz-probe:ref:refs/heads/main';

const providerName = (provider: string): string =>
  provider.replace(/^arn:aws[a-z-]*:iam::\d{12}:(?:oidc|saml)-provider\//, '');

// Keys that say who the caller is: its organization, account, own attributes, network, MFA, ExternalId, and the
// claims of a federated identity.
const WHO_KEY =
  /^(aws:principal|aws:source|aws:vpcsourceip|aws:multifactor|aws:userid$|aws:username$|sts:externalid$|saml:|[a-z0-9.-]+\.[a-z]+(\/[^:]*)?:(aud|sub|amr|repository|repository_owner|job_workflow_ref|environment)$)/i;

/**
 * Whether a condition limits *who* may assume the role: such a condition may lower a rating one step. A negated
 * operator or an `IfExists` form limits nothing for a principal that lacks the key.
 */
const limitsWho = (test: ConditionTest): boolean =>
  !/not|ifexists/i.test(test.operator) && WHO_KEY.test(test.key);

const keysOf = (tests: ConditionTest[]): string[] =>
  keysShown(tests.filter((test) => test.operator !== 'Principal').map((test) => test.key));

const assumes = (statement: PolicyStatement): boolean =>
  statement.actions
    ? statement.actions.some((pattern) => ASSUME_ACTIONS.some((action) => actionMatches(pattern, action)))
    : statement.notActions !== undefined;

/** Values an Allow's negated operator on `key` shuts out (`StringNotEquals aws:PrincipalOrgID o-1` → `o-1`). */
const negatedValues = (document: PolicyDocument, key: string): string[] => [
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

const probesOf = (result: { probes: AssumeProbeResult[] }, probe: AssumeProbeResult['probe']) =>
  result.probes.filter((entry) => entry.probe === probe);

/** A web identity principal asked as one subject of its provider, with the claims in `context`. */
const askFederated = (
  document: PolicyDocument,
  provider: string,
  account: string,
  context: Record<string, string | string[] | null>,
): Decision =>
  evaluate(
    {
      action: 'sts:AssumeRoleWithWebIdentity',
      resource: `arn:aws:iam::${account}:role/zz-probe-target`,
      principal: { type: 'Federated', id: provider },
      context: {
        'aws:PrincipalAccount': null,
        'aws:PrincipalOrgID': null,
        'aws:PrincipalIsAWSService': 'false',
        ...context,
      },
    },
    [{ kind: 'resource', document, name: 'trust policy' }],
  );

/** Findings and "may be assumed by" entries, without repeats. */
interface Collected {
  findings: AssumeFinding[];
  trusted: TrustEntry[];
}

const record = (into: Collected, principal: TrustedPrincipal, finding?: AssumeFinding): void => {
  into.trusted.push(entry(principal, finding?.conditions ?? []));
  if (finding && !into.findings.some((other) => JSON.stringify(other) === JSON.stringify(finding)))
    into.findings.push(finding);
};

const describeGithub = (
  provider: string,
  statement: PolicyStatement,
  document: PolicyDocument,
  account: string,
  into: Collected,
): void => {
  // Anyone can mint a GitHub Actions token for a repository of its own with the default audience.
  const decision = askFederated(document, provider, account, {
    [`${GITHUB}:aud`]: 'sts.amazonaws.com',
    [`${GITHUB}:sub`]: OUTSIDER_SUBJECT,
  });
  const subjects = conditionValues(statement, `${GITHUB}:sub`);
  if (mayBeAllowed(decision)) {
    const tests = conditionsOf(decision);
    const excluded = negatedValues(document, `${GITHUB}:sub`);
    const principal: TrustedPrincipal = {
      class: 'github-actions',
      provider: GITHUB,
      match: 'any',
      subjects: keysShown(subjects.filter((subject) => !excluded.includes(subject))),
    };
    if (excluded.length > 0) principal.excluded = keysShown(excluded);
    const lowered = tests.length > 0 && tests.every(limitsWho);
    record(
      into,
      principal,
      assume(lowered ? 'high' : 'critical', 'trust-github-any-repository', principal, keysOf(tests)),
    );
    return;
  }
  const broad = subjects.filter((subject) => /^repo:[^/]*\*|^\*/.test(subject));
  if (broad.length > 0) {
    const principal: TrustedPrincipal = {
      class: 'github-actions',
      provider: GITHUB,
      match: 'broad',
      subjects: keysShown(broad),
    };
    record(into, principal, assume('high', 'trust-github-broad-subject', principal));
    return;
  }
  record(into, { class: 'github-actions', provider: GITHUB, match: 'scoped', subjects });
};

const describeFederated = (
  provider: string,
  statement: PolicyStatement,
  document: PolicyDocument,
  account: string,
  into: Collected,
): void => {
  const name = providerName(provider);
  if (/:saml-provider\//.test(provider)) {
    const principal: TrustedPrincipal = { class: 'saml-provider', provider: name };
    record(into, principal, assume('low', 'trust-saml', principal));
    return;
  }
  if (name === GITHUB || name.startsWith(`${GITHUB}/`)) {
    describeGithub(provider, statement, document, account, into);
    return;
  }
  const audiences = conditionValues(statement, `${name}:aud`).concat(
    conditionValues(statement, `${name}:sub`),
  );
  const anySubject = askFederated(document, provider, account, { [`${name}:sub`]: OUTSIDER_SUBJECT });
  if (name === COGNITO) {
    // Cognito gives unauthenticated (guest) identities to anyone when the pool allows them: a policy that admits
    // them, or admits any pool (no aud), is open to anyone.
    const guest = askFederated(document, provider, account, { [`${name}:amr`]: ['unauthenticated'] });
    const noAmr = askFederated(document, provider, account, { [`${name}:amr`]: null });
    const guests = mayBeAllowed(guest) && !mayBeAllowed(noAmr);
    const principal: TrustedPrincipal = { class: 'web-identity', provider: name, audiences };
    if (anySubject.kind === 'allowed' || guests) {
      if (guests) principal.unauthenticated = true;
      record(into, principal, assume('critical', 'trust-cognito-any-identity', principal));
    } else record(into, principal);
    return;
  }
  if (PUBLIC_WEB_IDENTITY.test(name)) {
    const principal: TrustedPrincipal = { class: 'web-identity', provider: name, audiences };
    record(
      into,
      principal,
      anySubject.kind === 'allowed'
        ? assume('high', 'trust-web-identity-unrestricted', principal)
        : undefined,
    );
    return;
  }
  const principal: TrustedPrincipal = { class: 'oidc-provider', provider: name, audiences };
  record(
    into,
    principal,
    anySubject.kind === 'allowed' ? assume('medium', 'trust-oidc-unrestricted', principal) : undefined,
  );
};

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
  if (!inside) return;
  const keys = keysShown(document.statements.filter(assumes).flatMap(conditionKeys));
  const principal: TrustedPrincipal = { class: 'any-aws-principal' };
  record(into, principal, assume('medium', 'trust-everyone-org-limited', principal, keys));
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
 * limit on who (unsure: the rating stays up).
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-idp_oidc.html
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html
 */
export const analyzeTrustPolicy = (
  document: PolicyDocument,
  ownAccount: string | undefined,
): TrustAnalysis => {
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
