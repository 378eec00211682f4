// The notifier's pipeline: parse → [once per eventID: classify → enrich → format → publish], and the fail-safe
// around it.
import { buildAlert } from '../../shared/domain/alert.js';
import { parseIamEvent } from '../../shared/domain/cloudtrail.js';
import { type AlertFailure, buildMinimalAlert } from '../../shared/domain/minimal-alert.js';
import type { Alert, IamEvent } from '../../shared/domain/types.js';
import { describeError } from '../../shared/errors.js';
import {
  formatSnsMessage,
  SNS_MAX_BYTES,
  type SnsMessage,
  snsMessageBytes,
} from '../../shared/format/sns-message.js';
import type { OnceGuard } from '../../shared/idempotency.js';
import type { IamDirectory } from '../../shared/ports.js';
import type { AlertPublisher } from './adapters/sns-publisher.js';

export type { AlertFailure } from '../../shared/domain/minimal-alert.js';

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

/** An alert published; `failure` is set when the full alert failed and the minimal one went out instead. */
export interface PublishedResult {
  kind: 'published';
  alert: Alert;
  messageId?: string;
  possibleRepeat: boolean;
  failure?: AlertFailure;
}

/** What one invocation did, for the log: an alert published, or a duplicate delivery that published nothing. */
export type NotifierResult = PublishedResult | { kind: 'duplicate'; eventId: string; messageId?: string };

/** `describeError`, for any thrown value: one whose message or conversion to text throws too is "unprintable". */
const describeSafely = (error: unknown): string => {
  try {
    return describeError(error);
  } catch {
    return 'an error that cannot be described (its message threw)';
  }
};

/** The full alert and its SNS message, or, when building or rendering it throws or overflows, the minimal one. */
const renderAlert = async (
  raw: unknown,
  event: IamEvent,
  ignored: string[],
  iam: IamDirectory | undefined,
): Promise<{ alert: Alert; message: SnsMessage; failure?: AlertFailure }> => {
  const minimal = (failure: AlertFailure, alert?: Alert) => {
    const fallback = buildMinimalAlert(raw, failure, alert?.severity);
    return { alert: fallback, message: formatSnsMessage(fallback), failure };
  };
  let alert: Alert;
  try {
    const built = await buildAlert(event, iam);
    alert = ignored.length > 0 ? { ...built, notes: [...built.notes, ...ignored.slice(0, 5)] } : built;
  } catch (error) {
    return minimal({ stage: 'build', reason: describeSafely(error) });
  }
  try {
    const message = formatSnsMessage(alert);
    const bytes = snsMessageBytes(message);
    if (bytes > SNS_MAX_BYTES) throw new RangeError(`the SNS message is ${bytes} bytes, over 256 KB`);
    return { alert, message };
  } catch (error) {
    return minimal({ stage: 'format', reason: describeSafely(error) }, alert);
  }
};

/**
 * Turns one EventBridge event (or bare CloudTrail record) into an alert and publishes it, once per CloudTrail
 * eventID: a duplicate delivery publishes nothing (and calls no IAM API). When an earlier attempt may already
 * have published it (its answer was lost), the alert is published again marked as a possible repeat, never
 * dropped. Whatever throws or overflows while classifying, enriching or formatting, it publishes the minimal alert
 * instead (`buildMinimalAlert`) and returns the failure, so that no record keeps its change from being alerted. A
 * field of the wrong type is ignored, with a note in the alert (at most five such notes).
 * @throws InvalidEventError when the input is not a CloudTrail record at all (Lambda retries, then the
 *   on-failure destination keeps it); PublishError when SNS fails after the publisher's retries.
 */
export const processIamEvent = async (raw: unknown, deps: NotifierDeps): Promise<NotifierResult> => {
  const ignored: string[] = [];
  const event = parseIamEvent(raw, ignored);
  const publish = async (possibleRepeat: boolean): Promise<PublishedResult> => {
    const { alert, message, failure } = await renderAlert(raw, event, ignored, deps.iam);
    const result = await deps.publisher.publish(message, { possibleRepeat, remainingMs: deps.remainingMs });
    return {
      kind: 'published',
      alert,
      ...(result.messageId ? { messageId: result.messageId } : {}),
      possibleRepeat: result.possibleRepeat === true,
      ...(failure ? { failure } : {}),
    };
  };
  const eventId = event.record.eventID;
  // A record without an eventID cannot be recognised again: published as it comes.
  if (!eventId) return publish(false);
  const ran: { result?: PublishedResult } = {};
  const stored = await deps.guard.once('sns', eventId, async ({ suspectRepeat }) => {
    ran.result = await publish(suspectRepeat);
    return { messageId: ran.result.messageId ?? '' };
  });
  return (
    ran.result ?? { kind: 'duplicate', eventId, ...(stored.messageId ? { messageId: stored.messageId } : {}) }
  );
};
