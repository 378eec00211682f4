import { isAthenaRow, recordFromAthenaRow } from '../../../../cli/replay/athena-row.js';

// A row as Athena's `UNLOAD … WITH (format = 'JSON')` writes one from its CloudTrail table: lower-case names,
// STRING columns holding JSON text, readonly a string, structs as objects.
// @see https://docs.aws.amazon.com/athena/latest/ug/create-cloudtrail-table.html
const row = {
  eventversion: '1.08',
  useridentity: {
    type: 'AssumedRole',
    principalid: 'AROAEXAMPLE:alice',
    arn: 'arn:aws:sts::111122223333:assumed-role/Admin/alice',
    accountid: '111122223333',
    accesskeyid: 'ASIAEXAMPLE',
    username: null,
    sessioncontext: {
      attributes: { mfaauthenticated: 'true', creationdate: '2024-05-01T10:00:00Z' },
      sessionissuer: {
        type: 'Role',
        principalid: 'AROAEXAMPLE',
        arn: 'arn:aws:iam::111122223333:role/Admin',
        accountid: '111122223333',
        username: 'Admin',
      },
      ec2roledelivery: null,
    },
  },
  eventtime: '2024-05-01T10:01:00Z',
  eventsource: 'iam.amazonaws.com',
  eventname: 'AttachUserPolicy',
  requestparameters: '{"userName":"bob","policyArn":"arn:aws:iam::aws:policy/AdministratorAccess"}',
  responseelements: null,
  eventid: 'e1',
  resources: [
    { arn: 'arn:aws:iam::111122223333:user/bob', accountid: '111122223333', type: 'AWS::IAM::User' },
  ],
  readonly: 'false',
  sessioncredentialfromconsole: 'true',
};

describe('recordFromAthenaRow', () => {
  it('gives back the CloudTrail record: names, JSON text, booleans, and no null fields', () => {
    expect(isAthenaRow(row)).toBe(true);
    expect(recordFromAthenaRow(row)).toEqual({
      eventVersion: '1.08',
      userIdentity: {
        type: 'AssumedRole',
        principalId: 'AROAEXAMPLE:alice',
        arn: 'arn:aws:sts::111122223333:assumed-role/Admin/alice',
        accountId: '111122223333',
        accessKeyId: 'ASIAEXAMPLE',
        sessionContext: {
          attributes: { mfaAuthenticated: 'true', creationDate: '2024-05-01T10:00:00Z' },
          sessionIssuer: {
            type: 'Role',
            principalId: 'AROAEXAMPLE',
            arn: 'arn:aws:iam::111122223333:role/Admin',
            accountId: '111122223333',
            userName: 'Admin',
          },
        },
      },
      eventTime: '2024-05-01T10:01:00Z',
      eventSource: 'iam.amazonaws.com',
      eventName: 'AttachUserPolicy',
      requestParameters: { userName: 'bob', policyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' },
      eventID: 'e1',
      resources: [
        { ARN: 'arn:aws:iam::111122223333:user/bob', accountId: '111122223333', type: 'AWS::IAM::User' },
      ],
      readOnly: false,
      sessionCredentialFromConsole: 'true',
    });
  });

  it('leaves a CloudTrail record alone', () => {
    expect(isAthenaRow({ eventSource: 'iam.amazonaws.com', eventName: 'CreateUser' })).toBe(false);
    expect(isAthenaRow({ eventsource: 'iam.amazonaws.com', eventSource: 'x' })).toBe(false);
  });
});
