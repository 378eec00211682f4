// parse → classify → enrich → [assemble] → format → publish
import { wordPolicyReport, wordStatedFinding } from '../format/finding-text.js';
import { wordHeadline } from '../format/headline-text.js';
import type { IamDirectory } from '../ports.js';
import { type ClassifyOptions, classifyEvent } from './classify/index.js';
import { type Credential, callerAccessKeyId, extractCredentials } from './credentials.js';
import { needsPolicyAnalysis } from './enrich/scope.js';
import type { Enrichment, EnrichOptions } from './enrich.js';
import { describePrincipal } from './principal.js';
import type {
  Alert,
  Classification,
  CloudTrailRecord,
  IamEvent,
  PolicyInsight,
  Principal,
  Reason,
  Target,
} from './types.js';
import { maxSeverity, severityRank } from './types.js';
import { boundedJson, encodeUriPart, jsonCopy, shorten } from './values.js';

/**
 * The headline: the policy stage's when its finding is what makes the alert serious (it outranks the
 * classifier, or the classifier only described the operation), else the classifier's.
 */
const chooseTitle = (classification: Classification, enrichment: Enrichment): string => {
  const top = enrichment.reasons[0];
  if (!enrichment.headline || !top) return classification.title;
  const outranks = severityRank(top.severity) > severityRank(classification.severity);
  const onlyOperation = classification.reasons.every((reason) => reason.code === 'operation');
  return outranks || onlyOperation ? wordHeadline(enrichment.headline) : classification.title;
};

/**
 * A user added to a group gains the group's permissions: the headline says what they are, from the group's policies
 * when enrichment fetched them (`gatherDocuments`, kind `group`), or that they were not fetched (offline, or IAM
 * refused). An admin group has its own headline (`admin-group`).
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/id_groups.html
 */
const withGroupGrants = (
  title: string,
  record: CloudTrailRecord,
  policy: PolicyInsight | undefined,
): string => {
  if (record.eventName !== 'AddUserToGroup' || record.errorCode) return title;
  if (!policy) return `${title} (group policies not fetched)`;
  const top = policy.findings[0];
  return top ? `${title}, which ${top.text}` : `${title}, whose policies raise no finding`;
};

/** Request parameters that hold policy documents: shown in the policy section, not among the parameters. */
const DOCUMENT_KEYS = new Set(['policyDocument', 'assumeRolePolicyDocument', 'samlMetadataDocument']);

/** At most this many parameters, each at most this long: the rest is one click away in CloudTrail. */
const MAX_PARAMETERS = 12;
const MAX_PARAMETER_LENGTH = 300;

const describeValue = (value: unknown): string => {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  // Tags arrive as [{key, value}]: a reader wants "team=payments", not JSON.
  if (Array.isArray(value) && value.every((t) => typeof t === 'object' && t !== null && 'key' in t)) {
    return value
      .map((t: { key?: unknown; value?: unknown }) => `${String(t.key)}=${String(t.value ?? '')}`)
      .join(', ');
  }
  return boundedJson(value, 16, MAX_PARAMETER_LENGTH * 2);
};

/**
 * Flattens `requestParameters` into short strings for the alert, policy documents excluded
 * (they are analysed and shown in the policy section).
 */
export const summarizeParameters = (record: CloudTrailRecord): Record<string, string> => {
  const params = record.requestParameters ?? {};
  const entries = Object.entries(params)
    .filter(
      ([key, value]) => !DOCUMENT_KEYS.has(key) && value !== null && value !== undefined && value !== '',
    )
    .slice(0, MAX_PARAMETERS)
    .map(([key, value]) => [key, shorten(describeValue(value), MAX_PARAMETER_LENGTH)] as const);
  const omitted = Object.keys(params).filter((key) => !DOCUMENT_KEYS.has(key)).length - entries.length;
  const result: Record<string, string> = Object.fromEntries(entries);
  if (omitted > 0) result['…'] = `${omitted} more parameter(s) in the CloudTrail event`;
  return result;
};

const CONSOLE = 'https://us-east-1.console.aws.amazon.com';

/**
 * The security credentials page of the user whose credential an event changed (access keys, SSH keys, MFA,
 * certificates, password): the user's `Security credentials` tab, or the root user's own page.
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_access-keys.html
 */
const credentialsLink = (credentials: readonly Credential[]): string | undefined => {
  const user = credentials.find((credential) => credential.user)?.user;
  if (!user) return undefined;
  if (user === 'root') return `${CONSOLE}/iam/home#/security_credentials`;
  return `${CONSOLE}/iam/home#/users/details/${encodeUriPart(user)}?section=security_credentials`;
};

/**
 * Console links: the event in CloudTrail's event history (in the event's region), the target in IAM, and the
 * security credentials page of the user whose credential the event changed.
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/view-cloudtrail-events-console.html
 */
export const buildLinks = (
  record: CloudTrailRecord,
  target: Target | undefined,
  credentials: readonly Credential[] = [],
): Alert['links'] => {
  const region =
    record.awsRegion && /^[a-z]{2}(-[a-z]+)+-\d$/.test(record.awsRegion) ? record.awsRegion : 'us-east-1';
  const links: Alert['links'] = {};
  if (record.eventID) {
    links.event = `https://${region}.console.aws.amazon.com/cloudtrail/home?region=${region}#/events/${encodeUriPart(record.eventID)}`;
  }
  if (target) {
    const name = encodeUriPart(target.name);
    const path: Partial<Record<Target['kind'], string>> = {
      user: `#/users/details/${name}`,
      role: `#/roles/details/${name}`,
      group: `#/groups/details/${name}`,
      policy: target.arn ? `#/policies/details/${encodeUriPart(target.arn)}` : undefined,
      'saml-provider': '#/identity_providers',
      'oidc-provider': '#/identity_providers',
      account: '#/account_settings',
    };
    const fragment = path[target.kind];
    if (fragment) links.target = `${CONSOLE}/iam/home${fragment}`;
  }
  const credentialsPage = credentialsLink(credentials);
  if (credentialsPage) links.credentials = credentialsPage;
  return links;
};

const byRankDesc = (a: Reason, b: Reason): number => severityRank(b.severity) - severityRank(a.severity);

/**
 * Assembles the alert from the stages' results. Final severity is the highest of the classifier's and
 * the enrichment's reasons; reasons are de-duplicated by code and sorted highest first.
 */
export const assembleAlert = (
  event: IamEvent,
  principal: Principal,
  classification: Classification,
  enrichment: Enrichment,
): Alert => {
  const { record } = event;
  // The policy findings are worded here, once, for every destination.
  const policyReasons = enrichment.reasons.map(
    (reason): Reason => ({ severity: reason.severity, code: reason.code, text: wordStatedFinding(reason) }),
  );
  // The same finding can come from the classifier and the policy analysis: keep the first of each code.
  const byCode = new Map<string, Reason>();
  for (const reason of [...classification.reasons, ...policyReasons]) {
    if (!byCode.has(reason.code)) byCode.set(reason.code, reason);
  }
  const reasons = [...byCode.values()].sort(byRankDesc);
  const severity = reasons.reduce(
    (current, reason) => maxSeverity(current, reason.severity),
    classification.severity,
  );
  const credentials = extractCredentials(record, principal);
  const policy = enrichment.policy && wordPolicyReport(enrichment.policy);
  const title = chooseTitle(classification, enrichment);
  const alert: Alert = {
    schema: 'iam-change-alerts/alert@1',
    eventId: record.eventID,
    eventName: record.eventName,
    eventSource: record.eventSource,
    eventTime: record.eventTime,
    eventType: record.eventType,
    awsRegion: record.awsRegion,
    account: event.account,
    family: classification.family,
    category: classification.category,
    severity,
    reasons,
    title: enrichment.headline ? title : withGroupGrants(title, record, policy),
    principal,
    target: classification.target,
    parameters: summarizeParameters(record),
    readOnly: record.readOnly,
    errorCode: record.errorCode,
    errorMessage: record.errorMessage,
    policy,
    callerAccessKeyId: callerAccessKeyId(record),
    ...(credentials.length > 0 ? { credentials } : {}),
    links: buildLinks(record, classification.target, credentials),
    notes: [...enrichment.notes],
  };
  // JSON subscribers get stable shapes: absent optional fields are omitted, never `undefined`. The copy also shares
  // no object with the stages' results (some of which are memoised across events).
  return jsonCopy(alert);
};

let policyAnalysis: Promise<typeof import('./enrich.js')> | undefined;

/**
 * The policy analysis (enrich/, policy/ and the evaluator), a chunk of its own in the notifier's bundle: loaded by the
 * first event that needs it (most events name no policy), then kept. A chunk that fails to load makes `buildAlert`
 * throw, so the notifier publishes the minimal alert (functions/notifier/process.ts); the next event tries again.
 */
const loadPolicyAnalysis = (): Promise<typeof import('./enrich.js')> => {
  if (!policyAnalysis) {
    const loading = import('./enrich.js');
    policyAnalysis = loading;
    loading.catch(() => {
      if (policyAnalysis === loading) policyAnalysis = undefined;
    });
  }
  return policyAnalysis;
};

/**
 * The alert for an event: principal, classification, policy enrichment, assembled. The notifier calls it
 * with its IAM directory; offline callers (`render`, `replay`, `npm start` without AWS) with `undefined`,
 * which analyses what the event carries and notes what it would have fetched. One code path for both, so
 * an offline replay says exactly what the deployed notifier would send. `enrichOptions` bound the IAM calls
 * (`budgetMs`: the time they may take in all, see {@link enrichPolicy}).
 */
export const buildAlert = async (
  event: IamEvent,
  iam: IamDirectory | undefined,
  options: ClassifyOptions = {},
  enrichOptions: EnrichOptions = {},
): Promise<Alert> => {
  const principal = describePrincipal(event.record);
  const classification = classifyEvent(event, principal, options);
  const enrichment = needsPolicyAnalysis(event.record)
    ? await (await loadPolicyAnalysis()).enrichPolicy(event, iam, enrichOptions)
    : { reasons: [], notes: [] };
  return assembleAlert(event, principal, classification, enrichment);
};

/** The alert the notifier would publish for an event, computed offline (no IAM API calls). */
export const createAlert = (event: IamEvent, options: ClassifyOptions = {}): Promise<Alert> =>
  buildAlert(event, undefined, options);
