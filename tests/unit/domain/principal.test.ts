import { actingRole, actingUser, describePrincipal } from '../../../shared/domain/principal.js';
import type { CloudTrailRecord } from '../../../shared/domain/types.js';
import { findRecord, loadCorpus } from '../../helpers/fixtures.js';
import { ALICE, cloudTrailRecord, FEDERATED_BOB } from '../../helpers/records.js';

const VIA = ['console', 'cli', 'sdk', 'terraform', 'cloudformation', 'aws-service', 'unknown'];

/** A hand-written record in CloudTrail's format, for cases the corpus lacks. */
const record = (overrides: Partial<CloudTrailRecord>): CloudTrailRecord =>
  cloudTrailRecord({
    requestParameters: { userName: 'bob' },
    userIdentity: { ...ALICE, accessKeyId: undefined },
    ...overrides,
  });

describe('describePrincipal on corpus records', () => {
  it('describes an IAM user calling with the AWS CLI', () => {
    const corpus = findRecord((r) => r.eventName === 'CreateUser' && r.userIdentity.userName === 'Alice');

    const principal = describePrincipal(corpus);

    expect(principal).toEqual({
      type: 'IAMUser',
      name: 'Alice',
      arn: 'arn:aws:iam::123456789012:user/Alice',
      accountId: '123456789012',
      via: 'cli',
      viaLabel: 'AWS CLI 1.3.2',
      isRoot: false,
      sourceIp: '127.0.0.1',
      userAgent: 'aws-cli/1.3.2 Python/2.7.5 Windows/7',
    });
  });

  it('describes an assumed-role session: issuer role, session name, source identity, MFA false', () => {
    const corpus = findRecord(
      (r) =>
        r.eventName === 'AssumeRole' &&
        r.userIdentity.arn === 'arn:aws:sts::111111111111:assumed-role/JohnDoe/JohnRole1',
    );

    const principal = describePrincipal(corpus);

    expect(principal).toMatchObject({
      type: 'AssumedRole',
      name: 'JohnDoe/JohnRole1',
      issuerArn: 'arn:aws:iam::111111111111:role/JohnRole1',
      issuerName: 'JohnDoe',
      sessionName: 'JohnRole1',
      sourceIdentity: 'JohnDoe',
      mfa: false,
      via: 'cli',
    });
  });

  it('recognises EC2 instance credentials: ec2RoleDelivery and the instance id as session name', () => {
    const corpus = findRecord(
      (r) =>
        r.eventName === 'UpdateInstanceInformation' &&
        r.userIdentity.sessionContext?.ec2RoleDelivery === '2.0',
    );

    const principal = describePrincipal(corpus);

    expect(principal.ec2Instance).toEqual({ roleDelivery: '2.0', instanceId: 'i-0dbc91f429e48eeed' });
    expect(principal.issuerName).toBe('stratus-red-team-ec2-steal-credentials-role');
    expect(principal.via).toBe('sdk');
    expect(principal.viaLabel).toBe('AWS SDK for Go 1.41.4 (amazon-ssm-agent)');
  });

  it('accepts the mixed-case instance ids of anonymised records', () => {
    const corpus = findRecord((r) => r.userIdentity.arn?.endsWith('/i-786a3A8B5C0d92eF4') === true);

    expect(describePrincipal(corpus).ec2Instance).toEqual({
      roleDelivery: '1.0',
      instanceId: 'i-786a3A8B5C0d92eF4',
    });
  });

  it('describes the root user and reads MFA of a console sign-in from MFAUsed', () => {
    const withoutMfa = findRecord(
      (r) =>
        r.eventName === 'ConsoleLogin' &&
        r.userIdentity.type === 'Root' &&
        r.additionalEventData?.MFAUsed === 'No',
    );
    const withMfa = findRecord(
      (r) =>
        r.eventName === 'ConsoleLogin' &&
        r.userIdentity.type === 'Root' &&
        r.additionalEventData?.MFAUsed === 'YES',
    );

    expect(describePrincipal(withoutMfa)).toMatchObject({
      type: 'Root',
      name: 'root',
      isRoot: true,
      mfa: false,
      via: 'console',
    });
    expect(describePrincipal(withMfa).mfa).toBe(true);
  });

  it('reads the mfaAuthenticated string of a session', () => {
    const corpus = findRecord((r) => r.userIdentity.sessionContext?.attributes?.mfaAuthenticated === 'true');

    expect(describePrincipal(corpus).mfa).toBe(true);
  });

  it.each([
    [
      'AWS Internal',
      (r: CloudTrailRecord) => r.userAgent === 'AWS Internal' && r.userIdentity.type === 'IAMUser',
    ],
    ['an S3 console back end', (r: CloudTrailRecord) => r.userAgent?.startsWith('[S3Console/') === true],
    ['an RDS console back end', (r: CloudTrailRecord) => r.userAgent?.startsWith('RDS Console') === true],
    ['console.ec2.amazonaws.com', (r: CloudTrailRecord) => r.userAgent === 'console.ec2.amazonaws.com'],
    ['signin.amazonaws.com', (r: CloudTrailRecord) => r.userAgent === 'signin.amazonaws.com'],
    ['a browser', (r: CloudTrailRecord) => r.userAgent?.startsWith('Mozilla/') === true],
  ])('classifies %s as the console', (_label, predicate) => {
    const principal = describePrincipal(findRecord(predicate));

    expect([principal.via, principal.viaLabel]).toEqual(['console', 'AWS console']);
  });

  it('labels Terraform with its version and provider version', () => {
    const corpus = findRecord((r) => r.userAgent?.includes('terraform-provider-aws/3.76.1') === true);

    expect(describePrincipal(corpus)).toMatchObject({
      via: 'terraform',
      viaLabel: 'Terraform 1.1.2 (AWS provider 3.76.1)',
    });
  });

  it('labels Boto3 and the AWS SDK for Go v2', () => {
    const boto3 = findRecord((r) => r.userAgent?.startsWith('Boto3/1.26.165') === true);
    const goV2 = findRecord((r) => r.userAgent?.startsWith('aws-sdk-go-v2/1.17.0') === true);

    expect(describePrincipal(boto3)).toMatchObject({ via: 'sdk', viaLabel: 'Boto3 1.26.165' });
    expect(describePrincipal(goV2)).toMatchObject({ via: 'sdk', viaLabel: 'AWS SDK for Go v2 1.17.0' });
  });

  it('describes an AWS service principal', () => {
    const corpus = findRecord((r) => r.userIdentity.type === 'AWSService');

    expect(describePrincipal(corpus)).toMatchObject({
      type: 'AWSService',
      name: 'inspector2.amazonaws.com',
      invokedBy: 'inspector2.amazonaws.com',
      via: 'aws-service',
    });
  });

  it('describes a service event that has no identity type', () => {
    const corpus = findRecord((r) => r.eventName === 'RotateKey');

    expect(describePrincipal(corpus)).toMatchObject({
      type: 'AWSService',
      name: 'AWS Internal',
      via: 'aws-service',
      isRoot: false,
    });
  });

  it('describes a federated user and the IAM user behind it, never as a bare name', () => {
    const corpus = findRecord((r) => r.userIdentity.type === 'FederatedUser');

    // A bare `stratus_red_team` would read as the IAM user of that name (subject: "… by bob").
    expect(describePrincipal(corpus)).toMatchObject({
      type: 'FederatedUser',
      name: 'federated user stratus_red_team',
      sessionName: 'stratus_red_team',
      issuerName: 'stratus-red-team-user-federation-user',
      issuerType: 'IAMUser',
      issuerArn: 'arn:aws:iam::742491224508:user/stratus-red-team-user-federation-user',
    });
  });

  it('recognises an IAM Identity Center session: the person, the permission set, MFA unknown', () => {
    // Anonymised corpus record: its ARN lost the role name, the principalId and sessionIssuer kept it.
    const corpus = findRecord(
      (r) => r.userIdentity.sessionContext?.sessionIssuer?.userName?.startsWith('AWSReservedSSO_') === true,
    );

    const principal = describePrincipal(corpus);

    expect(principal).toMatchObject({ type: 'AssumedRole', permissionSet: 'account-admin' });
    // mfaAuthenticated is "false" in every Identity Center session: MFA happens in Identity Center.
    expect(corpus.userIdentity.sessionContext?.attributes?.mfaAuthenticated).toBe('false');
    expect(principal.mfa).toBeUndefined();
  });

  it('describes another account as the caller', () => {
    const corpus = findRecord((r) => r.userIdentity.type === 'AWSAccount');

    expect(describePrincipal(corpus)).toMatchObject({ type: 'AWSAccount', name: 'account 777788889999' });
  });

  it('keeps the VPC endpoint', () => {
    const corpus = findRecord((r) => r.vpcEndpointId === 'vpce-f40dc59d');

    expect(describePrincipal(corpus).vpcEndpointId).toBe('vpce-f40dc59d');
  });

  it('describes every corpus record without throwing', () => {
    for (const { file, line, record: corpus } of loadCorpus()) {
      const principal = describePrincipal(corpus);
      expect([file, line, VIA.includes(principal.via)]).toEqual([file, line, true]);
      expect([file, line, principal.name.length > 0 && principal.viaLabel.length > 0]).toEqual([
        file,
        line,
        true,
      ]);
    }
  });
});

describe('describePrincipal on hand-written records', () => {
  it('describes an IAM Identity Center user', () => {
    // The shape of the CloudTrail user guide's IdentityCenterUser example.
    const principal = describePrincipal(
      record({
        userIdentity: {
          type: 'IdentityCenterUser',
          accountId: '123456789012',
          onBehalfOf: {
            userId: '544894e8-80c1-707f-60e3-3ba6510dfac1',
            identityStoreArn: 'arn:aws:identitystore::123456789012:identitystore/d-9067642ac7',
          },
          credentialId: 'EXAMPLEVHULjJdTUdPJfofVa1sufHDoj7aYcOYcxFVllWR_Whr1fEXAMPLE',
        },
      }),
    );

    expect(principal).toMatchObject({
      type: 'IdentityCenterUser',
      name: 'Identity Center user 544894e8-80c1-707f-60e3-3ba6510dfac1',
      identityCenterUserId: '544894e8-80c1-707f-60e3-3ba6510dfac1',
      identityStoreArn: 'arn:aws:identitystore::123456789012:identitystore/d-9067642ac7',
      isRoot: false,
    });
  });

  it('labels Terraform 1.9 with provider 5 and the Go SDK v2 agent', () => {
    const principal = describePrincipal(
      record({
        userAgent:
          'APN/1.0 HashiCorp/1.0 Terraform/1.9.5 (+https://www.terraform.io) terraform-provider-aws/5.70.0 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.32.2 ua/2.1 os/linux lang/go#1.23.2 md/GOOS#linux md/GOARCH#amd64 api/iam#1.37.2',
      }),
    );

    expect([principal.via, principal.viaLabel]).toEqual([
      'terraform',
      'Terraform 1.9.5 (AWS provider 5.70.0)',
    ]);
  });

  it('labels the AWS CLI v2 and the AWS SDK for JavaScript v3', () => {
    expect(describePrincipal(record({})).viaLabel).toBe('AWS CLI 2.17.0');
    expect(
      describePrincipal(
        record({
          userAgent: 'aws-sdk-js/3.654.0 ua/2.1 os/linux#5.10 lang/js md/nodejs#20.17.0 api/iam#3.654.0',
        }),
      ),
    ).toMatchObject({ via: 'sdk', viaLabel: 'AWS SDK for JavaScript 3.654.0' });
  });

  it('recognises CloudFormation from invokedBy', () => {
    const principal = describePrincipal(
      record({
        userAgent: 'cloudformation.amazonaws.com',
        sourceIPAddress: 'cloudformation.amazonaws.com',
        userIdentity: {
          type: 'AssumedRole',
          arn: 'arn:aws:sts::123456789012:assumed-role/cfn-exec/AWSCloudFormation',
          accountId: '123456789012',
          invokedBy: 'cloudformation.amazonaws.com',
          sessionContext: {
            sessionIssuer: {
              type: 'Role',
              arn: 'arn:aws:iam::123456789012:role/cfn-exec',
              userName: 'cfn-exec',
            },
            attributes: { mfaAuthenticated: 'false', creationDate: '2026-11-01T09:59:00Z' },
          },
        },
      }),
    );

    expect(principal).toMatchObject({
      via: 'cloudformation',
      viaLabel: 'CloudFormation',
      name: 'cfn-exec/AWSCloudFormation',
    });
  });

  it('marks a centrally opened root session (sts:AssumeRoot)', () => {
    const principal = describePrincipal(
      record({
        userIdentity: {
          type: 'Root',
          principalId: '123456789012',
          arn: 'arn:aws:iam::123456789012:root',
          accountId: '123456789012',
          accessKeyId: 'ASIAEXAMPLE',
          sessionContext: {
            attributes: { creationDate: '2026-11-01T09:59:00Z', mfaAuthenticated: 'false' },
            assumedRoot: 'true',
          },
        },
      }),
    );

    expect(principal).toMatchObject({ type: 'Root', isRoot: true, assumedRoot: true });
    // The session was opened from the management account, whose sign-in (and MFA) this event does not show.
    expect(principal.mfa).toBeUndefined();
  });

  it('names an Identity Center session by the person and its permission set', () => {
    const principal = describePrincipal(
      record({
        userIdentity: {
          type: 'AssumedRole',
          principalId: 'AROAEXAMPLE:jane@example.com',
          arn: 'arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_AdministratorAccess_0123456789abcdef/jane@example.com',
          accountId: '123456789012',
          sessionContext: {
            sessionIssuer: {
              type: 'Role',
              arn: 'arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_AdministratorAccess_0123456789abcdef',
              userName: 'AWSReservedSSO_AdministratorAccess_0123456789abcdef',
            },
            attributes: { mfaAuthenticated: 'false', creationDate: '2026-11-01T09:00:00Z' },
          },
        },
      }),
    );

    expect(principal).toMatchObject({
      name: 'Identity Center user jane@example.com',
      sessionName: 'jane@example.com',
      permissionSet: 'AdministratorAccess',
      issuerType: 'Role',
    });
    expect(principal.mfa).toBeUndefined();
  });

  it('keeps underscores of a permission set name', () => {
    const principal = describePrincipal(
      record({
        userIdentity: {
          type: 'AssumedRole',
          arn: 'arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_Read_Only_Ops_a1b2c3d4e5f60718/joe',
          accountId: '123456789012',
          sessionContext: {
            sessionIssuer: { type: 'Role', userName: 'AWSReservedSSO_Read_Only_Ops_a1b2c3d4e5f60718' },
          },
        },
      }),
    );

    expect(principal.permissionSet).toBe('Read_Only_Ops');
  });

  it('does not claim "no MFA" for web identity sessions and federated console sign-ins', () => {
    const webIdentity = describePrincipal(
      record({
        userIdentity: {
          type: 'AssumedRole',
          arn: 'arn:aws:sts::123456789012:assumed-role/gha-deploy/GitHubActions',
          accountId: '123456789012',
          sessionContext: {
            sessionIssuer: { type: 'Role', userName: 'gha-deploy' },
            webIdFederationData: {
              federatedProvider:
                'arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com',
            },
            attributes: { mfaAuthenticated: 'false' },
          },
        },
      }),
    );
    // A SAML console sign-in: MFAUsed is "No" even when the identity provider required MFA.
    const samlSignIn = describePrincipal(
      record({
        eventSource: 'signin.amazonaws.com',
        eventName: 'ConsoleLogin',
        additionalEventData: {
          MFAUsed: 'No',
          SamlProviderArn: 'arn:aws:iam::123456789012:saml-provider/Okta',
        },
        userIdentity: {
          type: 'AssumedRole',
          arn: 'arn:aws:sts::123456789012:assumed-role/ReadOnly/jane@example.com',
          accountId: '123456789012',
        },
      }),
    );
    // A role session with no identity provider behind it keeps CloudTrail's answer.
    const plainSession = describePrincipal(
      record({
        userIdentity: {
          type: 'AssumedRole',
          arn: 'arn:aws:sts::123456789012:assumed-role/ci/run-1',
          accountId: '123456789012',
          sessionContext: {
            sessionIssuer: { type: 'Role', userName: 'ci' },
            attributes: { mfaAuthenticated: 'false' },
          },
        },
      }),
    );

    expect(webIdentity.mfa).toBeUndefined();
    expect(samlSignIn.mfa).toBeUndefined();
    expect(plainSession.mfa).toBe(false);
  });

  it('does not take an instance-like session name for EC2 credentials without ec2RoleDelivery', () => {
    // Anyone calling AssumeRole may name a session i-…; only ec2RoleDelivery proves an instance credential.
    const principal = describePrincipal(
      record({
        userIdentity: {
          type: 'AssumedRole',
          arn: 'arn:aws:sts::123456789012:assumed-role/app/i-0123456789abcdef0',
          accountId: '123456789012',
          sessionContext: { sessionIssuer: { type: 'Role', userName: 'app' } },
        },
      }),
    );

    expect(principal.ec2Instance).toBeUndefined();
    expect(principal.sessionName).toBe('i-0123456789abcdef0');
  });

  it('survives an empty identity and no user agent', () => {
    const principal = describePrincipal(record({ userIdentity: {}, userAgent: undefined }));

    expect(principal).toMatchObject({
      type: 'Unknown',
      via: 'unknown',
      viaLabel: 'unknown client',
      isRoot: false,
    });
  });
});

describe('actingUser and actingRole: whose permissions the caller uses', () => {
  // GetFederationToken sessions use the permissions of the IAM user that called it (intersected with the session
  // policy): their "own" user is that user, not an IAM user of the session's name.
  // @see https://docs.aws.amazon.com/STS/latest/APIReference/API_GetFederationToken.html
  it('is the IAM user itself, or the IAM user that minted a federated user, never a role session', () => {
    const user = describePrincipal(cloudTrailRecord());
    const federated = describePrincipal(cloudTrailRecord({ userIdentity: FEDERATED_BOB }));
    const roleSession = describePrincipal(
      cloudTrailRecord({
        userIdentity: {
          type: 'AssumedRole',
          arn: 'arn:aws:sts::123456789012:assumed-role/deploy/ci-1',
          accountId: '123456789012',
          sessionContext: {
            sessionIssuer: { type: 'Role', arn: 'arn:aws:iam::123456789012:role/deploy', userName: 'deploy' },
          },
        },
      }),
    );

    expect([actingUser(user), actingUser(federated), actingUser(roleSession)]).toEqual([
      'alice',
      'mallory',
      undefined,
    ]);
    expect([actingRole(user), actingRole(federated), actingRole(roleSession)]).toEqual([
      undefined,
      undefined,
      'deploy',
    ]);
  });
});
