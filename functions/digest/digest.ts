// The daily digest of what suppress rules hid (issue 12): yesterday's `AlertsSuppressed` per rule and the rules past
// their `expires` date, as one line published on the alert topic. Hiding is visible.
import { formatSuppressionDigest, type SuppressionCounts } from '../../shared/domain/rules/counting.js';
import { expiredRuleIds, type RulesConfig } from '../../shared/domain/rules/model.js';
import { isObject } from '../../shared/domain/values.js';
import type { SnsMessage } from '../../shared/format/sns-message.js';
import type { OnceGuard } from '../../shared/idempotency.js';
import type { AlertPublisher } from '../notifier/adapters/sns-publisher.js';

/** A UTC day as CloudWatch is asked for it: `[start, end)`, and its date. */
export interface DayWindow {
  /** `YYYY-MM-DD`. */
  date: string;
  start: Date;
  end: Date;
}

/** Reads how many alerts each rule hid in a window (CloudWatch `AlertsSuppressed`, summed per `rule`). */
export interface SuppressionCountReader {
  countsBetween(start: Date, end: Date): Promise<SuppressionCounts>;
}

/** What the digest needs from outside. */
export interface DigestDeps {
  counts: SuppressionCountReader;
  publisher: AlertPublisher;
  rules: RulesConfig;
  /** One publish per digest day (destination `sns`, key the day's date): a retry after a publish sends nothing. */
  guard: OnceGuard;
  /** The clock: without a scheduled time, the digest reports the UTC day before `now()`. */
  now: () => Date;
  remainingMs?: () => number;
}

/** What one run did, for the log. */
export type DigestResult =
  | {
      kind: 'published';
      date: string;
      text: string;
      total: number;
      messageId?: string;
      /** An earlier attempt may already have published this day's digest: this one is marked `(repeat?)`. */
      possibleRepeat?: true;
    }
  /** This day's digest was already published (a retry of an invocation whose publish succeeded): nothing sent. */
  | { kind: 'duplicate'; date: string; messageId?: string };

const DAY_MS = 86_400_000;

/** The UTC day before `now`. */
export const yesterdayOf = (now: Date): DayWindow => {
  const end = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  const start = new Date(end.getTime() - DAY_MS);
  return { date: start.toISOString().slice(0, 10), start, end };
};

/** Value of the `kind` attribute that tells a digest from an alert (a digest has no `alert` attribute). */
export const DIGEST_KIND = 'suppression-digest';

/**
 * The digest as an SNS message. Subject and body are the digest line (body with the date). Attributes: `kind`
 * (`suppression-digest`: subscribers that parse alerts must skip it, it has no `alert` attribute), `severity` `info`,
 * `severityRank` 0, `category` `other`, `eventName` `SuppressionDigest`. It has no `routes`. The stack's alert
 * e-mail subscription takes it whatever its severity filter (`{"kind": ["suppression-digest"]}` is one of its `$or`
 * branches); the forwarder's subscriptions never do (their branches require `kind` to be absent).
 */
export const formatDigestMessage = (text: string, date: string): SnsMessage => ({
  Subject: `[INFO] iam-change-alerts: ${text}`.replace(/[^\x20-\x7e]/g, '?').slice(0, 99),
  Message: `IAM change alerts, suppression digest for ${date} (UTC)\n\n${text}\n\nRules: alerts.yml (docs/rules.md). Each hidden alert is logged by the notifier as "alert suppressed" with its rule and eventID.\n`,
  MessageAttributes: {
    kind: { DataType: 'String', StringValue: DIGEST_KIND },
    severity: { DataType: 'String', StringValue: 'info' },
    severityRank: { DataType: 'Number', StringValue: '0' },
    category: { DataType: 'String', StringValue: 'other' },
    eventName: { DataType: 'String', StringValue: 'SuppressionDigest' },
  },
});

/** How far ahead of the clock a scheduled time may be and still be believed (clock skew). */
const MAX_SKEW_MS = 5 * 60_000;

/**
 * The time the digest is for: the scheduled event's `time` (when EventBridge fired the rule, the same in every
 * retry of that invocation), or `now` when the event has none or an implausible one (unparsable, in the future,
 * more than two days old). So a retry that runs after midnight still reports, and is guarded as, the same day.
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-run-lambda-schedule.html (the scheduled event)
 */
export const scheduledTimeOf = (event: unknown, now: Date): Date => {
  const time = isObject(event) && typeof event.time === 'string' ? Date.parse(event.time) : Number.NaN;
  const plausible = time <= now.getTime() + MAX_SKEW_MS && time >= now.getTime() - 2 * DAY_MS;
  return Number.isNaN(time) || !plausible ? now : new Date(time);
};

/**
 * Reads yesterday's suppression counts and the expired rules and publishes the digest line, also when nothing was
 * hidden (`yesterday: 0 alerts suppressed; 0 rules expired`: silence would not tell a broken count from a quiet day).
 * "Yesterday" is the UTC day before `scheduledAt` (default `now()`). Once per day: the read and the publish run inside
 * `deps.guard` under the day's date, so a retry after a successful publish sends nothing (`kind: 'duplicate'`), and a
 * retry after an attempt whose answer was lost publishes again marked as a possible repeat, never nothing.
 * @throws PublishError when SNS fails after the publisher's retries; CloudWatch's error when the counts cannot be read.
 */
export const runDigest = async (deps: DigestDeps, scheduledAt: Date = deps.now()): Promise<DigestResult> => {
  const day = yesterdayOf(scheduledAt);
  const ran: { result?: Extract<DigestResult, { kind: 'published' }> } = {};
  const stored = await deps.guard.once('sns', day.date, async ({ suspectRepeat }) => {
    const counts = await deps.counts.countsBetween(day.start, day.end);
    const text = formatSuppressionDigest({
      period: 'yesterday',
      counts,
      expiredRuleIds: expiredRuleIds(deps.rules, scheduledAt.toISOString().slice(0, 10)),
    });
    const total = [...counts.values()].reduce((sum, count) => sum + count, 0);
    const published = await deps.publisher.publish(formatDigestMessage(text, day.date), {
      possibleRepeat: suspectRepeat,
      ...(deps.remainingMs ? { remainingMs: deps.remainingMs } : {}),
    });
    ran.result = {
      kind: 'published',
      date: day.date,
      text,
      total,
      ...(published.messageId ? { messageId: published.messageId } : {}),
      ...(published.possibleRepeat ? { possibleRepeat: true as const } : {}),
    };
    return { messageId: published.messageId ?? '' };
  });
  return (
    ran.result ?? {
      kind: 'duplicate',
      date: day.date,
      ...(stored.messageId ? { messageId: stored.messageId } : {}),
    }
  );
};
