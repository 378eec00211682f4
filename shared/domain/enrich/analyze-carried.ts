// The analyses of documents the event itself carries: inline policies, trust policies, new managed policies,
// and the permissions boundary named by CreateUser or CreateRole.
import type { Frame, GrantLevel } from '../findings.js';
import { assessPermissionsPolicy, type PermissionsAssessment } from '../policy/analyze.js';
import { policyNameOfArn, wellKnownPolicy } from '../policy/managed.js';
import { analyzeTrustPolicy } from '../policy/trust.js';
import type { IamEvent } from '../types.js';
import { asString, isObject } from '../values.js';
import {
  documentNotes,
  type Enrichment,
  failureNote,
  type PolicyReport,
  readDocument,
  reasonsOf,
  reportFor,
} from './enrichment.js';

/** A request or response parameter as a non-empty string. */
export const param = (params: Record<string, unknown>, key: string): string | undefined =>
  asString(params[key]) || undefined;

/** The event's request and response parameters, as objects (empty when absent). */
export const paramsOf = (
  event: IamEvent,
): { params: Record<string, unknown>; response: Record<string, unknown> } => ({
  params: event.record.requestParameters ?? {},
  response: event.record.responseElements ?? {},
});

/** What a permissions document amounts to, for a headline; `undefined` when nothing in it is headline-worthy. */
export const grantLevel = (assessment: PermissionsAssessment): GrantLevel | undefined => {
  if (assessment.admin === 'full') return 'full-admin';
  if (assessment.admin === 'effective') return 'effective-admin';
  if (assessment.admin === 'account') return 'account-admin';
  const top = assessment.keyFindings[0];
  if (top?.severity !== 'high') return undefined;
  if (top.code === 'service-wildcard-iam') return 'every-iam-action';
  if (top.code === 'allow-not-action') return 'nearly-every-action';
  return undefined;
};

const OWNER_KINDS = new Map([
  ['user', 'IAM user'],
  ['role', 'role'],
  ['group', 'group'],
]);

/** PutUserPolicy, PutRolePolicy, PutGroupPolicy: the inline document in the request. */
const analyzeInline = (event: IamEvent, frame: Frame): Enrichment => {
  const { params, response } = paramsOf(event);
  const kind = event.record.eventName.replace(/^Put(\w+)Policy$/, '$1').toLowerCase();
  const owner = param(params, 'userName') ?? param(params, 'roleName') ?? param(params, 'groupName') ?? '?';
  const policyName = param(params, 'policyName') ?? '?';
  const label = `inline policy ${policyName} on ${kind} ${owner}`;
  const { result, source } = readDocument(params.policyDocument, response.policyDocument);
  if (!result.ok) {
    return {
      policy: reportFor(source, label, result.text, []),
      reasons: [],
      notes: [failureNote(result, 'policy document')],
    };
  }
  const assessment = assessPermissionsPolicy(result.document);
  const enrichment: Enrichment = {
    policy: reportFor(source, label, result.text, assessment.findings),
    reasons: reasonsOf(assessment.keyFindings, `inline policy ${policyName}`, { frame }),
    notes: documentNotes(result.document),
  };
  const grants = grantLevel(assessment);
  if (grants && frame === 'granted') {
    enrichment.headline = {
      kind: 'inline-policy',
      policyName,
      ownerKind: OWNER_KINDS.get(kind) ?? kind,
      owner,
      grants,
    };
  }
  return enrichment;
};

/** A boundary named at creation: worth a reason only when it caps nothing or little. */
export const addBoundary = (enrichment: Enrichment, boundaryArn: string, frame: Frame): void => {
  const name = policyNameOfArn(boundaryArn);
  const known = wellKnownPolicy(boundaryArn);
  if (frame === 'granted' && (known?.name === 'AdministratorAccess' || known?.name === 'PowerUserAccess')) {
    enrichment.reasons.push({
      finding: {
        severity: 'medium',
        code: 'boundary-limits-little',
        kind: 'weak-boundary',
        policyName: name,
        limits: known.name === 'AdministratorAccess' ? 'nothing' : 'little',
      },
      severity: 'medium',
      code: 'boundary-limits-little',
      frame,
    });
  }
  enrichment.notes.push(
    `permissions boundary: ${name}${known?.name === 'AWSDenyAll' ? ' (denies everything)' : ''}`,
  );
};

/** CreateRole, UpdateAssumeRolePolicy: who the trust policy lets in. */
const analyzeTrust = (event: IamEvent, frame: Frame): Enrichment => {
  const { params, response } = paramsOf(event);
  const roleName = param(params, 'roleName') ?? '?';
  const role = isObject(response.role) ? response.role : {};
  const request =
    event.record.eventName === 'CreateRole' ? params.assumeRolePolicyDocument : params.policyDocument;
  const { result, source } = readDocument(request, role.assumeRolePolicyDocument);
  const label = `trust policy of role ${roleName}`;
  if (!result.ok) {
    return {
      policy: reportFor(source, label, result.text, []),
      reasons: [],
      notes: [failureNote(result, 'trust policy')],
    };
  }
  const trust = analyzeTrustPolicy(result.document, event.account);
  const enrichment: Enrichment = {
    // A failed call trusted no one: its findings say who it tried to let in; no "may be assumed by" list.
    policy: reportFor(
      source,
      label,
      result.text,
      trust.findings,
      frame === 'attempted' ? {} : { trustedPrincipals: trust.trustedPrincipals },
    ),
    reasons: reasonsOf(trust.findings, '', { frame }),
    notes: documentNotes(result.document),
  };
  if (trust.exposure && frame === 'granted') {
    enrichment.headline = { kind: 'role-trust', roleName, exposure: trust.exposure };
  }
  const boundary = param(params, 'permissionsBoundary');
  if (boundary) addBoundary(enrichment, boundary, frame);
  return enrichment;
};

/** CreatePolicy: a new policy grants nothing until attached; its findings say what attaching it would do. */
const analyzeNewPolicy = (event: IamEvent, frame: Frame): Enrichment => {
  const { params, response } = paramsOf(event);
  const { result, source } = readDocument(params.policyDocument, undefined);
  const policyName = param(params, 'policyName') ?? '?';
  const label = `new managed policy ${policyName}`;
  const extra: Partial<PolicyReport> = {};
  const arn = isObject(response.policy) ? param(response.policy, 'arn') : undefined;
  if (arn) extra.policyArn = arn;
  if (!result.ok) {
    return {
      policy: reportFor(source, label, result.text, [], extra),
      reasons: [],
      notes: [failureNote(result, 'policy document')],
    };
  }
  const assessment = assessPermissionsPolicy(result.document);
  return {
    policy: reportFor(source, label, result.text, assessment.findings, extra),
    reasons: reasonsOf(assessment.keyFindings, `new policy ${policyName}`, {
      cap: 'medium',
      frame: frame === 'attempted' ? frame : 'unattached',
    }),
    notes: documentNotes(result.document),
  };
};

const INLINE_EVENTS: ReadonlySet<string> = new Set(['PutUserPolicy', 'PutRolePolicy', 'PutGroupPolicy']);

/**
 * The analysis of an event that carries its own documents, or `undefined` when the event needs documents from
 * IAM or has nothing to analyze.
 */
export const analyzeCarried = (event: IamEvent, frame: Frame): Enrichment | undefined => {
  const { eventName } = event.record;
  if (INLINE_EVENTS.has(eventName)) return analyzeInline(event, frame);
  if (eventName === 'CreateRole' || eventName === 'UpdateAssumeRolePolicy') return analyzeTrust(event, frame);
  if (eventName === 'CreatePolicy') return analyzeNewPolicy(event, frame);
  const boundary = param(paramsOf(event).params, 'permissionsBoundary');
  if (eventName === 'CreateUser' && boundary) {
    const enrichment: Enrichment = { reasons: [], notes: [] };
    addBoundary(enrichment, boundary, frame);
    return enrichment;
  }
  return undefined;
};
