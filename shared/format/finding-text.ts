// parse → classify → enrich → [format] → publish: the one place where policy findings become words.
// A finding is data (shared/domain/findings.ts); here it is said as a grant ("grants …"), as an attempt that failed
// ("tried to grant …; the call failed") or as a grant that waits for something ("would grant … once attached").
import type { PolicyReport } from '../domain/enrich/enrichment.js';
import type {
  ActionSet,
  CombinedFinding,
  ConditionLimit,
  Frame,
  GrantChange,
  GrantFinding,
  PolicyFinding,
  ResourceScope,
  StatedFinding,
} from '../domain/findings.js';
import type { PolicyInsight } from '../domain/types.js';
import { assumeParts, wordTrustEntry } from './trust-text.js';

/** `a, b, c and 2 more` (the count includes entries the parser counted but did not keep). */
const listText = (items: readonly string[], max = 3, omitted = 0): string => {
  const more = items.length - Math.min(items.length, max) + omitted;
  const shown = items.slice(0, max).join(', ');
  return more > 0 ? `${shown} and ${more} more` : shown;
};

/** `a, b and c`: for short lists read as prose. */
const proseList = (items: readonly string[], max = 4, omitted = 0): string => {
  const more = items.length - Math.min(items.length, max) + omitted;
  const shown = items.slice(0, max);
  if (more > 0) return `${shown.join(', ')} and ${more} more`;
  if (shown.length <= 1) return shown.join('');
  return `${shown.slice(0, -1).join(', ')} and ${shown[shown.length - 1]}`;
};

/** `on every resource`, `on every role except x`, `on a, b and 3 more`, `on every resource of account 1`. */
const scopeText = (scope: ResourceScope, noun = 'resource', account?: string): string => {
  if (account !== undefined) return `on every ${noun} of account ${account}`;
  if (scope.every) {
    return scope.except.length > 0
      ? `on every ${noun} except ${listText(scope.except, 2, scope.omitted)}`
      : `on every ${noun}`;
  }
  return `on ${listText(scope.resources, 2, scope.omitted)}`;
};

/** `, only when a, b conditions hold`, or nothing for an unconditional grant. */
const conditionText = (conditions: readonly string[]): string =>
  conditions.length > 0 ? `, only when ${listText(conditions)} conditions hold` : '';

/** `a`, `a or b`, `a, b or c`, `a, b, c, d and 2 more`. */
const orList = (items: readonly string[]): string =>
  items.length <= 1
    ? items.join('')
    : items.length > 4
      ? listText(items, 4)
      : `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;

const POSITIVE = /^(StringEquals|StringLike|StringEqualsIgnoreCase|ArnEquals|ArnLike)$/i;

/** `, only when iam:PassedToService is a or b` from the conditions with their values. */
const limitsText = (limits: readonly ConditionLimit[]): string =>
  `, only when ${limits
    .map((limit) =>
      POSITIVE.test(limit.operator)
        ? `${limit.key} is ${orList(limit.values)}`
        : `${limit.operator} ${limit.key} ${listText(limit.values)}`,
    )
    .join(', or ')}`;

// How the exceptions of a broad grant are written, in words.
const NOTATIONS = new Map([
  ['NotAction', 'NotAction'],
  ['NotResource', 'NotResource'],
  ['Deny', 'Allow with Deny'],
]);

// What a whole-service wildcard in NotAction leaves out, in a reviewer's words.
const SERVICE_NAMES = new Map([
  ['iam', 'IAM'],
  ['organizations', 'Organizations'],
  ['account', 'account management'],
  ['sts', 'STS'],
  ['kms', 'KMS'],
  ['cloudtrail', 'CloudTrail'],
]);

const serviceOfPattern = (pattern: string): string =>
  SERVICE_NAMES.get(/^([a-z0-9-]+):\*$/i.exec(pattern)?.[1]?.toLowerCase() ?? '') ?? pattern;

const actionsText = (actions: ActionSet): string => {
  switch (actions.kind) {
    case 'all':
      return 'every action';
    case 'all-except':
      return `every action except ${proseList(actions.except.map(serviceOfPattern), 4, actions.omitted)}`;
    case 'service':
      return `${actions.service}:* (every ${actions.service.toUpperCase() === 'IAM' ? 'IAM' : actions.service} action)`;
    case 'listed':
      return listText(actions.actions, 3, actions.omitted);
  }
};

/** A grant's object, split where a condition word goes: `main` (what, where, how, when) and `why`. */
const grantParts = (finding: GrantFinding): { main: string; why?: string } => {
  const written = NOTATIONS.get(finding.notation ?? '') ?? 'NotAction';
  const notation =
    finding.admin === 'effective'
      ? ` (${written}, IAM included)`
      : `${finding.notation ? ` (${written})` : ''}${finding.includesIam ? ', IAM included' : ''}`;
  // The keys the limits leave unnamed are listed after them.
  const named = new Set(finding.limits?.map((limit) => limit.key.toLowerCase()));
  const others = finding.conditions.filter((key) => !named.has(key.toLowerCase()));
  const when = finding.limits
    ? `${limitsText(finding.limits)}${others.length > 0 ? ` and when ${listText(others)} conditions hold` : ''}`
    : conditionText(finding.conditions);
  const main = `${actionsText(finding.actions)} ${scopeText(finding.resources, finding.resourceNoun, finding.account)}${notation}${when}`;
  return finding.why ? { main, why: finding.why } : { main };
};

const joinWhy = (main: string, why: string | undefined): string => (why ? `${main}: ${why}` : main);

/** Words a finding as the document states it ("grants iam:PassRole on every role"). */
export const wordFinding = (finding: PolicyFinding): string => {
  switch (finding.kind) {
    case 'grant': {
      const { main, why } = grantParts(finding);
      return finding.admin === 'effective'
        ? `effectively administrator: allows ${joinWhy(main, why)}`
        : `grants ${joinWhy(main, why)}`;
    }
    case 'ability': {
      const everywhere = finding.resources.every && finding.resources.except.length === 0;
      return `can ${joinWhy(finding.impact, finding.why)}${everywhere ? '' : ` ${scopeText(finding.resources)}`}${conditionText(finding.conditions)}`;
    }
    case 'assume': {
      const { who, rest, form, now } = assumeParts(finding);
      if (form === 'assumed-by') return `role can ${now ? 'now ' : ''}be assumed by ${who}${rest}`;
      if (form === 'lets') return `the new trust policy lets ${who} assume the role${rest}`;
      return `${who} can assume the role${rest}`;
    }
    case 'action-wildcard':
      return `${finding.pattern} covers ${finding.covers.length} permissions-management action${finding.covers.length === 1 ? '' : 's'}: ${listText(finding.covers, 4)}`;
    case 'grants-nothing':
      if (finding.cancelled)
        return 'grants nothing: its own Deny statements or resource types rule out every Allow';
      return finding.hasStatements ? 'denies only: grants nothing' : 'has no statement: grants nothing';
    case 'summary': {
      const parts = finding.statements.map(
        (statement) =>
          `${listText(
            statement.negated ? statement.actions.map((action) => `not ${action}`) : statement.actions,
            4,
            statement.omitted,
          )} ${scopeText(statement.resources)}`,
      );
      const more = finding.moreStatements > 0 ? ` and ${finding.moreStatements} more statements` : '';
      return `allows ${parts.join('; ')}${more}`;
    }
    case 'known':
      return joinWhy(finding.verb ? `${finding.verb} ${finding.what}` : finding.what, finding.why);
    case 'version-widened':
      return `the new default ${finding.version} of ${finding.policyName} ${wordGrantChange(finding.change)} that ${finding.previous} did not${
        finding.moreChanges > 0 ? ` (+${finding.moreChanges} more changes)` : ''
      }${finding.top ? `: it ${wordFinding(finding.top)}` : ''}`;
    case 'admin-group':
      return `user ${finding.userName} joined group ${finding.groupName}, which grants administrator-level access`;
    case 'weak-boundary':
      return `permissions boundary ${finding.policyName} limits ${finding.limits}`;
    case 'combined':
      return combinedText(finding);
    case 'more':
      return `and ${finding.count} more findings`;
  }
};

/**
 * A path only the policies together open: `together with the other policies of group devs, its holders can …:
 * iam:PassRole from inline policy pass-roles; lambda:CreateFunction and lambda:InvokeFunction from this policy`.
 */
const combinedText = (finding: CombinedFinding): string => {
  const shown = finding.contributions.slice(0, 4);
  const more = finding.contributions.length - shown.length;
  const sources = shown
    .map(
      (contribution) =>
        `${proseList(contribution.actions)} from ${contribution.isNew ? `this policy (${contribution.policy})` : contribution.policy}`,
    )
    .join('; ');
  return `together with the other policies of ${finding.owner}, its holders ${wordFinding(finding.ability)}: ${sources}${more > 0 ? `; and ${more} more policies` : ''}`;
};

/** The finding said as an attempt that failed: what the call tried to grant, never a grant. */
const attemptText = (finding: PolicyFinding, source: string): string => {
  const tag = source ? ` (${source})` : '';
  const tried = triedText(finding, tag);
  if (finding.kind === 'more') return wordFinding(finding);
  return tried === undefined
    ? `the call failed; it attempted this: ${wordFinding(finding)}${tag}`
    : `${tried}; the call failed`;
};

/** "tried to …" for the findings that say what they grant, `undefined` for the others. */
const triedText = (finding: PolicyFinding, tag: string): string | undefined => {
  switch (finding.kind) {
    case 'grant': {
      const { main, why } = grantParts(finding);
      return finding.admin === 'effective'
        ? `tried to grant effective administrator access: ${joinWhy(main, why)}${tag}`
        : `tried to grant ${joinWhy(main, why)}${tag}`;
    }
    case 'assume': {
      const { who, rest } = assumeParts(finding);
      return `tried to let ${who} assume the role${rest}${tag}`;
    }
    case 'ability':
      return `tried to let its holders ${wordFinding(finding).slice('can '.length)}${tag}`;
    case 'summary':
      return `tried to allow ${wordFinding(finding).slice('allows '.length)}${tag}`;
    case 'known':
      if (finding.verb === 'grants') return `tried to grant ${joinWhy(finding.what, finding.why)}${tag}`;
      if (finding.verb === 'can')
        return `tried to let its holders ${joinWhy(finding.what, finding.why)}${tag}`;
      return undefined;
    default:
      return undefined;
  }
};

const CONDITIONS = { 'non-default': 'if made the default', unattached: 'once attached' } as const;

/** The finding said of a document that grants nothing yet: "would grant … if made the default". */
const conditionalText = (finding: PolicyFinding, when: string): string => {
  if (finding.kind === 'grant') {
    const { main, why } = grantParts(finding);
    return finding.admin === 'effective'
      ? `would grant effective administrator access ${when}: ${joinWhy(main, why)}`
      : `would grant ${joinWhy(`${main} ${when}`, why)}`;
  }
  if (finding.kind === 'ability' && finding.why) {
    const rest = wordFinding({ ...finding, why: undefined }).slice(`can ${finding.impact}`.length);
    return `would let its holders ${finding.impact} ${when}: ${finding.why}${rest}`;
  }
  if (finding.kind === 'ability')
    return `would let its holders ${wordFinding(finding).slice('can '.length)} ${when}`;
  if (finding.kind === 'known' && finding.verb) {
    const verb = finding.verb === 'grants' ? 'would grant' : 'would let its holders';
    return `${verb} ${joinWhy(`${finding.what} ${when}`, finding.why)}`;
  }
  return `${when}: ${wordFinding(finding)}`;
};

/**
 * Words a finding as an alert states it: granted ("grants …"), attempted ("tried to grant …; the call failed")
 * or conditional ("would grant … once attached"), with the document it comes from in brackets.
 */
export const wordStatedFinding = ({ finding, frame, source = '' }: StatedFinding): string =>
  frameText(finding, frame, source);

const frameText = (finding: PolicyFinding, frame: Frame, source: string): string => {
  if (frame === 'attempted') return attemptText(finding, source);
  const tag = source ? ` (${source})` : '';
  if (frame === 'granted') return `${wordFinding(finding)}${tag}`;
  return `${conditionalText(finding, CONDITIONS[frame])}${tag}`;
};

/** One change between policy versions: `now allows iam:* on *`, `no longer denies s3:DeleteBucket on *`. */
export const wordGrantChange = (change: GrantChange): string => {
  const resource = change.notResource ? `every resource except ${change.resource}` : change.resource;
  return `${change.change === 'now-allows' ? 'now allows' : 'no longer denies'} ${
    change.notAction ? 'every action except ' : ''
  }${change.action} on ${resource}${change.conditional ? ' (with conditions)' : ''}`;
};

/**
 * The policy section as the alert carries it: every finding, trusted principal and diff line worded. Keys keep
 * one order (source, label, findings, policyArn, trustedPrincipals, document, diff), so the JSON alert is stable.
 */
export const wordPolicyReport = (report: PolicyReport): PolicyInsight => {
  const insight: PolicyInsight = {
    source: report.source,
    label: report.label,
    findings: report.findings.map((statement) => ({
      severity: statement.severity,
      code: statement.code,
      text: wordStatedFinding(statement),
    })),
  };
  if (report.policyArn !== undefined) insight.policyArn = report.policyArn;
  if (report.trustedPrincipals) insight.trustedPrincipals = report.trustedPrincipals.map(wordTrustEntry);
  if (report.document !== undefined) insight.document = report.document;
  if (report.diff) {
    const { changes, more } = report.diff;
    insight.diff = [...changes.map(wordGrantChange), ...(more > 0 ? [`and ${more} more`] : [])];
  }
  return insight;
};
