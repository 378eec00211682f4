// The notifier's pipeline: parse → [once per eventID: classify → enrich → format → publish].
import { buildAlert } from '../../shared/domain/alert.js';
import { parseIamEvent } from '../../shared/domain/cloudtrail.js';
import type { Alert } from '../../shared/domain/types.js';
import { formatSnsMessage } from '../../shared/format/sns-message.js';
import type { OnceGuard } from '../../shared/idempotency.js';
import type { IamDirectory } from '../../shared/ports.js';
import type { AlertPublisher } from './adapters/sns-publisher.js';

/** What the pipeline needs from outside. */
export interface NotifierDeps {
  /** IAM read access for policy details; `undefined` when enrichment is off. */
  iam?: IamDirectory;
  publisher: AlertPublisher;
  /** One publish per CloudTrail eventID (Powertools idempotency and attempt marks; in memory locally). */
  guard: OnceGuard;
  /** Time left in the invocation (Lambda context). */
  remainingMs: () => number;
}

/** What one invocation did, for the log: an alert published, or a duplicate delivery that published nothing. */
export type NotifierResult =
  | { kind: 'published'; alert: Alert; messageId?: string; possibleRepeat: boolean }
  | { kind: 'duplicate'; eventId: string; messageId?: string };

/**
 * Turns one EventBridge event (or bare CloudTrail record) into an alert and publishes it, once per CloudTrail
 * eventID: a duplicate delivery publishes nothing (and calls no IAM API). When an earlier attempt may already
 * have published it (its answer was lost), the alert is published again marked as a possible repeat, never
 * dropped.
 * @throws InvalidEventError when the input is not a CloudTrail record (Lambda retries, then the
 *   on-failure destination keeps it); PublishError when SNS fails after the publisher's retries.
 *   Enrichment failures never throw: they become notes in the alert.
 */
export const processIamEvent = async (raw: unknown, deps: NotifierDeps): Promise<NotifierResult> => {
  const event = parseIamEvent(raw);
  const publish = async (
    possibleRepeat: boolean,
  ): Promise<Extract<NotifierResult, { kind: 'published' }>> => {
    const alert = await buildAlert(event, deps.iam);
    const result = await deps.publisher.publish(formatSnsMessage(alert), {
      possibleRepeat,
      remainingMs: deps.remainingMs,
    });
    return {
      kind: 'published',
      alert,
      ...(result.messageId ? { messageId: result.messageId } : {}),
      possibleRepeat: result.possibleRepeat === true,
    };
  };
  const eventId = event.record.eventID;
  // A record without an eventID cannot be recognised again: published as it comes.
  if (!eventId) return publish(false);
  const ran: { result?: Extract<NotifierResult, { kind: 'published' }> } = {};
  const stored = await deps.guard.once('sns', eventId, async ({ suspectRepeat }) => {
    ran.result = await publish(suspectRepeat);
    return { messageId: ran.result.messageId ?? '' };
  });
  return (
    ran.result ?? { kind: 'duplicate', eventId, ...(stored.messageId ? { messageId: stored.messageId } : {}) }
  );
};
