// parse → classify → [enrich: gather → analyze] → format → publish
// Analyze, for a policy put on or attached to a user, group or role: the new policy judged together with the
// owner's other policies (gather-set.ts fetched them). Two policies that are each harmless can together open an
// escalation path (iam:PassRole in one, lambda:CreateFunction + lambda:InvokeFunction in another); this says so,
// naming the policies. It only adds: a verdict on the new policy alone is never lowered here.

import type { PolicyOwner } from '../../ports.js';
import type { AbilityFinding, CombinedFinding, StatedFinding } from '../findings.js';
import { stated } from '../findings.js';
import { assessPermissionsPolicy, type PermissionsAssessment } from '../policy/analyze.js';
import { ask, identityPolicies } from '../policy/ask.js';
import { type PolicyDocument, parsePolicyDocument } from '../policy/document.js';
import { ESCALATION_PATHS, type EscalationPath } from '../policy/escalation.js';
import { isAwsManagedPolicyArn, policyNameOfArn, wellKnownPolicy } from '../policy/managed.js';
import type { IamEvent, Severity } from '../types.js';
import { severityRank } from '../types.js';
import { param, paramsOf } from './analyze-carried.js';
import { type Enrichment, mergeFindings, REASON_FLOOR, readDocument, sortFindings } from './enrichment.js';
import type { Fetched, Gathered } from './gather.js';
import type { NewPolicyRef, OtherPolicies } from './gather-set.js';

/** The policy an event put or attached, parsed, with whose policies it joins. */
export interface SetSubject {
  owner: PolicyOwner;
  ref: NewPolicyRef;
  /** How the alert names it: `inline policy lambda-dev`, `managed policy pass-any`. */
  label: string;
  document: PolicyDocument;
}

// The events that put or attach a permissions policy, with the owner they name.
const SET_EVENTS = new Map<
  string,
  { kind: PolicyOwner['kind']; param: string; policy: NewPolicyRef['kind'] }
>([
  ['PutUserPolicy', { kind: 'user', param: 'userName', policy: 'inline' }],
  ['PutGroupPolicy', { kind: 'group', param: 'groupName', policy: 'inline' }],
  ['PutRolePolicy', { kind: 'role', param: 'roleName', policy: 'inline' }],
  ['AttachUserPolicy', { kind: 'user', param: 'userName', policy: 'managed' }],
  ['AttachGroupPolicy', { kind: 'group', param: 'groupName', policy: 'managed' }],
  ['AttachRolePolicy', { kind: 'role', param: 'roleName', policy: 'managed' }],
]);

const OWNER_WORDS: Record<PolicyOwner['kind'], string> = { user: 'user', group: 'group', role: 'role' };

const managedLabel = (policyArn: string): string =>
  `${isAwsManagedPolicyArn(policyArn) ? 'AWS managed policy' : 'managed policy'} ${policyNameOfArn(policyArn)}`;

/** The new policy's document: carried by a Put event; for an Attach, the local copy or the version gathered. */
const documentOf = (event: IamEvent, ref: NewPolicyRef, gathered: Gathered): PolicyDocument | undefined => {
  if (ref.kind === 'inline') {
    const { params, response } = paramsOf(event);
    const { result } = readDocument(params.policyDocument, response.policyDocument);
    return result.ok ? result.document : undefined;
  }
  const known = wellKnownPolicy(ref.policyArn);
  if (known) {
    const parsed = known.document ? parsePolicyDocument(known.document) : undefined;
    return parsed?.ok ? parsed.document : undefined;
  }
  if (gathered.kind !== 'managed' || gathered.policy?.defaultVersion?.status !== 'fetched') return undefined;
  const parsed = parsePolicyDocument(gathered.policy.defaultVersion.value.document);
  return parsed.ok ? parsed.document : undefined;
};

/**
 * What a successful Put{User,Group,Role}Policy or Attach{User,Group,Role}Policy put or attached, if judging it with
 * the owner's other policies can say something: not when it could not be read (the alert says so already), grants
 * nothing (a Deny only takes away), or alone grants every action on every resource (nothing is left to open).
 */
export const setSubjectOf = (event: IamEvent, gathered: Gathered): SetSubject | undefined => {
  const spec = SET_EVENTS.get(event.record.eventName);
  if (!spec || event.record.eventSource !== 'iam.amazonaws.com') return undefined;
  const { params } = paramsOf(event);
  const name = param(params, spec.param);
  if (!name) return undefined;
  const policyName = param(params, 'policyName');
  const policyArn = param(params, 'policyArn');
  let ref: NewPolicyRef | undefined;
  if (spec.policy === 'inline' && policyName) ref = { kind: 'inline', policyName };
  if (spec.policy === 'managed' && policyArn) ref = { kind: 'managed', policyArn };
  if (!ref) return undefined;
  const document = documentOf(event, ref, gathered);
  if (!document?.statements.some((statement) => statement.effect === 'Allow')) return undefined;
  if (assessPermissionsPolicy(document).admin === 'full') return undefined;
  return {
    owner: { kind: spec.kind, name },
    ref,
    label: ref.kind === 'inline' ? `inline policy ${ref.policyName}` : managedLabel(ref.policyArn),
    document,
  };
};

/** One other policy, read or not. */
type Other = { label: string; document?: PolicyDocument; problem?: string };

const othersOf = (value: OtherPolicies): Other[] => [
  ...value.attached.map(({ policyArn, defaultVersion }): Other => {
    const label = managedLabel(policyArn);
    const known = wellKnownPolicy(policyArn)?.document;
    const text = known ?? (defaultVersion?.status === 'fetched' ? defaultVersion.value.document : undefined);
    if (text !== undefined) {
      const parsed = parsePolicyDocument(text);
      return parsed.ok ? { label, document: parsed.document } : { label, problem: parsed.failure.detail };
    }
    if (defaultVersion?.status !== 'fetched')
      return { label, problem: defaultVersion?.status === 'failed' ? defaultVersion.error : 'not fetched' };
    return { label, problem: 'not fetched' };
  }),
  ...value.inline.map(({ policyName, document }): Other => {
    const label = `inline policy ${policyName}`;
    if (document.status !== 'fetched')
      return { label, problem: document.status === 'failed' ? document.error : 'not fetched' };
    const parsed = parsePolicyDocument(document.value);
    return parsed.ok ? { label, document: parsed.document } : { label, problem: parsed.failure.detail };
  }),
];

const CURRENT = '2012-10-17';

/**
 * The documents as one identity policy: IAM allows what any of them allows and denies what any of them denies, so
 * their statements together are what they are apart. Policy variables are read only in `2012-10-17` documents; an
 * older document that writes `${…}` (literal text there) cannot join a current one and is left out.
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_version.html
 */
const mergeDocuments = (documents: PolicyDocument[]): PolicyDocument => {
  const version = documents.some((document) => document.version === CURRENT)
    ? CURRENT
    : documents[0]?.version;
  const merged: PolicyDocument = {
    statements: documents.flatMap((document) => document.statements),
    warnings: [],
    limits: [],
  };
  if (version !== undefined) merged.version = version;
  return merged;
};

/** Whether a document reads the same inside a `2012-10-17` merge (no `${…}` that it takes literally). */
const joinsCurrent = (document: PolicyDocument): boolean =>
  document.version === CURRENT || !JSON.stringify(document.statements).includes('${');

// The escalation paths by every code they report under (their own, and the one for the caller's own user).
const PATHS_BY_CODE = new Map<string, EscalationPath>(
  ESCALATION_PATHS.flatMap((path): [string, EscalationPath][] => [
    [path.code, path],
    ...(path.self ? [[path.self.code, path] as [string, EscalationPath]] : []),
  ]),
);

/** The escalation findings of an assessment, by code, with their severity. */
const escalations = (assessment: PermissionsAssessment): Map<string, Severity> =>
  new Map(
    assessment.findings
      .filter((finding) => finding.kind === 'ability' && PATHS_BY_CODE.has(finding.code))
      .map((finding) => [finding.code, finding.severity]),
  );

const outranks = (severity: Severity, other: Severity | undefined): boolean =>
  other === undefined || severityRank(severity) > severityRank(other);

/** A document without its Deny statements: what its Allow statements alone grant. */
const allowsOnly = (document: PolicyDocument): PolicyDocument => ({
  ...document,
  statements: document.statements.filter((statement) => statement.effect === 'Allow'),
});

const higher = (a: Severity, b: Severity | undefined): Severity =>
  b !== undefined && severityRank(b) > severityRank(a) ? b : a;

/**
 * The escalation paths the new policy and the others open together and neither opens alone (or open wider
 * together: a higher rating), each with the policies that allow its actions. The others' Deny statements never
 * lower such a path: it is rated as the Allow statements together open it, and it is left out only when the
 * evaluator finds it denied for every request it asks, which a note then says (`closed`).
 */
const combinedFindings = (
  subject: SetSubject,
  others: { label: string; document: PolicyDocument }[],
): { findings: CombinedFinding[]; closed: string[] } => {
  const documents = others.map((other) => other.document);
  const together = assessPermissionsPolicy(mergeDocuments([subject.document, ...documents]));
  const unguarded = assessPermissionsPolicy(mergeDocuments([subject.document, ...documents.map(allowsOnly)]));
  const denied = escalations(together);
  const alone = escalations(assessPermissionsPolicy(subject.document));
  const before = escalations(assessPermissionsPolicy(mergeDocuments(documents)));
  const owner = `${OWNER_WORDS[subject.owner.kind]} ${subject.owner.name}`;
  const guards = others
    .filter((other) => other.document.statements.some((statement) => statement.effect === 'Deny'))
    .map((other) => other.label);
  const candidates = [{ label: subject.label, document: subject.document, isNew: true }].concat(
    others.map((other) => ({ ...other, isNew: false })),
  );
  const findings: CombinedFinding[] = [];
  const closed: string[] = [];
  for (const finding of unguarded.findings) {
    const path = PATHS_BY_CODE.get(finding.code);
    if (finding.kind !== 'ability' || !path) continue;
    const withDeny = together.findings.find(
      (candidate): candidate is AbilityFinding =>
        candidate.kind === 'ability' && candidate.code === finding.code,
    );
    const severity = higher(finding.severity, denied.get(finding.code));
    if (!outranks(severity, alone.get(finding.code)) || !outranks(severity, before.get(finding.code)))
      continue;
    if (!withDeny) {
      closed.push(
        `the Deny statements of ${guards.join(', ')} close what this policy and the other policies of ${owner} would open together: ${path.impact}`,
      );
      continue;
    }
    const context = path.context ?? {};
    const contributions = candidates.flatMap((candidate) => {
      const policies = identityPolicies(candidate.document);
      const actions = path.actions.filter((action) => ask(policies, action, { context }).allowed);
      return actions.length > 0 ? [{ policy: candidate.label, actions, isNew: candidate.isNew }] : [];
    });
    findings.push({
      severity,
      code: `combined-${finding.code}`,
      kind: 'combined',
      owner,
      ability: { ...withDeny, severity },
      contributions,
    });
  }
  return { findings, closed };
};

/** The notes for what of the set could not be read, each saying so in the words the alert uses. */
const unreadNotes = (owner: PolicyOwner, value: OtherPolicies, others: Other[]): string[] => {
  const whose = `the ${OWNER_WORDS[owner.kind]}'s other policies`;
  const notes = [
    ...value.listErrors.map((error) => `could not read ${whose}: ${error}`),
    ...others.flatMap((other) =>
      other.problem ? [`could not read ${whose}: ${other.label}: ${other.problem}`] : [],
    ),
  ];
  const total = value.attachedCount + value.inlineCount;
  const fetched = value.attached.length + value.inline.length;
  if (total > fetched)
    notes.push(`${whose} number ${total}: only the first ${fetched} were judged together with the new one`);
  return notes;
};

/**
 * Adds to an enrichment what the new policy and its owner's other policies open together: a reason (and a line of
 * the policy section) per escalation path only the combination opens, naming the policies that contribute, and
 * notes for what was not read: offline (replay, render: no IAM access), a failed or throttled call, a document that
 * could not be parsed. Never removes or lowers a finding of the new policy alone, whatever Deny the other policies
 * hold: the alert's verdict on the new policy stands as it was.
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
 * @see https://rhinosecuritylabs.com/aws/aws-privilege-escalation-methods-mitigation/
 */
export const judgePolicySet = (
  enrichment: Enrichment,
  subject: SetSubject,
  fetched: Fetched<OtherPolicies>,
): Enrichment => {
  const whose = `the ${OWNER_WORDS[subject.owner.kind]}'s other policies`;
  if (fetched.status === 'offline')
    return {
      ...enrichment,
      notes: [
        ...enrichment.notes,
        `${whose} were not read (no IAM access offline): a path that opens only together with them is not judged`,
      ],
    };
  if (fetched.status === 'failed')
    return { ...enrichment, notes: [...enrichment.notes, `could not read ${whose}: ${fetched.error}`] };
  const others = othersOf(fetched.value);
  const notes = unreadNotes(subject.owner, fetched.value, others);
  const readable = others.flatMap((other) =>
    other.document ? [{ label: other.label, document: other.document }] : [],
  );
  // Documents of one policy language version always merge; across versions, `${…}` would change meaning.
  const mixed = [subject.document, ...readable.map((other) => other.document)].some(
    (document) => document.version === CURRENT,
  );
  const joins = (document: PolicyDocument): boolean => !mixed || joinsCurrent(document);
  const joinable = readable.filter((other) => joins(other.document));
  const literal = `written in an older policy language version, where $\{…} is literal text`;
  for (const other of readable.filter((candidate) => !joins(candidate.document)))
    notes.push(`not judged together with ${other.label}: ${literal}`);
  if (!joins(subject.document)) notes.push(`not judged together with ${whose}: this policy is ${literal}`);
  if (joinable.length === 0 || !joins(subject.document))
    return { ...enrichment, notes: [...enrichment.notes, ...notes] };
  const { findings, closed } = combinedFindings(subject, joinable);
  notes.push(...closed);
  notes.unshift(
    `judged together with ${whose}: ${joinable
      .slice(0, 4)
      .map((other) => other.label)
      .join(', ')}${joinable.length > 4 ? ` and ${joinable.length - 4} more` : ''}`,
  );
  // No source in brackets: the words name every contributing policy, this one included.
  const statedFindings: StatedFinding[] = findings.map((finding) => stated(finding));
  const reasons = statedFindings.filter(
    (statement) => severityRank(statement.severity) >= severityRank(REASON_FLOOR),
  );
  const result: Enrichment = {
    ...enrichment,
    reasons: sortFindings([...enrichment.reasons, ...reasons]),
    notes: [...enrichment.notes, ...notes],
  };
  if (enrichment.policy && statedFindings.length > 0)
    result.policy = {
      ...enrichment.policy,
      findings: mergeFindings(enrichment.policy.findings, statedFindings),
    };
  return result;
};
