// A hand-built alert for format tests that do not need the classifier.
import type { Alert } from '../../../shared/domain/types.js';

export const sampleAlert = (overrides: Partial<Alert> = {}): Alert => ({
  schema: 'iam-change-alerts/alert@1',
  eventId: '6f1c2a9e-0b1d-4e4f-9a55-0c1d2e3f4a5b',
  eventName: 'AttachUserPolicy',
  eventSource: 'iam.amazonaws.com',
  eventTime: '2026-11-01T10:00:00Z',
  eventType: 'AwsApiCall',
  awsRegion: 'us-east-1',
  account: '123456789012',
  family: 'Attach',
  category: 'permissions',
  severity: 'high',
  reasons: [{ severity: 'high', code: 'admin-policy', text: 'grants every action on every resource' }],
  title: 'AdministratorAccess attached to IAM user deploy-bot',
  principal: {
    type: 'IAMUser',
    name: 'alice',
    arn: 'arn:aws:iam::123456789012:user/alice',
    accountId: '123456789012',
    mfa: false,
    sourceIp: '203.0.113.9',
    via: 'console',
    viaLabel: 'AWS console',
    isRoot: false,
  },
  target: { kind: 'user', name: 'deploy-bot', arn: 'arn:aws:iam::123456789012:user/deploy-bot' },
  parameters: { userName: 'deploy-bot', policyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' },
  readOnly: false,
  links: {
    event:
      'https://us-east-1.console.aws.amazon.com/cloudtrail/home?region=us-east-1#/events/6f1c2a9e-0b1d-4e4f-9a55-0c1d2e3f4a5b',
    target: 'https://us-east-1.console.aws.amazon.com/iam/home#/users/details/deploy-bot',
  },
  notes: [],
  ...overrides,
});
