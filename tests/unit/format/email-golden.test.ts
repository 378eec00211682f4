// The e-mail of six representative events, compared byte for byte with reviewed samples (tests/fixtures/golden/).
// Reviewed for the first three lines a responder reads: the subject (severity, what, outcome, who, account), the
// headline, and the key to disable or the reason that makes it serious. A change to any of them shows up here.
import { readFileSync } from 'node:fs';
import { GOLDEN_SAMPLES, goldenPath, renderGolden } from '../../helpers/golden.js';

describe('e-mail golden samples', () => {
  it.each(GOLDEN_SAMPLES.map((sample) => [sample.name, sample] as const))(
    '%s matches its reviewed sample byte for byte',
    async (_name, sample) => {
      expect(await renderGolden(sample)).toBe(readFileSync(goldenPath(sample), 'utf8'));
    },
  );

  it('opens each sample with what a responder needs: severity, outcome and the key to disable', async () => {
    const firstLines = new Map<string, string[]>();
    for (const sample of GOLDEN_SAMPLES) {
      firstLines.set(sample.name, (await renderGolden(sample)).split('\n').slice(0, 4));
    }
    expect(firstLines.get('access-key-other-user')?.[3]).toBe(
      'Key   access key AKIAXAFZN8JEPF6L682H of IAM user malicious-iam-user created, status Active',
    );
    expect(firstLines.get('scp-denied-instance-credentials')?.[0]).toMatch(
      /^Subject: \[CRITICAL\] SCP denied iam:CreateUser from 198\.51\.100\.23 .* \(123837392027\)$/,
    );
    expect(firstLines.get('console-sign-in-without-mfa')?.[2]).toBe(
      'HIGH  IAM user Mary_Major signed in to the console without MFA',
    );
    expect(firstLines.get('trust-opened')?.[2]).toBe(
      'HIGH  Role stratus-red-team-backdoor-r-role now trusts account 193672423079',
    );
    expect(firstLines.get('trust-cognito-guests')?.[2]).toBe(
      'HIGH  Role mobile-app-signed-in can now be assumed by Cognito guests if identity pool us-east-1:12345678-corner-cafe-123456790ab allows guest access',
    );
    expect(firstLines.get('admin-attach')?.[0]).toBe(
      'Subject: [HIGH] AdministratorAccess attached to IAM user malicious-iam-user by christophe (229654561268)',
    );
  });
});
