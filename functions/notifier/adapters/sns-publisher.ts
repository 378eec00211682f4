// The only notifier code that calls SNS.
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { describeError, PublishError } from '../../../shared/errors.js';
import type { SnsMessage } from '../../../shared/format/sns-message.js';
import type { NotificationPublisher } from '../../../shared/ports.js';

/**
 * Publishes rendered alerts to an SNS topic. The SDK retries throttling and 5xx answers itself
 * (standard retry mode); what still fails is thrown as `PublishError`, so Lambda retries the event
 * and, after that, routes it to the on-failure destination.
 * @see https://docs.aws.amazon.com/sns/latest/api/API_Publish.html
 */
export const createSnsPublisher = (client: SNSClient, topicArn: string): NotificationPublisher => ({
  async publish(message: SnsMessage) {
    try {
      const output = await client.send(new PublishCommand({ TopicArn: topicArn, ...message }));
      return { messageId: output.MessageId };
    } catch (error) {
      throw new PublishError(`SNS Publish to ${topicArn} failed: ${describeError(error)}`, { cause: error });
    }
  },
});

/**
 * A publisher for local runs with no topic configured: writes what it would publish, so
 * `npm start` and `serverless invoke local` work without an AWS account.
 */
export const createPrintingPublisher = (write: (text: string) => void): NotificationPublisher => ({
  async publish(message: SnsMessage) {
    const { alert, ...filterKeys } = message.MessageAttributes;
    const keys = Object.entries(filterKeys)
      .map(([name, attr]) => `${name}=${attr.StringValue}`)
      .join(' ');
    write(
      [
        '─'.repeat(100),
        `Subject: ${message.Subject}`,
        `Attributes: ${keys} (+ alert: ${alert?.StringValue.length ?? 0} characters of JSON)`,
        '',
        message.Message,
      ].join('\n'),
    );
    return { messageId: undefined };
  },
});
