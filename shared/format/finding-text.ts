// parse → classify → enrich → [format] → publish: the one place where policy findings become words.
// A finding is data (shared/domain/findings.ts); here it is said as a grant ("grants …"), as an attempt that failed
// ("tried to grant …; the call failed") or as a grant that waits for something ("would grant … once attached").
import type { PolicyReport } from '../domain/enrich/enrichment.js';
import type {
  ActionSet,
  AssumeFinding,
  Frame,
  GrantChange,
  GrantFinding,
  GrantLevel,
  Headline,
  PolicyFinding,
  ResourceScope,
  StatedFinding,
  TrustEntry,
  TrustExposure,
} from '../domain/findings.js';
import type { PolicyInsight } from '../domain/types.js';

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

/** `on every resource`, `on every role except x`, `on a, b and 3 more`. */
const scopeText = (scope: ResourceScope, noun = 'resource'): string => {
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
  const notation =
    finding.admin === 'effective'
      ? ' (NotAction, IAM included)'
      : `${finding.notation ? ` (${finding.notation})` : ''}${finding.includesIam ? ', IAM included' : ''}`;
  const main = `${actionsText(finding.actions)} ${scopeText(finding.resources, finding.resourceNoun)}${notation}${conditionText(finding.conditions)}`;
  return finding.why ? { main, why: finding.why } : { main };
};

/** Who an assume finding names, what follows "assume the role", and how the granted form says it. */
const assumeParts = (
  finding: AssumeFinding,
): { who: string; rest: string; form: 'assumed-by' | 'lets' | 'can-assume'; now: boolean } => {
  const { principal, conditions } = finding;
  const keys = conditions.join(', ');
  switch (principal.class) {
    case 'anyone':
      return { who: 'anyone (*)', rest: '', form: 'assumed-by', now: true };
    case 'any-aws-principal':
      return {
        who: `any AWS principal (*) that meets its ${keys} conditions`,
        rest: '',
        form: 'assumed-by',
        now: true,
      };
    case 'everyone-except':
      return {
        who: `everyone except ${principal.excluded.join(', ')} (Allow with NotPrincipal)`,
        rest: '',
        form: 'assumed-by',
        now: true,
      };
    case 'listed':
      return {
        who: principal.entries.map(wordTrustEntry).join('; '),
        rest: '',
        form: 'assumed-by',
        now: false,
      };
    case 'other-account':
      return {
        who: principal.arn,
        rest: principal.externalId
          ? ', with an ExternalId condition'
          : `, with no ExternalId condition${conditions.length > 0 ? ` (only ${keys} conditions)` : ''}`,
        form: 'lets',
        now: true,
      };
    case 'saml-provider':
      return {
        who: `users signed in through SAML provider ${principal.provider}`,
        rest: '',
        form: 'can-assume',
        now: true,
      };
    case 'github-actions':
      return principal.match === 'any'
        ? {
            who: 'any GitHub Actions workflow, in any repository of anyone,',
            rest: `: the trust policy has no ${principal.provider}:sub condition`,
            form: 'can-assume',
            now: true,
          }
        : {
            who:
              principal.match === 'broad'
                ? `GitHub Actions workflows of any repository matching ${firstThree(principal.subjects)}`
                : `GitHub Actions workflows of ${firstThree(principal.subjects)}`,
            rest: '',
            form: 'can-assume',
            now: true,
          };
    case 'web-identity':
      return {
        who: `anyone with a ${principal.provider} identity`,
        rest: `: the trust policy has no ${principal.provider}:aud condition`,
        form: 'can-assume',
        now: true,
      };
    case 'oidc-provider':
      return {
        who: `any identity of OIDC provider ${principal.provider}`,
        rest: `: no ${principal.provider}:aud or :sub condition`,
        form: 'can-assume',
        now: true,
      };
    default:
      return { who: wordTrustEntry(finding), rest: '', form: 'can-assume', now: true };
  }
};

/** At most three distinct values, as a list: `a, b, c`. */
const firstThree = (values: readonly string[]): string => [...new Set(values)].slice(0, 3).join(', ');

/** One principal a trust policy lets in, for the "may be assumed by" list: `service ec2.amazonaws.com`. */
export const wordTrustEntry = ({ principal, conditions }: TrustEntry): string => {
  switch (principal.class) {
    case 'anyone':
      return 'anyone (*), no conditions';
    case 'any-aws-principal':
      return `anyone (*) meeting ${firstThree(conditions)}`;
    case 'everyone-except':
      return `everyone except ${principal.excluded.join(', ')}`;
    case 'other-account': {
      const note = principal.ownAccountKnown ? 'another account' : 'an account other than the caller’s?';
      if (principal.externalId) return `${principal.arn} (${note}, with an ExternalId condition)`;
      return `${principal.arn} (${note}${conditions.length > 0 ? `, when ${firstThree(conditions)}` : ', no conditions'})`;
    }
    case 'this-account':
      return `${principal.arn} (this account)`;
    case 'unresolved':
      return `${principal.id} (not an ARN: a deleted principal's unique id?)`;
    case 'saml-provider':
      return `users signed in through SAML provider ${principal.provider}`;
    case 'github-actions':
      if (principal.match === 'any')
        return 'any GitHub Actions workflow, in any repository (no sub condition)';
      return principal.match === 'broad'
        ? `GitHub Actions workflows matching ${principal.subjects.join(', ')}`
        : `GitHub Actions workflows of ${firstThree(principal.subjects)}`;
    case 'web-identity':
      return principal.audiences.length === 0
        ? `anyone with a ${principal.provider} identity (no aud condition)`
        : `${principal.provider} identities of ${firstThree(principal.audiences)}`;
    case 'oidc-provider':
      return principal.audiences.length === 0
        ? `any identity of OIDC provider ${principal.provider} (no aud or sub condition)`
        : `identities of OIDC provider ${principal.provider} (${firstThree(principal.audiences)})`;
    case 'service':
      return `service ${principal.service}`;
    case 'other':
      return `${principal.type} ${principal.principal}`;
    case 'listed':
      return principal.entries.map(wordTrustEntry).join('; ');
  }
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
    case 'more':
      return `and ${finding.count} more findings`;
  }
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

const GRANT_LEVELS = new Map<GrantLevel, string>([
  ['full-admin', 'full administrator access'],
  ['effective-admin', 'effective administrator access'],
  ['every-iam-action', 'every IAM action'],
  ['nearly-every-action', 'nearly every action (NotAction)'],
]);

const grantLevelText = (level: GrantLevel): string => GRANT_LEVELS.get(level) ?? level;

/** `account 1`, `accounts 1 and 2`, `accounts 1, 2 and 3 more`. */
const accountsText = (accounts: readonly string[]): string => {
  if (accounts.length <= 1) return `account ${accounts[0] ?? '?'}`;
  const shown = accounts.slice(0, 2);
  return accounts.length > 2
    ? `accounts ${shown.join(', ')} and ${accounts.length - 2} more`
    : `accounts ${shown.join(' and ')}`;
};

/** What a trust policy exposes a role to, completing "Role deploy …": `can now be assumed by anyone`. */
export const wordExposure = ({ principal, conditions, accounts }: TrustExposure): string => {
  switch (principal.class) {
    case 'anyone':
      return 'can now be assumed by anyone';
    case 'any-aws-principal':
      return `can now be assumed by any AWS principal that meets its ${conditions.join(', ')} conditions`;
    case 'everyone-except':
      return 'can now be assumed by almost anyone (Allow with NotPrincipal)';
    case 'other-account':
      return `now trusts ${accountsText(accounts)}${principal.externalId ? ' (with an ExternalId condition)' : ''}`;
    case 'github-actions':
      return principal.match === 'any'
        ? 'can now be assumed by any GitHub Actions workflow'
        : `can now be assumed by GitHub Actions workflows matching ${firstThree(principal.subjects)}`;
    case 'web-identity':
      return `can now be assumed by anyone with a ${principal.provider} identity`;
    case 'oidc-provider':
      return `can now be assumed by any identity of OIDC provider ${principal.provider}`;
    default:
      return `can now be assumed by ${assumeParts({ severity: 'info', code: '', kind: 'assume', principal, conditions }).who}`;
  }
};

/** The headline of a policy change: `Inline policy p on role r grants full administrator access`. */
export const wordHeadline = (headline: Headline): string => {
  switch (headline.kind) {
    case 'inline-policy':
      return `Inline policy ${headline.policyName} on ${headline.ownerKind} ${headline.owner} grants ${grantLevelText(headline.grants)}`;
    case 'attached-policy':
      return `Policy ${headline.policyName} attached to ${headline.target} grants ${grantLevelText(headline.grants)}`;
    case 'new-default-version':
      return `New default ${headline.version} of policy ${headline.policyName} grants ${grantLevelText(headline.grants)}`;
    case 'switched-version':
      return `Policy ${headline.policyName} switched to ${headline.version}, which grants ${grantLevelText(headline.grants)}`;
    case 'role-trust':
      return `Role ${headline.roleName} ${wordExposure(headline.exposure)}`;
    case 'admin-group':
      return `User ${headline.userName} added to group ${headline.groupName}, which grants administrator-level access`;
  }
};
