// The analyses of managed policies, on the documents gather fetched: a policy attached by ARN (or set as a
// permissions boundary), a new default policy version and its diff, and the policies of a group a user joined.
import type { Frame, GrantLevel, PolicyFinding, StatedFinding } from '../findings.js';
import { stated } from '../findings.js';
import { assessPermissionsPolicy } from '../policy/analyze.js';
import { diffPolicyGrants } from '../policy/diff.js';
import { type PolicyDocument, parsePolicyDocument } from '../policy/document.js';
import { isAwsManagedPolicyArn, policyNameOfArn, wellKnownPolicy } from '../policy/managed.js';
import type { IamEvent } from '../types.js';
import { severityRank } from '../types.js';
import { grantLevel, param, paramsOf } from './analyze-carried.js';
import {
  documentNotes,
  type Enrichment,
  failureNote,
  type PolicyReport,
  REASON_FLOOR,
  reasonsOf,
  reportFor,
  sortFindings,
} from './enrichment.js';
import type {
  Fetched,
  GroupPolicies,
  ManagedPolicyFetch,
  PreviousVersion,
  VersionDocument,
} from './gather.js';
import { isNewDefault, newVersionIdOf } from './gather.js';

/** A managed policy, judged: the report for the alert, and the findings that matter first. */
interface ManagedAnalysis {
  report: PolicyReport;
  source: string;
  notes: string[];
  keyFindings: PolicyFinding[];
  /** What it grants, for a headline; undefined for well-known AWS policies, whose name says it. */
  grants?: GrantLevel;
  isAdmin: boolean;
}

/** The note for a fetch that gave nothing. */
const missingNote = (fetched: Exclude<Fetched<unknown>, { status: 'fetched' }>, offline: string): string =>
  fetched.status === 'offline' ? offline : `policy details unavailable: ${fetched.error}`;

/** Judges a managed policy: well-known ones from the local copy, others from the default version gathered. */
const analyzeManaged = ({ policyArn, defaultVersion }: ManagedPolicyFetch): ManagedAnalysis => {
  const name = policyNameOfArn(policyArn);
  const known = wellKnownPolicy(policyArn);
  const source = `${isAwsManagedPolicyArn(policyArn) ? 'AWS managed policy' : 'managed policy'} ${name}`;
  const nothing = (report: PolicyReport, notes: string[]): ManagedAnalysis => ({
    report,
    source,
    notes,
    keyFindings: [],
    isAdmin: false,
  });
  if (known) {
    const parsed = known.document ? parsePolicyDocument(known.document) : undefined;
    const assessment = parsed?.ok ? assessPermissionsPolicy(parsed.document) : undefined;
    // A well-known policy's own finding says it better than the generic one with the same code.
    const knownCodes = new Set(known.findings.map((finding) => finding.code));
    const merge = (findings: PolicyFinding[]): PolicyFinding[] =>
      sortFindings([...known.findings, ...findings.filter((finding) => !knownCodes.has(finding.code))]);
    return {
      report: reportFor('well-known', source, known.document, merge(assessment?.findings ?? []), {
        policyArn,
      }),
      source,
      notes: [],
      keyFindings: merge(assessment?.keyFindings ?? []),
      isAdmin: assessment?.admin !== undefined,
    };
  }
  const bare = reportFor('iam-api', source, undefined, [], { policyArn });
  if (defaultVersion?.status !== 'fetched') {
    const missing = defaultVersion ?? { status: 'offline' };
    return nothing(bare, [
      missingNote(missing, `managed policy document not fetched: offline (${policyArn})`),
    ]);
  }
  const version = defaultVersion.value;
  const parsed = parsePolicyDocument(version.document);
  if (!parsed.ok) {
    return nothing(reportFor('iam-api', source, parsed.text, [], { policyArn }), [
      failureNote(parsed, `${source} (${version.versionId})`),
    ]);
  }
  const assessment = assessPermissionsPolicy(parsed.document);
  const analysis: ManagedAnalysis = {
    report: reportFor(
      'iam-api',
      `${source} (default version ${version.versionId})`,
      parsed.text,
      assessment.findings,
      { policyArn },
    ),
    source,
    notes: documentNotes(parsed.document),
    keyFindings: assessment.keyFindings,
    isAdmin: assessment.admin !== undefined,
  };
  const grants = grantLevel(assessment);
  if (grants) analysis.grants = grants;
  return analysis;
};

const TARGET_PARAMS: [string, string][] = [
  ['userName', 'IAM user'],
  ['roleName', 'role'],
  ['groupName', 'group'],
];

const targetOf = (params: Record<string, unknown>): string => {
  for (const [key, kind] of TARGET_PARAMS) {
    const name = param(params, key);
    if (name) return `${kind} ${name}`;
  }
  return '?';
};

/** Attach*Policy and Put*PermissionsBoundary: the managed policy by ARN. */
export const analyzeAttach = (
  event: IamEvent,
  policy: ManagedPolicyFetch | undefined,
  frame: Frame,
): Enrichment => {
  if (!policy) return { reasons: [], notes: ['no policy ARN in the event'] };
  const managed = analyzeManaged(policy);
  const { report, source, notes } = managed;
  if (/PermissionsBoundary$/.test(event.record.eventName)) {
    // A boundary caps permissions; it grants nothing. Only "it caps nothing" is worth raising.
    const admin = report.findings.some((statement) => statement.code === 'full-admin');
    return {
      policy: { ...report, label: `permissions boundary ${source}` },
      reasons:
        admin && frame === 'granted'
          ? [
              stated({
                severity: 'medium',
                code: 'boundary-limits-little',
                kind: 'weak-boundary',
                policyName: policyNameOfArn(policy.policyArn),
                limits: 'nothing',
              }),
            ]
          : [],
      notes,
    };
  }
  const enrichment: Enrichment = {
    policy: report,
    reasons: reasonsOf(managed.keyFindings, source, { frame }),
    notes,
  };
  if (managed.grants && frame === 'granted') {
    enrichment.headline = {
      kind: 'attached-policy',
      policyName: policyNameOfArn(policy.policyArn),
      target: targetOf(paramsOf(event).params),
      grants: managed.grants,
    };
  }
  return enrichment;
};

/** What the new default grants that the previous version did not, as a reason and the report's diff. */
const compareWithPrevious = (
  enrichment: Enrichment & { policy: PolicyReport },
  previous: PreviousVersion | undefined,
  current: { version: string; name: string; created: boolean; document: PolicyDocument },
  keyFindings: PolicyFinding[],
): void => {
  const { notes, reasons } = enrichment;
  if (!previous || previous.status === 'offline') {
    notes.push('previous version not fetched: offline, so no diff');
    return;
  }
  if (previous.status === 'failed') {
    notes.push(`previous version unavailable, no diff: ${previous.error}`);
    return;
  }
  const old: VersionDocument | undefined = previous.value;
  if (!old) {
    notes.push('no earlier version left to compare with');
    return;
  }
  const oldDocument = parsePolicyDocument(old.document);
  if (!oldDocument.ok) {
    notes.push(`previous version ${old.versionId} not analysed: ${oldDocument.failure.detail}`);
    return;
  }
  const diff = diffPolicyGrants(oldDocument.document, current.document);
  enrichment.policy.diff = diff;
  // IAM records no history of the default pointer: say which version we compared with and why.
  notes.push(
    `compared with ${old.versionId}, the newest ${current.created ? 'earlier' : 'other'} version (IAM does not record which version was default before)`,
  );
  const oldCodes = new Set(
    assessPermissionsPolicy(oldDocument.document).findings.map((finding) => finding.code),
  );
  const widened = keyFindings.filter(
    (finding) => !oldCodes.has(finding.code) && severityRank(finding.severity) >= severityRank(REASON_FLOOR),
  );
  const [change] = diff.changes;
  if (change === undefined) return;
  const top = widened[0];
  const finding: PolicyFinding = {
    severity: top?.severity ?? 'low',
    code: 'policy-version-widened',
    kind: 'version-widened',
    version: current.version,
    policyName: current.name,
    change,
    // As many more as the diff has lines after the first (its last line may be "and N more").
    moreChanges: diff.changes.length - 1 + (diff.more > 0 ? 1 : 0),
    previous: old.versionId,
  };
  if (top) finding.top = top;
  reasons.unshift(stated(finding));
};

/** CreatePolicyVersion and SetDefaultPolicyVersion: the new version, and what it adds to the previous one. */
export const analyzeVersion = (
  event: IamEvent,
  gathered: { current?: Fetched<VersionDocument>; previous?: PreviousVersion },
  frame: Frame,
): Enrichment => {
  const { params } = paramsOf(event);
  const policyArn = param(params, 'policyArn');
  if (!policyArn) return { reasons: [], notes: ['no policy ARN in the event'] };
  const name = policyNameOfArn(policyArn);
  const created = event.record.eventName === 'CreatePolicyVersion';
  const versionId = newVersionIdOf(event);
  // A failed CreatePolicyVersion has no response, so no version id: leave it out rather than print "?".
  const version = versionId ? `version ${versionId}` : 'version';
  const isDefault = isNewDefault(event);
  let text: unknown = params.policyDocument;
  if (!created) {
    const current = gathered.current ?? { status: 'offline' };
    if (current.status !== 'fetched') {
      return {
        policy: reportFor('iam-api', `default ${version} of managed policy ${name}`, undefined, [], {
          policyArn,
        }),
        reasons: [],
        notes: [missingNote(current, 'managed policy document not fetched: offline')],
      };
    }
    text = current.value.document;
  }
  const newDocument = parsePolicyDocument(text);
  const source = created ? 'request' : 'iam-api';
  const label = `${isDefault ? 'new default ' : ''}${version} of managed policy ${name}`;
  if (!newDocument.ok) {
    return {
      policy: reportFor(source, label, newDocument.text, [], { policyArn }),
      reasons: [],
      notes: [failureNote(newDocument, 'policy version')],
    };
  }
  const assessment = assessPermissionsPolicy(newDocument.document);
  const { findings, keyFindings } = assessment;
  const policy = reportFor(source, label, newDocument.text, findings, { policyArn });
  const notes = documentNotes(newDocument.document);
  if (!isDefault) {
    notes.push('created without setAsDefault: it grants nothing until someone makes it the default version');
    return {
      policy,
      reasons: reasonsOf(keyFindings, `${version} of ${name}`, {
        cap: 'medium',
        frame: frame === 'attempted' ? frame : 'non-default',
      }),
      notes,
    };
  }
  const enrichment: Enrichment & { policy: PolicyReport } = {
    policy,
    reasons: reasonsOf(keyFindings, `new default ${version} of ${name}`, { frame }),
    notes,
  };
  const grants = grantLevel(assessment);
  if (grants && frame === 'granted') {
    enrichment.headline = {
      kind: created ? 'new-default-version' : 'switched-version',
      version,
      policyName: name,
      grants,
    };
  }
  const current = { version, name, created, document: newDocument.document };
  compareWithPrevious(enrichment, gathered.previous, current, keyFindings);
  return enrichment;
};

/** One of a group's policies, judged. */
interface GroupPolicy {
  findings: StatedFinding[];
  keyFindings: PolicyFinding[];
  source: string;
  notes: string[];
  isAdmin: boolean;
}

/** AddUserToGroup: the group's policies, and whether joining it makes the user an administrator. */
export const analyzeGroup = (
  event: IamEvent,
  groupName: string | undefined,
  policies: Fetched<GroupPolicies>,
  frame: Frame,
): Enrichment => {
  if (!groupName) return { reasons: [], notes: ['no group name in the event'] };
  if (policies.status !== 'fetched') {
    return {
      reasons: [],
      notes: [missingNote(policies, `group policies not fetched: offline (${groupName})`)],
    };
  }
  const { listErrors, attachedCount, inlineCount, attached, inline } = policies.value;
  const notes = listErrors.map((error) => `policy details unavailable: ${error}`);
  const total = attachedCount + inlineCount;
  const max = attached.length + inline.length;
  if (total > max) notes.push(`group has ${total} policies: only the first ${max} analysed`);
  const results: GroupPolicy[] = [
    ...attached.map((policy): GroupPolicy => {
      const managed = analyzeManaged(policy);
      const source = `group ${groupName}'s ${managed.source}`;
      return {
        findings: managed.report.findings.map((statement) => ({ ...statement, source })),
        keyFindings: managed.keyFindings,
        source,
        notes: managed.notes,
        isAdmin: managed.isAdmin,
      };
    }),
    ...inline.map(({ policyName, document }): GroupPolicy => {
      const source = `group ${groupName}'s inline policy ${policyName}`;
      const none = (note: string): GroupPolicy => ({
        findings: [],
        keyFindings: [],
        source,
        notes: [note],
        isAdmin: false,
      });
      if (document.status !== 'fetched') return none(missingNote(document, ''));
      const parsed = parsePolicyDocument(document.value);
      if (!parsed.ok) return none(failureNote(parsed, source));
      const assessment = assessPermissionsPolicy(parsed.document);
      return {
        findings: assessment.findings.map((finding) => stated(finding, source)),
        keyFindings: assessment.keyFindings,
        source,
        notes: documentNotes(parsed.document),
        isAdmin: assessment.admin !== undefined,
      };
    }),
  ];
  const findings = sortFindings(results.flatMap((result) => result.findings));
  const reasons = results.flatMap((result) => reasonsOf(result.keyFindings, result.source, { frame }));
  const admin = results.some(
    (result) =>
      result.isAdmin || result.findings.some((statement) => statement.code === 'service-wildcard-iam'),
  );
  const enrichment: Enrichment = {
    policy: reportFor(
      'iam-api',
      `policies of group ${groupName} (${attachedCount} attached, ${inlineCount} inline)`,
      undefined,
      findings,
    ),
    reasons,
    notes: [...notes, ...results.flatMap((result) => result.notes)],
  };
  if (admin && frame === 'granted') {
    const userName = param(paramsOf(event).params, 'userName') ?? '?';
    reasons.unshift(
      stated({
        severity: 'high',
        code: 'added-to-admin-group',
        kind: 'admin-group',
        userName,
        groupName,
      }),
    );
    enrichment.headline = { kind: 'admin-group', userName, groupName };
  }
  return enrichment;
};
