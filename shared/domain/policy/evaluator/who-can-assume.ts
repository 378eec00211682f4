// Who a role's trust policy lets in, asked with probe principals from the widest class to the narrowest.
import type { PolicyDocument } from '../document.js';
import { evaluate } from './evaluate.js';
import type { ContextInput, Decision, RequestPrincipal } from './types.js';

/**
 * Probe classes, widest first: a principal of another organization (or of none), any subject of a web identity
 * (OIDC) provider the policy trusts, any subject of a trusted SAML provider, a principal of another account the
 * policy names, an account of this organization, a principal of this account, an AWS service the policy names.
 */
export type AssumeProbe =
  | 'outsider'
  | 'outsider-without-organization'
  | 'any-oidc-subject'
  | 'any-saml-subject'
  | 'named-account'
  | 'organization-account'
  | 'this-account'
  | 'aws-service';

/** One probe's question and the evaluator's answer. */
export interface AssumeProbeResult {
  probe: AssumeProbe;
  action: string;
  principal: RequestPrincipal;
  decision: Decision;
}

/** The widest class allowed (with the conditions it depends on, in `decision`) and every probe asked. */
export interface WhoCanAssume {
  widest?: AssumeProbeResult;
  probes: AssumeProbeResult[];
}

/** What the caller knows about the role's home. */
export interface TrustSetting {
  ownAccount: string;
  orgId?: string;
}

const OUTSIDER_ACCOUNT = '999999999999';
const ORG_ACCOUNT = '888888888888';
const OUTSIDER_ORG = 'o-zzprobe0000';
// A subject no legitimate condition names: only conditions that admit every subject let it in.
const OUTSIDER_SUBJECT = 'repo:zz-probe-outsider/zz-probe:ref:refs/heads/main';
const GITHUB = 'token.actions.githubusercontent.com';

// Keys that exist only when a service calls on behalf of a resource: absent for a principal calling directly.
const NOT_A_SERVICE: ContextInput = {
  'aws:SourceAccount': null,
  'aws:SourceArn': null,
  'aws:SourceOrgID': null,
  'aws:SourceOrgPaths': null,
  'aws:PrincipalServiceName': null,
  'aws:PrincipalIsAWSService': 'false',
};

const awsProbe = (
  account: string,
  orgId: string | null | undefined,
  arn = `arn:aws:iam::${account}:role/zz-probe`,
): [RequestPrincipal, ContextInput] => {
  const context: Record<string, string | null> = {
    ...(NOT_A_SERVICE as Record<string, string | null>),
    'aws:PrincipalAccount': account,
    'aws:PrincipalArn': arn,
    'aws:PrincipalType': 'AssumedRole',
  };
  if (orgId !== undefined) {
    context['aws:PrincipalOrgID'] = orgId;
    if (orgId === null) context['aws:PrincipalOrgPaths'] = null;
  }
  return [{ type: 'AWS', account, arn }, context];
};

// The condition-key prefix of a web identity provider: its URL without the scheme.
const providerKey = (provider: string): string =>
  provider.replace(/^arn:[^:]*:iam::\d{12}:oidc-provider\//, '');

const federatedProbe = (provider: string): AssumeProbeResult['principal'] => ({
  type: 'Federated',
  id: provider,
});

const namedPrincipals = (document: PolicyDocument, type: string): string[] => [
  ...new Set(
    document.statements
      .filter((statement) => statement.effect === 'Allow')
      .flatMap((statement) => statement.principals?.[type] ?? []),
  ),
];

/**
 * Asks a role's trust policy who may assume the role, with one probe principal per class, and returns the widest
 * class that is allowed or allowed under conditions (listed in its decision). Conditions on keys a probe cannot
 * know (`sts:ExternalId`, `aws:SourceIp`, an OIDC `aud`) stay in the decision for the caller to weigh.
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-idp_oidc.html
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html
 */
export const whoCanAssume = (trustPolicy: PolicyDocument, setting: TrustSetting): WhoCanAssume => {
  const policies = [{ kind: 'resource' as const, document: trustPolicy, name: 'trust policy' }];
  const role = `arn:aws:iam::${setting.ownAccount}:role/zz-probe-target`;
  const probes: AssumeProbeResult[] = [];
  const ask = (probe: AssumeProbe, action: string, principal: RequestPrincipal, context: ContextInput) => {
    probes.push({
      probe,
      action,
      principal,
      decision: evaluate({ action, resource: role, principal, context }, policies),
    });
  };
  const outsider = awsProbe(OUTSIDER_ACCOUNT, OUTSIDER_ORG);
  ask('outsider', 'sts:AssumeRole', outsider[0], {
    ...outsider[1],
    'aws:PrincipalOrgPaths': `${OUTSIDER_ORG}/r-zzzz/ou-zzzz-zzzzzzzz/`,
  });
  ask('outsider-without-organization', 'sts:AssumeRole', ...awsProbe(OUTSIDER_ACCOUNT, null));
  const federatedContext: ContextInput = {
    ...NOT_A_SERVICE,
    'aws:PrincipalAccount': null,
    'aws:PrincipalOrgID': null,
  };
  for (const provider of namedPrincipals(trustPolicy, 'Federated')) {
    if (/:saml-provider\//.test(provider)) {
      ask('any-saml-subject', 'sts:AssumeRoleWithSAML', federatedProbe(provider), {
        ...federatedContext,
        'SAML:sub': OUTSIDER_SUBJECT,
      });
      continue;
    }
    const key = providerKey(provider);
    // Anyone can mint a GitHub Actions token for its own repository with the default audience.
    const audience = key === GITHUB ? { [`${key}:aud`]: 'sts.amazonaws.com' } : {};
    ask('any-oidc-subject', 'sts:AssumeRoleWithWebIdentity', federatedProbe(provider), {
      ...federatedContext,
      ...audience,
      [`${key}:sub`]: OUTSIDER_SUBJECT,
    });
  }
  // Named principals of other accounts, as themselves: whether they are in the organization is not known.
  for (const entry of namedPrincipals(trustPolicy, 'AWS')) {
    const account = /^\d{12}$/.test(entry) ? entry : /^arn:[^:]*:(?:iam|sts)::(\d{12}):/.exec(entry)?.[1];
    if (account === undefined || account === setting.ownAccount) continue;
    const arn = entry.startsWith('arn:') ? entry : `arn:aws:iam::${account}:root`;
    ask('named-account', 'sts:AssumeRole', ...awsProbe(account, undefined, arn));
  }
  ask('organization-account', 'sts:AssumeRole', ...awsProbe(ORG_ACCOUNT, setting.orgId));
  ask('this-account', 'sts:AssumeRole', ...awsProbe(setting.ownAccount, setting.orgId));
  // `Principal: "*"` admits services too: one made-up service stands for them all.
  const everyone = trustPolicy.statements.some(
    (statement) => statement.effect === 'Allow' && statement.principals?.['*'],
  );
  const services = [
    ...namedPrincipals(trustPolicy, 'Service'),
    ...(everyone ? ['zz-probe.amazonaws.com'] : []),
  ];
  for (const service of services) {
    // A service principal has no account, ARN or organization; aws:SourceAccount/SourceArn depend on the caller.
    ask(
      'aws-service',
      'sts:AssumeRole',
      { type: 'Service', id: service },
      {
        'aws:PrincipalIsAWSService': 'true',
        'aws:PrincipalServiceName': service,
        'aws:PrincipalAccount': null,
        'aws:PrincipalArn': null,
        'aws:PrincipalOrgID': null,
        'aws:PrincipalOrgPaths': null,
      },
    );
  }
  const widest = probes.find(
    (result) => result.decision.kind === 'allowed' || result.decision.kind === 'allowed-when',
  );
  return widest ? { widest, probes } : { probes };
};
