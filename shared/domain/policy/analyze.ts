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
  /** Condition keys of the allowing statements, when every allowing statement has conditions. */
  conditionKeys: string[];
}

const hasConditions = (statement: PolicyStatement): boolean => Object.keys(statement.conditions).length > 0;

const coversAction = (statement: PolicyStatement, action: string): boolean => {
  if (statement.actions) return statement.actions.some((pattern) => actionMatches(pattern, action));
  if (statement.notActions) return !statement.notActions.some((pattern) => actionMatches(pattern, action));
  return false;
};

const isEveryResource = (statement: PolicyStatement): boolean =>
  (statement.resources ?? []).includes('*') || statement.notResources !== undefined;

const conditionKeysOf = (statement: PolicyStatement): string[] =>
  Object.values(statement.conditions).flatMap((block) => Object.keys(block));

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
  const allowing = denied
    ? []
    : document.statements.filter(
        (statement) => statement.effect === 'Allow' && coversAction(statement, action),
      );
  const unconditional = allowing.filter((statement) => !hasConditions(statement));
  const effective = unconditional.length > 0 ? unconditional : allowing;
  return {
    allowed: allowing.length > 0,
    everyResource: effective.some(isEveryResource),
    resources: [...new Set(effective.flatMap((statement) => statement.resources ?? []))],
    conditionKeys:
      unconditional.length > 0 || allowing.length === 0
        ? []
        : [...new Set(allowing.flatMap(conditionKeysOf))].sort(),
  };
};

const lower = (severity: Severity): Severity =>
  (['info', 'info', 'low', 'medium', 'high'] as const)[severityRank(severity)] ?? 'info';

const listText = (items: string[], max = 3): string =>
  items.length <= max ? items.join(', ') : `${items.slice(0, max).join(', ')} and ${items.length - max} more`;

const scopeText = (grant: Grant, noun = 'resource'): string => {
  if (grant.everyResource) return `on every ${noun}`;
  return `on ${listText(grant.resources, 2)}`;
};

const conditionText = (grant: Grant): string =>
  grant.conditionKeys.length > 0 ? `, only when ${listText(grant.conditionKeys)} conditions hold` : '';

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

/**
 * Judges a permissions policy (identity-based: inline, managed, or a boundary) and returns findings, the most
 * severe first. Conditions are mentioned, never assumed away; scoped grants are one step less severe than
 * grants on every resource.
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements.html
 */
export const analyzePermissionsPolicy = (document: PolicyDocument): PolicyFinding[] => {
  const findings: PolicyFinding[] = [];
  const allows = document.statements.filter((statement) => statement.effect === 'Allow');

  if (allows.length === 0) {
    findings.push({
      severity: 'info',
      code: 'deny-only',
      text:
        document.statements.length > 0 ? 'denies only: grants nothing' : 'has no statement: grants nothing',
    });
    return findings;
  }

  // `*` (or `*:*`) in Action: every action of every service, present and future.
  const adminStatements = allows.filter((statement) =>
    (statement.actions ?? []).some((pattern) => /^\*(:\*)?$/.test(pattern.trim())),
  );
  const adminGrant: Grant = {
    allowed: adminStatements.length > 0 && grantOf(document, 'iam:CreatePolicyVersion').allowed,
    everyResource: adminStatements.some(isEveryResource),
    resources: [...new Set(adminStatements.flatMap((statement) => statement.resources ?? []))],
    conditionKeys: adminStatements.some((statement) => !hasConditions(statement))
      ? []
      : [...new Set(adminStatements.flatMap(conditionKeysOf))].sort(),
  };
  const isFullAdmin = adminGrant.allowed && adminGrant.everyResource;
  if (isFullAdmin) {
    findings.push({
      severity: 'high',
      code: 'full-admin',
      text: `grants every action on every resource${conditionText(adminGrant)}`,
    });
  } else if (adminGrant.allowed) {
    findings.push({
      severity: 'medium',
      code: 'all-actions-scoped',
      text: `grants every action ${scopeText(adminGrant)}${conditionText(adminGrant)}`,
    });
  }

  for (const statement of allows) {
    if (statement.notActions) {
      const iamAllowed =
        coversAction(statement, PASSROLE) || coversAction(statement, 'iam:CreatePolicyVersion');
      const everyResource = isEveryResource(statement);
      const severity: Severity = iamAllowed && everyResource ? 'high' : 'medium';
      const conditions = conditionKeysOf(statement);
      findings.push({
        severity,
        code: 'allow-not-action',
        text:
          `grants every action except ${listText(statement.notActions, 4)} ` +
          `${everyResource ? 'on every resource' : `on ${listText(statement.resources ?? [], 2)}`} (NotAction)` +
          (iamAllowed ? ', IAM included' : '') +
          (conditions.length > 0 ? `, only when ${listText(conditions)} conditions hold` : ''),
      });
    }
    if (statement.notResources && statement.actions) {
      findings.push({
        severity: 'medium',
        code: 'allow-not-resource',
        text: `grants ${listText(statement.actions, 3)} on every resource except ${listText(statement.notResources, 2)} (NotResource)`,
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
        findings.push({
          severity: grant.everyResource ? base : lower(base),
          code: `service-wildcard-${service}`,
          text:
            `grants ${service}:* (every ${service.toUpperCase() === 'IAM' ? 'IAM' : service} action) ${scopeText(grant)}` +
            `${conditionText(grant)}${known ? `: ${known.why}` : ''}`,
        });
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
        findings.push({
          severity: 'medium',
          code: 'wildcard-permissions-management',
          text: `${pattern} covers ${management.length} permissions-management action${management.length === 1 ? '' : 's'}: ${listText(
            management.map((entry) => entry.action),
            4,
          )}`,
        });
      }
    }

    const passRole = grantOf(document, PASSROLE);
    if (passRole.allowed) {
      findings.push({
        severity: passRole.everyResource ? 'high' : 'low',
        code: passRole.everyResource ? 'passrole-all' : 'passrole-scoped',
        text: `grants iam:PassRole ${scopeText(passRole, 'role')}${conditionText(passRole)}`,
      });
    }

    const iamWildcard = findings.some((finding) => finding.code === 'service-wildcard-iam');
    for (const path of ESCALATION_PATHS) {
      const grants = path.actions.map((action) => grantOf(document, action));
      if (!grants.every((grant) => grant.allowed)) continue;
      // Under iam:* the single-permission IAM paths say nothing new; combinations with other services still do.
      if (iamWildcard && path.actions.every((action) => action.startsWith('iam:'))) continue;
      const first = grants[0] as Grant;
      findings.push({
        severity: first.everyResource ? path.severity : lower(path.severity),
        code: path.code,
        text: `can ${path.impact}${first.everyResource ? '' : ` ${scopeText(first)}`}${conditionText(first)}`,
      });
    }
  }

  if (!findings.some((finding) => severityRank(finding.severity) >= severityRank('medium'))) {
    findings.push({ severity: 'info', code: 'grants-summary', text: summarizeGrants(document) });
  }
  return findings.sort((a, b) => severityRank(b.severity) - severityRank(a.severity));
};

/** One line saying what a document allows, for documents with nothing alarming in them. */
export const summarizeGrants = (document: PolicyDocument): string => {
  const allows = document.statements.filter((statement) => statement.effect === 'Allow');
  const parts = allows.slice(0, 3).map((statement) => {
    const actions = statement.actions ?? (statement.notActions ?? []).map((action) => `not ${action}`);
    const scope = isEveryResource(statement) ? 'every resource' : listText(statement.resources ?? [], 2);
    return `${listText(actions, 4)} on ${scope}`;
  });
  const more = allows.length > 3 ? ` and ${allows.length - 3} more statements` : '';
  return `allows ${parts.join('; ')}${more}`;
};
