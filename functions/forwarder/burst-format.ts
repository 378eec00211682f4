// [group] → format: one Slack message and one Jira issue for a burst of alerts from one principal session.
// Pure. Event text is escaped and cut exactly as the single-alert formatters do (shared/format/escape.ts), and the
// per-value budgets of shared/format/budgets.ts bound every alert before it gets here.
import { type Alert, type Severity, severityRank } from '../../shared/domain/types.js';
import { plainInline, slackInline, truncate } from '../../shared/format/escape.js';
import type { AdfBlock, AdfListItem, JiraIssueBody, JiraIssueOptions } from '../../shared/format/jira-adf.js';
import { JIRA_LIMITS } from '../../shared/format/jira-adf.js';
import {
  SEVERITY_BADGE,
  SLACK_LIMITS,
  type SlackBlock,
  type SlackMessage,
} from '../../shared/format/slack-blocks.js';

/** A burst: the alerts of one group key (account and caller session) delivered together, oldest first. */
export interface Burst {
  /** The notifier's group key (`groupKeyOf`): the changed account and the caller's ARN. */
  key: string;
  /** The Jira label that finds this burst's issue again on a retry (`grp-<hash>`). */
  label: string;
  alerts: readonly Alert[];
}

/** Lines of the event list in Slack: one section of at most 3,000 characters holds them. */
const SLACK_LIST_LINES = 40;
const SLACK_LINE = 140;
/** Items of the event list in Jira: 200 lines of 150 characters stay far below the description's 32,767. */
const JIRA_LIST_ITEMS = 200;
const JIRA_LINE = 150;

/** The highest severity of the burst's alerts. */
export const highestSeverity = (alerts: readonly Alert[]): Severity =>
  alerts.reduce<Severity>(
    (highest, alert) => (severityRank(alert.severity) > severityRank(highest) ? alert.severity : highest),
    'info',
  );

/** `CreateRole ×38, AttachRolePolicy ×12`: event names by count, most frequent first, then by name. */
export const countByEventName = (alerts: readonly Alert[]): [string, number][] => {
  const counts = new Map<string, number>();
  for (const alert of alerts) counts.set(alert.eventName, (counts.get(alert.eventName) ?? 0) + 1);
  return [...counts].sort(([a, x], [b, y]) => y - x || a.localeCompare(b));
};

/** How long the burst lasted, from its first to its last eventTime: `4 minutes`, `35 seconds`, `1 minute`. */
export const burstDuration = (alerts: readonly Alert[]): string | undefined => {
  const times = alerts
    .map((alert) => (alert.eventTime ? Date.parse(alert.eventTime) : Number.NaN))
    .filter((time) => Number.isFinite(time));
  if (times.length < 2) return undefined;
  const seconds = Math.round((Math.max(...times) - Math.min(...times)) / 1000);
  if (seconds < 60) return `${seconds} second${seconds === 1 ? '' : 's'}`;
  const minutes = Math.round(seconds / 60);
  return `${minutes} minute${minutes === 1 ? '' : 's'}`;
};

/** Who made the burst: the role and session for an assumed role, else the caller's name. Not escaped. */
const callerOf = (alert: Alert): string => {
  const { principal } = alert;
  if (principal.issuerName && principal.sessionName)
    return `${principal.issuerName} (session ${principal.sessionName})`;
  return principal.name;
};

/** The burst's headline words, not escaped: `deploy (session ci-42) made 50 IAM changes in 4 minutes: …`. */
const headlineWords = (burst: Burst): string => {
  const first = burst.alerts[0];
  const duration = burstDuration(burst.alerts);
  const counts = countByEventName(burst.alerts)
    .map(([name, count]) => `${name} ×${count}`)
    .join(', ');
  return `${first ? callerOf(first) : 'unknown caller'} made ${burst.alerts.length} IAM changes${duration ? ` in ${duration}` : ''}: ${counts}`;
};

/** One event of the list, not escaped: `10:02:13 CreateRole · Role app-x created (low)`. */
const eventLine = (alert: Alert): string => {
  const time = alert.eventTime?.slice(11, 19) ?? '--:--:--';
  return `${time} ${alert.eventName} · ${alert.title || alert.target?.name || ''} (${alert.severity})`;
};

/**
 * The Slack message of a burst: a header with the highest severity and the count, the headline (caller, count,
 * duration, changes by event name), the account and caller, the list of events (at most 40 lines, the rest
 * counted), and a context line saying why it was grouped. Every event value is escaped with `slackInline`.
 */
export const formatBurstSlackMessage = (burst: Burst): SlackMessage => {
  const severity = highestSeverity(burst.alerts);
  const first = burst.alerts[0];
  const prefix = `${SEVERITY_BADGE[severity]} ${severity.toUpperCase()} · Burst of ${burst.alerts.length} changes · `;
  const header = `${prefix}${slackInline(first ? callerOf(first) : 'unknown caller', SLACK_LIMITS.headerText - prefix.length)}`;
  const headline = slackInline(headlineWords(burst), 1_500);
  const shown = burst.alerts.slice(0, SLACK_LIST_LINES);
  const hidden = burst.alerts.length - shown.length;
  const list = [
    ...shown.map((alert) => `• ${slackInline(eventLine(alert), SLACK_LINE)}`),
    ...(hidden > 0 ? [`…and ${hidden} more (the Jira issue lists up to ${JIRA_LIST_ITEMS})`] : []),
  ].join('\n');
  const fields = [
    `*Account*\n${slackInline(first?.account ?? 'unknown', 64)}`,
    `*Caller*\n${slackInline(first?.principal.arn ?? first?.principal.name ?? 'unknown', 600)}`,
    `*Highest severity*\n${severity}`,
    `*Events*\n${burst.alerts.length}`,
  ];
  const blocks: SlackBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: header, emoji: true } },
    { type: 'section', text: { type: 'mrkdwn', text: headline } },
    { type: 'section', fields: fields.map((text) => ({ type: 'mrkdwn' as const, text })) },
    { type: 'section', text: { type: 'mrkdwn', text: truncate(list, SLACK_LIMITS.sectionText) } },
    {
      type: 'context',
      elements: [
        {
          type: 'mrkdwn',
          text: 'Grouped: alerts below high from one caller session within the grouping window (alerts.yml). High and critical alerts are never grouped or delayed.',
        },
      ],
    },
  ];
  return { text: truncate(`${header}: ${headline}`, 3_000), blocks };
};

const jiraLabel = (prefix: string, value: string): string =>
  `${prefix}${value.replace(/[^A-Za-z0-9_.-]+/g, '-').replace(/^-+|-+$/g, '')}`.slice(0, JIRA_LIMITS.label);

/**
 * The Jira issue of a burst: summary `[SEVERITY] Burst: <headline> (<account>)` (≤ 254, one line), labels
 * `iam-alert`, `iam-alert-burst`, `severity-<highest>` and the burst's dedupe label, the priority of the highest
 * severity, and a description with the headline and the list of events (at most 200, the rest counted).
 */
export const formatBurstJiraIssue = (burst: Burst, options: JiraIssueOptions): JiraIssueBody => {
  const severity = highestSeverity(burst.alerts);
  const first = burst.alerts[0];
  const account = first?.account ? ` (${first.account})` : '';
  const headline = headlineWords(burst);
  const shown = burst.alerts.slice(0, JIRA_LIST_ITEMS);
  const hidden = burst.alerts.length - shown.length;
  const item = (text: string): AdfListItem => ({
    type: 'listItem',
    content: [{ type: 'paragraph', content: [{ type: 'text', text: plainInline(text, JIRA_LINE) || '—' }] }],
  });
  const content: AdfBlock[] = [
    { type: 'paragraph', content: [{ type: 'text', text: plainInline(headline, 2_000) || '—' }] },
    {
      type: 'paragraph',
      content: [
        {
          type: 'text',
          text: plainInline(`Caller: ${first?.principal.arn ?? first?.principal.name ?? 'unknown'}`, 2_100),
        },
      ],
    },
    {
      type: 'bulletList',
      content: shown.map((alert) => item(`${eventLine(alert)} · ${alert.eventId ?? ''}`)),
    },
    ...(hidden > 0
      ? [
          {
            type: 'paragraph' as const,
            content: [{ type: 'text' as const, text: `…and ${hidden} more events.` }],
          },
        ]
      : []),
  ];
  const priority = options.priorityMap?.[severity];
  return {
    fields: {
      project: { key: options.projectKey },
      issuetype: { name: options.issueType },
      summary: plainInline(`[${severity.toUpperCase()}] Burst: ${headline}${account}`, JIRA_LIMITS.summary),
      labels: ['iam-alert', 'iam-alert-burst', jiraLabel('severity-', severity), burst.label],
      ...(priority ? { priority: { name: priority } } : {}),
      description: { type: 'doc', version: 1, content },
    },
  };
};
