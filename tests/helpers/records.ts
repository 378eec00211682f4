// Hand-written CloudTrail records, for the cases the corpus lacks. Faithful to CloudTrail's format:
// https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html
import type { CloudTrailRecord, UserIdentity } from '../../shared/domain/types.js';

/** An IAM user calling with access keys, in account 123456789012. */
export const ALICE: UserIdentity = {
  type: 'IAMUser',
  principalId: 'AIDAEXAMPLE',
  arn: 'arn:aws:iam::123456789012:user/alice',
  accountId: '123456789012',
  accessKeyId: 'AKIAEXAMPLE',
  userName: 'alice',
};

/** A federated user `bob` (`GetFederationToken`), minted by IAM user mallory. */
export const FEDERATED_BOB: UserIdentity = {
  type: 'FederatedUser',
  principalId: '123456789012:bob',
  arn: 'arn:aws:sts::123456789012:federated-user/bob',
  accountId: '123456789012',
  sessionContext: {
    sessionIssuer: {
      type: 'IAMUser',
      arn: 'arn:aws:iam::123456789012:user/mallory',
      userName: 'mallory',
      accountId: '123456789012',
    },
    attributes: { mfaAuthenticated: 'false', creationDate: '2026-11-01T09:00:00Z' },
  },
};

/** A successful `iam:CreateUser` by alice with the AWS CLI; `overrides` replace whole fields. */
export const cloudTrailRecord = (overrides: Partial<CloudTrailRecord> = {}): CloudTrailRecord => ({
  eventVersion: '1.09',
  userIdentity: ALICE,
  eventTime: '2026-11-01T10:00:00Z',
  eventSource: 'iam.amazonaws.com',
  eventName: 'CreateUser',
  awsRegion: 'us-east-1',
  sourceIPAddress: '203.0.113.9',
  userAgent: 'aws-cli/2.17.0 md/awscrt#0.20.11 ua/2.0 os/linux#6.8 md/arch#x86_64 lang/python#3.11.9',
  requestParameters: null,
  responseElements: null,
  requestID: '11111111-2222-4333-8444-555555555555',
  eventID: '6f1c0000-0000-4000-8000-000000000001',
  readOnly: false,
  eventType: 'AwsApiCall',
  managementEvent: true,
  recipientAccountId: '123456789012',
  eventCategory: 'Management',
  ...overrides,
});
