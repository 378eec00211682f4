// parse → classify → enrich → format → publish, when any of these failed: the alert that is still sent.
// Built from the raw record with nothing but safe operations (type checks, `slice`), so it cannot fail in turn.
import type { Alert, Severity } from './types.js';
import { maxSeverity } from './types.js';
import { asString, isObject, shorten, wellFormed } from './values.js';

/** Why the full alert was not sent, for the minimal alert's note and the log. */
export interface AlertFailure {
  /** The stage that failed: `build` (classify, enrich, assemble) or `format` (the SNS message overflowed or threw). */
  stage: 'build' | 'format';
  /** One line, at most 300 characters (`describeError`). */
  reason: string;
}

/** The severity of a minimal alert: a change nobody could classify is worth a look. */
export const MINIMAL_SEVERITY: Severity = 'medium';

/** The CloudTrail record inside an EventBridge event, or the bare record. */
const recordOf = (raw: unknown): Record<string, unknown> => {
  if (isObject(raw) && isObject(raw.detail)) return raw.detail;
  return isObject(raw) ? raw : {};
};

const text = (value: unknown, max: number): string | undefined => {
  const string = asString(value);
  return string === undefined || string === '' ? undefined : shorten(string, max);
};

/** Who called, in one short phrase: the user name, the session's ARN tail, the service, or the type. */
const callerOf = (identity: Record<string, unknown>): string => {
  const arn = text(identity.arn, 2_048);
  return (
    text(identity.userName, 256) ??
    (arn ? shorten(arn.slice(arn.lastIndexOf(':') + 1), 256) : undefined) ??
    text(identity.invokedBy, 256) ??
    text(identity.principalId, 256) ??
    text(identity.type, 64) ??
    'unknown caller'
  );
};

const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;
const EVENT_ID = /^[A-Za-z0-9-]{1,128}$/;

/**
 * The alert sent when the full one could not be built or rendered: eventName, eventSource, account, caller, time,
 * eventID and a note of what failed, at least {@link MINIMAL_SEVERITY}, every value cut short. It meets the alert
 * schema (the forwarder validates it) and every destination's limits. Never throws, for any `raw`.
 * @param severity the severity already known (the classifier's, when it ran), raised to at least `medium`.
 */
export const buildMinimalAlert = (raw: unknown, failure: AlertFailure, severity?: Severity): Alert => {
  const record = recordOf(raw);
  const envelope = isObject(raw) && isObject(raw.detail) ? raw : {};
  const identity = isObject(record.userIdentity) ? record.userIdentity : {};
  const eventName = text(record.eventName, 128) ?? 'unknown event';
  const eventSource = text(record.eventSource, 128) ?? 'unknown source';
  const eventId = text(record.eventID, 128);
  const region = text(record.awsRegion, 64);
  const account =
    text(record.recipientAccountId, 64) ?? text(envelope.account, 64) ?? text(identity.accountId, 64);
  const caller = callerOf(identity);
  const type = text(identity.type, 64) ?? 'Unknown';
  const level = maxSeverity(severity ?? MINIMAL_SEVERITY, MINIMAL_SEVERITY);
  const link =
    eventId && EVENT_ID.test(eventId)
      ? `https://${region && REGION.test(region) ? region : 'us-east-1'}.console.aws.amazon.com/cloudtrail/home?region=${region && REGION.test(region) ? region : 'us-east-1'}#/events/${eventId}`
      : undefined;
  const alert: Alert = {
    schema: 'iam-change-alerts/alert@1',
    eventName,
    eventSource,
    family: 'unknown',
    category: 'other',
    severity: level,
    reasons: [
      {
        severity: level,
        code: 'alert-incomplete',
        text: 'the full alert could not be built, so this one says only what changed and who did it: review the event in CloudTrail',
      },
    ],
    title: `${eventName} (${eventSource}): alert incomplete`,
    principal: {
      type,
      name: caller,
      via: 'unknown',
      viaLabel: 'unknown client',
      isRoot: type === 'Root',
    },
    parameters: {},
    links: {},
    notes: [shorten(`alert incomplete: the ${failure.stage} stage failed: ${failure.reason}`, 400)],
  };
  if (eventId) alert.eventId = eventId;
  const time = text(record.eventTime, 64);
  if (time) alert.eventTime = time;
  if (region) alert.awsRegion = region;
  if (account) alert.account = account;
  const arn = text(identity.arn, 2_048);
  if (arn) alert.principal.arn = arn;
  const accountId = text(identity.accountId, 64);
  if (accountId) alert.principal.accountId = accountId;
  const sourceIp = text(record.sourceIPAddress, 256);
  if (sourceIp) alert.principal.sourceIp = sourceIp;
  const errorCode = text(record.errorCode, 256);
  if (errorCode) alert.errorCode = errorCode;
  if (link) alert.links.event = wellFormed(link);
  return alert;
};
