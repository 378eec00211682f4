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

/** Every value the Allow statements of a document give `key`, under any operator. */
const allowedValues = (document: PolicyDocument, key: string): string[] =>
  document.statements.flatMap((statement) =>
    statement.effect === 'Allow' ? conditionValues(statement, key) : [],
  );

/**
 * Values a `…Like` pattern admits that no value of the policy spells out: each wildcard filled in (`*` with
 * `filler`, `?` with `fill`), for every value with a wildcard outside a policy variable.
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_String
 */
const wildcardInstances = (values: readonly string[], filler: string, fill = '0'): string[] =>
  values
    .filter((value) => /[*?]/.test(value.replace(/\$\{[^}]*\}/g, '')))
    .map((value) =>
      value
        .replace(/\$\{[^}]*\}/g, filler)
        .replace(/\*/g, filler)
        .replace(/\?/g, fill),
    )
    .filter((value) => !values.includes(value));

/**
 * The GitHub Actions tokens anyone can mint, asked of the evaluator: `aud` is whatever audience the workflow asks
 * for (`sts.amazonaws.com` by default, any of the policy's own values otherwise), `sub` names a repository of the
 * caller's own: a made-up one, and each `sub` pattern whose owner part is all wildcards (`repo:*` + `/…`,
 * `*:environment:prod`) with its wildcards filled in. A single probe is dodged by a pattern that misses it
 * (`repo:*` + `/*:ref:refs/heads/prod`) or by an audience other than the default. Returns the first answer that
 * may allow, else the first answer.
 * @see https://docs.github.com/en/actions/security-for-github-actions/security-hardening-your-deployments/about-security-hardening-with-openid-connect
 */
const askGithub = (document: PolicyDocument, provider: string, account: string): Decision => {
  const audiences = allowedValues(document, `${GITHUB}:aud`);
  const auds = [...new Set(['sts.amazonaws.com', ...audiences, ...wildcardInstances(audiences, 'zz-probe')])];
  const openOwner = allowedValues(document, `${GITHUB}:sub`).filter((value) =>
    /^(repo:[*?]+(\/|:|$)|[*?])/.test(value),
  );
  const subs = [OUTSIDER_SUBJECT, ...wildcardInstances(openOwner, 'zz-probe-outsider')];
  let first: Decision | undefined;
  for (const sub of subs)
    for (const aud of auds) {
      const decision = askFederated(document, provider, account, {
        [`${GITHUB}:aud`]: aud,
        [`${GITHUB}:sub`]: sub,
      });
      if (mayBeAllowed(decision)) return decision;
      first ??= decision;
    }
  return first as Decision;
};

const describeGithub = (
  provider: string,
  statement: PolicyStatement,
  document: PolicyDocument,
  account: string,
  into: Collected,
): void => {
  // Anyone can mint a GitHub Actions token for a repository of its own, with any audience.
  const decision = askGithub(document, provider, account);
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
  // A wildcard in the owner part (`repo:acme*`, `repo:acme?/…`): anyone may register an owner that matches.
  const broad = subjects.filter((subject) => /^repo:[^/]*[*?]|^[*?]/.test(subject));
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

// Real identity pool ids are `region:uuid`; a uuid no policy names, written the way AWS writes them.
const OUTSIDER_POOL_UUID = '7a1f0c3e-5b2d-4e6f-9a8b-0c1d2e3f4a5b';
// Regions anyone can create an identity pool in, asked besides the regions the policy's own `aud` values name.
const PROBE_REGIONS = ['us-east-1', 'us-east-2', 'us-west-2', 'eu-west-1', 'eu-central-1', 'ap-southeast-2'];
const REGION = /^([a-z]{2}(?:-[a-z]+)+-\d+):/i;

/**
 * Identity pools the trust policy does not spell out, shaped like real ones (`region:uuid`): one in each region the
 * policy's `aud` values name and in several others, each `aud` pattern with its wildcards filled in, and no `aud`
 * at all (which an `IfExists`, `ForAllValues` or negated form lets through: rated up rather than trusting every
 * token to carry one). A single made-up id is dodged by a pattern that misses it but matches every real pool
 * (`eu-west-1:*`, `us-east-1:????????-????-????-????-????????????`).
 */
const outsiderPools = (document: PolicyDocument): (string | null)[] => {
  const values = allowedValues(document, `${COGNITO}:aud`);
  const regions = new Set(PROBE_REGIONS);
  for (const value of values) {
    const region = REGION.exec(value)?.[1];
    if (region) regions.add(region.toLowerCase());
  }
  const pools = [...regions].map((region) => `${region}:${OUTSIDER_POOL_UUID}`);
  return [...pools, ...wildcardInstances(values, OUTSIDER_POOL_UUID), null].filter(
    (pool) => pool === null || !values.includes(pool),
  );
};

/**
 * Whether an identity of a pool the trust policy does not name (anyone can create one, in any region, and sign in
 * to it) may assume the role: asked as a guest and as a signed-in identity of each outsider pool (`aud`, see
 * {@link outsiderPools}). An `aud` condition written with a wildcard (`StringLike` `*`) admits every pool, as a
 * missing one does.
 * @see https://docs.aws.amazon.com/cognito/latest/developerguide/role-trust-and-permissions.html
 * @see https://docs.aws.amazon.com/cognitoidentity/latest/APIReference/API_CreateIdentityPool.html
 */
const admitsAnyPool = (document: PolicyDocument, provider: string, account: string): boolean =>
  outsiderPools(document).some((pool) =>
    [['unauthenticated'], ['authenticated', 'zz-probe-provider.example.com']].some(
      (amr) =>
        askFederated(document, provider, account, {
          [`${COGNITO}:aud`]: pool,
          [`${COGNITO}:amr`]: amr,
          [`${COGNITO}:sub`]: OUTSIDER_IDENTITY,
        }).kind === 'allowed',
    ),
  );

/**
 * Whether an identity of a web identity or OIDC provider that the policy does not spell out may assume the role:
 * asked with a made-up `aud` and `sub`, and with each `aud`/`sub` pattern's wildcards filled in. Asked with `aud`
 * unknown alone, a wildcard `aud` (`StringLike` `*`) leaves the answer a maybe and the open door unreported.
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html#condition-keys-wif
 */
const admitsAnyIdentity = (
  document: PolicyDocument,
  provider: string,
  account: string,
  name: string,
): boolean => {
  const auds = [
    'zz-probe-outsider-audience',
    ...wildcardInstances(allowedValues(document, `${name}:aud`), 'zz-probe'),
  ];
  const subs = [OUTSIDER_SUBJECT, ...wildcardInstances(allowedValues(document, `${name}:sub`), 'zz-probe')];
  return auds.some((aud) =>
    subs.some(
      (sub) =>
        askFederated(document, provider, account, { [`${name}:aud`]: aud, [`${name}:sub`]: sub }).kind ===
        'allowed',
    ),
  );
};

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
  const unrestricted = anySubject.kind === 'allowed' || admitsAnyIdentity(document, provider, account, name);
  if (PUBLIC_WEB_IDENTITY.test(name)) {
    const principal: TrustedPrincipal = { class: 'web-identity', provider: name, audiences };
    record(
      into,
      principal,
      unrestricted ? assume('high', 'trust-web-identity-unrestricted', principal) : undefined,
    );
    return;
  }
  const principal: TrustedPrincipal = { class: 'oidc-provider', provider: name, audiences };
  record(into, principal, unrestricted ? assume('medium', 'trust-oidc-unrestricted', principal) : undefined);
};
