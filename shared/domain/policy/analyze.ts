// What a permissions policy grants, judged for a reviewer: admin, service-wide wildcards, NotAction,
// iam:PassRole, and the known escalation paths (escalation.ts).
import type { PolicyFinding, Severity } from '../types.js';
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

/** `a, b, c and 2 more` (the count includes entries the parser counted but did not keep). */
const listText = (items: string[], max = 3, omitted = 0): string => {
  const more = items.length - Math.min(items.length, max) + omitted;
  const shown = items.slice(0, max).join(', ');
  return more > 0 ? `${shown} and ${more} more` : shown;
};

/** `a, b and c`: for short lists read as prose. */
const proseList = (items: string[], max = 4, omitted = 0): string => {
  const more = items.length - Math.min(items.length, max) + omitted;
  const shown = items.slice(0, max);
  if (more > 0) return `${shown.join(', ')} and ${more} more`;
  if (shown.length <= 1) return shown.join('');
  return `${shown.slice(0, -1).join(', ')} and ${shown[shown.length - 1]}`;
};

const scopeText = (grant: Grant, noun = 'resource'): string => {
  if (grant.everyResource) {
    return grant.exceptResources.length > 0
      ? `on every ${noun} except ${listText(grant.exceptResources, 2)}`
      : `on every ${noun}`;
  }
  return `on ${listText(grant.resources, 2, grant.omittedResources)}`;
};

const conditionText = (grant: Grant): string =>
  grant.conditionKeys.length > 0 ? `, only when ${listText(grant.conditionKeys)} conditions hold` : '';

// What a whole-service wildcard in NotAction leaves out, in a reviewer's words.
const SERVICE_NAMES: Record<string, string> = {
  iam: 'IAM',
  organizations: 'Organizations',
  account: 'account management',
  sts: 'STS',
  kms: 'KMS',
  cloudtrail: 'CloudTrail',
};

const exceptText = (statement: PolicyStatement): string =>
  proseList(
    (statement.notActions ?? []).map((pattern) => {
      const service = /^([a-z0-9-]+):\*$/i.exec(pattern)?.[1]?.toLowerCase();
      return (service && SERVICE_NAMES[service]) ?? pattern;
    }),
    4,
    statement.omitted?.notActions ?? 0,
  );

// Service-wide wildcards worth naming, and why. Others are reported at low severity.
const SENSITIVE_SERVICES: Record<string, { severity: Severity; why: string }> = {
  iam: { severity: 'high', why: 'enough to make itself or anyone administrator' },
  sts: { severity: 'high', why: 'can assume every role that trusts this account' },
  organizations: {
    severity: 'high',
    why: 'can change the organization: service control policies, accounts, leaving it',
  },
  account: { severity: 'medium', why: 'can change account contacts, regions and settings' },
  kms: { severity: 'medium', why: 'can change key policies, decrypt, and schedule keys for deletion' },
  cloudtrail: { severity: 'medium', why: 'can stop or delete the audit trail' },
  lambda: { severity: 'medium', why: 'can change functions and the roles they run as' },
  secretsmanager: { severity: 'medium', why: 'can read every secret' },
  ssm: { severity: 'medium', why: 'can run commands on instances and read parameters' },
  s3: { severity: 'medium', why: 'can read, change and delete every bucket it reaches' },
  ec2: { severity: 'medium', why: 'can start instances, open security groups and snapshot disks' },
  events: { severity: 'medium', why: 'can disable the rules this alerting depends on' },
  sns: { severity: 'low', why: 'can change topics, this alerting topic included' },
};

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
      text:
        document.statements.length > 0 ? 'denies only: grants nothing' : 'has no statement: grants nothing',
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
    add({
      severity: 'high',
      code: 'full-admin',
      text: `grants every action ${scopeText(adminGrant)}${
        adminGrant.exceptResources.length > 0 ? ' (NotResource)' : ''
      }${conditionText(adminGrant)}`,
    });
  } else if (adminGrant.allowed) {
    add({
      severity: 'medium',
      code: 'all-actions-scoped',
      text: `grants every action ${scopeText(adminGrant)}${conditionText(adminGrant)}`,
    });
  }

  for (const statement of allows) {
    if (statement.notActions) {
      // NotAction with Allow grants every action not listed, in every service, present and future.
      const iamAllowed =
        coversAction(statement, PASSROLE) || coversAction(statement, 'iam:CreatePolicyVersion');
      const grant = grantFrom([statement]);
      const conditions = conditionText(grant);
      if (iamAllowed && grant.everyResource) {
        admin ??= 'effective';
        add({
          severity: 'high',
          code: 'allow-not-action-admin',
          text: `effectively administrator: allows every action except ${exceptText(statement)} ${scopeText(grant)} (NotAction, IAM included)${conditions}`,
        });
      } else {
        add({
          severity: grant.everyResource ? 'high' : 'medium',
          code: 'allow-not-action',
          text:
            `grants every action except ${exceptText(statement)} ${scopeText(grant)} (NotAction)` +
            (iamAllowed ? ', IAM included' : '') +
            conditions,
        });
      }
    }
    // `Action: *` with NotResource is already said by the admin finding above.
    if (statement.notResources && statement.actions && !statement.actions.some(isAllActions)) {
      add({
        severity: 'medium',
        code: 'allow-not-resource',
        text: `grants ${listText(statement.actions, 3, statement.omitted?.actions)} on every resource except ${listText(statement.notResources, 2, statement.omitted?.notResources)} (NotResource)`,
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
        const known = SENSITIVE_SERVICES[service];
        const base = known?.severity ?? 'low';
        add(
          {
            severity: grant.everyResource ? base : lower(base),
            code: `service-wildcard-${service}`,
            text:
              `grants ${service}:* (every ${service.toUpperCase() === 'IAM' ? 'IAM' : service} action) ${scopeText(grant)}` +
              `${conditionText(grant)}${known ? `: ${known.why}` : ''}`,
          },
          grant.viaBroad,
        );
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
            text: `${pattern} covers ${management.length} permissions-management action${management.length === 1 ? '' : 's'}: ${listText(
              management.map((entry) => entry.action),
              4,
            )}`,
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
          text: `grants iam:PassRole ${scopeText(passRole, 'role')}${conditionText(passRole)}`,
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
      add(
        {
          severity: first.everyResource ? path.severity : lower(path.severity),
          code: path.code,
          text: `can ${path.impact}${first.everyResource && first.exceptResources.length === 0 ? '' : ` ${scopeText(first)}`}${conditionText(first)}`,
        },
        grants.every((grant) => grant.viaBroad),
      );
    }
  }

  if (!findings.some((finding) => severityRank(finding.severity) >= severityRank('medium'))) {
    add({ severity: 'info', code: 'grants-summary', text: summarizeGrants(document) });
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

/** One line saying what a document allows, for documents with nothing alarming in them. */
export const summarizeGrants = (document: PolicyDocument): string => {
  const allows = document.statements.filter((statement) => statement.effect === 'Allow');
  const parts = allows.slice(0, 3).map((statement) => {
    const actions = statement.actions
      ? listText(statement.actions, 4, statement.omitted?.actions)
      : listText(
          (statement.notActions ?? []).map((action) => `not ${action}`),
          4,
          statement.omitted?.notActions,
        );
    return `${actions} ${scopeText(grantFrom([statement]))}`;
  });
  const more = allows.length > 3 ? ` and ${allows.length - 3} more statements` : '';
  return `allows ${parts.join('; ')}${more}`;
};
