// SNS → Lambda events as the notifier's publish produces them (String-structured message with attributes).
import type { Context, SNSEvent, SNSEventRecord } from 'aws-lambda';
import { createLambdaContext } from '../../scripts/lambda-context.js';
import type { Alert } from '../../shared/domain/types.js';
import { severityRank } from '../../shared/domain/types.js';

/**
 * One SNS record carrying an alert: `Message` is the e-mail text, `MessageAttributes` the filter keys and
 * the JSON alert, in the Lambda event's `{ Type, Value }` shape. With `routing`, the alert carries `routes` and
 * `group` (issue 12) and the attributes `routes`/`grouped`; without, it is an alert of an older notifier.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/with-sns.html
 */
export const snsRecord = (
  alert: Alert,
  messageId = `msg-${alert.eventId ?? 'none'}`,
  routing?: { routes: string[]; group: string | null },
): SNSEventRecord => ({
  EventSource: 'aws:sns',
  EventVersion: '1.0',
  EventSubscriptionArn:
    'arn:aws:sns:us-east-1:123456789012:iam-change-alerts:2bcfbf39-05c3-41de-beaa-fcfcc21c8f55',
  Sns: {
    Type: 'Notification',
    MessageId: messageId,
    TopicArn: 'arn:aws:sns:us-east-1:123456789012:iam-change-alerts',
    Subject: `[${alert.severity.toUpperCase()}] ${alert.title}`.slice(0, 99),
    Message: `${alert.severity.toUpperCase()}  ${alert.title}\n`,
    Timestamp: '2026-11-01T10:00:05.000Z',
    SignatureVersion: '1',
    Signature: 'EXAMPLE',
    SigningCertUrl: 'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-EXAMPLE.pem',
    UnsubscribeUrl: 'https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe',
    MessageAttributes: {
      severity: { Type: 'String', Value: alert.severity },
      severityRank: { Type: 'Number', Value: String(severityRank(alert.severity)) },
      category: { Type: 'String', Value: alert.category },
      family: { Type: 'String', Value: alert.family },
      eventName: { Type: 'String', Value: alert.eventName },
      account: { Type: 'String', Value: alert.account ?? 'unknown' },
      ...(routing
        ? {
            routes: { Type: 'String.Array', Value: JSON.stringify(routing.routes) },
            grouped: { Type: 'String', Value: String(routing.group !== null) },
          }
        : {}),
      alert: { Type: 'String', Value: JSON.stringify(routing ? { ...alert, ...routing } : alert) },
    },
  },
});

/** An SNS event with the given records (SNS sends one per invocation). */
export const snsEvent = (...records: SNSEventRecord[]): SNSEvent => ({ Records: records });

/** A Lambda context whose deadline is `timeoutMs` from now (the one `npm start` and the bench use). */
export const lambdaContext = (timeoutMs = 30_000): Context =>
  createLambdaContext('iam-change-alerts-dev-forwarder', timeoutMs);
