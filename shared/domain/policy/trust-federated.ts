// Web identity and SAML principals of a trust policy, each asked of the evaluator as any subject of its provider:
// GitHub Actions (anyone can mint a token for a repository of its own), Cognito (guests too), public web identity
// and other OIDC providers, SAML.
import type { TrustedPrincipal } from '../findings.js';
import type { PolicyDocument, PolicyStatement } from './document.js';
import { conditionsOf, type Decision, evaluate, mayBeAllowed } from './evaluator/index.js';
import {
  assume,
  type Collected,
  conditionValues,
  keysOf,
  keysShown,
  limitsWho,
  negatedValues,
  record,
} from './trust-parts.js';

const GITHUB = 'token.actions.githubusercontent.com';
const PUBLIC_WEB_IDENTITY = /^(accounts\.google\.com|graph\.facebook\.com|www\.amazon\.com)$/;
const COGNITO = 'cognito-identity.amazonaws.com';
// A subject no legitimate condition names: only conditions that admit every subject let it in.
const OUTSIDER_SUBJECT = 'repo:zz-probe-outsider/zz-probe:ref:refs/heads/main';

const providerName = (provider: string): string =>
  provider.replace(/^arn:aws[a-z-]*:iam::\d{12}:(?:oidc|saml)-provider\//, '');

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

// A Cognito identity id no condition names (identity ids are `region:uuid`).
const OUTSIDER_IDENTITY = 'us-east-1:00000000-0000-0000-0000-zz0probe0out';

/**
 * Whether a guest (unauthenticated) identity of a pool the trust policy admits may assume the role: asked as any
 * identity whose `amr` claim is `unauthenticated`, the pool (`aud`) left unknown. Cognito's tokens carry
 * `amr` `unauthenticated` for guests and `authenticated` (with the providers used) for signed-in users; a trust
 * policy that does not require `authenticated` admits the pool's guests whenever the pool allows guest access
 * (`AllowUnauthenticatedIdentities`), which the trust policy cannot tell: with the basic (classic) flow a guest
 * calls `AssumeRoleWithWebIdentity` with its own `GetOpenIdToken` token on any role that trusts the pool.
 * @see https://docs.aws.amazon.com/cognito/latest/developerguide/role-trust-and-permissions.html
 * @see https://docs.aws.amazon.com/cognito/latest/developerguide/authentication-flow.html
 * @see https://docs.aws.amazon.com/cognitoidentity/latest/APIReference/API_CreateIdentityPool.html
 */
const admitsPoolGuests = (document: PolicyDocument, provider: string, account: string): boolean =>
  mayBeAllowed(
    askFederated(document, provider, account, {
      [`${COGNITO}:amr`]: ['unauthenticated'],
      [`${COGNITO}:sub`]: OUTSIDER_IDENTITY,
    }),
  );

// An identity pool no condition names: only an `aud` condition that admits every pool lets its identities in.
const OUTSIDER_POOL = 'us-east-1:00000000-0000-0000-0000-zz0probe0pool';

/**
 * Whether an identity of a pool the trust policy does not name (anyone can create one, and sign in to it) may
 * assume the role: asked as a guest and as a signed-in identity of an outsider pool (`aud`). An `aud` condition
 * written with a wildcard (`StringLike` `*`) admits every pool, as a missing one does.
 * @see https://docs.aws.amazon.com/cognito/latest/developerguide/role-trust-and-permissions.html
 */
const admitsAnyPool = (document: PolicyDocument, provider: string, account: string): boolean =>
  [['unauthenticated'], ['authenticated', 'zz-probe-provider.example.com']].some(
    (amr) =>
      askFederated(document, provider, account, {
        [`${COGNITO}:aud`]: OUTSIDER_POOL,
        [`${COGNITO}:amr`]: amr,
        [`${COGNITO}:sub`]: OUTSIDER_IDENTITY,
      }).kind === 'allowed',
  );

/**
 * A `Federated` principal of an Allow statement: asked as any subject of its provider, with the finding its answer
 * raises (any GitHub repository, any Cognito identity: critical; a pool's guests whenever the pool allows them: high).
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-idp_oidc.html
 * @see https://docs.github.com/en/actions/security-for-github-actions/security-hardening-your-deployments/configuring-openid-connect-in-amazon-web-services
 * @see https://docs.aws.amazon.com/cognito/latest/developerguide/role-trust-and-permissions.html
 */
export const describeFederated = (
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
    if (anySubject.kind === 'allowed' || guests || admitsAnyPool(document, provider, account)) {
      if (guests) principal.unauthenticated = true;
      record(into, principal, assume('critical', 'trust-cognito-any-identity', principal));
    } else if (admitsPoolGuests(document, provider, account)) {
      // The pools only (not the `sub` values): the words name the pools whose guests get in.
      principal.audiences = conditionValues(statement, `${name}:aud`);
      principal.guestsIfPoolAllows = true;
      record(into, principal, assume('high', 'trust-cognito-guests-unless-amr', principal));
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
