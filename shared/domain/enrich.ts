// parse → classify → [enrich] → format → publish
// Policy intelligence: find the policy an event touched, say what it grants and who it lets in.
// Best effort: every IAM failure becomes a note; nothing here throws.
import type { IamDirectory } from '../ports.js';
import { analyzePermissionsPolicy } from './policy/analyze.js';
import { diffPolicyGrants } from './policy/diff.js';
import { type PolicyDocument, type PolicyParseResult, parsePolicyDocument } from './policy/document.js';
import { isAwsManagedPolicyArn, policyNameOfArn, wellKnownPolicy } from './policy/managed.js';
import { analyzeTrustPolicy } from './policy/trust.js';
import type { IamEvent, PolicyFinding, PolicyInsight, Reason, Severity } from './types.js';
import { severityRank } from './types.js';

/** What the enrichment stage adds to an alert. */
export interface PolicyEnrichment {
  policy?: PolicyInsight;
  /** Severity-raising findings, in words a reviewer understands; the pipeline takes the max with the classifier. */
  reasons: Reason[];
  /** Gaps: documents not fetched, truncated, unreadable; never fatal. */
  notes: string[];
}

/** Tuning for {@link enrichPolicy}. */
export interface EnrichOptions {
  /** At most this many IAM calls per event (AddUserToGroup can fan out). Default 10. */
  maxApiCalls?: number;
  /** At most this many group policies analysed for AddUserToGroup. Default 5. */
  maxGroupPolicies?: number;
}

/** Findings at or above this severity become reasons. */
const REASON_FLOOR: Severity = 'medium';

type Params = Record<string, unknown>;

const str = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : undefined;

const ownAccountOf = (event: IamEvent): string | undefined =>
  event.record.recipientAccountId ?? event.envelope?.account ?? event.record.userIdentity.accountId;

const describeError = (error: unknown): string =>
  (error instanceof Error ? error.message : String(error)).replace(/\s+/g, ' ').slice(0, 200);

const reasonsOf = (findings: PolicyFinding[], suffix: string, cap?: Severity): Reason[] =>
  findings
    .filter((finding) => severityRank(finding.severity) >= severityRank(REASON_FLOOR))
    .map((finding) => ({
      severity: cap && severityRank(finding.severity) > severityRank(cap) ? cap : finding.severity,
      code: finding.code,
      text: suffix ? `${finding.text} (${suffix})` : finding.text,
    }));

const failureNote = (result: PolicyParseResult, what: string): string | undefined =>
  result.ok ? undefined : `${what} not analysed: ${result.failure.detail}`;

const insightFor = (
  source: PolicyInsight['source'],
  label: string,
  text: string | undefined,
  findings: PolicyFinding[],
  extra: Partial<PolicyInsight> = {},
): PolicyInsight => {
  const insight: PolicyInsight = { source, label, findings, ...extra };
  if (text !== undefined) insight.document = text;
  return insight;
};

/** Reads a document from the request, falling back to the URL-encoded copy in the response. */
const readDocument = (
  request: unknown,
  response: unknown,
): { result: PolicyParseResult; source: 'request' | 'response' } => {
  const fromRequest = parsePolicyDocument(request);
  if (fromRequest.ok || response === undefined) return { result: fromRequest, source: 'request' };
  const fromResponse = parsePolicyDocument(response);
  return fromResponse.ok
    ? { result: fromResponse, source: 'response' }
    : { result: fromRequest, source: 'request' };
};

/** A call budget shared by every lookup of one event, so a fan-out (group policies) stays bounded. */
class Budget {
  used = 0;
  constructor(private readonly limit: number) {}
  async call<T>(fn: () => Promise<T>): Promise<T> {
    if (this.used >= this.limit) throw new Error(`call budget of ${this.limit} IAM calls per event reached`);
    this.used += 1;
    return fn();
  }
}

const inlineLabel = (eventName: string, params: Params): string => {
  const kind = eventName.replace(/^Put(\w+)Policy$/, '$1').toLowerCase();
  const owner = str(params.userName) ?? str(params.roleName) ?? str(params.groupName) ?? '?';
  return `inline policy ${str(params.policyName) ?? '?'} on ${kind} ${owner}`;
};

const analyzeInline = (event: IamEvent, params: Params, response: Params): PolicyEnrichment => {
  const { eventName } = event.record;
  const label = inlineLabel(eventName, params);
  const { result, source } = readDocument(params.policyDocument, response.policyDocument);
  if (!result.ok) {
    return {
      policy: insightFor(source, label, result.text, []),
      reasons: [],
      notes: [failureNote(result, 'policy document') ?? ''],
    };
  }
  const findings = analyzePermissionsPolicy(result.document);
  return {
    policy: insightFor(source, label, result.text, findings),
    reasons: reasonsOf(findings, `inline policy ${str(params.policyName) ?? '?'}`),
    notes: warningNotes(result.document),
  };
};

const warningNotes = (document: PolicyDocument): string[] =>
  document.warnings.length > 0
    ? [`policy document partly malformed: ${document.warnings.slice(0, 3).join('; ')}`]
    : [];

const analyzeTrust = (event: IamEvent, params: Params, response: Params): PolicyEnrichment => {
  const roleName = str(params.roleName) ?? '?';
  const role = (response.role ?? {}) as Params;
  const request =
    event.record.eventName === 'CreateRole' ? params.assumeRolePolicyDocument : params.policyDocument;
  const { result, source } = readDocument(request, role.assumeRolePolicyDocument);
  const label = `trust policy of role ${roleName}`;
  if (!result.ok) {
    return {
      policy: insightFor(source, label, result.text, []),
      reasons: [],
      notes: [failureNote(result, 'trust policy') ?? ''],
    };
  }
  const trust = analyzeTrustPolicy(result.document, ownAccountOf(event));
  const enrichment: PolicyEnrichment = {
    policy: insightFor(source, label, result.text, trust.findings, {
      trustedPrincipals: trust.trustedPrincipals,
    }),
    reasons: reasonsOf(trust.findings, ''),
    notes: warningNotes(result.document),
  };
  const boundary = str(params.permissionsBoundary);
  if (boundary) addBoundary(enrichment, boundary);
  return enrichment;
};

/** Analyses a managed policy by ARN: well-known ones locally, others through GetPolicy + GetPolicyVersion. */
const analyzeManaged = async (
  policyArn: string,
  iam: IamDirectory | undefined,
  budget: Budget,
): Promise<{ insight: PolicyInsight; suffix: string; notes: string[] }> => {
  const name = policyNameOfArn(policyArn);
  const known = wellKnownPolicy(policyArn);
  const kind = isAwsManagedPolicyArn(policyArn) ? 'AWS managed policy' : 'managed policy';
  const suffix = `${kind} ${name}`;
  if (known) {
    const parsed = known.document ? parsePolicyDocument(known.document) : undefined;
    const findings = [...known.findings, ...(parsed?.ok ? analyzePermissionsPolicy(parsed.document) : [])];
    return {
      insight: insightFor('well-known', suffix, known.document, sortFindings(findings), { policyArn }),
      suffix,
      notes: [],
    };
  }
  if (!iam) {
    return {
      insight: insightFor('iam-api', suffix, undefined, [], { policyArn }),
      suffix,
      notes: [`managed policy document not fetched: offline (${policyArn})`],
    };
  }
  try {
    const policy = await budget.call(() => iam.getPolicy(policyArn));
    const version = await budget.call(() => iam.getPolicyVersion(policyArn, policy.defaultVersionId));
    const parsed = parsePolicyDocument(version.document);
    if (!parsed.ok) {
      return {
        insight: insightFor('iam-api', suffix, parsed.text, [], { policyArn }),
        suffix,
        notes: [failureNote(parsed, `${suffix} (${version.versionId})`) ?? ''],
      };
    }
    return {
      insight: insightFor(
        'iam-api',
        `${suffix} (default version ${version.versionId})`,
        parsed.text,
        analyzePermissionsPolicy(parsed.document),
        { policyArn },
      ),
      suffix,
      notes: warningNotes(parsed.document),
    };
  } catch (error) {
    return {
      insight: insightFor('iam-api', suffix, undefined, [], { policyArn }),
      suffix,
      notes: [`policy details unavailable: ${describeError(error)}`],
    };
  }
};

const sortFindings = (findings: PolicyFinding[]): PolicyFinding[] =>
  [...findings].sort((a, b) => severityRank(b.severity) - severityRank(a.severity));

const addBoundary = (enrichment: PolicyEnrichment, boundaryArn: string): void => {
  const name = policyNameOfArn(boundaryArn);
  const known = wellKnownPolicy(boundaryArn);
  if (known?.name === 'AdministratorAccess' || known?.name === 'PowerUserAccess') {
    enrichment.reasons.push({
      severity: 'medium',
      code: 'boundary-limits-little',
      text: `permissions boundary ${name} limits ${known.name === 'AdministratorAccess' ? 'nothing' : 'little'}`,
    });
  }
  enrichment.notes.push(
    `permissions boundary: ${name}${known?.name === 'AWSDenyAll' ? ' (denies everything)' : ''}`,
  );
};

const analyzeAttach = async (
  event: IamEvent,
  params: Params,
  iam: IamDirectory | undefined,
  budget: Budget,
): Promise<PolicyEnrichment> => {
  const policyArn = str(params.policyArn) ?? str(params.permissionsBoundary);
  if (!policyArn) return { reasons: [], notes: ['no policy ARN in the event'] };
  const boundary = /PermissionsBoundary$/.test(event.record.eventName);
  const { insight, suffix, notes } = await analyzeManaged(policyArn, iam, budget);
  if (boundary) {
    // A boundary caps permissions; it grants nothing. Only "it caps nothing" is worth raising.
    const admin = insight.findings.some((finding) => finding.code === 'full-admin');
    return {
      policy: { ...insight, label: `permissions boundary ${suffix}` },
      reasons: admin
        ? [
            {
              severity: 'medium',
              code: 'boundary-limits-little',
              text: `permissions boundary ${policyNameOfArn(policyArn)} limits nothing`,
            },
          ]
        : [],
      notes,
    };
  }
  return { policy: insight, reasons: reasonsOf(insight.findings, suffix), notes };
};

/** For SetDefaultPolicyVersion: the version that was most likely default before (IAM keeps no history). */
const previousCandidate = (
  versions: { versionId: string; createDate?: string }[],
  newVersionId: string,
): string | undefined => {
  const others = versions.filter((version) => version.versionId !== newVersionId);
  const numeric = (id: string): number => Number.parseInt(id.replace(/^v/, ''), 10) || 0;
  others.sort(
    (a, b) =>
      (b.createDate ?? '').localeCompare(a.createDate ?? '') || numeric(b.versionId) - numeric(a.versionId),
  );
  return others[0]?.versionId;
};

const analyzeVersion = async (
  event: IamEvent,
  params: Params,
  response: Params,
  iam: IamDirectory | undefined,
  budget: Budget,
): Promise<PolicyEnrichment> => {
  const { eventName } = event.record;
  const policyArn = str(params.policyArn);
  if (!policyArn) return { reasons: [], notes: ['no policy ARN in the event'] };
  const name = policyNameOfArn(policyArn);
  const created = eventName === 'CreatePolicyVersion';
  const responseVersion = (response.policyVersion ?? {}) as Params;
  const versionId = created ? str(responseVersion.versionId) : str(params.versionId);
  const isDefault = created ? params.setAsDefault === true || params.setAsDefault === 'true' : true;
  const notes: string[] = [];
  iam?.forget?.({ policyArn });

  /** The alert when the new version's document could not be read: what it is, and why it is missing. */
  const unfetched = (note: string): PolicyEnrichment => ({
    policy: insightFor(
      'iam-api',
      `default version ${versionId ?? '?'} of managed policy ${name}`,
      undefined,
      [],
      {
        policyArn,
      },
    ),
    reasons: [],
    notes: [note],
  });
  let newDocument: PolicyParseResult;
  let source: PolicyInsight['source'] = 'request';
  if (created) {
    newDocument = parsePolicyDocument(params.policyDocument);
  } else if (!iam) {
    return unfetched('managed policy document not fetched: offline');
  } else {
    source = 'iam-api';
    try {
      const version = await budget.call(() => iam.getPolicyVersion(policyArn, versionId ?? ''));
      newDocument = parsePolicyDocument(version.document);
    } catch (error) {
      return unfetched(`policy details unavailable: ${describeError(error)}`);
    }
  }
  const label = `${isDefault ? 'new default ' : ''}version ${versionId ?? '?'} of managed policy ${name}`;
  if (!newDocument.ok) {
    return {
      policy: insightFor(source, label, newDocument.text, [], { policyArn }),
      reasons: [],
      notes: [failureNote(newDocument, 'policy version') ?? ''],
    };
  }
  const findings = analyzePermissionsPolicy(newDocument.document);
  const insight = insightFor(source, label, newDocument.text, findings, { policyArn });
  if (!isDefault) {
    notes.push('created without setAsDefault: it grants nothing until someone makes it the default version');
    return {
      policy: insight,
      reasons: reasonsOf(findings, `non-default version of ${name}`, 'medium'),
      notes,
    };
  }
  const reasons = reasonsOf(findings, `new default version of ${name}`);
  if (!iam) {
    notes.push('previous version not fetched: offline, so no diff');
    return { policy: insight, reasons, notes };
  }
  try {
    const versions = await budget.call(() => iam.listPolicyVersions(policyArn));
    const previous = previousCandidate(versions, versionId ?? '');
    if (!previous) {
      notes.push('no earlier version left to compare with');
      return { policy: insight, reasons, notes };
    }
    const old = await budget.call(() => iam.getPolicyVersion(policyArn, previous));
    const oldDocument = parsePolicyDocument(old.document);
    if (!oldDocument.ok) {
      notes.push(`previous version ${previous} not analysed: ${oldDocument.failure.detail}`);
      return { policy: insight, reasons, notes };
    }
    const diff = diffPolicyGrants(oldDocument.document, newDocument.document);
    insight.diff = diff;
    // IAM records no history of the default pointer: say which version we compared with and why.
    notes.push(
      created
        ? `compared with ${previous}, the newest earlier version (IAM does not record which version was default before)`
        : `compared with ${previous}, the newest other version (IAM does not record which version was default before)`,
    );
    const oldCodes = new Set(analyzePermissionsPolicy(oldDocument.document).map((finding) => finding.code));
    const widened = findings.filter(
      (finding) =>
        !oldCodes.has(finding.code) && severityRank(finding.severity) >= severityRank(REASON_FLOOR),
    );
    if (diff.length > 0) {
      const top = widened[0];
      reasons.unshift({
        severity: top?.severity ?? 'low',
        code: 'policy-version-widened',
        text: `the new default version ${versionId ?? '?'} of ${name} ${diff[0]} that ${previous} did not${
          diff.length > 1 ? ` (+${diff.length - 1} more changes)` : ''
        }${top ? `: it ${top.text}` : ''}`,
      });
    }
  } catch (error) {
    notes.push(`previous version unavailable, no diff: ${describeError(error)}`);
  }
  return { policy: insight, reasons, notes };
};

const analyzeGroup = async (
  params: Params,
  iam: IamDirectory | undefined,
  budget: Budget,
  maxPolicies: number,
): Promise<PolicyEnrichment> => {
  const groupName = str(params.groupName);
  if (!groupName) return { reasons: [], notes: ['no group name in the event'] };
  const label = `policies of group ${groupName}`;
  if (!iam) return { reasons: [], notes: [`group policies not fetched: offline (${groupName})`] };
  const notes: string[] = [];
  let attached: { policyArn: string; policyName: string }[] = [];
  let inline: string[] = [];
  const [attachedResult, inlineResult] = await Promise.allSettled([
    budget.call(() => iam.listAttachedGroupPolicies(groupName)),
    budget.call(() => iam.listGroupPolicies(groupName)),
  ]);
  if (attachedResult.status === 'fulfilled') attached = attachedResult.value;
  else notes.push(`policy details unavailable: ${describeError(attachedResult.reason)}`);
  if (inlineResult.status === 'fulfilled') inline = inlineResult.value;
  else notes.push(`policy details unavailable: ${describeError(inlineResult.reason)}`);
  const total = attached.length + inline.length;
  if (total > maxPolicies) notes.push(`group has ${total} policies: only the first ${maxPolicies} analysed`);
  const attachedSlice = attached.slice(0, maxPolicies);
  const inlineSlice = inline.slice(0, Math.max(0, maxPolicies - attachedSlice.length));

  const results = await Promise.all([
    ...attachedSlice.map(async (policy) => {
      const managed = await analyzeManaged(policy.policyArn, iam, budget);
      return {
        findings: managed.insight.findings,
        suffix: `group ${groupName}'s ${managed.suffix}`,
        notes: managed.notes,
      };
    }),
    ...inlineSlice.map(async (policyName) => {
      const suffix = `group ${groupName}'s inline policy ${policyName}`;
      try {
        const text = await budget.call(() => iam.getGroupPolicy(groupName, policyName));
        const parsed = parsePolicyDocument(text);
        if (!parsed.ok) return { findings: [], suffix, notes: [failureNote(parsed, suffix) ?? ''] };
        return {
          findings: analyzePermissionsPolicy(parsed.document),
          suffix,
          notes: warningNotes(parsed.document),
        };
      } catch (error) {
        return { findings: [], suffix, notes: [`policy details unavailable: ${describeError(error)}`] };
      }
    }),
  ]);
  const findings = sortFindings(
    results.flatMap((result) =>
      result.findings.map((finding) => ({ ...finding, text: `${finding.text} (${result.suffix})` })),
    ),
  );
  const reasons = results.flatMap((result) => reasonsOf(result.findings, result.suffix));
  const admin = findings.some(
    (finding) => finding.code === 'full-admin' || finding.code === 'service-wildcard-iam',
  );
  if (admin) {
    reasons.unshift({
      severity: 'high',
      code: 'added-to-admin-group',
      text: `user ${str(params.userName) ?? '?'} joined group ${groupName}, which grants administrator-level access`,
    });
  }
  return {
    policy: insightFor(
      'iam-api',
      `${label} (${attached.length} attached, ${inline.length} inline)`,
      undefined,
      findings,
    ),
    reasons,
    notes: [...notes, ...results.flatMap((result) => result.notes)],
  };
};

const INLINE_EVENTS = new Set(['PutUserPolicy', 'PutRolePolicy', 'PutGroupPolicy']);
const ATTACH_EVENTS = new Set([
  'AttachUserPolicy',
  'AttachRolePolicy',
  'AttachGroupPolicy',
  'PutUserPermissionsBoundary',
  'PutRolePermissionsBoundary',
]);

const GROUP_CHANGES = new Set([
  'AttachGroupPolicy',
  'DetachGroupPolicy',
  'PutGroupPolicy',
  'DeleteGroupPolicy',
]);

const finish = (enrichment: PolicyEnrichment): PolicyEnrichment => {
  const reasons: Reason[] = [];
  for (const reason of enrichment.reasons) {
    if (!reasons.some((seen) => seen.text === reason.text)) reasons.push(reason);
  }
  reasons.sort((a, b) => severityRank(b.severity) - severityRank(a.severity));
  return { ...enrichment, reasons, notes: [...new Set(enrichment.notes.filter(Boolean))] };
};

/**
 * The part of policy enrichment that needs no IAM call: inline documents, trust policies, well-known AWS
 * managed policies. Synchronous and pure; for events that need IAM it returns a note saying so.
 */
export const analyzeEventPolicies = (event: IamEvent): PolicyEnrichment => {
  const { record } = event;
  const params = (record.requestParameters ?? {}) as Params;
  const response = (record.responseElements ?? {}) as Params;
  const { eventName } = record;
  if (record.eventSource !== 'iam.amazonaws.com') return { reasons: [], notes: [] };
  if (INLINE_EVENTS.has(eventName)) return finish(analyzeInline(event, params, response));
  if (eventName === 'CreateRole' || eventName === 'UpdateAssumeRolePolicy') {
    return finish(analyzeTrust(event, params, response));
  }
  if (eventName === 'CreatePolicy') {
    const policy = (response.policy ?? {}) as Params;
    const { result, source } = readDocument(params.policyDocument, undefined);
    const label = `new managed policy ${str(params.policyName) ?? '?'}`;
    const extra: Partial<PolicyInsight> = {};
    const arn = str(policy.arn);
    if (arn) extra.policyArn = arn;
    if (!result.ok) {
      return finish({
        policy: insightFor(source, label, result.text, [], extra),
        reasons: [],
        notes: [failureNote(result, 'policy document') ?? ''],
      });
    }
    const findings = analyzePermissionsPolicy(result.document);
    // A new policy grants nothing until attached; its findings still say what attaching it would do.
    return finish({
      policy: insightFor(source, label, result.text, findings, extra),
      reasons: reasonsOf(findings, `new policy ${str(params.policyName) ?? '?'}, not attached yet`, 'medium'),
      notes: warningNotes(result.document),
    });
  }
  if (eventName === 'CreateUser' && str(params.permissionsBoundary)) {
    const enrichment: PolicyEnrichment = { reasons: [], notes: [] };
    addBoundary(enrichment, str(params.permissionsBoundary) ?? '');
    return finish(enrichment);
  }
  return { reasons: [], notes: [] };
};

const needsIam = (eventName: string): boolean =>
  ATTACH_EVENTS.has(eventName) ||
  eventName === 'CreatePolicyVersion' ||
  eventName === 'SetDefaultPolicyVersion' ||
  eventName === 'AddUserToGroup';

/**
 * Policy intelligence for one event: finds the policy it touched (inline document, managed policy by ARN,
 * trust policy, group policies), judges it, and for new default policy versions diffs it with the previous
 * one. With `iam` undefined (offline CLI) it still analyses what the event carries and well-known AWS
 * policies, and notes what it could not fetch. Never throws: IAM failures become notes.
 * Failed calls (`errorCode` set) changed nothing: their documents are described, without reasons or IAM calls.
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/cloudtrail-integration.html
 */
export const enrichPolicy = async (
  event: IamEvent,
  iam: IamDirectory | undefined,
  options: EnrichOptions = {},
): Promise<PolicyEnrichment> => {
  const { record } = event;
  if (record.eventSource !== 'iam.amazonaws.com') return { reasons: [], notes: [] };
  const failed = record.errorCode !== undefined && record.errorCode !== '';
  const params = (record.requestParameters ?? {}) as Params;
  const response = (record.responseElements ?? {}) as Params;
  // A change to a group or a policy makes cached answers about it stale for the next event.
  if (!failed && GROUP_CHANGES.has(record.eventName) && str(params.groupName)) {
    iam?.forget?.({ groupName: str(params.groupName) as string });
  }
  try {
    let enrichment: PolicyEnrichment;
    if (!needsIam(record.eventName)) {
      enrichment = analyzeEventPolicies(event);
    } else {
      const budget = new Budget(failed ? 0 : (options.maxApiCalls ?? 10));
      const directory = failed ? undefined : iam;
      const { eventName } = record;
      if (ATTACH_EVENTS.has(eventName)) enrichment = await analyzeAttach(event, params, directory, budget);
      else if (eventName === 'AddUserToGroup') {
        enrichment = await analyzeGroup(params, directory, budget, options.maxGroupPolicies ?? 5);
      } else enrichment = await analyzeVersion(event, params, response, directory, budget);
      enrichment = finish(enrichment);
    }
    if (failed) {
      return {
        ...enrichment,
        reasons: [],
        notes: [
          ...enrichment.notes.filter((note) => !note.includes('offline')),
          `the call failed (${record.errorCode}): nothing was granted; the findings describe what was attempted`,
        ],
      };
    }
    return enrichment;
  } catch (error) {
    // Defensive: a bug here must cost the alert its policy section, never the alert.
    return { reasons: [], notes: [`policy analysis failed: ${describeError(error)}`] };
  }
};
