// SQS → Lambda events as the grouped alerts' queue delivers them: SNS messages with raw message delivery, so the
// notifier's message attributes arrive as SQS message attributes and the body is the e-mail text.
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import type { Alert } from '../../shared/domain/types.js';

/** The routing fields the notifier adds to the alert JSON (issue 12 contract). */
export interface Routing {
  routes?: string[];
  group?: string | null;
}

const stringAttribute = (value: string) => ({
  stringValue: value,
  stringListValues: [],
  binaryListValues: [],
  dataType: 'String',
});

/**
 * One SQS record carrying an alert, in the Lambda event's shape (`messageAttributes.<name>.stringValue`).
 * @see https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html
 * @see https://docs.aws.amazon.com/sns/latest/dg/sns-large-payload-raw-message-delivery.html
 */
export const sqsRecord = (
  alert: Alert,
  routing: Routing = {},
  messageId = `sqs-${alert.eventId ?? 'none'}`,
): SQSRecord => {
  const routes = routing.routes ?? ['default'];
  const group = routing.group ?? null;
  return {
    messageId,
    receiptHandle: `receipt-${messageId}`,
    body: `${alert.severity.toUpperCase()}  ${alert.title}\n`,
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: '1793527205000',
      SenderId: 'AIDAIENQZJOLO23YVJ4VO',
      ApproximateFirstReceiveTimestamp: '1793527505000',
    },
    messageAttributes: {
      severity: stringAttribute(alert.severity),
      category: stringAttribute(alert.category),
      routes: { ...stringAttribute(JSON.stringify(routes)), dataType: 'String.Array' },
      grouped: stringAttribute(String(group !== null)),
      alert: stringAttribute(JSON.stringify({ ...alert, routes, group })),
    },
    md5OfBody: '0'.repeat(32),
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:iam-change-alerts-dev-grouped-alerts',
    awsRegion: 'us-east-1',
  };
};

/** An SQS event with the given records (the batching window gathers up to the mapping's BatchSize). */
export const sqsEvent = (...records: SQSRecord[]): SQSEvent => ({ Records: records });
