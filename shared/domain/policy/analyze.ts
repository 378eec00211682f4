// What a permissions policy grants, judged for a reviewer: admin, service-wide wildcards, NotAction,
// iam:PassRole, and the known escalation paths (escalation.ts).
import type { GrantFinding, PolicyFinding, ResourceScope } from '../findings.js';
import type { Severity } from '../types.js';
import { severityRank } from '../types.js';
import { actionMatches, expandAction, isWildcard } from './actions.js';
import type { PolicyDocument, PolicyStatement } from './document.js';
import { ESCALATION_PATHS } from './escalation.js';

/** How a document grants one action: on which resources and under which conditions. */
export interface Grant {
  allowed: boolean;
  /** `Resource: "*"` (or `NotResource`) in at least one allowing statement. */
  everyResource: boolean;
  resources: string[];
  /** With `NotResource` and no `Resource: "*"`: what "every resource" leaves out. */
  exceptResources: string[];
  /** Resource entries beyond the parser's cap: not in `resources`, but counted. */
  omittedResources: number;
  /** Condition keys of the allowing statements, when every allowing statement has conditions. */
  conditionKeys: string[];
  /** Whether a broad statement (`*` or `NotAction`, on every resource) is among those that grant it. */
  viaBroad: boolean;
}

const hasConditions = (statement: PolicyStatement): boolean => Object.keys(statement.conditions).length > 0;

const coversAction = (statement: PolicyStatement, action: string): boolean => {
  if (statement.actions) return statement.actions.some((pattern) => actionMatches(pattern, action));
  if (statement.notActions) return !statement.notActions.some((pattern) => actionMatches(pattern, action));
  return false;
};

const isEveryResource = (statement: PolicyStatement): boolean =>
  (statement.resources ?? []).includes('*') || statement.notResources !== undefined;

const isAllActions = (pattern: string): boolean => /^\*(:\*)?$/.test(pattern.trim());

/** `*` or `NotAction`, allowed on every resource: grants (nearly) everything, so it implies narrower findings. */
const isBroad = (statement: PolicyStatement): boolean =>
  statement.effect === 'Allow' &&
  isEveryResource(statement) &&
  (statement.notActions !== undefined || (statement.actions ?? []).some(isAllActions));

const conditionKeysOf = (statement: PolicyStatement): string[] =>
  Object.values(statement.conditions).flatMap((block) => Object.keys(block));

const unique = (items: string[]): string[] => [...new Set(items)];

/** The grant made by a set of allowing statements: unconditional ones win over conditional ones. */
const grantFrom = (allowing: PolicyStatement[]): Grant => {
  const unconditional = allowing.filter((statement) => !hasConditions(statement));
  const effective = unconditional.length > 0 ? unconditional : allowing;
  const everyResource = effective.some(isEveryResource);
  const star = effective.some((statement) => (statement.resources ?? []).includes('*'));
  return {
    allowed: allowing.length > 0,
    everyResource,
    resources: unique(effective.flatMap((statement) => statement.resources ?? [])),
    exceptResources:
      everyResource && !star ? unique(effective.flatMap((statement) => statement.notResources ?? [])) : [],
    omittedResources: effective.reduce((sum, statement) => sum + (statement.omitted?.resources ?? 0), 0),
    conditionKeys:
      unconditional.length > 0 || allowing.length === 0
        ? []
        : unique(allowing.flatMap(conditionKeysOf)).sort(),
    viaBroad: effective.some(isBroad),
  };
};

/**
 * How a document grants an action. An unconditional `Deny` on every resource cancels the grant (within this
 * document only: other policies, boundaries and SCPs are not known here).
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
 */
export const grantOf = (document: PolicyDocument, action: string): Grant => {
  const denied = document.statements.some(
    (statement) =>
      statement.effect === 'Deny' &&
      !hasConditions(statement) &&
      (statement.resources ?? []).includes('*') &&
      coversAction(statement, action),
  );
  return grantFrom(
    denied
      ? []
      : document.statements.filter(
          (statement) => statement.effect === 'Allow' && coversAction(statement, action),
        ),
  );
};

const lower = (severity: Severity): Severity =>
  (['info', 'info', 'low', 'medium', 'high'] as const)[severityRank(severity)] ?? 'info';

/** The resources a grant covers, as finding data. */
const scopeOf = (grant: Grant): ResourceScope =>
  grant.everyResource
    ? { every: true, except: grant.exceptResources, omitted: 0 }
    : { every: false, resources: grant.resources, omitted: grant.omittedResources };

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
  /** `full`: `*` on every resource; `effective`: Allow `NotAction` on every resource that leaves IAM in. */
  admin?: 'full' | 'effective';
}

/**
 * Judges a permissions policy (identity-based: inline, managed, or a boundary): what it grants, and which of
 * those findings matter first. Conditions are mentioned, never assumed away; scoped grants are one step less
 * severe than grants on every resource.
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements.html
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notaction.html
 */
export const assessPermissionsPolicy = (document: PolicyDocument): PermissionsAssessment => {
  const findings: PolicyFinding[] = [];
  // Findings a broad statement already covers: kept in `findings`, left out of `keyFindings`.
  const implied = new Set<PolicyFinding>();
  const add = (finding: PolicyFinding, isImplied = false): void => {
    findings.push(finding);
    if (isImplied) implied.add(finding);
  };
  const allows = document.statements.filter((statement) => statement.effect === 'Allow');

  if (allows.length === 0) {
    const finding: PolicyFinding = {
      severity: 'info',
      code: 'deny-only',
      kind: 'grants-nothing',
      hasStatements: document.statements.length > 0,
    };
    return { findings: [finding], keyFindings: [finding] };
  }

  // `*` (or `*:*`) in Action: every action of every service, present and future.
  const adminStatements = allows.filter((statement) => (statement.actions ?? []).some(isAllActions));
  const adminGrant = grantFrom(adminStatements);
  adminGrant.allowed = adminGrant.allowed && grantOf(document, 'iam:CreatePolicyVersion').allowed;
  const isFullAdmin = adminGrant.allowed && adminGrant.everyResource;
  let admin: PermissionsAssessment['admin'] = isFullAdmin ? 'full' : undefined;
  if (isFullAdmin) {
    const finding: GrantFinding = {
      severity: 'high',
      code: 'full-admin',
      kind: 'grant',
      actions: { kind: 'all' },
      resources: scopeOf(adminGrant),
      conditions: adminGrant.conditionKeys,
    };
    if (adminGrant.exceptResources.length > 0) finding.notation = 'NotResource';
    add(finding);
  } else if (adminGrant.allowed) {
    add({
      severity: 'medium',
      code: 'all-actions-scoped',
      kind: 'grant',
      actions: { kind: 'all' },
      resources: scopeOf(adminGrant),
      conditions: adminGrant.conditionKeys,
    });
  }

  for (const statement of allows) {
    if (statement.notActions) {
      // NotAction with Allow grants every action not listed, in every service, present and future.
      const iamAllowed =
        coversAction(statement, PASSROLE) || coversAction(statement, 'iam:CreatePolicyVersion');
      const grant = grantFrom([statement]);
      const actions = {
        kind: 'all-except',
        except: statement.notActions,
        omitted: statement.omitted?.notActions ?? 0,
      } as const;
      if (iamAllowed && grant.everyResource) {
        admin ??= 'effective';
        add({
          severity: 'high',
          code: 'allow-not-action-admin',
          kind: 'grant',
          actions,
          resources: scopeOf(grant),
          conditions: grant.conditionKeys,
          notation: 'NotAction',
          includesIam: true,
          admin: 'effective',
        });
      } else {
        const finding: GrantFinding = {
          severity: grant.everyResource ? 'high' : 'medium',
          code: 'allow-not-action',
          kind: 'grant',
          actions,
          resources: scopeOf(grant),
          conditions: grant.conditionKeys,
          notation: 'NotAction',
        };
        if (iamAllowed) finding.includesIam = true;
        add(finding);
      }
    }
    // `Action: *` with NotResource is already said by the admin finding above.
    if (statement.notResources && statement.actions && !statement.actions.some(isAllActions)) {
      add({
        severity: 'medium',
        code: 'allow-not-resource',
        kind: 'grant',
        actions: { kind: 'listed', actions: statement.actions, omitted: statement.omitted?.actions ?? 0 },
        resources: {
          every: true,
          except: statement.notResources,
          omitted: statement.omitted?.notResources ?? 0,
        },
        conditions: [],
        notation: 'NotResource',
      });
    }
  }

  if (!isFullAdmin) {
    const seen = new Set<string>();
    for (const statement of allows) {
      for (const pattern of statement.actions ?? []) {
        const match = /^([a-z0-9-]+):\*$/i.exec(pattern);
        const service = match?.[1]?.toLowerCase();
        if (!service || seen.has(service)) continue;
        seen.add(service);
        const grant = grantOf(document, `${service}:AnyAction`);
        if (!grant.allowed) continue;
        const known = SENSITIVE_SERVICES.get(service);
        const base = known?.severity ?? 'low';
        const finding: GrantFinding = {
          severity: grant.everyResource ? base : lower(base),
          code: `service-wildcard-${service}`,
          kind: 'grant',
          actions: { kind: 'service', service },
          resources: scopeOf(grant),
          conditions: grant.conditionKeys,
        };
        if (known) finding.why = known.why;
        add(finding, grant.viaBroad);
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
        const management = expandAction(pattern).filter((entry) => entry.level === 'Permissions management');
        if (management.length === 0) continue;
        add(
          {
            severity: 'medium',
            code: 'wildcard-permissions-management',
            kind: 'action-wildcard',
            pattern,
            covers: management.map((entry) => entry.action),
          },
          management.every((entry) => grantOf(document, entry.action).viaBroad),
        );
      }
    }

    const passRole = grantOf(document, PASSROLE);
    if (passRole.allowed) {
      add(
        {
          severity: passRole.everyResource ? 'high' : 'low',
          code: passRole.everyResource ? 'passrole-all' : 'passrole-scoped',
          kind: 'grant',
          actions: { kind: 'listed', actions: [PASSROLE], omitted: 0 },
          resources: scopeOf(passRole),
          resourceNoun: 'role',
          conditions: passRole.conditionKeys,
        },
        passRole.viaBroad,
      );
    }

    const iamWildcard = findings.some((finding) => finding.code === 'service-wildcard-iam');
    for (const path of ESCALATION_PATHS) {
      const grants = path.actions.map((action) => grantOf(document, action));
      if (!grants.every((grant) => grant.allowed)) continue;
      // Under iam:* the single-permission IAM paths say nothing new; combinations with other services still do.
      if (iamWildcard && path.actions.every((action) => action.startsWith('iam:'))) continue;
      const first = grants[0] as Grant;
      const finding: PolicyFinding = {
        severity: first.everyResource ? path.severity : lower(path.severity),
        code: path.code,
        kind: 'ability',
        impact: path.impact,
        resources: scopeOf(first),
        conditions: first.conditionKeys,
      };
      if (path.why) finding.why = path.why;
      add(
        finding,
        grants.every((grant) => grant.viaBroad),
      );
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
      resources: scopeOf(grantFrom([statement])),
    })),
    moreStatements: Math.max(0, allows.length - 3),
  };
};
