// Every credential an IAM call creates, changes or deletes reaches the responder with its identifier, in every format.
// Real corpus records where the corpus has the operation; faithful hand-written records otherwise (field names as
// CloudTrail writes the IAM API's members, first letter lower-cased; secrets are never logged).
// @see https://docs.aws.amazon.com/IAM/latest/UserGuide/cloudtrail-integration.html
// @see https://docs.aws.amazon.com/IAM/latest/APIReference/API_Operations.html
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createAlert } from '../../../shared/domain/alert.js';
import { validateAlert } from '../../../shared/domain/alert-schema.js';
import { findOperation, OPERATIONS } from '../../../shared/domain/catalogue/index.js';
import { iamEventOf } from '../../../shared/domain/cloudtrail.js';
import { CREDENTIAL_OPERATIONS, extractCredentials } from '../../../shared/domain/credentials.js';
import { describePrincipal } from '../../../shared/domain/principal.js';
import type { Alert, CloudTrailRecord } from '../../../shared/domain/types.js';
import { formatEmailText } from '../../../shared/format/email-text.js';
import { formatJiraIssue } from '../../../shared/format/jira-adf.js';
import { formatSlackMessage } from '../../../shared/format/slack-blocks.js';
import { formatSnsMessage, MAX_SNS_ATTRIBUTES } from '../../../shared/format/sns-message.js';
import { FIXTURES_DIR, findRecord } from '../../helpers/fixtures.js';
import { cloudTrailRecord } from '../../helpers/records.js';

/** The first successful corpus record of an operation. */
const real = (eventName: string): CloudTrailRecord =>
  findRecord((r) => r.eventName === eventName && r.errorCode === undefined);

/** A sample event of `events/` (hand-written where its README says so), its CloudTrail record. */
const sample = (file: string): CloudTrailRecord =>
  (
    JSON.parse(readFileSync(join(FIXTURES_DIR, '..', '..', 'events', `${file}.json`), 'utf8')) as {
      detail: CloudTrailRecord;
    }
  ).detail;

/** A hand-written IAM call by alice (an IAM user with access key AKIAEXAMPLE). */
const handWritten = (
  eventName: string,
  requestParameters: Record<string, unknown>,
  responseElements: Record<string, unknown> | null = null,
): CloudTrailRecord => cloudTrailRecord({ eventName, requestParameters, responseElements });

interface Case {
  eventName: string;
  record: () => CloudTrailRecord;
  /** What a responder copies, and must find in every format. */
  identifier: string;
  /** The line every format shows for it. */
  line: string;
}

const CASES: Case[] = [
  {
    eventName: 'CreateAccessKey',
    record: () => real('CreateAccessKey'),
    identifier: 'AKIAL80DWDVKKM0UXEER',
    line: 'access key AKIAL80DWDVKKM0UXEER of IAM user stratus-red-team-backdoor-u-user created, status Active',
  },
  {
    eventName: 'UpdateAccessKey',
    record: () =>
      handWritten('UpdateAccessKey', {
        userName: 'bob',
        accessKeyId: 'AKIAI44QH8DHBEXAMPLE',
        status: 'Inactive',
      }),
    identifier: 'AKIAI44QH8DHBEXAMPLE',
    line: 'access key AKIAI44QH8DHBEXAMPLE of IAM user bob updated, status Inactive',
  },
  {
    eventName: 'DeleteAccessKey',
    record: () => real('DeleteAccessKey'),
    identifier: 'AKIATFQR7NSCQLA2F4OD',
    line: 'access key AKIATFQR7NSCQLA2F4OD of IAM user malicious-iam-user deleted',
  },
  {
    eventName: 'UploadSSHPublicKey',
    record: () => sample('upload-ssh-public-key'),
    identifier: 'APKATFQR7NSCEXAMPLE1',
    line: 'SSH public key APKATFQR7NSCEXAMPLE1 (fingerprint c7:2e:6a:1c:0d:5f:3b:9e:77:1a:2b:3c:4d:5e:6f:70) of IAM user malicious-iam-user uploaded, status Active',
  },
  {
    eventName: 'UpdateSSHPublicKey',
    record: () =>
      handWritten('UpdateSSHPublicKey', {
        userName: 'bob',
        sSHPublicKeyId: 'APKAEIBAERJR2EXAMPLE',
        status: 'Active',
      }),
    identifier: 'APKAEIBAERJR2EXAMPLE',
    line: 'SSH public key APKAEIBAERJR2EXAMPLE of IAM user bob updated, status Active',
  },
  {
    eventName: 'DeleteSSHPublicKey',
    record: () =>
      handWritten('DeleteSSHPublicKey', { userName: 'bob', sSHPublicKeyId: 'APKAEIBAERJR2EXAMPLE' }),
    identifier: 'APKAEIBAERJR2EXAMPLE',
    line: 'SSH public key APKAEIBAERJR2EXAMPLE of IAM user bob deleted',
  },
  {
    eventName: 'CreateVirtualMFADevice',
    record: () =>
      handWritten(
        'CreateVirtualMFADevice',
        { virtualMFADeviceName: 'bob-phone', path: '/' },
        { virtualMFADevice: { serialNumber: 'arn:aws:iam::123456789012:mfa/bob-phone' } },
      ),
    identifier: 'arn:aws:iam::123456789012:mfa/bob-phone',
    // No user: a virtual MFA device belongs to nobody until EnableMFADevice.
    line: 'MFA device arn:aws:iam::123456789012:mfa/bob-phone of IAM user alice created',
  },
  {
    eventName: 'EnableMFADevice',
    record: () => real('EnableMFADevice'),
    identifier: 'arn:aws:iam::111122223333:mfa/root-account-mfa-device',
    line: 'MFA device arn:aws:iam::111122223333:mfa/root-account-mfa-device of the root user enabled',
  },
  {
    eventName: 'DeactivateMFADevice',
    record: () => sample('deactivate-mfa-device'),
    identifier: 'arn:aws:iam::123837392027:mfa/bert-jan',
    line: 'MFA device arn:aws:iam::123837392027:mfa/bert-jan of IAM user bert-jan deactivated',
  },
  {
    eventName: 'ResyncMFADevice',
    record: () =>
      handWritten('ResyncMFADevice', { userName: 'bob', serialNumber: 'arn:aws:iam::123456789012:mfa/bob' }),
    identifier: 'arn:aws:iam::123456789012:mfa/bob',
    line: 'MFA device arn:aws:iam::123456789012:mfa/bob of IAM user bob resynced',
  },
  {
    eventName: 'DeleteVirtualMFADevice',
    record: () =>
      handWritten('DeleteVirtualMFADevice', { serialNumber: 'arn:aws:iam::123456789012:mfa/bob' }),
    identifier: 'arn:aws:iam::123456789012:mfa/bob',
    line: 'MFA device arn:aws:iam::123456789012:mfa/bob of IAM user alice deleted',
  },
  {
    eventName: 'UploadSigningCertificate',
    record: () =>
      handWritten(
        'UploadSigningCertificate',
        { userName: 'bob', certificateBody: '-----BEGIN CERTIFICATE-----MIIC…-----END CERTIFICATE-----' },
        {
          certificate: {
            userName: 'bob',
            certificateId: 'TA7SMP42TDN5Z26OBPJE7EXAMPLE',
            status: 'Active',
            uploadDate: 'Nov 1, 2026 10:00:00 AM',
          },
        },
      ),
    identifier: 'TA7SMP42TDN5Z26OBPJE7EXAMPLE',
    line: 'signing certificate TA7SMP42TDN5Z26OBPJE7EXAMPLE of IAM user bob uploaded, status Active',
  },
  {
    eventName: 'UpdateSigningCertificate',
    record: () =>
      handWritten('UpdateSigningCertificate', {
        userName: 'bob',
        certificateId: 'TA7SMP42TDN5Z26OBPJE7EXAMPLE',
        status: 'Inactive',
      }),
    identifier: 'TA7SMP42TDN5Z26OBPJE7EXAMPLE',
    line: 'signing certificate TA7SMP42TDN5Z26OBPJE7EXAMPLE of IAM user bob updated, status Inactive',
  },
  {
    eventName: 'DeleteSigningCertificate',
    record: () =>
      handWritten('DeleteSigningCertificate', {
        userName: 'bob',
        certificateId: 'TA7SMP42TDN5Z26OBPJE7EXAMPLE',
      }),
    identifier: 'TA7SMP42TDN5Z26OBPJE7EXAMPLE',
    line: 'signing certificate TA7SMP42TDN5Z26OBPJE7EXAMPLE of IAM user bob deleted',
  },
  {
    eventName: 'CreateServiceSpecificCredential',
    record: () =>
      handWritten(
        'CreateServiceSpecificCredential',
        { userName: 'bob', serviceName: 'codecommit.amazonaws.com' },
        {
          serviceSpecificCredential: {
            createDate: 'Nov 1, 2026 10:00:00 AM',
            serviceName: 'codecommit.amazonaws.com',
            serviceUserName: 'bob-at-123456789012',
            serviceSpecificCredentialId: 'ACCAQFODGMGJYEXAMPLE',
            userName: 'bob',
            status: 'Active',
          },
        },
      ),
    identifier: 'ACCAQFODGMGJYEXAMPLE',
    line: 'service-specific credential ACCAQFODGMGJYEXAMPLE for codecommit.amazonaws.com as bob-at-123456789012 of IAM user bob created, status Active',
  },
  {
    eventName: 'ResetServiceSpecificCredential',
    record: () =>
      handWritten('ResetServiceSpecificCredential', {
        userName: 'bob',
        serviceSpecificCredentialId: 'ACCAQFODGMGJYEXAMPLE',
      }),
    identifier: 'ACCAQFODGMGJYEXAMPLE',
    line: 'service-specific credential ACCAQFODGMGJYEXAMPLE of IAM user bob reset',
  },
  {
    eventName: 'UpdateServiceSpecificCredential',
    record: () =>
      handWritten('UpdateServiceSpecificCredential', {
        userName: 'bob',
        serviceSpecificCredentialId: 'ACCAQFODGMGJYEXAMPLE',
        status: 'Inactive',
      }),
    identifier: 'ACCAQFODGMGJYEXAMPLE',
    line: 'service-specific credential ACCAQFODGMGJYEXAMPLE of IAM user bob updated, status Inactive',
  },
  {
    eventName: 'DeleteServiceSpecificCredential',
    record: () =>
      handWritten('DeleteServiceSpecificCredential', {
        userName: 'bob',
        serviceSpecificCredentialId: 'ACCAQFODGMGJYEXAMPLE',
      }),
    identifier: 'ACCAQFODGMGJYEXAMPLE',
    line: 'service-specific credential ACCAQFODGMGJYEXAMPLE of IAM user bob deleted',
  },
  {
    eventName: 'CreateLoginProfile',
    record: () => real('CreateLoginProfile'),
    identifier: 'stratus-red-team-login-profile-user',
    line: 'console password (login profile) of IAM user stratus-red-team-login-profile-user created, no password reset required',
  },
  {
    eventName: 'UpdateLoginProfile',
    record: () => real('UpdateLoginProfile'),
    identifier: 'stratus-red-team-update-login-profile-user',
    line: 'console password (login profile) of IAM user stratus-red-team-update-login-profile-user updated',
  },
  {
    eventName: 'DeleteLoginProfile',
    record: () => real('DeleteLoginProfile'),
    identifier: 'stratus-red-team-nmfalu-gfjyeaypjt',
    line: 'console password (login profile) of IAM user stratus-red-team-nmfalu-gfjyeaypjt deleted',
  },
];

const alertOf = (record: CloudTrailRecord): Promise<Alert> => createAlert(iamEventOf(record, undefined));
const jira = (alert: Alert) => formatJiraIssue(alert, { projectKey: 'SEC', issueType: 'Task' });

describe('credential identifiers', () => {
  it('has a case for every credential operation it reads', () => {
    expect(CASES.map((c) => c.eventName).sort()).toEqual([...CREDENTIAL_OPERATIONS].sort());
  });

  it.each(CASES)(
    '$eventName: the identifier is in the JSON alert and on one line in every format',
    async (c) => {
      const record = c.record();
      expect(record.eventName).toBe(c.eventName);
      const alert = await alertOf(record);
      // JSON: the alert carries the credential, and survives the forwarder's validation with it.
      expect(alert.credentials).toHaveLength(1);
      expect(JSON.stringify(alert.credentials)).toContain(c.identifier);
      const parsed = validateAlert(JSON.parse(JSON.stringify(alert)));
      expect('alert' in parsed && parsed.alert.credentials).toEqual(alert.credentials);
      // E-mail: one line, right under the headline.
      const lines = formatEmailText(alert).split('\n');
      expect(lines[1]).toBe(`Key   ${c.line}`);
      // Slack: a section of its own, one line per identifier.
      const slack = formatSlackMessage(alert);
      const keys = slack.blocks.find(
        (block) => block.type === 'section' && block.text?.text.startsWith('*Key*'),
      );
      expect(keys?.type === 'section' && keys.text?.text.split('\n')[0]).toBe(`*Key* ${c.line}`);
      // Jira: the first row of the facts table.
      const description = JSON.stringify(jira(alert).fields.description);
      expect(description).toContain(JSON.stringify(c.line));
      // SNS: the alert attribute carries it too.
      expect(formatSnsMessage(alert).MessageAttributes.alert?.StringValue).toContain(c.identifier);
    },
  );

  it('puts the created access key id in an SNS attribute a subscriber can filter on and act upon', async () => {
    const alert = await alertOf(real('CreateAccessKey'));
    const message = formatSnsMessage(alert);
    expect(message.MessageAttributes.createdAccessKeyId).toEqual({
      DataType: 'String',
      StringValue: 'AKIAL80DWDVKKM0UXEER',
    });
    // SQS raw message delivery drops a message with more than 10 attributes.
    expect(Object.keys(message.MessageAttributes).length).toBeLessThanOrEqual(MAX_SNS_ATTRIBUTES);
    // Only a created key: a deleted one has nothing left to act on.
    const deleted = formatSnsMessage(await alertOf(real('DeleteAccessKey')));
    expect(deleted.MessageAttributes.createdAccessKeyId).toBeUndefined();
  });

  it("shows the caller's access key, long-term or temporary, in every format", async () => {
    const alert = await alertOf(real('CreateAccessKey'));
    expect(alert.callerAccessKeyId).toBe('AKIA30BEZSJBVKOFKZW0');
    const line = "AKIA30BEZSJBVKOFKZW0 (the caller's long-term access key)";
    expect(formatEmailText(alert)).toContain(`Key     ${line}`);
    expect(JSON.stringify(formatSlackMessage(alert))).toContain(
      JSON.stringify(`*Key*\n${line}`).slice(1, -1),
    );
    expect(JSON.stringify(jira(alert).fields.description)).toContain(JSON.stringify(line));
    const session = await alertOf(
      cloudTrailRecord({
        userIdentity: {
          type: 'AssumedRole',
          arn: 'arn:aws:sts::123456789012:assumed-role/deploy/ci',
          accountId: '123456789012',
          accessKeyId: 'ASIAEXAMPLEKEY',
          sessionContext: { sessionIssuer: { type: 'Role', userName: 'deploy' } },
        },
      }),
    );
    expect(formatEmailText(session)).toContain("Key     ASIAEXAMPLEKEY (the caller's temporary session key)");
  });

  it("links the user's security credentials page in the IAM console, and the root user's own", async () => {
    const alert = await alertOf(real('CreateAccessKey'));
    const url =
      'https://us-east-1.console.aws.amazon.com/iam/home#/users/details/stratus-red-team-backdoor-u-user?section=security_credentials';
    expect(alert.links.credentials).toBe(url);
    expect(formatEmailText(alert)).toContain(`Open the security credentials:  ${url}`);
    expect(JSON.stringify(formatSlackMessage(alert))).toContain(
      `<${url}|Open the security credentials in IAM>`,
    );
    expect(JSON.stringify(jira(alert).fields.description)).toContain(url);
    const root = await alertOf(real('EnableMFADevice'));
    expect(root.links.credentials).toBe(
      'https://us-east-1.console.aws.amazon.com/iam/home#/security_credentials',
    );
  });

  it('says a failed call changed nothing, keeping the identifier it named', async () => {
    const failed = findRecord((r) => r.eventName === 'DeleteLoginProfile' && r.errorCode !== undefined);
    const alert = await alertOf(failed);
    expect(formatEmailText(alert).split('\n')[1]).toBe(
      'Key   console password (login profile) of IAM user stratus-red-team-login-profile-user: not deleted, the call failed',
    );
  });

  it('finds no credential in other events, nor in a record whose fields have the wrong shape', () => {
    const record = real('AttachUserPolicy');
    expect(extractCredentials(record, describePrincipal(record))).toEqual([]);
    const odd = handWritten('CreateAccessKey', { userName: 'bob' }, { accessKey: 'AKIA-not-an-object' });
    expect(extractCredentials(odd, describePrincipal(odd))).toEqual([
      { kind: 'access-key', action: 'created', user: 'bob' },
    ]);
  });
});

describe('credential operations and the catalogue', () => {
  it('reads the identifier of every IAM operation the catalogue says grants a credential', () => {
    // The catalogue's `grants` marks the calls that give someone a way in; each must show what to disable.
    const granting = OPERATIONS.filter(
      (operation) => operation.eventSource === 'iam.amazonaws.com' && operation.grants,
    ).map((operation) => operation.name);
    expect(granting.length).toBeGreaterThan(5);
    expect(granting.filter((name) => !CREDENTIAL_OPERATIONS.includes(name))).toEqual([]);
  });

  it('reads only operations the catalogue files under credentials', () => {
    const misfiled = CREDENTIAL_OPERATIONS.filter(
      (name) => findOperation('iam.amazonaws.com', name)?.category !== 'credentials',
    );
    expect(misfiled).toEqual([]);
  });
});
