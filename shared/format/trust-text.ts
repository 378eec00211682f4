// parse → classify → enrich → [format] → publish: who a trust policy lets in, in words (for findings, the
// "may be assumed by" list and headlines).
import type { AssumeFinding, TrustEntry, TrustExposure } from '../domain/findings.js';

/** Who an assume finding names, what follows "assume the role", and how the granted form says it. */
export const assumeParts = (
  finding: AssumeFinding,
): { who: string; rest: string; form: 'assumed-by' | 'lets' | 'can-assume'; now: boolean } => {
  const { principal, conditions } = finding;
  const keys = conditions.join(', ');
  switch (principal.class) {
    case 'anyone':
      return { who: 'anyone (*)', rest: '', form: 'assumed-by', now: true };
    case 'outside-organization':
      return {
        who: `anyone outside organization ${principal.organizations.join(', ')}`,
        rest: '',
        form: 'assumed-by',
        now: true,
      };
    case 'any-aws-principal':
      return {
        who: `any AWS principal (*) that meets its ${keys} conditions`,
        rest: '',
        form: 'assumed-by',
        now: true,
      };
    case 'everyone-except':
      return {
        who: `everyone except ${principal.excluded.join(', ')} (Allow with NotPrincipal)`,
        rest: '',
        form: 'assumed-by',
        now: true,
      };
    case 'listed':
      return {
        who: principal.entries.map(wordTrustEntry).join('; '),
        rest: '',
        form: 'assumed-by',
        now: false,
      };
    case 'other-account':
      return {
        who: principal.arn,
        rest: principal.externalId
          ? ', with an ExternalId condition'
          : `, with no ExternalId condition${conditions.length > 0 ? ` (only ${keys} conditions)` : ''}`,
        form: 'lets',
        now: true,
      };
    case 'saml-provider':
      return {
        who: `users signed in through SAML provider ${principal.provider}`,
        rest: '',
        form: 'can-assume',
        now: true,
      };
    case 'github-actions':
      return principal.match === 'any'
        ? {
            who: 'any GitHub Actions workflow, in any repository of anyone,',
            rest: githubRest(principal, keys),
            form: 'can-assume',
            now: true,
          }
        : {
            who:
              principal.match === 'broad'
                ? `GitHub Actions workflows of any repository matching ${firstThree(principal.subjects)}`
                : `GitHub Actions workflows of ${firstThree(principal.subjects)}`,
            rest: '',
            form: 'can-assume',
            now: true,
          };
    case 'web-identity':
      if (principal.guestsIfPoolAllows)
        return {
          who: poolIdentities(principal),
          rest: `, guests (unauthenticated identities) included whenever the pool allows guest access: no ${principal.provider}:amr condition requires authenticated; to admit only signed-in users, add ForAnyValue:StringLike ${principal.provider}:amr = authenticated`,
          form: 'can-assume',
          now: true,
        };
      return {
        who: `anyone with a ${principal.provider} identity${principal.unauthenticated ? ', unauthenticated guests included' : ''}`,
        rest: principal.unauthenticated
          ? `: the trust policy admits ${principal.provider}:amr unauthenticated`
          : principal.audiences.length > 0
            ? `: its ${principal.provider}:aud condition (${firstThree(principal.audiences)}) admits every identity${principal.provider === 'cognito-identity.amazonaws.com' ? ' pool' : ''}`
            : `: the trust policy has no ${principal.provider}:aud condition`,
        form: 'can-assume',
        now: true,
      };
    case 'oidc-provider':
      return {
        who: `any identity of OIDC provider ${principal.provider}`,
        rest:
          principal.audiences.length > 0
            ? `: its ${principal.provider}:aud or :sub condition (${firstThree(principal.audiences)}) admits every identity`
            : `: no ${principal.provider}:aud or :sub condition`,
        form: 'can-assume',
        now: true,
      };
    default:
      return { who: wordTrustEntry(finding), rest: '', form: 'can-assume', now: true };
  }
};

/** Why any repository may: a negated `sub` shuts out only some, or no condition limits the repository. */
const githubRest = (
  { provider, excluded, subjects }: { provider: string; excluded?: string[]; subjects: string[] },
  keys: string,
): string => {
  if (excluded && excluded.length > 0)
    return `: its ${provider}:sub condition only shuts out ${excluded.join(', ')}`;
  if (keys) return ` that meets its ${keys} conditions`;
  return subjects.length > 0
    ? `: its ${provider}:sub condition (${subjects.join(', ')}) admits every repository`
    : `: the trust policy has no ${provider}:sub condition`;
};

/** `identity pool us-east-1:1234`, `identity pools a, b`, or `an identity pool` when none is named. */
const poolNames = (pools: readonly string[]): string => {
  const shown = [...new Set(pools)];
  if (shown.length === 0) return 'an identity pool';
  return `identity pool${shown.length > 1 ? 's' : ''} ${firstThree(shown)}`;
};

/** The identities of the Cognito pools a trust policy admits: `Cognito identities of identity pool us-east-1:1234`. */
const poolIdentities = ({ audiences }: { audiences: readonly string[] }): string =>
  `Cognito identities of ${poolNames(audiences)}`;

/** At most three distinct values, as a list: `a, b, c`. */
const firstThree = (values: readonly string[]): string => [...new Set(values)].slice(0, 3).join(', ');

/** One principal a trust policy lets in, for the "may be assumed by" list: `service ec2.amazonaws.com`. */
export const wordTrustEntry = ({ principal, conditions }: TrustEntry): string => {
  switch (principal.class) {
    case 'anyone':
      return 'anyone (*), no conditions';
    case 'outside-organization':
      return `anyone outside organization ${principal.organizations.join(', ')}`;
    case 'any-aws-principal':
      return `anyone (*) meeting ${firstThree(conditions)}`;
    case 'everyone-except':
      return `everyone except ${principal.excluded.join(', ')}`;
    case 'other-account': {
      const note = principal.ownAccountKnown ? 'another account' : 'an account other than the caller’s?';
      if (principal.externalId) return `${principal.arn} (${note}, with an ExternalId condition)`;
      return `${principal.arn} (${note}${conditions.length > 0 ? `, when ${firstThree(conditions)}` : ', no conditions'})`;
    }
    case 'this-account':
      return `${principal.arn} (this account)`;
    case 'unresolved':
      return `${principal.id} (not an ARN: a deleted principal's unique id?)`;
    case 'saml-provider':
      return `users signed in through SAML provider ${principal.provider}`;
    case 'github-actions':
      if (principal.match === 'any')
        return principal.excluded
          ? `any GitHub Actions workflow, in any repository except ${firstThree(principal.excluded)}`
          : principal.subjects.length > 0
            ? `any GitHub Actions workflow, in any repository (sub ${firstThree(principal.subjects)})`
            : 'any GitHub Actions workflow, in any repository (no sub condition)';
      return principal.match === 'broad'
        ? `GitHub Actions workflows matching ${principal.subjects.join(', ')}`
        : `GitHub Actions workflows of ${firstThree(principal.subjects)}`;
    case 'web-identity':
      if (principal.guestsIfPoolAllows)
        return `${poolIdentities(principal)}, guests included if the pool allows them (no amr authenticated condition)`;
      if (principal.unauthenticated)
        return `anyone with a ${principal.provider} identity, unauthenticated guests included`;
      return principal.audiences.length === 0
        ? `anyone with a ${principal.provider} identity (no aud condition)`
        : `${principal.provider} identities of ${firstThree(principal.audiences)}`;
    case 'oidc-provider':
      return principal.audiences.length === 0
        ? `any identity of OIDC provider ${principal.provider} (no aud or sub condition)`
        : `identities of OIDC provider ${principal.provider} (${firstThree(principal.audiences)})`;
    case 'service':
      return `service ${principal.service}`;
    case 'other':
      return `${principal.type} ${principal.principal}`;
    case 'listed':
      return principal.entries.map(wordTrustEntry).join('; ');
  }
};

/** `account 1`, `accounts 1 and 2`, `accounts 1, 2 and 3 more`. */
const accountsText = (accounts: readonly string[]): string => {
  if (accounts.length <= 1) return `account ${accounts[0] ?? '?'}`;
  const shown = accounts.slice(0, 2);
  return accounts.length > 2
    ? `accounts ${shown.join(', ')} and ${accounts.length - 2} more`
    : `accounts ${shown.join(' and ')}`;
};

/** What a trust policy exposes a role to, completing "Role deploy …": `can now be assumed by anyone`. */
export const wordExposure = ({ principal, conditions, accounts }: TrustExposure): string => {
  switch (principal.class) {
    case 'anyone':
      return 'can now be assumed by anyone';
    case 'outside-organization':
      return `can now be assumed by anyone outside organization ${principal.organizations.join(', ')}`;
    case 'any-aws-principal':
      return `can now be assumed by any AWS principal that meets its ${conditions.join(', ')} conditions`;
    case 'everyone-except':
      return 'can now be assumed by almost anyone (Allow with NotPrincipal)';
    case 'other-account':
      return `now trusts ${accountsText(accounts)}${principal.externalId ? ' (with an ExternalId condition)' : ''}`;
    case 'github-actions':
      return principal.match === 'any'
        ? 'can now be assumed by any GitHub Actions workflow'
        : `can now be assumed by GitHub Actions workflows matching ${firstThree(principal.subjects)}`;
    case 'web-identity':
      return principal.guestsIfPoolAllows
        ? `can now be assumed by Cognito guests if ${poolNames(principal.audiences)} allows guest access`
        : `can now be assumed by anyone with a ${principal.provider} identity`;
    case 'oidc-provider':
      return `can now be assumed by any identity of OIDC provider ${principal.provider}`;
    default:
      return `can now be assumed by ${assumeParts({ severity: 'info', code: '', kind: 'assume', principal, conditions }).who}`;
  }
};
