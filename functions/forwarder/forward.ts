// SNS record → parse alert → format → deliver to Slack and Jira (once per CloudTrail eventID).
import type { SNSEventRecord } from 'aws-lambda';
import { validateAlert } from '../../shared/domain/alert-schema.js';
import type { Alert } from '../../shared/domain/types.js';
import { AppError, describeError, InvalidEventError } from '../../shared/errors.js';
import { eventLabel, formatJiraIssue, type JiraIssueOptions } from '../../shared/format/jira-adf.js';
import { formatSlackMessage } from '../../shared/format/slack-blocks.js';
import type { OnceGuard } from '../../shared/idempotency.js';
import { describeFailure } from '../../shared/telemetry.js';
import { type JiraClient, POSSIBLE_REPEAT_LABEL } from './adapters/jira-client.js';
import type { SlackPostOutcome, SlackWebhook } from './adapters/slack-webhook.js';

/** What {@link forwardRecord} needs; the handler builds it once per container. */
export interface ForwarderDeps {
  slack?: SlackWebhook;
  jira?: { client: JiraClient; options: JiraIssueOptions };
  guard: OnceGuard;
  /** Time left in the invocation (Lambda context), for Retry-After and backoff decisions. */
  remainingMs: () => number;
}

/** What happened to one record, for the log line. */
export interface RecordOutcome {
  messageId: string;
  eventId?: string;
  eventName: string;
  severity: string;
  slack?: SlackPostOutcome | 'already posted';
  jira?: {
    key: string;
    outcome: 'created' | 'created, labelled possible-repeat' | 'found by label' | 'already created';
  };
}

/**
 * Reads the `alert` message attribute of an SNS record (the JSON `Alert` the notifier publishes).
 * Throws `InvalidEventError` naming the SNS MessageId when it is missing, not JSON, or not an
 * `iam-change-alerts/alert@1` alert: the invocation fails, Lambda retries, then the on-failure destination
 * keeps the message.
 * @see https://docs.aws.amazon.com/sns/latest/dg/sns-message-attributes.html
 * @see https://docs.aws.amazon.com/lambda/latest/dg/with-sns.html
 */
export const parseAlertRecord = (record: SNSEventRecord): Alert => {
  const messageId = record.Sns?.MessageId ?? 'unknown';
  const attribute = record.Sns?.MessageAttributes?.alert;
  if (!attribute || typeof attribute.Value !== 'string') {
    throw new InvalidEventError(
      'Sns.MessageAttributes.alert',
      `SNS message ${messageId} has no "alert" message attribute: it was not published by the iam-change-alerts notifier`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(attribute.Value);
  } catch (error) {
    throw new InvalidEventError(
      'Sns.MessageAttributes.alert',
      `SNS message ${messageId}: the "alert" attribute is not JSON (${describeError(error)})`,
      { cause: error },
    );
  }
  const result = validateAlert(parsed);
  if ('problems' in result) {
    throw new InvalidEventError(
      'Sns.MessageAttributes.alert',
      `SNS message ${messageId}: the "alert" attribute is not an iam-change-alerts/alert@1 alert (${result.problems.join('; ')})`,
    );
  }
  return result.alert;
};

/**
 * Delivers one SNS record: posts the Slack message and opens the Jira issue, each at most once per
 * CloudTrail eventID (idempotency record, then for Jira a JQL search for the `ct-<eventId>` label). When an
 * earlier attempt may have delivered (its answer was lost), the retry checks the destination (Slack history in
 * bot mode, a patient JQL search) or marks its message as a possible repeat: never a possible loss. Both
 * destinations are tried even when one fails; then the failure is thrown (both, if both failed), so that
 * Lambda retries — the destination that succeeded is not repeated on retry when a table is configured.
 */
export const forwardRecord = async (record: SNSEventRecord, deps: ForwarderDeps): Promise<RecordOutcome> => {
  const alert = parseAlertRecord(record);
  const messageId = record.Sns.MessageId;
  // SNS keeps the MessageId across its own retries; it stands in for an alert without an eventID.
  const key = alert.eventId ?? `sns-message:${messageId}`;
  const outcome: RecordOutcome = {
    messageId,
    eventName: alert.eventName,
    severity: alert.severity,
    ...(alert.eventId ? { eventId: alert.eventId } : {}),
  };
  const tasks: Promise<void>[] = [];
  const { slack, jira, guard, remainingMs } = deps;
  if (slack) {
    tasks.push(
      (async () => {
        let outcomeOfRun: SlackPostOutcome | undefined;
        await guard.once('slack', key, async ({ suspectRepeat }) => {
          outcomeOfRun = await slack.post(formatSlackMessage(alert), remainingMs, {
            suspectRepeat,
            ...(alert.eventId ? { eventId: alert.eventId } : {}),
          });
          return { posted: true };
        });
        outcome.slack = outcomeOfRun ?? 'already posted';
      })(),
    );
  }
  if (jira) {
    tasks.push(
      (async () => {
        let ran = false;
        const result = await guard.once('jira', key, async ({ suspectRepeat }) => {
          ran = true;
          const label = eventLabel(alert.eventId);
          // After an earlier attempt that may have created the issue, the search allows for the index's lag.
          const existing =
            label &&
            (await jira.client.findIssueByLabel(jira.options.projectKey, label, remainingMs, {
              patient: suspectRepeat,
            }));
          if (existing) return { key: existing, created: false, possibleRepeat: false };
          const issue = formatJiraIssue(alert, jira.options);
          if (suspectRepeat) issue.fields.labels.push(POSSIBLE_REPEAT_LABEL);
          const created = await jira.client.createIssue(issue, remainingMs, label);
          return {
            key: created.key,
            created: !created.found,
            possibleRepeat: suspectRepeat || created.possibleRepeat === true,
          };
        });
        outcome.jira = {
          key: String(result.key),
          outcome: !ran
            ? 'already created'
            : !result.created
              ? 'found by label'
              : result.possibleRepeat
                ? 'created, labelled possible-repeat'
                : 'created',
        };
      })(),
    );
  }
  const failures = (await Promise.allSettled(tasks)).flatMap((settled) =>
    settled.status === 'rejected' ? [settled.reason as unknown] : [],
  );
  if (failures.length === 1) throw failures[0];
  if (failures.length > 1) {
    throw new AppError(
      `every destination failed for SNS message ${messageId}: ${failures.map(describeFailure).join(' | ')}`,
      {
        cause: failures,
      },
    );
  }
  return outcome;
};
