// parse → classify → enrich → [format] → publish: the Slack incoming-webhook payload of an alert.
import type { Alert, Severity } from '../domain/types.js';
import { slackInline, slackMultiline, slackUrl, truncate } from './escape.js';
import { alertFacts, callerKeyFacts, credentialFacts, findingsBeyondReasons } from './facts.js';

/** A Block Kit text object. */
export interface SlackText {
  type: 'plain_text' | 'mrkdwn';
  text: string;
  emoji?: boolean;
}

/** The Block Kit blocks this formatter emits (a subset of Slack's). */
export type SlackBlock =
  | { type: 'header'; text: SlackText & { type: 'plain_text' } }
  | { type: 'section'; text: SlackText; fields?: undefined }
  | { type: 'section'; fields: SlackText[]; text?: undefined }
  | { type: 'context'; elements: SlackText[] }
  | { type: 'divider' };

/**
 * The JSON body POSTed to a Slack incoming webhook: `text` is the notification/fallback line, `blocks`
 * the rendered message.
 * @see https://docs.slack.dev/messaging/sending-messages-using-incoming-webhooks/
 */
export interface SlackMessage {
  text: string;
  blocks: SlackBlock[];
}

/**
 * Slack's documented Block Kit limits. A payload over any of them is answered with HTTP 400 `invalid_blocks`.
 * @see https://docs.slack.dev/reference/block-kit/blocks/section-block
 * @see https://docs.slack.dev/reference/block-kit/blocks/header-block
 * @see https://docs.slack.dev/reference/block-kit/blocks/context-block
 */
export const SLACK_LIMITS = {
  blocks: 50,
  headerText: 150,
  sectionText: 3000,
  fields: 10,
  fieldText: 2000,
  contextElements: 10,
  contextText: 3000,
  /** Slack truncates `text` over 40,000 characters; we stay far below. */
  messageText: 40_000,
} as const;

/** The coloured mark in front of a severity in Slack headers (alerts and bursts). */
export const SEVERITY_BADGE: Record<Severity, string> = {
  critical: '🔴',
  high: '🟠',
  medium: '🟡',
  low: '🔵',
  info: '⚪',
};

// Budgets below the hard limits leave room for the labels we wrap around event values.
const FIELD_VALUE = 600;
const LINE_VALUE = 300;
const POLICY_EXCERPT = 2600;

const mrkdwn = (text: string): SlackText => ({ type: 'mrkdwn', text });
/** An untrusted value as inline code: formatting characters inside stay literal, backticks were escaped. */
const code = (value: string, max = FIELD_VALUE): string => {
  const escaped = slackInline(value, max);
  return escaped === '' ? '—' : `\`${escaped}\``;
};
const plain = (value: string, max = FIELD_VALUE): string => slackInline(value, max) || '—';

/** Joins lines until the next one would exceed `max`; then says how many were left out. */
const joinWithin = (lines: string[], max: number): string => {
  let out = '';
  for (const [index, line] of lines.entries()) {
    const next = out === '' ? line : `${out}\n${line}`;
    const rest = `\n… and ${lines.length - index} more`;
    const isLast = index === lines.length - 1;
    if (next.length > max || (!isLast && next.length + rest.length > max)) {
      return out === '' ? truncate(line, max) : `${out}${rest}`;
    }
    out = next;
  }
  return out;
};

/** The one-line headline shared by the header block and the `text` fallback (escaped, ≤ 150 characters). */
export const formatSlackHeadline = (alert: Alert): string => {
  const prefix = `${SEVERITY_BADGE[alert.severity]} ${alert.severity.toUpperCase()} · `;
  return `${prefix}${slackInline(alert.title || alert.eventName, SLACK_LIMITS.headerText - prefix.length) || '—'}`;
};

const field = (label: string, value: string): SlackText =>
  mrkdwn(truncate(`*${label}*\n${value}`, SLACK_LIMITS.fieldText));

/**
 * Who / How / When / Where / Target / Result in the words of the e-mail (`alertFacts` in facts.ts, the project's
 * one description of them), escaped for Slack, and the caller's access key; then the raw user agent and the event name, which only the chat
 * and the ticket show. The user agent is left out when it already is the "how" (an unrecognised client).
 */
const factFields = (alert: Alert): SlackText[] => {
  const fields = alertFacts(alert).map((fact) => {
    const { userAgent, viaLabel } = alert.principal;
    const agent =
      fact.label === 'How' && userAgent && userAgent !== viaLabel
        ? `\nuser agent ${code(userAgent, 400)}`
        : '';
    return field(fact.label, `${plain(fact.value)}${agent}`);
  });
  for (const fact of callerKeyFacts(alert)) fields.push(field(fact.label, plain(fact.value)));
  fields.push(
    field(
      'Event',
      `${code(alert.eventName, 200)}\n${plain(alert.category, 50)} · ${plain(alert.family, 100)}`,
    ),
  );
  return fields.slice(0, SLACK_LIMITS.fields);
};

const reasonsText = (alert: Alert): string | undefined => {
  if (alert.reasons.length === 0) return undefined;
  const lines = alert.reasons.map(
    (reason) => `• ${plain(reason.text, LINE_VALUE)} _(${plain(reason.severity, 20)})_`,
  );
  return joinWithin(['*Why it matters*', ...lines], SLACK_LIMITS.sectionText);
};

/** The credentials the event changed, one line each, right under the header: what a responder copies first. */
const keysText = (alert: Alert): string | undefined => {
  const lines = credentialFacts(alert).map((fact) => `*${fact.label}* ${plain(fact.value, LINE_VALUE)}`);
  return lines.length === 0 ? undefined : joinWithin(lines, SLACK_LIMITS.sectionText);
};

const changeText = (alert: Alert): string | undefined => {
  const entries = Object.entries(alert.parameters);
  if (entries.length === 0) return undefined;
  const lines = entries.map(([key, value]) => `${plain(key, 100)} ${code(value, LINE_VALUE)}`);
  return joinWithin([`*Change* ${code(alert.eventName, 200)}`, ...lines], SLACK_LIMITS.sectionText);
};

const policyText = (alert: Alert): string | undefined => {
  const { policy } = alert;
  if (!policy) return undefined;
  const lines = [`*Policy* ${plain(policy.label, 300)}`];
  if (policy.policyArn) lines.push(code(policy.policyArn));
  for (const finding of findingsBeyondReasons(alert)) {
    lines.push(`• ${plain(finding.text, LINE_VALUE)} _(${plain(finding.severity, 20)})_`);
  }
  for (const principal of policy.trustedPrincipals ?? [])
    lines.push(`• may be assumed by ${code(principal)}`);
  for (const grant of policy.diff ?? []) lines.push(`• newly grants ${code(grant)}`);
  return joinWithin(lines, SLACK_LIMITS.sectionText);
};

/** Pretty-prints a JSON policy when it parses (easier to read), else keeps the text as it came. */
const prettyPolicy = (document: string): string => {
  try {
    return JSON.stringify(JSON.parse(document), null, 2);
  } catch {
    return document;
  }
};

const policyExcerpt = (alert: Alert): string | undefined => {
  const document = alert.policy?.document;
  if (!document || document.trim() === '') return undefined;
  // ``` fences: event text cannot close them because escapeSlackChar turns every backtick into ˋ.
  return `\`\`\`\n${slackMultiline(prettyPolicy(document), POLICY_EXCERPT)}\n\`\`\``;
};

const linksText = (alert: Alert): string | undefined => {
  const links: string[] = [];
  const event = slackUrl(alert.links.event);
  if (event) links.push(`<${event}|View the event in CloudTrail>`);
  const target = slackUrl(alert.links.target);
  if (target)
    links.push(
      `<${target}|Open the ${alert.target?.kind === 'other' ? 'entity' : (alert.target?.kind ?? 'entity')} in IAM>`,
    );
  const credentials = slackUrl(alert.links.credentials);
  if (credentials) links.push(`<${credentials}|Open the security credentials in IAM>`);
  return links.length === 0 ? undefined : links.join('  ·  ');
};

/**
 * Renders an alert as a Slack incoming-webhook message: header (severity + title), the reasons, the
 * who/how/when/where/target/result facts (worded as in the e-mail) and the event, the request parameters, the
 * policy finding and an excerpt in a code block, notes, links, and the eventID in a context line. Every value
 * from the event is escaped (`&`, `<`, `>`; backticks; mention words; control and bidi characters shown as
 * `\u{…}`), and every block stays within {@link SLACK_LIMITS} for any input.
 * Pure: the same alert always gives the same message.
 * @see https://docs.slack.dev/reference/block-kit/blocks
 * @see https://docs.slack.dev/messaging/formatting-message-text/
 */
export const formatSlackMessage = (alert: Alert): SlackMessage => {
  const headline = formatSlackHeadline(alert);
  const blocks: SlackBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: headline, emoji: true } },
  ];
  const section = (text: string | undefined): void => {
    if (text) blocks.push({ type: 'section', text: mrkdwn(truncate(text, SLACK_LIMITS.sectionText)) });
  };
  section(keysText(alert));
  section(reasonsText(alert));
  blocks.push({ type: 'section', fields: factFields(alert) });
  section(changeText(alert));
  section(policyText(alert));
  section(policyExcerpt(alert));
  if (alert.notes.length > 0) {
    const notes = alert.notes.map((note) => `• ${plain(note, LINE_VALUE)}`);
    blocks.push({ type: 'context', elements: [mrkdwn(joinWithin(['*Notes*', ...notes], 2000))] });
  }
  section(linksText(alert));
  const context = [`eventID ${code(alert.eventId ?? 'unknown', 200)}`, code(alert.eventSource, 200)];
  blocks.push({ type: 'context', elements: [mrkdwn(context.join(' · '))] });
  return { text: headline, blocks: blocks.slice(0, SLACK_LIMITS.blocks) };
};
