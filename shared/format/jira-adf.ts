// parse → classify → enrich → [format] → publish: the Jira Cloud create-issue body of an alert.
import type { Alert, Severity } from '../domain/types.js';
import { httpUrl, plainInline, plainMultiline } from './escape.js';
import { alertFacts, callerKeyFacts, credentialFacts, findingsBeyondReasons } from './facts.js';

/** An ADF mark (the subset this formatter emits). */
export type AdfMark =
  | { type: 'strong' }
  | { type: 'code' }
  | { type: 'em' }
  | { type: 'link'; attrs: { href: string } };

/** An ADF inline node. `text` is never empty (ADF requires at least one character). */
export type AdfInline = { type: 'text'; text: string; marks?: AdfMark[] } | { type: 'hardBreak' };

/** An ADF paragraph. */
export interface AdfParagraph {
  type: 'paragraph';
  content: AdfInline[];
}

/** An ADF list item: a paragraph. */
export interface AdfListItem {
  type: 'listItem';
  content: AdfParagraph[];
}

/** An ADF bullet list. */
export interface AdfBulletList {
  type: 'bulletList';
  content: AdfListItem[];
}

/** An ADF table cell or header cell, holding one paragraph. */
export interface AdfCell {
  type: 'tableCell' | 'tableHeader';
  content: AdfParagraph[];
}

/** ADF panel types. */
export type AdfPanelType = 'info' | 'note' | 'warning' | 'error' | 'success';

/** The ADF block nodes this formatter emits. */
export type AdfBlock =
  | AdfParagraph
  | AdfBulletList
  | { type: 'heading'; attrs: { level: 1 | 2 | 3 | 4 | 5 | 6 }; content: AdfInline[] }
  | { type: 'panel'; attrs: { panelType: AdfPanelType }; content: (AdfParagraph | AdfBulletList)[] }
  | { type: 'table'; attrs: { isNumberColumnEnabled: false; layout: 'default' }; content: AdfTableRow[] }
  | { type: 'codeBlock'; attrs: { language: string }; content: { type: 'text'; text: string }[] }
  | { type: 'rule' };

/** An ADF table row. */
export interface AdfTableRow {
  type: 'tableRow';
  content: AdfCell[];
}

/**
 * An Atlassian Document Format document (version 1).
 * @see https://developer.atlassian.com/cloud/jira/platform/apis/document/structure/
 */
export interface AdfDoc {
  type: 'doc';
  version: 1;
  content: AdfBlock[];
}

/**
 * The body of Jira Cloud `POST /rest/api/3/issue`.
 * @see https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issues/#api-rest-api-3-issue-post
 */
export interface JiraIssueBody {
  fields: {
    project: { key: string };
    issuetype: { name: string };
    summary: string;
    labels: string[];
    priority?: { name: string };
    description: AdfDoc;
  };
}

/** What the formatter needs to know about the Jira project. */
export interface JiraIssueOptions {
  projectKey: string;
  issueType: string;
  /** Severity → Jira priority name (`{"critical":"Highest"}`); a severity without an entry sets no priority. */
  priorityMap?: Partial<Record<string, string>>;
}

/**
 * Jira's limits that matter here: `summary` has a 255-character field limit and Jira answers "Summary must be
 * less than 255 characters." (we keep ≤ 254 and no line breaks);
 * a label is at most 255 characters with no spaces; a text field (the description) at most 32,767 characters.
 * @see https://support.atlassian.com/jira-cloud-administration/docs/what-are-the-field-limits-in-jira-cloud/
 */
export const JIRA_LIMITS = {
  summary: 254,
  label: 255,
  description: 32_767,
} as const;

const PANEL_BY_SEVERITY: Record<Severity, AdfPanelType> = {
  critical: 'error',
  high: 'error',
  medium: 'warning',
  low: 'note',
  info: 'info',
};

/** Per-value budgets; the description is rendered again with smaller ones until it fits Jira's limit. */
interface Budget {
  cell: number;
  line: number;
  list: number;
  parameters: number;
  policy: number;
}
const BUDGETS: Budget[] = [
  { cell: 500, line: 400, list: 20, parameters: 25, policy: 12_000 },
  { cell: 200, line: 200, list: 10, parameters: 12, policy: 4_000 },
  { cell: 80, line: 100, list: 5, parameters: 5, policy: 1_000 },
];

/** A text node, or nothing when the value is empty (ADF forbids empty text nodes). */
const text = (value: string, marks?: AdfMark[]): AdfInline[] =>
  value === '' ? [] : [marks ? { type: 'text', text: value, marks } : { type: 'text', text: value }];
/** Event text for a text node: one line, control and bidi characters shown as `\u{…}` (as in the e-mail), cut. */
const inline = (value: string, max: number): string => plainInline(value, max);
const paragraph = (...content: AdfInline[][]): AdfParagraph => ({
  type: 'paragraph',
  content: content.flat(),
});
const bulletList = (items: AdfInline[][]): AdfBulletList => ({
  type: 'bulletList',
  content: items.map((item) => ({ type: 'listItem', content: [paragraph(item)] })),
});
const heading = (level: 2 | 3, value: string): AdfBlock => ({
  type: 'heading',
  attrs: { level },
  content: text(inline(value, 250)),
});
/** Caps a list, replacing the tail by an "… and N more" item. */
const capped = <T>(items: T[], max: number, more: (count: number) => T): T[] =>
  items.length <= max ? items : [...items.slice(0, max - 1), more(items.length - max + 1)];

const cell = (type: AdfCell['type'], content: AdfInline[]): AdfCell => ({
  type,
  content: [paragraph(content.length > 0 ? content : text('—'))],
});
const row = (label: string, value: AdfInline[]): AdfTableRow => ({
  type: 'tableRow',
  content: [cell('tableHeader', text(label)), cell('tableCell', value)],
});
const table = (rows: AdfTableRow[]): AdfBlock => ({
  type: 'table',
  attrs: { isNumberColumnEnabled: false, layout: 'default' },
  content: rows,
});
const codeText = (value: string | undefined, max: number): AdfInline[] =>
  value ? text(inline(value, max), [{ type: 'code' }]) : [];

/**
 * The facts table: Who / How / When / Where / Target / Result in the words of the e-mail (`alertFacts` in
 * facts.ts, the project's one description of them), then what only the ticket adds: the raw user agent (unless it
 * already is the "how"), the target ARN, the event and its category.
 */
const factRows = (alert: Alert, b: Budget): AdfTableRow[] => {
  const { principal } = alert;
  const rows = [...credentialFacts(alert), ...alertFacts(alert), ...callerKeyFacts(alert)].map((fact) =>
    row(fact.label, text(inline(fact.value, b.cell))),
  );
  if (principal.userAgent && principal.userAgent !== principal.viaLabel)
    rows.push(row('User agent', codeText(principal.userAgent, b.cell)));
  if (alert.target?.arn) rows.push(row('Target ARN', codeText(alert.target.arn, b.cell)));
  rows.push(
    row('Event', [...codeText(alert.eventName, b.cell), ...text(` (${inline(alert.eventSource, 100)})`)]),
  );
  rows.push(row('Category', text(`${inline(alert.category, 50)} · ${inline(alert.family, 100)}`)));
  return rows;
};

const prettyPolicy = (document: string): string => {
  try {
    return JSON.stringify(JSON.parse(document), null, 2);
  } catch {
    return document;
  }
};

const policyBlocks = (alert: Alert, b: Budget): AdfBlock[] => {
  const { policy } = alert;
  if (!policy) return [];
  const blocks: AdfBlock[] = [
    heading(3, 'Policy'),
    paragraph(
      text(inline(policy.label, b.line), [{ type: 'strong' }]),
      policy.policyArn ? [...text(' '), ...codeText(policy.policyArn, b.cell)] : [],
    ),
  ];
  const items = [
    ...findingsBeyondReasons(alert).map((finding) =>
      text(`${inline(finding.text, b.line)} (${finding.severity})`),
    ),
    ...(policy.trustedPrincipals ?? []).map((principal) => [
      ...text('may be assumed by '),
      ...codeText(principal, b.line),
    ]),
    ...(policy.diff ?? []).map((grant) => [...text('newly grants '), ...codeText(grant, b.line)]),
  ];
  if (items.length > 0)
    blocks.push(bulletList(capped(items, b.list, (count) => text(`… and ${count} more`))));
  const document = policy.document && plainMultiline(prettyPolicy(policy.document), b.policy);
  if (document && document.trim() !== '') {
    // codeBlock text takes no marks; an empty string would be an empty text node, hence the check above.
    blocks.push({
      type: 'codeBlock',
      attrs: { language: 'json' },
      content: [{ type: 'text', text: document }],
    });
  }
  return blocks;
};

const linkParagraph = (alert: Alert): AdfBlock[] => {
  const links: AdfInline[][] = [];
  const short = (url: string | undefined): string | undefined =>
    url && url.length <= 2000 ? url : undefined;
  const event = short(httpUrl(alert.links.event));
  if (event) links.push(text('View the event in CloudTrail', [{ type: 'link', attrs: { href: event } }]));
  const target = short(httpUrl(alert.links.target));
  if (target)
    links.push(text('Open the target in the IAM console', [{ type: 'link', attrs: { href: target } }]));
  const credentials = short(httpUrl(alert.links.credentials));
  if (credentials)
    links.push(
      text('Open the security credentials in the IAM console', [
        { type: 'link', attrs: { href: credentials } },
      ]),
    );
  if (links.length === 0) return [];
  return [paragraph(...links.flatMap((link, index) => (index === 0 ? [link] : [text(' · '), link])))];
};

/**
 * The Jira labels of an alert: `iam-alert`, `severity-<s>`, `category-<c>`, `family-<f>` and `ct-<eventId>`
 * (the label the forwarder searches for to avoid a second issue for the same CloudTrail event). Jira labels
 * cannot contain spaces; anything outside `[A-Za-z0-9_.-]` becomes `-`.
 * @see https://support.atlassian.com/jira-software-cloud/docs/add-labels-to-issues/
 */
export const formatJiraLabels = (alert: Alert): string[] => {
  // The prefix counts towards Jira's 255 characters: an unknown 300-character eventName is a 300-character family.
  const label = (prefix: string, value: string): string =>
    `${prefix}${value
      .replace(/[^A-Za-z0-9_.-]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, JIRA_LIMITS.label - prefix.length)}`;
  const labels = [
    'iam-alert',
    label('severity-', alert.severity),
    label('category-', alert.category),
    label('family-', alert.family).toLowerCase(),
  ];
  const dedupe = eventLabel(alert.eventId);
  if (dedupe) labels.push(dedupe);
  return [...new Set(labels.filter((value) => !value.endsWith('-')))];
};

/**
 * The dedupe label `ct-<eventId>` for a CloudTrail eventID, or `undefined` when the id is missing or holds
 * characters outside `[A-Za-z0-9-]` (CloudTrail ids are UUIDs; anything else is not trusted inside JQL).
 */
export const eventLabel = (eventId: string | undefined): string | undefined =>
  eventId && /^[A-Za-z0-9-]{1,200}$/.test(eventId) ? `ct-${eventId}` : undefined;

/** The issue summary: `[SEVERITY] title by who (account)`, one line, at most 254 characters. */
export const formatJiraSummary = (alert: Alert): string => {
  const by = alert.principal.name ? ` by ${alert.principal.name}` : '';
  const account = alert.account ? ` (${alert.account})` : '';
  return plainInline(
    `[${alert.severity.toUpperCase()}] ${alert.title || alert.eventName}${by}${account}`,
    JIRA_LIMITS.summary,
  );
};

/**
 * The ADF description: a heading, a panel coloured by severity with the reasons, a table of the facts (worded
 * as in the e-mail), the request parameters, the policy (findings and the document in a code block), notes and
 * links. Event text is shown with control and bidi characters as `\u{…}`. Valid by construction: no empty
 * text node, code blocks carry unmarked text, cells hold paragraphs.
 * @see https://developer.atlassian.com/cloud/jira/platform/apis/document/structure/
 */
export const formatJiraDescription = (alert: Alert): AdfDoc => {
  for (const budget of BUDGETS) {
    const doc = renderDescription(alert, budget);
    if (JSON.stringify(doc).length <= JIRA_LIMITS.description) return doc;
  }
  // Only reachable with thousands of huge reasons/notes: keep the headline and the links, say what was cut.
  // Bounded by construction: the heading is cut to 250 characters and each of the three links to 2,000.
  return {
    type: 'doc',
    version: 1,
    content: [
      heading(2, `${alert.severity.toUpperCase()} · ${alert.title || alert.eventName}`),
      paragraph(
        text(
          'The full description exceeded Jira’s size limit; open the event in CloudTrail for the details.',
        ),
      ),
      ...linkParagraph(alert),
    ],
  };
};

const renderDescription = (alert: Alert, b: Budget): AdfDoc => {
  const reasons = alert.reasons.map((reason) => text(`${inline(reason.text, b.line)} (${reason.severity})`));
  const content: AdfBlock[] = [
    heading(2, `${alert.severity.toUpperCase()} · ${alert.title || alert.eventName}`),
    {
      type: 'panel',
      attrs: { panelType: PANEL_BY_SEVERITY[alert.severity] },
      content:
        reasons.length > 0
          ? [
              paragraph(text('Why it matters', [{ type: 'strong' }])),
              bulletList(capped(reasons, b.list, (count) => text(`… and ${count} more`))),
            ]
          : [paragraph(text(`Severity ${alert.severity}: no specific risk factor was found.`))],
    },
    heading(3, 'Facts'),
    table(factRows(alert, b)),
  ];
  const parameters = Object.entries(alert.parameters);
  if (parameters.length > 0) {
    const rows = parameters.map(([key, value]) => row(inline(key, 100) || '—', codeText(value, b.cell)));
    content.push(
      heading(3, 'Request parameters'),
      table(capped(rows, b.parameters, (count) => row('…', text(`and ${count} more`)))),
    );
  }
  content.push(...policyBlocks(alert, b));
  if (alert.notes.length > 0) {
    const notes = alert.notes.map((note) => text(inline(note, b.line) || '—'));
    content.push(
      heading(3, 'Notes'),
      bulletList(capped(notes, b.list, (count) => text(`… and ${count} more`))),
    );
  }
  content.push(...linkParagraph(alert));
  return { type: 'doc', version: 1, content };
};

/**
 * Renders an alert as the body of Jira Cloud `POST /rest/api/3/issue`: project, issue type, summary
 * (≤ 254, one line), labels (no spaces, with the dedupe label `ct-<eventId>`), a priority when the map has
 * the severity, and the ADF description. Pure.
 * @see https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issues/#api-rest-api-3-issue-post
 */
export const formatJiraIssue = (alert: Alert, options: JiraIssueOptions): JiraIssueBody => {
  const priority = options.priorityMap?.[alert.severity];
  return {
    fields: {
      project: { key: options.projectKey },
      issuetype: { name: options.issueType },
      summary: formatJiraSummary(alert),
      labels: formatJiraLabels(alert),
      ...(priority ? { priority: { name: priority } } : {}),
      description: formatJiraDescription(alert),
    },
  };
};
