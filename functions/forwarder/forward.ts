// SNS record → parse alert → route → format → deliver to each route's Slack and Jira (once per eventID and route).
import type { SNSEventRecord } from 'aws-lambda';
import { validateAlert } from '../../shared/domain/alert-schema.js';
import { DEFAULT_ROUTE } from '../../shared/domain/rules/model.js';
import { type Alert, type Severity, severityRank } from '../../shared/domain/types.js';
import { isObject } from '../../shared/domain/values.js';
import { AppError, describeError, InvalidEventError } from '../../shared/errors.js';
import {
  eventLabel,
  formatJiraIssue,
  type JiraIssueBody,
  type JiraIssueOptions,
} from '../../shared/format/jira-adf.js';
import { formatSlackMessage, type SlackMessage } from '../../shared/format/slack-blocks.js';
import type { OnceGuard } from '../../shared/idempotency.js';
import { describeFailure } from '../../shared/telemetry.js';
import { type JiraClient, POSSIBLE_REPEAT_LABEL } from './adapters/jira-client.js';
import type { SlackPostOutcome, SlackWebhook } from './adapters/slack-webhook.js';

/** One route's own destinations: its Slack webhook and/or its Jira project (same site and credentials). */
export interface RouteClients {
  slack?: SlackWebhook;
  jiraProject?: string;
}

/** What {@link forwardRecord} needs; the handler builds it once per container. */
export interface ForwarderDeps {
  /** The default route's Slack (today's destination). */
  slack?: SlackWebhook;
  /** The Jira site; `options.projectKey` is the default route's project. */
  jira?: { client: JiraClient; options: JiraIssueOptions };
  /** Routes of `alerts.yml` with a Slack or Jira destination, by name. */
  routes?: ReadonlyMap<string, RouteClients>;
  /** Lowest severity the default route delivers (absent: every severity). */
  minimumSeverity?: Severity;
  guard: OnceGuard;
  /** Time left in the invocation (Lambda context), for Retry-After and backoff decisions. */
  remainingMs: () => number;
}

/** What a Jira delivery did. */
export interface JiraOutcome {
  key: string;
  outcome: 'created' | 'created, labelled possible-repeat' | 'found by label' | 'already created';
}

/** What the deliveries of one route did. */
export interface RouteOutcome {
  slack?: SlackPostOutcome | 'already posted';
  jira?: JiraOutcome;
}

/** What happened to one record, for the log line. `slack`/`jira` are the default route's. */
export interface RecordOutcome extends RouteOutcome {
  messageId: string;
  eventId?: string;
  eventName: string;
  severity: string;
  /** The other routes delivered to, by name (absent when the alert took the default route only). */
  routes?: Record<string, RouteOutcome>;
  /** Why a route named by the alert was delivered elsewhere or not at all (unknown route, below the minimum). */
  notes?: string[];
}

/** An alert with the two routing fields the notifier adds (contract of issue 12). */
export interface RoutedAlert {
  alert: Alert;
  /** Route names from `matchRoutes`; `['default']` for an alert published without them. Never empty. */
  routes: string[];
  /** The burst the alert belongs to (`groupKeyOf`), or `null`: delivered on its own. */
  group: string | null;
}

/**
 * Reads the `alert` message attribute of an SNS record (the JSON `Alert` the notifier publishes).
 * Throws `InvalidEventError` naming the SNS MessageId when it is missing, not JSON, or not an
 * `iam-change-alerts/alert@1` alert: the invocation fails, Lambda retries, then the on-failure destination
 * keeps the message.
 * @see https://docs.aws.amazon.com/sns/latest/dg/sns-message-attributes.html
 * @see https://docs.aws.amazon.com/lambda/latest/dg/with-sns.html
 */
export const parseAlertRecord = (record: SNSEventRecord): Alert => parseRoutedRecord(record).alert;

/** Like {@link parseAlertRecord}, with the alert's `routes` and `group`. */
export const parseRoutedRecord = (record: SNSEventRecord): RoutedAlert =>
  parseAlertAttribute(
    record.Sns?.MessageAttributes?.alert?.Value,
    `SNS message ${record.Sns?.MessageId ?? 'unknown'}`,
    'Sns.MessageAttributes.alert',
  );

const ROUTE_NAME = /^[a-z0-9][a-z0-9-]{0,63}$/;

/**
 * The alert's `routes` and `group`, read from the parsed JSON before the schema (which does not know them yet)
 * strips them. Absent (an alert of an older notifier): the default route, no group. Present but malformed: an
 * error, as for any other field.
 */
const routingOf = (parsed: unknown, where: string, path: string): Omit<RoutedAlert, 'alert'> => {
  const raw = isObject(parsed) ? parsed : {};
  const routes = raw.routes ?? [DEFAULT_ROUTE];
  if (
    !Array.isArray(routes) ||
    routes.length === 0 ||
    !routes.every((name) => typeof name === 'string' && ROUTE_NAME.test(name))
  ) {
    throw new InvalidEventError(path, `${where}: "routes" must be a non-empty list of route names`);
  }
  const group = raw.group ?? null;
  if (group !== null && (typeof group !== 'string' || group === '' || group.length > 2_048)) {
    throw new InvalidEventError(path, `${where}: "group" must be a group key or null`);
  }
  return { routes: [...new Set(routes as string[])], group };
};

/**
 * Parses the JSON alert a message carries (SNS: the `alert` attribute; SQS with raw delivery: the same attribute,
 * as an SQS message attribute). `where` names the message in errors, `path` the field.
 * @throws InvalidEventError when it is missing, not JSON, not an `iam-change-alerts/alert@1` alert, or its
 * routing fields are malformed.
 */
export const parseAlertAttribute = (value: unknown, where: string, path: string): RoutedAlert => {
  if (typeof value !== 'string') {
    throw new InvalidEventError(
      path,
      `${where} has no "alert" message attribute: it was not published by the iam-change-alerts notifier`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch (error) {
    throw new InvalidEventError(
      path,
      `${where}: the "alert" attribute is not JSON (${describeError(error)})`,
      {
        cause: error,
      },
    );
  }
  const result = validateAlert(parsed);
  if ('problems' in result) {
    throw new InvalidEventError(
      path,
      `${where}: the "alert" attribute is not an iam-change-alerts/alert@1 alert (${result.problems.join('; ')})`,
    );
  }
  return { alert: result.alert, ...routingOf(parsed, where, path) };
};

/** Where one route's copy goes: Slack and/or Jira, and the idempotency key suffix that keeps routes apart. */
export interface DeliveryTarget {
  /** `default`, or the route's name. */
  route: string;
  slack?: SlackWebhook;
  jira?: { client: JiraClient; options: JiraIssueOptions };
}

/**
 * The destinations of an alert: each route it names, once. `default` is today's Slack and Jira (held to the
 * minimum severity); a route of `alerts.yml` its own Slack webhook and Jira project. A route this forwarder does
 * not know (the notifier was packaged with other rules) is delivered on the default route, never dropped.
 */
export const targetsOf = (
  routes: readonly string[],
  severity: Severity,
  deps: Pick<ForwarderDeps, 'slack' | 'jira' | 'routes' | 'minimumSeverity'>,
): { targets: DeliveryTarget[]; notes: string[] } => {
  const notes: string[] = [];
  const targets: DeliveryTarget[] = [];
  const defaultTarget: DeliveryTarget = {
    route: DEFAULT_ROUTE,
    ...(deps.slack ? { slack: deps.slack } : {}),
    ...(deps.jira ? { jira: deps.jira } : {}),
  };
  let wantsDefault = false;
  let forcedDefault = false;
  for (const name of routes) {
    if (name === DEFAULT_ROUTE) {
      wantsDefault = true;
      continue;
    }
    const route = deps.routes?.get(name);
    if (!route) {
      notes.push(`route ${name} is unknown to this forwarder: delivered on the default route`);
      forcedDefault = true;
      continue;
    }
    targets.push({
      route: name,
      ...(route.slack ? { slack: route.slack } : {}),
      ...(route.jiraProject && deps.jira
        ? {
            jira: {
              client: deps.jira.client,
              options: { ...deps.jira.options, projectKey: route.jiraProject },
            },
          }
        : {}),
    });
  }
  const minimum = deps.minimumSeverity ?? 'info';
  if (forcedDefault || (wantsDefault && severityRank(severity) >= severityRank(minimum))) {
    targets.unshift(defaultTarget);
  } else if (wantsDefault) {
    notes.push(`below the default route's minimum severity ${minimum}: not sent to its Slack and Jira`);
  }
  return { targets, notes };
};

/** What to deliver: one alert, or one burst. */
export interface Deliverable {
  /** Idempotency key of the default route: the eventID (or a stand-in); other routes append `#route:<name>`. */
  key: string;
  /** Looked for in Slack's history in bot mode, and put in the message's metadata. */
  eventId?: string;
  /** The Jira label searched for before a create (`ct-<eventId>`, or the burst's label). */
  label?: string;
  slackMessage: () => SlackMessage;
  jiraIssue: (options: JiraIssueOptions) => JiraIssueBody;
}

/** The idempotency key of one route's copy: the default route keeps the key it always had. */
export const routeKey = (key: string, route: string): string =>
  route === DEFAULT_ROUTE ? key : `${key}#route:${route}`;

const postToSlack = async (
  slack: SlackWebhook,
  item: Deliverable,
  key: string,
  deps: ForwarderDeps,
): Promise<SlackPostOutcome | 'already posted'> => {
  let outcomeOfRun: SlackPostOutcome | undefined;
  await deps.guard.once('slack', key, async ({ suspectRepeat }) => {
    outcomeOfRun = await slack.post(item.slackMessage(), deps.remainingMs, {
      suspectRepeat,
      ...(item.eventId ? { eventId: item.eventId } : {}),
    });
    return { posted: true };
  });
  return outcomeOfRun ?? 'already posted';
};

const openJiraIssue = async (
  jira: NonNullable<DeliveryTarget['jira']>,
  item: Deliverable,
  key: string,
  deps: ForwarderDeps,
): Promise<JiraOutcome> => {
  let ran = false;
  const result = await deps.guard.once('jira', key, async ({ suspectRepeat }) => {
    ran = true;
    const { label } = item;
    // After an earlier attempt that may have created the issue, the search allows for the index's lag.
    const existing =
      label &&
      (await jira.client.findIssueByLabel(jira.options.projectKey, label, deps.remainingMs, {
        patient: suspectRepeat,
      }));
    if (existing) return { key: existing, created: false, possibleRepeat: false };
    const issue = item.jiraIssue(jira.options);
    if (suspectRepeat) issue.fields.labels.push(POSSIBLE_REPEAT_LABEL);
    const created = await jira.client.createIssue(issue, deps.remainingMs, label);
    return {
      key: created.key,
      created: !created.found,
      possibleRepeat: suspectRepeat || created.possibleRepeat === true,
    };
  });
  return {
    key: String(result.key),
    outcome: !ran
      ? 'already created'
      : !result.created
        ? 'found by label'
        : result.possibleRepeat
          ? 'created, labelled possible-repeat'
          : 'created',
  };
};

/**
 * Delivers one item to every target, each destination of each route at most once (idempotency key per
 * destination, key and route). Every delivery is tried even when another fails; then the failure is thrown
 * (an `AppError` naming all of them when several failed), so that the retry repeats only what failed.
 */
export const deliverToTargets = async (
  item: Deliverable,
  targets: readonly DeliveryTarget[],
  deps: ForwarderDeps,
  what: string,
): Promise<Map<string, RouteOutcome>> => {
  const outcomes = new Map<string, RouteOutcome>();
  const tasks: Promise<void>[] = [];
  for (const target of targets) {
    const outcome: RouteOutcome = {};
    outcomes.set(target.route, outcome);
    const key = routeKey(item.key, target.route);
    const { slack, jira } = target;
    if (slack) {
      tasks.push(
        (async () => {
          outcome.slack = await postToSlack(slack, item, key, deps);
        })(),
      );
    }
    if (jira) {
      tasks.push(
        (async () => {
          outcome.jira = await openJiraIssue(jira, item, key, deps);
        })(),
      );
    }
  }
  const failures = (await Promise.allSettled(tasks)).flatMap((settled) =>
    settled.status === 'rejected' ? [settled.reason as unknown] : [],
  );
  if (failures.length === 1) throw failures[0];
  if (failures.length > 1) {
    const which =
      failures.length === tasks.length
        ? 'every destination failed'
        : `${failures.length} of ${tasks.length} deliveries failed`;
    throw new AppError(`${which} for ${what}: ${failures.map(describeFailure).join(' | ')}`, {
      cause: failures,
    });
  }
  return outcomes;
};

/** The deliverable of one alert: its own Slack message and Jira issue, keyed by its eventID. */
export const alertDeliverable = (alert: Alert, messageId: string): Deliverable => {
  const label = eventLabel(alert.eventId);
  return {
    // SNS keeps the MessageId across its own retries; it stands in for an alert without an eventID.
    key: alert.eventId ?? `sns-message:${messageId}`,
    ...(alert.eventId ? { eventId: alert.eventId } : {}),
    ...(label ? { label } : {}),
    slackMessage: () => formatSlackMessage(alert),
    jiraIssue: (options) => formatJiraIssue(alert, options),
  };
};

/**
 * Delivers one alert to the routes it names (see {@link targetsOf}): each route's Slack message and Jira issue,
 * each at most once per CloudTrail eventID and route (idempotency record, then for Jira a JQL search for the
 * `ct-<eventId>` label). When an earlier attempt may have delivered (its answer was lost), the retry checks the
 * destination (Slack history in bot mode, a patient JQL search) or marks its message as a possible repeat: never
 * a possible loss. Every destination is tried even when one fails; then the failure is thrown, so that Lambda
 * retries, and the retry repeats only the destinations and routes that failed when a table is configured.
 */
export const forwardAlert = async (
  routed: RoutedAlert,
  messageId: string,
  deps: ForwarderDeps,
): Promise<RecordOutcome> => {
  const { alert } = routed;
  const { targets, notes } = targetsOf(routed.routes, alert.severity, deps);
  const outcomes = await deliverToTargets(
    alertDeliverable(alert, messageId),
    targets,
    deps,
    `SNS message ${messageId}`,
  );
  const { [DEFAULT_ROUTE]: byDefault, ...others } = Object.fromEntries(outcomes);
  return {
    messageId,
    eventName: alert.eventName,
    severity: alert.severity,
    ...(alert.eventId ? { eventId: alert.eventId } : {}),
    ...(byDefault ?? {}),
    ...(Object.keys(others).length > 0 ? { routes: others } : {}),
    ...(notes.length > 0 ? { notes } : {}),
  };
};

/** Delivers one SNS record (see {@link forwardAlert}). */
export const forwardRecord = async (record: SNSEventRecord, deps: ForwarderDeps): Promise<RecordOutcome> =>
  forwardAlert(parseRoutedRecord(record), record.Sns.MessageId, deps);
