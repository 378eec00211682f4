// The fake SNS's Publish validator is the oracle of the notifier tests: it must reject what SNS rejects.
import { type ReceivedPublish, validatePublish } from '../../helpers/sns-server.js';

const TOPIC = 'arn:aws:sns:us-east-1:123456789012:iam-change-alerts';
const publish = (overrides: Partial<ReceivedPublish> = {}): ReceivedPublish => ({
  topicArn: TOPIC,
  subject: '[HIGH] AdministratorAccess attached to IAM user deploy-bot',
  message: 'HIGH  AdministratorAccess attached to IAM user deploy-bot\n',
  attributes: {
    severity: { dataType: 'String', value: 'high' },
    severityRank: { dataType: 'Number', value: '3' },
  },
  ...overrides,
});

describe('validatePublish (the fake SNS oracle itself)', () => {
  it('accepts a valid Publish, a 99-character subject and a message of exactly 262,144 bytes', () => {
    expect(validatePublish(publish())).toBeUndefined();
    expect(validatePublish(publish({ subject: 's'.repeat(99) }))).toBeUndefined();
    expect(
      validatePublish(publish({ subject: undefined, attributes: {}, message: 'm'.repeat(262_144) })),
    ).toBeUndefined();
  });

  const SUBJECT =
    'Subject: must be ASCII text, less than 100 characters, with no line breaks or control characters';
  it.each([
    ['a 100-character subject', publish({ subject: 's'.repeat(100) }), SUBJECT],
    ['a subject with a newline', publish({ subject: 'one\ntwo' }), SUBJECT],
    ['a subject with a control character', publish({ subject: 'bell\u0007' }), SUBJECT],
    ['a non-ASCII subject', publish({ subject: 'caf\u00e9' }), SUBJECT],
    [
      'a 262,145-byte message',
      publish({ subject: undefined, attributes: {}, message: 'm'.repeat(262_145) }),
      'Message too long',
    ],
    [
      'a message that only the attributes push over 262,144 bytes',
      publish({
        subject: undefined,
        message: 'm'.repeat(262_100),
        attributes: { alert: { dataType: 'String', value: 'a'.repeat(100) } },
      }),
      'Message too long',
    ],
    [
      'an empty attribute value',
      publish({ attributes: { severity: { dataType: 'String', value: '' } } }),
      "Message attribute 'severity' must contain non-empty message attribute value",
    ],
    [
      'an unknown attribute type',
      publish({ attributes: { severity: { dataType: 'Text', value: 'high' } } }),
      "The message attribute 'severity' has an invalid message attribute type",
    ],
    [
      'no topic',
      publish({ topicArn: undefined }),
      'TopicArn or TargetArn Reason: no value for required parameter',
    ],
  ])('rejects %s', (_case, request, reason) => {
    expect(validatePublish(request)).toBe(reason);
  });
});
