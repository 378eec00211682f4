// SQS batch (grouped alerts, after the queue's batching window) → bursts by group key → one Slack message and one
// Jira issue per burst and route; a failed burst is reported alone (ReportBatchItemFailures) and retried alone.
import { createHash } from 'node:crypto';
import type { SQSBatchItemFailure, SQSRecord } from 'aws-lambda';
import { AppError } from '../../shared/errors.js';
import { describeFailure } from '../../shared/telemetry.js';
import {
  type Burst,
  formatBurstJiraIssue,
  formatBurstSlackMessage,
  highestSeverity,
} from './burst-format.js';
import {
  alertDeliverable,
  type Deliverable,
  deliverToTargets,
  type ForwarderDeps,
  forwardAlert,
  parseAlertAttribute,
  type RoutedAlert,
  type RouteOutcome,
  targetsOf,
} from './forward.js';

/** What happened to one burst (or one alert delivered alone), for the log line. */
export interface BurstOutcome {
  group: string | null;
  messageIds: string[];
  events: number;
  /** Route name → what its Slack and Jira deliveries did. */
  routes: Record<string, RouteOutcome>;
  notes?: string[];
}

/** A burst, or a record, that failed: its messages go back to the queue. */
export interface BurstFailure {
  group: string | null;
  messageIds: string[];
  error: unknown;
}

/** The result of one SQS batch: the failures to report to Lambda, and what was delivered. */
export interface BatchResult {
  batchItemFailures: SQSBatchItemFailure[];
  delivered: BurstOutcome[];
  failed: BurstFailure[];
}

/**
 * Time a burst needs at least before the function's timeout: a burst started later is left in the queue
 * (reported as failed, retried after the visibility timeout) rather than cut off by the timeout, which would
 * retry the whole batch.
 */
export const BURST_RESERVE_MS = 15_000;

/** The alert of an SQS record from the SNS subscription with raw message delivery: the `alert` attribute. */
const parseSqsRecord = (record: SQSRecord): RoutedAlert =>
  parseAlertAttribute(
    record.messageAttributes?.alert?.stringValue,
    `SQS message ${record.messageId}`,
    'messageAttributes.alert',
  );

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/**
 * The idempotency key and Jira label of one burst's copy: the group key and the sorted eventIDs it holds, so that
 * a retry of the same messages finds what an earlier attempt delivered. A retry whose batch holds other messages
 * of the same group is another burst (the earlier one failed as a whole, so nothing of it is lost).
 */
export const burstIdentity = (
  group: string,
  alerts: readonly RoutedAlert[],
  messageIds: readonly string[],
) => {
  const ids = alerts.map(({ alert }, index) => alert.eventId ?? `sqs-message:${messageIds[index]}`).sort();
  const digest = sha256(`${group}\n${ids.join('\n')}`);
  return { key: `burst:${digest}`, label: `grp-${digest.slice(0, 40)}` };
};

interface Member {
  routed: RoutedAlert;
  messageId: string;
}

/** Oldest first (eventTime, then eventID), so the list reads as the burst happened. */
const byTime = (a: Member, b: Member): number =>
  (a.routed.alert.eventTime ?? '').localeCompare(b.routed.alert.eventTime ?? '') ||
  (a.routed.alert.eventId ?? '').localeCompare(b.routed.alert.eventId ?? '');

/** Delivers one group: per route named by its members, one message and one issue (or the alert itself if alone). */
const deliverGroup = async (group: string, members: Member[], deps: ForwarderDeps): Promise<BurstOutcome> => {
  const byRoute = new Map<string, Member[]>();
  for (const member of members) {
    for (const route of member.routed.routes) byRoute.set(route, [...(byRoute.get(route) ?? []), member]);
  }
  const routes: Record<string, RouteOutcome> = Object.create(null);
  const notes: string[] = [];
  const failures: unknown[] = [];
  for (const [route, inRoute] of byRoute) {
    const alerts = inRoute.sort(byTime).map((member) => member.routed);
    const messageIds = inRoute.map((member) => member.messageId);
    const only = alerts.length === 1 ? alerts[0] : undefined;
    const identity = burstIdentity(group, alerts, messageIds);
    const burst: Burst = { key: group, label: identity.label, alerts: alerts.map(({ alert }) => alert) };
    const item: Deliverable =
      only && messageIds[0] !== undefined
        ? alertDeliverable(only.alert, messageIds[0])
        : {
            key: identity.key,
            eventId: identity.label,
            label: identity.label,
            slackMessage: () => formatBurstSlackMessage(burst),
            jiraIssue: (options) => formatBurstJiraIssue(burst, options),
          };
    const { targets, notes: routeNotes } = targetsOf([route], highestSeverity(burst.alerts), deps);
    notes.push(...routeNotes);
    try {
      const outcomes = await deliverToTargets(
        item,
        targets,
        deps,
        `burst ${identity.label} (route ${route})`,
      );
      for (const [name, outcome] of outcomes) routes[name] = { ...routes[name], ...outcome };
    } catch (error) {
      failures.push(error);
    }
  }
  if (failures.length === 1) throw failures[0];
  if (failures.length > 1) {
    throw new AppError(
      `${failures.length} routes failed for burst ${group}: ${failures.map(describeFailure).join(' | ')}`,
      {
        cause: failures,
      },
    );
  }
  return {
    group,
    messageIds: members.map((member) => member.messageId),
    events: members.length,
    routes,
    ...(notes.length > 0 ? { notes } : {}),
  };
};

/**
 * Delivers an SQS batch of grouped alerts. Records are grouped by the alert's `group` (account and caller session);
 * each group becomes, for each route its alerts name, one Slack message and one Jira issue listing the events
 * (a group of one is delivered as the alert itself; an alert without a group, which the subscription filter should
 * not let in, is delivered alone). A record that is not an alert, or a group whose delivery failed, is reported in
 * `batchItemFailures`, so that only its messages return to the queue (then to the dead-letter queue after
 * `maxReceiveCount` receives); the others are deleted.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html#services-sqs-batchfailurereporting
 */
export const forwardBatch = async (
  records: readonly SQSRecord[],
  deps: ForwarderDeps,
): Promise<BatchResult> => {
  const result: BatchResult = { batchItemFailures: [], delivered: [], failed: [] };
  const groups = new Map<string, Member[]>();
  const alone: Member[] = [];
  for (const record of records) {
    let routed: RoutedAlert;
    try {
      routed = parseSqsRecord(record);
    } catch (error) {
      result.failed.push({ group: null, messageIds: [record.messageId], error });
      continue;
    }
    const member = { routed, messageId: record.messageId };
    if (routed.group === null) alone.push(member);
    else groups.set(routed.group, [...(groups.get(routed.group) ?? []), member]);
  }
  const units: { group: string | null; members: Member[] }[] = [
    ...[...groups].map(([group, members]) => ({ group, members })),
    ...alone.map((member) => ({ group: null, members: [member] })),
  ];
  for (const { group, members } of units) {
    const messageIds = members.map((member) => member.messageId);
    if (deps.remainingMs() < BURST_RESERVE_MS) {
      result.failed.push({
        group,
        messageIds,
        error: new Error('not started: too little time left in the invocation'),
      });
      continue;
    }
    try {
      const [single] = members;
      if (group === null && single) {
        const outcome = await forwardAlert(single.routed, single.messageId, deps);
        const { slack, jira, routes, notes } = outcome;
        result.delivered.push({
          group,
          messageIds,
          events: 1,
          routes: {
            ...(slack || jira ? { default: { ...(slack ? { slack } : {}), ...(jira ? { jira } : {}) } } : {}),
            ...routes,
          },
          ...(notes ? { notes } : {}),
        });
      } else if (group !== null) {
        result.delivered.push(await deliverGroup(group, members, deps));
      }
    } catch (error) {
      result.failed.push({ group, messageIds, error });
    }
  }
  result.batchItemFailures = result.failed.flatMap(({ messageIds }) =>
    messageIds.map((itemIdentifier) => ({ itemIdentifier })),
  );
  return result;
};
