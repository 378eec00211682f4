// The notifier's pipeline: parse → classify → enrich → format → publish, and the fail-safe around it.
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
import type { IamDirectory, NotificationPublisher } from '../../shared/ports.js';

export type { AlertFailure } from '../../shared/domain/minimal-alert.js';

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
  /** Set when the full alert failed and the minimal one was published instead: the handler logs it. */
  failure?: AlertFailure;
}

/** `describeError`, for any thrown value: one whose message or conversion to text throws too is "unprintable". */
const describeFailure = (error: unknown): string => {
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
    return minimal({ stage: 'build', reason: describeFailure(error) });
  }
  try {
    const message = formatSnsMessage(alert);
    const bytes = snsMessageBytes(message);
    if (bytes > SNS_MAX_BYTES) throw new RangeError(`the SNS message is ${bytes} bytes, over 256 KB`);
    return { alert, message };
  } catch (error) {
    return minimal({ stage: 'format', reason: describeFailure(error) }, alert);
  }
};

/**
 * Turns one EventBridge event (or bare CloudTrail record) into an alert and publishes it. Whatever throws or
 * overflows while classifying, enriching or formatting, it publishes the minimal alert instead
 * (`buildMinimalAlert`) and returns the failure, so that no record keeps its change from being alerted. A field of
 * the wrong type is ignored, with a note in the alert (at most five such notes).
 * @throws InvalidEventError when the input is not a CloudTrail record at all (Lambda retries, then the
 *   on-failure destination keeps it); PublishError when SNS fails after the SDK's retries.
 */
export const processIamEvent = async (raw: unknown, deps: NotifierDeps): Promise<NotifierResult> => {
  const ignored: string[] = [];
  const event = parseIamEvent(raw, ignored);
  const { alert, message, failure } = await renderAlert(raw, event, ignored, deps.iam);
  const { messageId } = await deps.publisher.publish(message);
  return failure ? { alert, messageId, failure } : { alert, messageId };
};
