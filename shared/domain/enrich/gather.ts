// parse → classify → [enrich: gather → analyze] → format → publish
// Gather: fetch, through the IamDirectory port, every document the analysis of one event needs. Failures are
// recorded as values (they become notes), never thrown; nothing here judges a document.
import { describeError } from '../../errors.js';
import type { IamDirectory } from '../../ports.js';
import { parsePolicyDocument } from '../policy/document.js';
import { wellKnownPolicy } from '../policy/managed.js';
import type { IamEvent } from '../types.js';
import { asString, isObject } from '../values.js';

/** An answer from the IAM directory, or why there is none: no directory (`offline`), or the call failed. */
export type Fetched<T> =
  | { status: 'fetched'; value: T }
  | { status: 'offline' }
  | { status: 'failed'; error: string };

/** A policy version's document, decoded (plain JSON text). */
export interface VersionDocument {
  versionId: string;
  document: string;
}

/** A managed policy by ARN: well-known ones need no call (`fetched` absent); others their default version. */
export interface ManagedPolicyFetch {
  policyArn: string;
  defaultVersion?: Fetched<VersionDocument>;
}

/** The version a new default replaced, as far as IAM can say (it keeps no history of the default pointer). */
export type PreviousVersion = Fetched<VersionDocument | undefined>;

/** The policies of a group, listed, then fetched up to `maxGroupPolicies`. */
export interface GroupPolicies {
  /** Failures of the two list calls, as note texts. */
  listErrors: string[];
  attachedCount: number;
  inlineCount: number;
  attached: ManagedPolicyFetch[];
  inline: { policyName: string; document: Fetched<string> }[];
}

/**
 * What gather found for one event, by the analysis it feeds: a managed policy (Attach*, Put*PermissionsBoundary),
 * a policy version and the one before it (CreatePolicyVersion, SetDefaultPolicyVersion), a group's policies
 * (AddUserToGroup), or nothing (every other event: the event carries its documents).
 */
export type Gathered =
  | { kind: 'nothing' }
  | { kind: 'managed'; policy?: ManagedPolicyFetch }
  | { kind: 'version'; current?: Fetched<VersionDocument>; previous?: PreviousVersion }
  | { kind: 'group'; groupName?: string; policies: Fetched<GroupPolicies> };

/** Tuning for {@link gatherDocuments}. */
export interface GatherOptions {
  /** At most this many IAM calls per event (AddUserToGroup can fan out). Default 10. */
  maxApiCalls?: number;
  /** At most this many group policies fetched for AddUserToGroup. Default 5. */
  maxGroupPolicies?: number;
}

/** The events whose analysis needs a managed policy by ARN. */
const ATTACH_EVENTS: ReadonlySet<string> = new Set([
  'AttachUserPolicy',
  'AttachRolePolicy',
  'AttachGroupPolicy',
  'PutUserPermissionsBoundary',
  'PutRolePermissionsBoundary',
]);

const VERSION_EVENTS: ReadonlySet<string> = new Set(['CreatePolicyVersion', 'SetDefaultPolicyVersion']);

const GROUP_CHANGES: ReadonlySet<string> = new Set([
  'AttachGroupPolicy',
  'DetachGroupPolicy',
  'PutGroupPolicy',
  'DeleteGroupPolicy',
]);

/** Whether an event's analysis needs documents from IAM. */
const needsDirectory = (eventName: string): boolean =>
  ATTACH_EVENTS.has(eventName) || VERSION_EVENTS.has(eventName) || eventName === 'AddUserToGroup';

/** A call budget shared by every lookup of one event, so a fan-out (group policies) stays bounded. */
export class Budget {
  private used = 0;
  constructor(private readonly limit: number) {}
  async call<T>(fn: () => Promise<T>): Promise<T> {
    if (this.used >= this.limit) throw new Error(`call budget of ${this.limit} IAM calls per event reached`);
    this.used += 1;
    return fn();
  }
}

/** The IAM failure as an alert note says it: the message alone. */
const errorText = (error: unknown): string => describeError(error, { withName: false });

/** Runs a lookup, its failure turned into a value. */
export const attempt = async <T>(fn: () => Promise<T>): Promise<Fetched<T>> => {
  try {
    return { status: 'fetched', value: await fn() };
  } catch (error) {
    return { status: 'failed', error: errorText(error) };
  }
};

/** A managed policy's default version: GetPolicy, then GetPolicyVersion; none for well-known AWS policies. */
const fetchManaged = async (
  policyArn: string,
  iam: IamDirectory | undefined,
  budget: Budget,
): Promise<ManagedPolicyFetch> => {
  if (wellKnownPolicy(policyArn)) return { policyArn };
  if (!iam) return { policyArn, defaultVersion: { status: 'offline' } };
  const defaultVersion = await attempt(async () => {
    const policy = await budget.call(() => iam.getPolicy(policyArn));
    return budget.call(() => iam.getPolicyVersion(policyArn, policy.defaultVersionId));
  });
  return { policyArn, defaultVersion };
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

/** The new version's id: from the response of CreatePolicyVersion, from the request of SetDefaultPolicyVersion. */
export const newVersionIdOf = (event: IamEvent): string | undefined => {
  const { record } = event;
  if (record.eventName !== 'CreatePolicyVersion')
    return asString(record.requestParameters?.versionId) || undefined;
  const response = record.responseElements?.policyVersion;
  return isObject(response) ? asString(response.versionId) || undefined : undefined;
};

/** Whether the event's new version is (now) the default: always for SetDefaultPolicyVersion. */
export const isNewDefault = (event: IamEvent): boolean => {
  const { record } = event;
  if (record.eventName !== 'CreatePolicyVersion') return true;
  const setAsDefault = record.requestParameters?.setAsDefault;
  return setAsDefault === true || setAsDefault === 'true';
};

const gatherVersion = async (
  event: IamEvent,
  policyArn: string,
  iam: IamDirectory | undefined,
  budget: Budget,
): Promise<Gathered> => {
  const versionId = newVersionIdOf(event);
  iam?.forget?.({ policyArn });
  const gathered: Extract<Gathered, { kind: 'version' }> = { kind: 'version' };
  let document: unknown = event.record.requestParameters?.policyDocument;
  if (event.record.eventName !== 'CreatePolicyVersion') {
    if (!iam) return { kind: 'version', current: { status: 'offline' } };
    const current = await attempt(() => budget.call(() => iam.getPolicyVersion(policyArn, versionId ?? '')));
    gathered.current = current;
    if (current.status !== 'fetched') return gathered;
    document = current.value.document;
  }
  // The previous version is worth a diff only when the new one is the default and readable.
  if (!isNewDefault(event) || !parsePolicyDocument(document).ok) return gathered;
  if (!iam) return { ...gathered, previous: { status: 'offline' } };
  gathered.previous = await attempt(async () => {
    const versions = await budget.call(() => iam.listPolicyVersions(policyArn));
    const previous = previousCandidate(versions, versionId ?? '');
    return previous === undefined ? undefined : budget.call(() => iam.getPolicyVersion(policyArn, previous));
  });
  return gathered;
};

const gatherGroup = async (
  groupName: string,
  iam: IamDirectory,
  budget: Budget,
  maxPolicies: number,
): Promise<GroupPolicies> => {
  const [attachedResult, inlineResult] = await Promise.allSettled([
    budget.call(() => iam.listAttachedGroupPolicies(groupName)),
    budget.call(() => iam.listGroupPolicies(groupName)),
  ]);
  const listErrors: string[] = [];
  const attached = attachedResult.status === 'fulfilled' ? attachedResult.value : [];
  if (attachedResult.status === 'rejected') listErrors.push(errorText(attachedResult.reason));
  const inline = inlineResult.status === 'fulfilled' ? inlineResult.value : [];
  if (inlineResult.status === 'rejected') listErrors.push(errorText(inlineResult.reason));
  const attachedSlice = attached.slice(0, maxPolicies);
  const inlineSlice = inline.slice(0, Math.max(0, maxPolicies - attachedSlice.length));
  const [attachedFetched, inlineFetched] = await Promise.all([
    Promise.all(attachedSlice.map((policy) => fetchManaged(policy.policyArn, iam, budget))),
    Promise.all(
      inlineSlice.map(async (policyName) => ({
        policyName,
        document: await attempt(() => budget.call(() => iam.getGroupPolicy(groupName, policyName))),
      })),
    ),
  ]);
  return {
    listErrors,
    attachedCount: attached.length,
    inlineCount: inline.length,
    attached: attachedFetched,
    inline: inlineFetched,
  };
};

/**
 * Fetches what the analysis of one event needs from IAM: the managed policy it attached (GetPolicy +
 * GetPolicyVersion), the policy version it created or made default and the one before it (ListPolicyVersions +
 * GetPolicyVersion), or the policies of the group a user joined. With `iam` undefined (offline CLI, or a failed
 * call, which changed nothing) every fetch is `offline`. Never throws: failures are values. Drops the directory's
 * cached answers about a group or policy the event has just changed. Results and caching are the port's.
 * @see https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetPolicyVersion.html
 */
export const gatherDocuments = async (
  event: IamEvent,
  iam: IamDirectory | undefined,
  options: GatherOptions = {},
): Promise<Gathered> => {
  const { record } = event;
  if (record.eventSource !== 'iam.amazonaws.com') return { kind: 'nothing' };
  const params = record.requestParameters ?? {};
  const groupName = asString(params.groupName) || undefined;
  // A change to a group makes cached answers about it stale for the next event.
  if (GROUP_CHANGES.has(record.eventName) && groupName) iam?.forget?.({ groupName });
  if (!needsDirectory(record.eventName)) return { kind: 'nothing' };
  const budget = new Budget(options.maxApiCalls ?? 10);
  if (ATTACH_EVENTS.has(record.eventName)) {
    const policyArn = asString(params.policyArn) || asString(params.permissionsBoundary) || undefined;
    return policyArn
      ? { kind: 'managed', policy: await fetchManaged(policyArn, iam, budget) }
      : { kind: 'managed' };
  }
  if (record.eventName === 'AddUserToGroup') {
    if (!groupName) return { kind: 'group', policies: { status: 'offline' } };
    if (!iam) return { kind: 'group', groupName, policies: { status: 'offline' } };
    const policies = await gatherGroup(groupName, iam, budget, options.maxGroupPolicies ?? 5);
    return { kind: 'group', groupName, policies: { status: 'fetched', value: policies } };
  }
  const policyArn = asString(params.policyArn) || undefined;
  return policyArn ? gatherVersion(event, policyArn, iam, budget) : { kind: 'version' };
};
