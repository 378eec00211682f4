// Baseline for "cold import + first event": the two SDK clients the notifier holds and a handler that publishes
// the event to SNS, nothing else: what any notifier must pay before its first alert is out.
import { IAMClient } from '@aws-sdk/client-iam';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';

const sns = new SNSClient({ region: 'us-east-1', maxAttempts: 1 });
export const clients = [sns, new IAMClient({ region: 'us-east-1' })];

/** Publishes the event's name to the topic of `ALERT_TOPIC_ARN`. */
export const handler = async (event: { detail?: { eventName?: string } }): Promise<string | undefined> => {
  const output = await sns.send(
    new PublishCommand({
      TopicArn: process.env.ALERT_TOPIC_ARN,
      Subject: `IAM change: ${event.detail?.eventName ?? 'unknown'}`.slice(0, 99),
      Message: JSON.stringify(event),
    }),
  );
  return output.MessageId;
};
