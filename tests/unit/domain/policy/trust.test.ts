import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { parsePolicyDocument } from '../../../../shared/domain/policy/document.js';
import { analyzeTrustPolicy } from '../../../../shared/domain/policy/trust.js';
import { wordExposure, wordTrustEntry } from '../../../../shared/format/trust-text.js';
import { FIXTURES_DIR, findRecord } from '../../../helpers/fixtures.js';
import { worded } from '../../../helpers/worded.js';

const trust = (input: unknown, account: string | undefined = '123456789012') => {
  const result = parsePolicyDocument(input);
  if (!result.ok) throw new Error(result.failure.detail);
  const analysis = analyzeTrustPolicy(result.document, account);
  const { exposure, ...rest } = analysis;
  return {
    ...rest,
    findings: analysis.findings.map(worded),
    trustedPrincipals: analysis.trustedPrincipals.map(wordTrustEntry),
    exposure: exposure && wordExposure(exposure),
  };
};
const fixture = (name: string): string => readFileSync(join(FIXTURES_DIR, 'policies', name), 'utf8');

describe('analyzeTrustPolicy: the exposure a headline names', () => {
  it('anyone', () => {
    expect(trust(fixture('trust-everyone.json')).exposure).toBe('can now be assumed by anyone');
  });

  it('another account, by its id', () => {
    expect(
      trust({
        Statement: {
          Effect: 'Allow',
          Principal: { AWS: 'arn:aws:iam::999988887777:root' },
          Action: 'sts:AssumeRole',
        },
      }).exposure,
    ).toBe('now trusts account 999988887777');
  });

  it('several other accounts, together', () => {
    expect(
      trust({
        Statement: {
          Effect: 'Allow',
          Principal: { AWS: ['999988887777', 'arn:aws:iam::111122223333:role/x', '444455556666'] },
          Action: 'sts:AssumeRole',
        },
      }).exposure,
    ).toBe('now trusts accounts 999988887777, 111122223333 and 1 more');
  });

  it('any GitHub Actions workflow', () => {
    expect(trust(fixture('trust-github-no-sub.json')).exposure).toBe(
      'can now be assumed by any GitHub Actions workflow',
    );
  });

  // https://docs.aws.amazon.com/cognito/latest/developerguide/role-trust-and-permissions.html
  it('the guests of a Cognito pool whose trust policy has aud but no amr condition', () => {
    const result = trust({
      Statement: {
        Effect: 'Allow',
        Principal: { Federated: 'cognito-identity.amazonaws.com' },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: { StringEquals: { 'cognito-identity.amazonaws.com:aud': 'us-east-1:pool' } },
      },
    });
    expect(result.exposure).toBe(
      'can now be assumed by Cognito guests if identity pool us-east-1:pool allows guest access',
    );
    expect(result.trustedPrincipals).toEqual([
      'Cognito identities of identity pool us-east-1:pool, guests included if the pool allows them (no amr authenticated condition)',
    ]);
  });

  it('none for a trust policy with nothing to look at', () => {
    expect(
      trust({
        Statement: { Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' },
      }).exposure,
    ).toBeUndefined();
  });
});

describe('analyzeTrustPolicy', () => {
  it('reads the real backdoored trust policy: EC2 plus another account without ExternalId', () => {
    const record = findRecord(
      (r) =>
        r.eventName === 'UpdateAssumeRolePolicy' &&
        String(r.requestParameters?.policyDocument).includes('193672423079'),
    );
    const result = trust(record.requestParameters?.policyDocument, record.recipientAccountId);
    expect(result.trustedPrincipals).toEqual([
      'service ec2.amazonaws.com',
      'arn:aws:iam::193672423079:root (another account, no conditions)',
    ]);
    expect(result.findings).toEqual([
      {
        severity: 'high',
        code: 'trust-other-account',
        text: 'the new trust policy lets arn:aws:iam::193672423079:root assume the role, with no ExternalId condition',
      },
    ]);
  });

  it('treats a bare account id of the own account as this account', () => {
    const record = findRecord(
      (r) =>
        r.eventName === 'CreateRole' && r.requestParameters?.roleName === 'stratus-red-team-leave-org-role',
    );
    const result = trust(record.requestParameters?.assumeRolePolicyDocument, record.recipientAccountId);
    expect(result.trustedPrincipals).toEqual(['arn:aws:iam::123837392027:root (this account)']);
    expect(result.findings.map((finding) => finding.severity)).toEqual(['info']);
  });

  it('says anyone (*) can assume the role', () => {
    expect(trust(fixture('trust-everyone.json')).findings).toEqual([
      { severity: 'critical', code: 'trust-everyone', text: 'role can now be assumed by anyone (*)' },
    ]);
    expect(
      trust({ Statement: { Effect: 'Allow', Principal: '*', Action: 'sts:AssumeRole' } }).findings[0]?.code,
    ).toBe('trust-everyone');
  });

  it('lowers a wildcard principal limited to an organization', () => {
    const result = trust({
      Statement: [
        {
          Effect: 'Allow',
          Principal: { AWS: '*' },
          Action: 'sts:AssumeRole',
          Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-abc' } },
        },
      ],
    });
    expect(result.findings[0]).toMatchObject({ severity: 'medium', code: 'trust-everyone-org-limited' });
  });

  it('accepts another account with an ExternalId at medium', () => {
    const result = trust({
      Statement: [
        {
          Effect: 'Allow',
          Principal: { AWS: '999988887777' },
          Action: 'sts:AssumeRole',
          Condition: { StringEquals: { 'sts:ExternalId': 'x' } },
        },
      ],
    });
    expect(result.findings).toEqual([
      {
        severity: 'medium',
        code: 'trust-other-account-external-id',
        text: 'the new trust policy lets arn:aws:iam::999988887777:root assume the role, with an ExternalId condition',
      },
    ]);
  });

  it('says any GitHub workflow can assume a role trusted without a sub condition', () => {
    expect(trust(fixture('trust-github-no-sub.json')).findings[0]).toMatchObject({
      severity: 'critical',
      code: 'trust-github-any-repository',
    });
  });

  it('accepts a GitHub trust pinned to one repository', () => {
    const result = trust({
      Statement: [
        {
          Effect: 'Allow',
          Principal: {
            Federated: 'arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com',
          },
          Action: 'sts:AssumeRoleWithWebIdentity',
          Condition: {
            StringLike: { 'token.actions.githubusercontent.com:sub': 'repo:acme/app:ref:refs/heads/main' },
          },
        },
      ],
    });
    expect(result.trustedPrincipals).toEqual([
      'GitHub Actions workflows of repo:acme/app:ref:refs/heads/main',
    ]);
    expect(result.findings[0]?.severity).toBe('info');
  });

  it('flags Allow with NotPrincipal', () => {
    const result = trust({
      Statement: [
        { Effect: 'Allow', NotPrincipal: { AWS: 'arn:aws:iam::1:root' }, Action: 'sts:AssumeRole' },
      ],
    });
    expect(result.findings[0]).toMatchObject({ severity: 'critical', code: 'trust-not-principal' });
  });

  it('names SAML providers', () => {
    const result = trust({
      Statement: [
        {
          Effect: 'Allow',
          Principal: { Federated: 'arn:aws:iam::123456789012:saml-provider/Okta' },
          Action: 'sts:AssumeRoleWithSAML',
        },
      ],
    });
    expect(result.trustedPrincipals).toEqual(['users signed in through SAML provider Okta']);
  });
});
