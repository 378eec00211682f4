// parse → classify → [enrich] → format → publish
// Policy intelligence: find the policy an event touched, say what it grants and who it lets in.
// Best effort: every IAM failure becomes a note; nothing here throws.
import type { IamDirectory } from '../ports.js';
import { assessPermissionsPolicy, type PermissionsAssessment } from './policy/analyze.js';
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
  /**
   * A headline naming the key finding, without severity (`Role deploy can now be assumed by anyone`), for the
   * alert title when the top reason outranks the classifier's. Absent when the classifier's title already says
   * it (AdministratorAccess attached) and for failed calls, which granted nothing.
   */
  headline?: string;
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
/** At most this many reasons from one document, the most severe first; the policy section lists the rest. */
const MAX_REASONS_PER_DOCUMENT = 5;
/** At most this many findings in the policy section; the last line says how many more there were. */
const MAX_FINDINGS = 12;

type Params = Record<string, unknown>;

/**
 * How a document's findings relate to what the event did: it `granted` them, it tried and failed
 * (`attempted`), or they take effect only later (`non-default` policy version, `unattached` new policy).
 */
type Frame = 'granted' | 'attempted' | 'non-default' | 'unattached';

const str = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : undefined;

const ownAccountOf = (event: IamEvent): string | undefined => event.account;

const describeError = (error: unknown): string =>
  (error instanceof Error ? error.message : String(error)).replace(/\s+/g, ' ').slice(0, 200);

const sortFindings = (findings: PolicyFinding[]): PolicyFinding[] =>
  [...findings].sort((a, b) => severityRank(b.severity) - severityRank(a.severity));

// A finding's text, as the analyses word it ("grants …", "can …", "role can now be assumed by …"), said as an
// attempt that failed. The forms are those of policy/analyze.ts, policy/trust.ts and policy/managed.ts.
const ATTEMPT_FORMS: readonly [RegExp, string][] = [
  [/^role can (?:now )?be assumed by (.+)$/s, 'tried to let $1 assume the role'],
  [/^the new trust policy lets (.+?) assume the role(.*)$/s, 'tried to let $1 assume the role$2'],
  [/^(.+?) can assume the role(.*)$/s, 'tried to let $1 assume the role$2'],
  [/^effectively administrator: allows (.*)$/s, 'tried to grant effective administrator access: $1'],
  [/^grants (.*)$/s, 'tried to grant $1'],
  [/^can (.*)$/s, 'tried to let its holders $1'],
  [/^allows (.*)$/s, 'tried to allow $1'],
];

/** A finding's text for a call that failed: what was attempted, never a grant. */
const attemptText = (text: string): string => {
  const form = ATTEMPT_FORMS.find(([pattern]) => pattern.test(text));
  return form
    ? `${text.replace(form[0], form[1])}; the call failed`
    : `the call failed; it attempted this: ${text}`;
};

const CONDITIONS = { 'non-default': 'if made the default', unattached: 'once attached' } as const;

/** Puts the condition before the explanation that follows a colon: "X if made the default: why". */
const withCondition = (rest: string, when: string): string => {
  const colon = rest.indexOf(': ');
  return colon < 0 ? `${rest} ${when}` : `${rest.slice(0, colon)} ${when}${rest.slice(colon)}`;
};

/** A finding's text for a document that grants nothing yet: "would grant … if made the default". */
const conditionalText = (text: string, when: string): string => {
  const admin = /^effectively administrator: allows (.*)$/s.exec(text);
  if (admin) return `would grant effective administrator access ${when}: ${admin[1]}`;
  const grants = /^grants (.*)$/s.exec(text);
  if (grants) return `would grant ${withCondition(grants[1] ?? '', when)}`;
  const can = /^can (.*)$/s.exec(text);
  if (can) return `would let its holders ${withCondition(can[1] ?? '', when)}`;
  return `${when}: ${text}`;
};

const reasonText = (text: string, suffix: string, frame: Frame): string => {
  const tagged = (body: string): string => (suffix ? `${body} (${suffix})` : body);
  if (frame === 'granted') return tagged(text);
  if (frame === 'attempted') return attemptText(tagged(text));
  return tagged(conditionalText(text, CONDITIONS[frame]));
};

/** Reasons from one document's findings: at or above the floor, the most severe first, at most five. */
const reasonsOf = (
  findings: PolicyFinding[],
  suffix: string,
  options: { cap?: Severity; frame?: Frame } = {},
): Reason[] => {
  const { cap, frame = 'granted' } = options;
  return sortFindings(findings)
    .filter((finding) => severityRank(finding.severity) >= severityRank(REASON_FLOOR))
    .slice(0, MAX_REASONS_PER_DOCUMENT)
    .map((finding) => ({
      severity: cap && severityRank(finding.severity) > severityRank(cap) ? cap : finding.severity,
      code: finding.code,
      text: reasonText(finding.text, suffix, frame),
    }));
};

/** What a permissions document grants, for a headline: "grants full administrator access". */
const grantPhrase = (assessment: PermissionsAssessment): string | undefined => {
  if (assessment.admin === 'full') return 'full administrator access';
  if (assessment.admin === 'effective') return 'effective administrator access';
  const top = assessment.keyFindings[0];
  if (top?.severity !== 'high') return undefined;
  if (top.code === 'service-wildcard-iam') return 'every IAM action';
  if (top.code === 'allow-not-action') return 'nearly every action (NotAction)';
  return undefined;
};

const failureNote = (result: PolicyParseResult, what: string): string | undefined =>
  result.ok ? undefined : `${what} not analysed: ${result.failure.detail}`;

/** Keeps the policy section short: the most severe findings, then how many more there were. */
const capFindings = (findings: PolicyFinding[]): PolicyFinding[] =>
  findings.length <= MAX_FINDINGS
    ? findings
    : [
        ...findings.slice(0, MAX_FINDINGS - 1),
        {
          severity: 'info',
          code: 'more-findings',
          text: `and ${findings.length - (MAX_FINDINGS - 1)} more findings`,
        },
      ];

const insightFor = (
  source: PolicyInsight['source'],
  label: string,
  text: string | undefined,
  findings: PolicyFinding[],
  extra: Partial<PolicyInsight> = {},
): PolicyInsight => {
  const insight: PolicyInsight = { source, label, findings: capFindings(findings), ...extra };
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

/** Notes on what of a parsed document was not analysed: malformed parts, and parts beyond the size caps. */
const documentNotes = (document: PolicyDocument): string[] => [
  ...(document.warnings.length > 0
    ? [`policy document partly malformed: ${document.warnings.slice(0, 3).join('; ')}`]
    : []),
  ...(document.limits.length > 0
    ? [`policy document is large: ${document.limits.slice(0, 3).join('; ')}`]
    : []),
];

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

const OWNER_KINDS: Record<string, string> = { user: 'IAM user', role: 'role', group: 'group' };

const inlineOwner = (eventName: string, params: Params): { kind: string; owner: string } => ({
  kind: eventName.replace(/^Put(\w+)Policy$/, '$1').toLowerCase(),
  owner: str(params.userName) ?? str(params.roleName) ?? str(params.groupName) ?? '?',
});

const analyzeInline = (event: IamEvent, params: Params, response: Params, frame: Frame): PolicyEnrichment => {
  const { eventName } = event.record;
  const { kind, owner } = inlineOwner(eventName, params);
  const policyName = str(params.policyName) ?? '?';
  const label = `inline policy ${policyName} on ${kind} ${owner}`;
  const { result, source } = readDocument(params.policyDocument, response.policyDocument);
  if (!result.ok) {
    return {
      policy: insightFor(source, label, result.text, []),
      reasons: [],
      notes: [failureNote(result, 'policy document') ?? ''],
    };
  }
  const assessment = assessPermissionsPolicy(result.document);
  const enrichment: PolicyEnrichment = {
    policy: insightFor(source, label, result.text, assessment.findings),
    reasons: reasonsOf(assessment.keyFindings, `inline policy ${policyName}`, { frame }),
    notes: documentNotes(result.document),
  };
  const grants = grantPhrase(assessment);
  if (grants && frame === 'granted') {
    enrichment.headline = `Inline policy ${policyName} on ${OWNER_KINDS[kind] ?? kind} ${owner} grants ${grants}`;
  }
  return enrichment;
};

const analyzeTrust = (event: IamEvent, params: Params, response: Params, frame: Frame): PolicyEnrichment => {
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
    // A failed call trusted no one: its findings say who it tried to let in; no "may be assumed by" list.
    policy: insightFor(
      source,
      label,
      result.text,
      trust.findings,
      frame === 'attempted' ? {} : { trustedPrincipals: trust.trustedPrincipals },
    ),
    reasons: reasonsOf(trust.findings, '', { frame }),
    notes: documentNotes(result.document),
  };
  if (trust.exposure && frame === 'granted') enrichment.headline = `Role ${roleName} ${trust.exposure}`;
  const boundary = str(params.permissionsBoundary);
  if (boundary) addBoundary(enrichment, boundary, frame);
  return enrichment;
};

/** A managed policy, judged: the insight for the alert, and the findings that matter first. */
interface ManagedAnalysis {
  insight: PolicyInsight;
  suffix: string;
  notes: string[];
  keyFindings: PolicyFinding[];
  /** What it grants, for a headline; undefined for well-known AWS policies, whose name says it. */
  grants?: string;
  isAdmin: boolean;
}

/** Analyses a managed policy by ARN: well-known ones locally, others through GetPolicy + GetPolicyVersion. */
const analyzeManaged = async (
  policyArn: string,
  iam: IamDirectory | undefined,
  budget: Budget,
): Promise<ManagedAnalysis> => {
  const name = policyNameOfArn(policyArn);
  const known = wellKnownPolicy(policyArn);
  const kind = isAwsManagedPolicyArn(policyArn) ? 'AWS managed policy' : 'managed policy';
  const suffix = `${kind} ${name}`;
  const nothing = (insight: PolicyInsight, notes: string[]): ManagedAnalysis => ({
    insight,
    suffix,
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
    const findings = merge(assessment?.findings ?? []);
    return {
      insight: insightFor('well-known', suffix, known.document, findings, { policyArn }),
      suffix,
      notes: [],
      keyFindings: merge(assessment?.keyFindings ?? []),
      isAdmin: assessment?.admin !== undefined,
    };
  }
  if (!iam) {
    return nothing(insightFor('iam-api', suffix, undefined, [], { policyArn }), [
      `managed policy document not fetched: offline (${policyArn})`,
    ]);
  }
  try {
    const policy = await budget.call(() => iam.getPolicy(policyArn));
    const version = await budget.call(() => iam.getPolicyVersion(policyArn, policy.defaultVersionId));
    const parsed = parsePolicyDocument(version.document);
    if (!parsed.ok) {
      return nothing(insightFor('iam-api', suffix, parsed.text, [], { policyArn }), [
        failureNote(parsed, `${suffix} (${version.versionId})`) ?? '',
      ]);
    }
    const assessment = assessPermissionsPolicy(parsed.document);
    const analysis: ManagedAnalysis = {
      insight: insightFor(
        'iam-api',
        `${suffix} (default version ${version.versionId})`,
        parsed.text,
        assessment.findings,
        { policyArn },
      ),
      suffix,
      notes: documentNotes(parsed.document),
      keyFindings: assessment.keyFindings,
      isAdmin: assessment.admin !== undefined,
    };
    const grants = grantPhrase(assessment);
    if (grants) analysis.grants = grants;
    return analysis;
  } catch (error) {
    return nothing(insightFor('iam-api', suffix, undefined, [], { policyArn }), [
      `policy details unavailable: ${describeError(error)}`,
    ]);
  }
};

const addBoundary = (enrichment: PolicyEnrichment, boundaryArn: string, frame: Frame): void => {
  const name = policyNameOfArn(boundaryArn);
  const known = wellKnownPolicy(boundaryArn);
  if (frame === 'granted' && (known?.name === 'AdministratorAccess' || known?.name === 'PowerUserAccess')) {
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

const TARGET_PARAMS: [string, string][] = [
  ['userName', 'IAM user'],
  ['roleName', 'role'],
  ['groupName', 'group'],
];

const targetOf = (params: Params): string => {
  for (const [key, kind] of TARGET_PARAMS) {
    const name = str(params[key]);
    if (name) return `${kind} ${name}`;
  }
  return '?';
};

const analyzeAttach = async (
  event: IamEvent,
  params: Params,
  iam: IamDirectory | undefined,
  budget: Budget,
  frame: Frame,
): Promise<PolicyEnrichment> => {
  const policyArn = str(params.policyArn) ?? str(params.permissionsBoundary);
  if (!policyArn) return { reasons: [], notes: ['no policy ARN in the event'] };
  const boundary = /PermissionsBoundary$/.test(event.record.eventName);
  const managed = await analyzeManaged(policyArn, iam, budget);
  const { insight, suffix, notes } = managed;
  if (boundary) {
    // A boundary caps permissions; it grants nothing. Only "it caps nothing" is worth raising.
    const admin = insight.findings.some((finding) => finding.code === 'full-admin');
    return {
      policy: { ...insight, label: `permissions boundary ${suffix}` },
      reasons:
        admin && frame === 'granted'
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
  const enrichment: PolicyEnrichment = {
    policy: insight,
    reasons: reasonsOf(managed.keyFindings, suffix, { frame }),
    notes,
  };
  if (managed.grants && frame === 'granted') {
    enrichment.headline = `Policy ${policyNameOfArn(policyArn)} attached to ${targetOf(params)} grants ${managed.grants}`;
  }
  return enrichment;
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
  frame: Frame,
): Promise<PolicyEnrichment> => {
  const { eventName } = event.record;
  const policyArn = str(params.policyArn);
  if (!policyArn) return { reasons: [], notes: ['no policy ARN in the event'] };
  const name = policyNameOfArn(policyArn);
  const created = eventName === 'CreatePolicyVersion';
  const responseVersion = (response.policyVersion ?? {}) as Params;
  const versionId = created ? str(responseVersion.versionId) : str(params.versionId);
  // A failed CreatePolicyVersion has no response, so no version id: leave it out rather than print "?".
  const version = versionId ? `version ${versionId}` : 'version';
  const isDefault = created ? params.setAsDefault === true || params.setAsDefault === 'true' : true;
  const notes: string[] = [];
  if (frame !== 'attempted') iam?.forget?.({ policyArn });

  /** The alert when the new version's document could not be read: what it is, and why it is missing. */
  const unfetched = (note: string): PolicyEnrichment => ({
    policy: insightFor('iam-api', `default ${version} of managed policy ${name}`, undefined, [], {
      policyArn,
    }),
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
      const fetched = await budget.call(() => iam.getPolicyVersion(policyArn, versionId ?? ''));
      newDocument = parsePolicyDocument(fetched.document);
    } catch (error) {
      return unfetched(`policy details unavailable: ${describeError(error)}`);
    }
  }
  const label = `${isDefault ? 'new default ' : ''}${version} of managed policy ${name}`;
  if (!newDocument.ok) {
    return {
      policy: insightFor(source, label, newDocument.text, [], { policyArn }),
      reasons: [],
      notes: [failureNote(newDocument, 'policy version') ?? ''],
    };
  }
  const assessment = assessPermissionsPolicy(newDocument.document);
  const { findings, keyFindings } = assessment;
  const insight = insightFor(source, label, newDocument.text, findings, { policyArn });
  notes.push(...documentNotes(newDocument.document));
  if (!isDefault) {
    notes.push('created without setAsDefault: it grants nothing until someone makes it the default version');
    return {
      policy: insight,
      reasons: reasonsOf(keyFindings, `${version} of ${name}`, {
        cap: 'medium',
        frame: frame === 'attempted' ? frame : 'non-default',
      }),
      notes,
    };
  }
  const enrichment: PolicyEnrichment = {
    policy: insight,
    reasons: reasonsOf(keyFindings, `new default ${version} of ${name}`, { frame }),
    notes,
  };
  const grants = grantPhrase(assessment);
  if (grants && frame === 'granted') {
    enrichment.headline = created
      ? `New default ${version} of policy ${name} grants ${grants}`
      : `Policy ${name} switched to ${version}, which grants ${grants}`;
  }
  if (!iam) {
    notes.push('previous version not fetched: offline, so no diff');
    return enrichment;
  }
  const { reasons } = enrichment;
  try {
    const versions = await budget.call(() => iam.listPolicyVersions(policyArn));
    const previous = previousCandidate(versions, versionId ?? '');
    if (!previous) {
      notes.push('no earlier version left to compare with');
      return enrichment;
    }
    const old = await budget.call(() => iam.getPolicyVersion(policyArn, previous));
    const oldDocument = parsePolicyDocument(old.document);
    if (!oldDocument.ok) {
      notes.push(`previous version ${previous} not analysed: ${oldDocument.failure.detail}`);
      return enrichment;
    }
    const diff = diffPolicyGrants(oldDocument.document, newDocument.document);
    insight.diff = diff;
    // IAM records no history of the default pointer: say which version we compared with and why.
    notes.push(
      created
        ? `compared with ${previous}, the newest earlier version (IAM does not record which version was default before)`
        : `compared with ${previous}, the newest other version (IAM does not record which version was default before)`,
    );
    const oldCodes = new Set(
      assessPermissionsPolicy(oldDocument.document).findings.map((finding) => finding.code),
    );
    const widened = keyFindings.filter(
      (finding) =>
        !oldCodes.has(finding.code) && severityRank(finding.severity) >= severityRank(REASON_FLOOR),
    );
    if (diff.length > 0) {
      const top = widened[0];
      reasons.unshift({
        severity: top?.severity ?? 'low',
        code: 'policy-version-widened',
        text: `the new default ${version} of ${name} ${diff[0]} that ${previous} did not${
          diff.length > 1 ? ` (+${diff.length - 1} more changes)` : ''
        }${top ? `: it ${top.text}` : ''}`,
      });
    }
  } catch (error) {
    notes.push(`previous version unavailable, no diff: ${describeError(error)}`);
  }
  return enrichment;
};

const analyzeGroup = async (
  params: Params,
  iam: IamDirectory | undefined,
  budget: Budget,
  maxPolicies: number,
  frame: Frame,
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

  interface GroupPolicy {
    findings: PolicyFinding[];
    keyFindings: PolicyFinding[];
    suffix: string;
    notes: string[];
    isAdmin: boolean;
  }
  const results: GroupPolicy[] = await Promise.all([
    ...attachedSlice.map(async (policy): Promise<GroupPolicy> => {
      const managed = await analyzeManaged(policy.policyArn, iam, budget);
      return {
        findings: managed.insight.findings,
        keyFindings: managed.keyFindings,
        suffix: `group ${groupName}'s ${managed.suffix}`,
        notes: managed.notes,
        isAdmin: managed.isAdmin,
      };
    }),
    ...inlineSlice.map(async (policyName): Promise<GroupPolicy> => {
      const suffix = `group ${groupName}'s inline policy ${policyName}`;
      const none = (note: string): GroupPolicy => ({
        findings: [],
        keyFindings: [],
        suffix,
        notes: [note],
        isAdmin: false,
      });
      try {
        const text = await budget.call(() => iam.getGroupPolicy(groupName, policyName));
        const parsed = parsePolicyDocument(text);
        if (!parsed.ok) return none(failureNote(parsed, suffix) ?? '');
        const assessment = assessPermissionsPolicy(parsed.document);
        return {
          findings: assessment.findings,
          keyFindings: assessment.keyFindings,
          suffix,
          notes: documentNotes(parsed.document),
          isAdmin: assessment.admin !== undefined,
        };
      } catch (error) {
        return none(`policy details unavailable: ${describeError(error)}`);
      }
    }),
  ]);
  const findings = sortFindings(
    results.flatMap((result) =>
      result.findings.map((finding) => ({ ...finding, text: `${finding.text} (${result.suffix})` })),
    ),
  );
  const reasons = results.flatMap((result) => reasonsOf(result.keyFindings, result.suffix, { frame }));
  const admin = results.some(
    (result) => result.isAdmin || result.findings.some((finding) => finding.code === 'service-wildcard-iam'),
  );
  const enrichment: PolicyEnrichment = {
    policy: insightFor(
      'iam-api',
      `${label} (${attached.length} attached, ${inline.length} inline)`,
      undefined,
      findings,
    ),
    reasons,
    notes: [...notes, ...results.flatMap((result) => result.notes)],
  };
  if (admin && frame === 'granted') {
    const userName = str(params.userName) ?? '?';
    reasons.unshift({
      severity: 'high',
      code: 'added-to-admin-group',
      text: `user ${userName} joined group ${groupName}, which grants administrator-level access`,
    });
    enrichment.headline = `User ${userName} added to group ${groupName}, which grants administrator-level access`;
  }
  return enrichment;
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

const isFailed = (event: IamEvent): boolean =>
  event.record.errorCode !== undefined && event.record.errorCode !== '';

const finish = (enrichment: PolicyEnrichment): PolicyEnrichment => {
  const reasons: Reason[] = [];
  for (const reason of enrichment.reasons) {
    if (!reasons.some((seen) => seen.text === reason.text)) reasons.push(reason);
  }
  reasons.sort((a, b) => severityRank(b.severity) - severityRank(a.severity));
  return { ...enrichment, reasons, notes: [...new Set(enrichment.notes.filter(Boolean))] };
};

/**
 * A failed call changed nothing. Its findings say what was attempted ("tried to let anyone (*) assume the
 * role; the call failed"), and at most one reason says so at low severity, which a failed change has anyway
 * from the classifier: an attempt never raises the alert as a grant would. No headline.
 */
const asAttempt = (enrichment: PolicyEnrichment, errorCode: string | undefined): PolicyEnrichment => {
  const top = enrichment.reasons[0];
  const notes = enrichment.notes.filter((note) => !note.includes('offline'));
  const attempted: PolicyEnrichment = {
    reasons: top ? [{ severity: 'low', code: `attempted-${top.code}`, text: top.text }] : [],
    notes,
  };
  if (enrichment.policy) {
    notes.push(
      `the call failed (${errorCode}): nothing was granted; the findings describe what was attempted`,
    );
    attempted.policy = {
      ...enrichment.policy,
      findings: enrichment.policy.findings.map((finding) =>
        finding.code === 'more-findings' ? finding : { ...finding, text: attemptText(finding.text) },
      ),
    };
  }
  return attempted;
};

/** The analyses that need no IAM call, for an event whose frame (granted or attempted) is known. */
const analyzeLocally = (event: IamEvent, frame: Frame): PolicyEnrichment => {
  const { record } = event;
  const params = (record.requestParameters ?? {}) as Params;
  const response = (record.responseElements ?? {}) as Params;
  const { eventName } = record;
  if (record.eventSource !== 'iam.amazonaws.com') return { reasons: [], notes: [] };
  if (INLINE_EVENTS.has(eventName)) return finish(analyzeInline(event, params, response, frame));
  if (eventName === 'CreateRole' || eventName === 'UpdateAssumeRolePolicy') {
    return finish(analyzeTrust(event, params, response, frame));
  }
  if (eventName === 'CreatePolicy') {
    const policy = (response.policy ?? {}) as Params;
    const { result, source } = readDocument(params.policyDocument, undefined);
    const policyName = str(params.policyName) ?? '?';
    const label = `new managed policy ${policyName}`;
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
    const assessment = assessPermissionsPolicy(result.document);
    // A new policy grants nothing until attached; its findings still say what attaching it would do.
    return finish({
      policy: insightFor(source, label, result.text, assessment.findings, extra),
      reasons: reasonsOf(assessment.keyFindings, `new policy ${policyName}`, {
        cap: 'medium',
        frame: frame === 'attempted' ? frame : 'unattached',
      }),
      notes: documentNotes(result.document),
    });
  }
  if (eventName === 'CreateUser' && str(params.permissionsBoundary)) {
    const enrichment: PolicyEnrichment = { reasons: [], notes: [] };
    addBoundary(enrichment, str(params.permissionsBoundary) ?? '', frame);
    return finish(enrichment);
  }
  return { reasons: [], notes: [] };
};

/**
 * The part of policy enrichment that needs no IAM call: inline documents, trust policies, well-known AWS
 * managed policies. Synchronous and pure; for events that need IAM it returns a note saying so. A failed
 * call's findings are worded as attempts, as in {@link enrichPolicy}.
 */
export const analyzeEventPolicies = (event: IamEvent): PolicyEnrichment => {
  if (!isFailed(event)) return analyzeLocally(event, 'granted');
  return asAttempt(analyzeLocally(event, 'attempted'), event.record.errorCode);
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
 * Reasons: at most five per document, the most severe first; a broad grant (`*` or `NotAction` on every
 * resource) stands for the narrower findings it implies, which stay in `policy.findings`.
 * Failed calls (`errorCode` set) changed nothing: their findings are worded as attempts, they make no IAM
 * call, raise nothing above low and get no headline.
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/cloudtrail-integration.html
 */
export const enrichPolicy = async (
  event: IamEvent,
  iam: IamDirectory | undefined,
  options: EnrichOptions = {},
): Promise<PolicyEnrichment> => {
  const { record } = event;
  if (record.eventSource !== 'iam.amazonaws.com') return { reasons: [], notes: [] };
  const failed = isFailed(event);
  const frame: Frame = failed ? 'attempted' : 'granted';
  const params = (record.requestParameters ?? {}) as Params;
  const response = (record.responseElements ?? {}) as Params;
  // A change to a group or a policy makes cached answers about it stale for the next event.
  if (!failed && GROUP_CHANGES.has(record.eventName) && str(params.groupName)) {
    iam?.forget?.({ groupName: str(params.groupName) as string });
  }
  try {
    let enrichment: PolicyEnrichment;
    if (!needsIam(record.eventName)) {
      enrichment = analyzeLocally(event, frame);
    } else {
      const budget = new Budget(failed ? 0 : (options.maxApiCalls ?? 10));
      const directory = failed ? undefined : iam;
      const { eventName } = record;
      if (ATTACH_EVENTS.has(eventName)) {
        enrichment = await analyzeAttach(event, params, directory, budget, frame);
      } else if (eventName === 'AddUserToGroup') {
        enrichment = await analyzeGroup(params, directory, budget, options.maxGroupPolicies ?? 5, frame);
      } else enrichment = await analyzeVersion(event, params, response, directory, budget, frame);
      enrichment = finish(enrichment);
    }
    return failed ? asAttempt(enrichment, record.errorCode) : enrichment;
  } catch (error) {
    // Defensive: a bug here must cost the alert its policy section, never the alert.
    return { reasons: [], notes: [`policy analysis failed: ${describeError(error)}`] };
  }
};
