// What a permissions policy grants, judged for a reviewer: admin, service-wide wildcards, NotAction,
// iam:PassRole, and the known escalation paths (escalation.ts). Every verdict is a question to the evaluator
// (ask.ts): what the document allows, not which actions it mentions.
import type { GrantFinding, PolicyFinding, ResourceScope } from '../findings.js';
import { memoiseFrozen } from '../memo.js';
import type { Severity } from '../types.js';
import { severityRank } from '../types.js';
import { actionMatches, expandAction, isWildcard } from './actions.js';
import {
  type Answer,
  ask,
  conditionKeysOf,
  identityPolicies,
  limitsOf,
  lowerSeverity,
  PROBE_ACTION,
  probeActionOf,
  rated,
} from './ask.js';
import type { PolicyDocument, PolicyStatement } from './document.js';
import { ESCALATION_PATHS, type EscalationPath } from './escalation.js';
import { type EvaluatedPolicy, grantsEverything, mayBeAllowed, resourceTypesOf } from './evaluator/index.js';

const isAllActions = (pattern: string): boolean => /^\*(:\*)?$/.test(pattern.trim());

const unique = (items: string[]): string[] => [...new Set(items)];

/** The resources a statement names, as finding data (for summaries). */
const statementScope = (statement: PolicyStatement): ResourceScope =>
  statement.notResources
    ? { every: true, except: statement.notResources, omitted: statement.omitted?.notResources ?? 0 }
    : (statement.resources ?? []).includes('*')
      ? { every: true, except: [], omitted: 0 }
      : {
          every: false,
          resources: statement.resources ?? [],
          omitted: statement.omitted?.resources ?? 0,
        };

/** The conditions of an answer, as a finding carries them: the keys. */
const conditionsData = (answer: Answer): { conditions: string[] } => ({
  conditions: conditionKeysOf(answer),
});

// A concrete action a pattern names (`iam:Put*` → `iam:PutZzProbe`): asked to tell a statement that grants
// something from one its own Deny (or impossible resources) cancels.
const concreteAction = (pattern: string): string =>
  isAllActions(pattern) || !pattern.includes(':')
    ? PROBE_ACTION
    : pattern.replace(/\*/g, 'ZzProbe').replace(/\?/g, 'Z');

// At most this many questions before "grants nothing" (each a full evaluation); past it the answer is unsure.
const PROBE_BUDGET = 1500;

/** The service an ARN pattern names (`arn:aws:s3:::b/*` → `s3`), when it names one without wildcards. */
const serviceOfArn = (pattern: string): string | undefined => {
  const service = pattern.split(':')[2];
  return service && !/[*?]/.test(service) ? service.toLowerCase() : undefined;
};

/**
 * The actions asked before a document is said to grant nothing, in order and each once: one concrete action per
 * Allow pattern, the actions a Deny's NotAction names (its complement leaves them allowed), the actions of the
 * services a Deny's NotResource names, the escalation catalogue, and every known IAM action. Lazy: most documents
 * grant their first action, and the rest is then never listed.
 */
function* probeActions(document: PolicyDocument, allows: PolicyStatement[]): Generator<string> {
  const seen = new Set<string>();
  const fresh = function* (actions: Iterable<string>): Generator<string> {
    for (const action of actions) {
      if (seen.has(action)) continue;
      seen.add(action);
      yield action;
    }
  };
  const denies = document.statements.filter((statement) => statement.effect === 'Deny');
  for (const statement of allows.slice(0, 50)) {
    yield* fresh((statement.actions ?? [PROBE_ACTION]).slice(0, 50).map(concreteAction));
  }
  for (const pattern of denies.flatMap((statement) => statement.notActions ?? [])) {
    yield* fresh([concreteAction(pattern)]);
    yield* fresh(expandAction(pattern).map((entry) => entry.action));
  }
  const notResourceServices = unique(
    denies.flatMap((statement) =>
      (statement.notResources ?? []).flatMap((entry) => serviceOfArn(entry) ?? []),
    ),
  );
  for (const service of notResourceServices) {
    yield* fresh(expandAction(`${service}:*`).map((entry) => entry.action));
  }
  for (const path of ESCALATION_PATHS) yield* fresh(path.actions);
  yield* fresh(expandAction('iam:*').map((entry) => entry.action));
}

/**
 * Whether any Allow statement grants anything at all: `yes`, `no`, or `unsure` when no question found a grant but
 * the document's Deny statements are complements (NotAction, NotResource) or the questions ran out, so what is
 * left may be an action or resource no question named.
 */
const grantsSomething = (
  document: PolicyDocument,
  policies: readonly EvaluatedPolicy[],
  allows: PolicyStatement[],
): 'yes' | 'no' | 'unsure' => {
  let asked = 0;
  let unasked = false;
  for (const action of probeActions(document, allows)) {
    if (asked === PROBE_BUDGET) {
      unasked = true;
      break;
    }
    asked += 1;
    if (ask(policies, action).allowed) return 'yes';
  }
  const complements = document.statements.some(
    (statement) => statement.effect === 'Deny' && (statement.notActions || statement.notResources),
  );
  return complements || unasked ? 'unsure' : 'no';
};

// Service-wide wildcards worth naming, and why. Others are reported at low severity.
const SENSITIVE_SERVICES = new Map<string, { severity: Severity; why: string }>([
  ['iam', { severity: 'high', why: 'enough to make itself or anyone administrator' }],
  ['sts', { severity: 'high', why: 'can assume every role that trusts this account' }],
  [
    'organizations',
    {
      severity: 'high',
      why: 'can change the organization: service control policies, accounts, leaving it',
    },
  ],
  ['account', { severity: 'medium', why: 'can change account contacts, regions and settings' }],
  ['kms', { severity: 'medium', why: 'can change key policies, decrypt, and schedule keys for deletion' }],
  ['cloudtrail', { severity: 'medium', why: 'can stop or delete the audit trail' }],
  ['lambda', { severity: 'medium', why: 'can change functions and the roles they run as' }],
  ['secretsmanager', { severity: 'medium', why: 'can read every secret' }],
  ['ssm', { severity: 'medium', why: 'can run commands on instances and read parameters' }],
  ['s3', { severity: 'medium', why: 'can read, change and delete every bucket it reaches' }],
  ['ec2', { severity: 'medium', why: 'can start instances, open security groups and snapshot disks' }],
  ['events', { severity: 'medium', why: 'can disable the rules this alerting depends on' }],
  ['sns', { severity: 'low', why: 'can change topics, this alerting topic included' }],
]);

const PASSROLE = 'iam:PassRole';

/** A judged permissions policy: every finding, and the ones that stand for the rest. */
export interface PermissionsAssessment {
  /** Every finding, the most severe first. */
  findings: PolicyFinding[];
  /**
   * The findings worth telling a reviewer first: a broad grant (`*` or `NotAction` on every resource) stands
   * for the narrower findings it implies (an escalation path inside "every action except s3:GetObject" says
   * nothing new). Most severe first.
   */
  keyFindings: PolicyFinding[];
  /**
   * `full`: every action on every resource; `effective`: every action but some, IAM included, on every resource;
   * `account`: every action on every resource of one account.
   */
  admin?: 'full' | 'effective' | 'account';
}

// Services a PassRole path hands a role to: PassRole to any other service (DAX, Application Auto Scaling) runs no
// code of the caller's choosing.
const CODE_RUNNING_SERVICES = unique(
  ESCALATION_PATHS.flatMap((path) => (path.context ? [path.context['iam:PassedToService'] ?? ''] : [])),
).filter(Boolean);

// Escalation paths whose first action acts on a user: on the caller's own user they are self-service.
const actsOnUsers = (path: EscalationPath): boolean => {
  const types = resourceTypesOf(path.actions[0] ?? '')?.types;
  return types !== undefined && types.size === 1 && types.has('user');
};

const severityOfScope = (severity: Severity, answer: Answer): Severity =>
  rated(answer.every ? severity : lowerSeverity(severity), answer);

/** The answer of several actions that must all be allowed: scoped as the first, conditional if any is. */
const combined = (answers: Answer[]): Answer => {
  const first = answers[0] as Answer;
  return {
    ...first,
    unconditional: answers.every((answer) => answer.unconditional),
    tests: answers.flatMap((answer) => answer.tests),
    allowTests: answers.flatMap((answer) => answer.allowTests),
  };
};

/**
 * Judges a permissions policy (identity-based: inline, managed, or a boundary): what it grants, and which of
 * those findings matter first. Each finding is a question to the evaluator (explicit Deny wins; NotAction and
 * NotResource are complements; an action acts only on the resource types AWS lists for it; condition keys the
 * question leaves unknown are named, never assumed away). Scoped grants are one step less severe than grants on
 * every resource; a grant that depends only on conditions limiting who (MFA, source network, organization) one
 * step less again. For a document read from text (frozen by `parsePolicyDocument`) the assessment is memoised with
 * it and frozen: callers copy before they change anything.
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notaction.html
 */
export const assessPermissionsPolicy = (document: PolicyDocument): PermissionsAssessment =>
  assessMemoised(document);

const assessOnce = (document: PolicyDocument): PermissionsAssessment => {
  const findings: PolicyFinding[] = [];
  // Findings a broad grant already covers: kept in `findings`, left out of `keyFindings`.
  const implied = new Set<PolicyFinding>();
  const add = (finding: PolicyFinding, isImplied = false): void => {
    findings.push(finding);
    if (isImplied) implied.add(finding);
  };
  const allows = document.statements.filter((statement) => statement.effect === 'Allow');
  const policies = identityPolicies(document);

  const grants = allows.length === 0 ? 'no' : grantsSomething(document, policies, allows);
  if (grants === 'no') {
    const finding: PolicyFinding = {
      severity: 'info',
      code: 'deny-only',
      kind: 'grants-nothing',
      hasStatements: document.statements.length > 0,
    };
    if (allows.length > 0) finding.cancelled = true;
    return { findings: [finding], keyFindings: [finding] };
  }

  // Patterns with a wildcard before any service prefix (`i*`) cover services and actions this analysis cannot list.
  const unlisted = unique(
    allows.flatMap((statement) =>
      (statement.actions ?? []).filter(
        (pattern) => isWildcard(pattern) && !pattern.includes(':') && !isAllActions(pattern),
      ),
    ),
  );
  if (unlisted.length > 0) {
    add({
      severity: 'high',
      code: 'unsure-action-pattern',
      kind: 'grant',
      actions: { kind: 'listed', actions: unlisted, omitted: 0 },
      resources: statementScope(
        allows.find((statement) =>
          (statement.actions ?? []).includes(unlisted[0] as string),
        ) as PolicyStatement,
      ),
      conditions: [],
      why: 'a wildcard before the service prefix spans services this analysis cannot list: unsure, rated high',
    });
  }
  if (grants === 'unsure') {
    // No scope is claimed: what is left is exactly what no question could name.
    const actions = unique(allows.flatMap((statement) => statement.actions ?? statement.notActions ?? []));
    add({
      severity: 'high',
      code: 'unsure-deny-complement',
      kind: 'known',
      what: `may grant ${actions.slice(0, 4).join(', ')}${actions.length > 4 ? ` and ${actions.length - 4} more` : ''} where its Deny statements' NotAction or NotResource leave them allowed`,
      why: 'this analysis could not name what is left: unsure, rated high',
    });
  }

  // What a broad grant leaves out, for the words: NotAction entries, and the actions its Deny statements name.
  const notActionExcept = unique(allows.flatMap((statement) => statement.notActions ?? []));
  const denyExcept = unique(
    document.statements.flatMap((statement) =>
      statement.effect === 'Deny' ? (statement.actions ?? []) : [],
    ),
  );
  const except = [...notActionExcept, ...denyExcept];
  const excepted = (action: string): boolean => except.some((pattern) => actionMatches(pattern, action));
  const notation = notActionExcept.length > 0 ? 'NotAction' : 'Deny';

  // An action no policy names: only `*`, wildcards and NotAction grant it.
  const everything = ask(policies, PROBE_ACTION);
  const iamAnswer = ask(policies, 'iam:CreatePolicyVersion');
  const passRoleAnswer = ask(policies, PASSROLE);
  // IAM left in: the holder can grant itself the rest (a new default policy version, any IAM action).
  const iamProbe = iamAnswer.every ? iamAnswer : ask(policies, probeActionOf('iam'));
  const iamIn = iamProbe.every;
  const broad = everything.allowed && everything.every;
  const allActions = { kind: 'all' } as const;
  const allExcept = { kind: 'all-except', except, omitted: 0 } as const;
  let admin: PermissionsAssessment['admin'];

  if (broad && mayBeAllowed(grantsEverything(policies)) && except.length === 0) {
    admin = 'full';
    const finding: GrantFinding = {
      severity: rated('high', everything),
      code: 'full-admin',
      kind: 'grant',
      actions: allActions,
      resources: everything.scope,
      ...conditionsData(everything),
    };
    if (everything.scope.every && everything.scope.except.length > 0) finding.notation = 'NotResource';
    add(finding);
  } else if (broad && iamIn) {
    admin = 'effective';
    // Both answers say what the grant depends on.
    const answer = combined([everything, iamProbe]);
    add({
      severity: rated('high', answer),
      code: 'allow-not-action-admin',
      kind: 'grant',
      actions: allExcept,
      resources: everything.scope,
      ...conditionsData(answer),
      notation,
      includesIam: true,
      admin: 'effective',
    });
  } else if (broad) {
    add({
      severity: rated('high', everything),
      code: 'allow-not-action',
      kind: 'grant',
      actions: allExcept,
      resources: everything.scope,
      ...conditionsData(everything),
      notation,
    });
  } else if (everything.allowed) {
    // Every action on some resources: of one account (administrator of it), or of named resources.
    const accounts = unique(
      everything.scope.every
        ? []
        : everything.scope.resources.flatMap(
            (pattern) => /^arn:[^:]*:[^:]*:[^:]*:(\d{12}):/.exec(pattern)?.[1] ?? [],
          ),
    );
    const account = accounts.find((candidate) => mayBeAllowed(grantsEverything(policies, candidate)));
    if (account !== undefined && except.length === 0) {
      admin = 'account';
      add({
        severity: rated('high', everything),
        code: 'account-admin',
        kind: 'grant',
        actions: allActions,
        resources: everything.scope,
        ...conditionsData(everything),
        account,
      });
    } else {
      const finding: GrantFinding = {
        severity: rated('medium', everything),
        code: except.length > 0 ? 'allow-not-action' : 'all-actions-scoped',
        kind: 'grant',
        actions: except.length > 0 ? allExcept : allActions,
        resources: everything.scope,
        ...conditionsData(everything),
      };
      if (except.length > 0) {
        finding.notation = notation;
        if (iamAnswer.allowed) finding.includesIam = true;
      }
      add(finding);
    }
  }
  // `Action` lists with NotResource: every resource but some.
  for (const statement of allows) {
    if (statement.notResources && statement.actions && !statement.actions.some(isAllActions)) {
      add({
        severity: 'medium',
        code: 'allow-not-resource',
        kind: 'grant',
        actions: { kind: 'listed', actions: statement.actions, omitted: statement.omitted?.actions ?? 0 },
        resources: statementScope(statement),
        conditions: [],
        notation: 'NotResource',
      });
    }
  }

  if (admin !== 'full') {
    const coveredByBroad = (actions: string[]): boolean =>
      broad && actions.every((action) => !excepted(action));
    const seen = new Set<string>();
    for (const statement of allows) {
      for (const pattern of statement.actions ?? []) {
        const service = /^([a-z0-9-]+):\*$/i.exec(pattern)?.[1]?.toLowerCase();
        if (!service || seen.has(service)) continue;
        seen.add(service);
        const answer = ask(policies, probeActionOf(service));
        if (!answer.allowed) continue;
        const known = SENSITIVE_SERVICES.get(service);
        const finding: GrantFinding = {
          severity: severityOfScope(known?.severity ?? 'low', answer),
          code: `service-wildcard-${service}`,
          kind: 'grant',
          actions: { kind: 'service', service },
          resources: answer.scope,
          ...conditionsData(answer),
        };
        if (known) finding.why = known.why;
        add(finding, coveredByBroad([probeActionOf(service)]));
      }
    }

    // Wildcards inside action names (iam:Put*, iam:*Policy) hide permissions-management actions.
    const wildcardSeen = new Set<string>();
    for (const statement of allows) {
      for (const pattern of statement.actions ?? []) {
        if (!isWildcard(pattern) || /:\*$/.test(pattern) || pattern === '*') continue;
        const key = pattern.toLowerCase();
        if (wildcardSeen.has(key)) continue;
        wildcardSeen.add(key);
        const management = expandAction(pattern)
          .filter((entry) => entry.level === 'Permissions management')
          .map((entry) => entry.action)
          .filter((action) => ask(policies, action).allowed);
        if (management.length === 0) continue;
        add(
          {
            severity: 'medium',
            code: 'wildcard-permissions-management',
            kind: 'action-wildcard',
            pattern,
            covers: management,
          },
          coveredByBroad(management),
        );
      }
    }

    if (passRoleAnswer.allowed) {
      // PassRole matters when the role can go to a service that runs the caller's code as it.
      const toCode = CODE_RUNNING_SERVICES.map((service) =>
        ask(policies, PASSROLE, { context: { 'iam:PassedToService': service } }),
      ).find((answer) => answer.every);
      const answer = toCode ?? passRoleAnswer;
      const finding: GrantFinding = {
        severity: toCode ? rated('high', toCode) : 'low',
        code: toCode ? 'passrole-all' : passRoleAnswer.every ? 'passrole-confined' : 'passrole-scoped',
        kind: 'grant',
        actions: { kind: 'listed', actions: [PASSROLE], omitted: 0 },
        resources: answer.scope,
        resourceNoun: 'role',
        ...conditionsData(answer),
      };
      // What PassRole depends on, asked with no service named; the services an Allow confines it to, as written.
      finding.conditions = unique([...conditionKeysOf(passRoleAnswer), ...finding.conditions]).sort();
      const limits = limitsOf(passRoleAnswer, 'iam:PassedToService');
      if (limits.length > 0) finding.limits = limits;
      add(finding, coveredByBroad([PASSROLE]));
    }

    const iamWildcard = findings.some((finding) => finding.code === 'service-wildcard-iam');
    for (const path of ESCALATION_PATHS) {
      // Under iam:* the single-permission IAM paths say nothing new; combinations with other services still do.
      if (iamWildcard && path.actions.every((action) => action.startsWith('iam:'))) continue;
      const context = path.context ?? {};
      const rest = path.actions.slice(1).map((action) => ask(policies, action, { context }));
      if (!rest.every((answer) => answer.allowed)) continue;
      const first = path.actions[0] as string;
      const onUsers = actsOnUsers(path);
      const others = ask(policies, first, onUsers ? { context, who: 'others' } : { context });
      let finding: PolicyFinding | undefined;
      if (others.allowed) {
        const answer = combined([others, ...rest]);
        finding = {
          severity: severityOfScope(path.severity, answer),
          code: path.code,
          kind: 'ability',
          impact: path.impact,
          resources: answer.scope,
          ...conditionsData(answer),
        };
        if (path.why) finding.why = path.why;
      } else if (onUsers && path.self) {
        // On the caller's own user: self-service for keys and passwords, escalation for policies.
        const own = ask(policies, first, { context, who: 'self' });
        if (!own.allowed) continue;
        const answer = combined([own, ...rest]);
        finding = {
          severity: rated(path.self.severity, answer),
          code: path.self.code,
          kind: 'ability',
          impact: path.self.impact,
          resources: own.scope,
          ...conditionsData(answer),
        };
      }
      if (finding) add(finding, coveredByBroad(path.actions));
    }
  }

  if (!findings.some((finding) => severityRank(finding.severity) >= severityRank('medium'))) {
    add(summarizeGrants(document));
  }
  const sorted = findings.sort((a, b) => severityRank(b.severity) - severityRank(a.severity));
  const assessment: PermissionsAssessment = {
    findings: sorted,
    keyFindings: sorted.filter((finding) => !implied.has(finding)),
  };
  if (admin) assessment.admin = admin;
  return assessment;
};

// A document read from text is frozen (document.ts): its assessment is kept with it, for the next event it comes in.
const assessMemoised = memoiseFrozen(assessOnce);

/**
 * Judges a permissions policy and returns every finding, the most severe first (see
 * {@link assessPermissionsPolicy} for which of them matter first).
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements.html
 */
export const analyzePermissionsPolicy = (document: PolicyDocument): PolicyFinding[] =>
  assessPermissionsPolicy(document).findings;

/** What a document allows, statement by statement (the first three), for documents with nothing alarming. */
export const summarizeGrants = (document: PolicyDocument): PolicyFinding => {
  const allows = document.statements.filter((statement) => statement.effect === 'Allow');
  return {
    severity: 'info',
    code: 'grants-summary',
    kind: 'summary',
    statements: allows.slice(0, 3).map((statement) => ({
      actions: statement.actions ?? statement.notActions ?? [],
      negated: statement.actions === undefined,
      omitted: (statement.actions ? statement.omitted?.actions : statement.omitted?.notActions) ?? 0,
      resources: statementScope(statement),
    })),
    moreStatements: Math.max(0, allows.length - 3),
  };
};
