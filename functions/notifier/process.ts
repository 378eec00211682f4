// The notifier's pipeline: parse → classify → enrich → format → publish.
import { buildAlert } from '../../shared/domain/alert.js';
import { parseIamEvent } from '../../shared/domain/cloudtrail.js';
import type { Alert } from '../../shared/domain/types.js';
import { formatSnsMessage } from '../../shared/format/sns-message.js';
import type { IamDirectory, NotificationPublisher } from '../../shared/ports.js';

/** What the pipeline needs from outside. */
export interface NotifierDeps {
  /** IAM read access for policy details; `undefined` when enrichment is off. */
  iam?: IamDirectory;
  publisher: NotificationPublisher;
}

/** What one invocation did, for the log. */
export interface NotifierResult {
  alert: Alert;
  messageId?: string;
}

/**
 * Turns one EventBridge event (or bare CloudTrail record) into an alert and publishes it.
 * @throws InvalidEventError when the input is not a CloudTrail record (Lambda retries, then the
 *   on-failure destination keeps it); PublishError when SNS fails after the SDK's retries.
 *   Enrichment failures never throw: they become notes in the alert.
 */
export const processIamEvent = async (raw: unknown, deps: NotifierDeps): Promise<NotifierResult> => {
  const alert = await buildAlert(parseIamEvent(raw), deps.iam);
  const message = formatSnsMessage(alert);
  const { messageId } = await deps.publisher.publish(message);
  return { alert, messageId };
};
