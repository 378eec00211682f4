// What the policy analyses find, as data: which actions on which resources, under which conditions, for which
// principals. No words here: shared/format/finding-text.ts words a finding once, for every destination.
import type { Severity } from './types.js';

/**
 * The resources a grant covers: every one (`Resource: "*"`, or `NotResource`, which leaves out `except`), or a list
 * (`omitted` counts entries the parser counted but did not keep).
 */
export type ResourceScope =
  | { every: true; except: string[]; omitted: number }
  | { every: false; resources: string[]; omitted: number };

/**
 * The actions a grant covers: every action (`*`), every action but some (`NotAction`), a whole service (`iam:*`),
 * or a list.
 */
export type ActionSet =
  | { kind: 'all' }
  | { kind: 'all-except'; except: string[]; omitted: number }
  | { kind: 'service'; service: string }
  | { kind: 'listed'; actions: string[]; omitted: number };

/**
 * Who a trust policy lets assume a role, by class: `anyone` (`*`, no condition), `outside-organization` (every
 * principal outside the organizations named by a negated `aws:PrincipalOrgID`), `any-aws-principal` (`*` with
 * conditions), `everyone-except` (Allow with `NotPrincipal`), `other-account` (`ownAccountKnown` false when the
 * changed account is unknown), `this-account`, `unresolved` (a unique id instead of an ARN: a deleted principal),
 * a SAML provider's users, GitHub Actions workflows (`match`: any repository, subjects with wildcards, or scoped
 * subjects), a public web identity provider or an OIDC provider (`audiences` empty: unrestricted), an AWS
 * `service`, another principal type, or a plain list for a summary.
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
 */
export type TrustedPrincipal =
  | { class: 'anyone' }
  | { class: 'outside-organization'; organizations: string[] }
  | { class: 'any-aws-principal' }
  | { class: 'everyone-except'; excluded: string[] }
  | { class: 'other-account'; arn: string; account: string; externalId: boolean; ownAccountKnown: boolean }
  | { class: 'this-account'; arn: string }
  | { class: 'unresolved'; id: string }
  | { class: 'saml-provider'; provider: string }
  | {
      class: 'github-actions';
      provider: string;
      match: 'any' | 'broad' | 'scoped';
      subjects: string[];
      /** Subjects a negated `sub` condition shuts out: every other repository is let in. */
      excluded?: string[];
    }
  | {
      class: 'web-identity';
      provider: string;
      audiences: string[];
      unauthenticated?: boolean;
      /** Guests (unauthenticated identities) of the pools admitted get in whenever a pool allows guest access. */
      guestsIfPoolAllows?: boolean;
    }
  | { class: 'oidc-provider'; provider: string; audiences: string[] }
  | { class: 'service'; service: string }
  | { class: 'other'; type: string; principal: string }
  | { class: 'listed'; entries: TrustEntry[] };

/** One principal a trust policy lets in, with the condition keys it must meet. */
export interface TrustEntry {
  principal: TrustedPrincipal;
  conditions: string[];
}

/**
 * What a role's trust policy most seriously exposes it to, for a headline: the principal of the most severe
 * finding, its conditions, and every other account trusted alike (`accounts`, for `other-account`).
 */
export interface TrustExposure {
  principal: TrustedPrincipal;
  conditions: string[];
  accounts: string[];
}

/**
 * What a permissions document amounts to, for a headline: full or effective administrator access, every IAM
 * action, or nearly every action (`NotAction`).
 */
export type GrantLevel =
  | 'full-admin'
  | 'effective-admin'
  | 'account-admin'
  | 'every-iam-action'
  | 'nearly-every-action';

/**
 * The headline of a policy change, as data: whose policy now grants what, or who can now assume a role.
 * Worded by `wordHeadline` (`Role deploy can now be assumed by anyone`).
 */
export type Headline =
  | { kind: 'inline-policy'; policyName: string; ownerKind: string; owner: string; grants: GrantLevel }
  | { kind: 'attached-policy'; policyName: string; target: string; grants: GrantLevel }
  | { kind: 'new-default-version'; version: string; policyName: string; grants: GrantLevel }
  | { kind: 'switched-version'; version: string; policyName: string; grants: GrantLevel }
  | { kind: 'role-trust'; roleName: string; exposure: TrustExposure }
  | { kind: 'admin-group'; userName: string; groupName: string };

/**
 * One condition a finding depends on, as written (`StringEquals` `iam:PassedToService` = `lambda.amazonaws.com`):
 * for the words when the key alone would not say what is allowed.
 */
export interface ConditionLimit {
  operator: string;
  key: string;
  values: string[];
}

interface FindingBase {
  /** Stable machine code, e.g. `full-admin`, `trust-everyone`, `escalation-create-policy-version`. */
  code: string;
  severity: Severity;
}

/**
 * A document grants `actions` on `resources`; with `conditions`, only when those condition keys hold (empty:
 * unconditionally). `notation` names how the statement was written when it matters to a reviewer; `includesIam`
 * says that a `NotAction` leaves IAM allowed; `admin: 'effective'` marks a grant that amounts to administrator.
 */
export interface GrantFinding extends FindingBase {
  kind: 'grant';
  actions: ActionSet;
  resources: ResourceScope;
  /** What the resources are, for the wording: `role` for iam:PassRole. Default `resource`. */
  resourceNoun?: 'resource' | 'role';
  conditions: string[];
  /** The conditions with operator and values, when the words need them (PassRole confined to some services). */
  limits?: ConditionLimit[];
  /** How the exceptions are written: `NotAction`, `NotResource`, or an explicit `Deny` beside a broad Allow. */
  notation?: 'NotAction' | 'NotResource' | 'Deny';
  includesIam?: boolean;
  admin?: 'effective';
  /** Every resource of one account (`Action: *` on `arn:aws:*:*:111122223333:*`). */
  account?: string;
  /** Why it matters, in a reviewer's words. */
  why?: string;
}

/** A holder of the document can do `impact` (a known escalation path) on `resources`, maybe only under conditions. */
export interface AbilityFinding extends FindingBase {
  kind: 'ability';
  /** What a holder can do, completing "can …" (`create access keys for other users and act as them`). */
  impact: string;
  why?: string;
  resources: ResourceScope;
  conditions: string[];
  limits?: ConditionLimit[];
}

/** A trust policy lets `principal` assume the role; `conditions` are the condition keys it must meet. */
export interface AssumeFinding extends FindingBase, TrustEntry {
  kind: 'assume';
}

/** An action wildcard (`iam:Put*`) that covers permissions-management actions. */
export interface WildcardFinding extends FindingBase {
  kind: 'action-wildcard';
  pattern: string;
  covers: string[];
}

/** A document with no Allow statement: `hasStatements` false when it has no statement at all. */
export interface NothingFinding extends FindingBase {
  kind: 'grants-nothing';
  hasStatements: boolean;
  /** The document has Allow statements, but its own Deny statements (or impossible resources) cancel them all. */
  cancelled?: boolean;
}

/** What a document allows, statement by statement, when nothing in it is alarming (`negated`: `NotAction`). */
export interface SummaryFinding extends FindingBase {
  kind: 'summary';
  statements: { actions: string[]; negated: boolean; omitted: number; resources: ResourceScope }[];
  moreStatements: number;
}

/** What a well-known AWS managed policy does, as curated for it (`verb` `what`: `why`). */
export interface KnownFinding extends FindingBase {
  kind: 'known';
  verb?: 'grants' | 'can';
  what: string;
  why?: string;
}

/**
 * One widening between two versions of a policy: an Allow the old version did not visibly cover (`now-allows`), or
 * a Deny it had and the new one dropped (`no-longer-denies`); `conditional` when the statement has conditions.
 */
export interface GrantChange {
  change: 'now-allows' | 'no-longer-denies';
  action: string;
  notAction: boolean;
  resource: string;
  notResource: boolean;
  conditional: boolean;
}

/** What a new policy version adds to the old one: the first changes, and how many more there are. */
export interface PolicyDiff {
  changes: GrantChange[];
  more: number;
}

/** A new default policy version widens what the policy grants; `top` is its most severe new finding. */
export interface WidenedFinding extends FindingBase {
  kind: 'version-widened';
  version: string;
  policyName: string;
  /** The first change, and how many more lines the diff has. */
  change: GrantChange;
  moreChanges: number;
  previous: string;
  top?: PolicyFinding;
}

/** A user joined a group whose policies grant administrator-level access. */
export interface AdminGroupFinding extends FindingBase {
  kind: 'admin-group';
  userName: string;
  groupName: string;
}

/** A permissions boundary that caps nothing (AdministratorAccess) or little (PowerUserAccess). */
export interface BoundaryFinding extends FindingBase {
  kind: 'weak-boundary';
  policyName: string;
  limits: 'nothing' | 'little';
}

/**
 * A known escalation path that the new policy opens only together with the other policies of the user, group or
 * role it was put on or attached to: `ability` is the path as the policies together allow it, `contributions`
 * names each policy that allows some of its actions (`isNew` for the policy of the event).
 */
export interface CombinedFinding extends FindingBase {
  kind: 'combined';
  /** Whose policies (`group devs`). */
  owner: string;
  ability: AbilityFinding;
  contributions: { policy: string; actions: string[]; isNew: boolean }[];
}

/** Stands for the findings left out of a long list. */
export interface MoreFinding extends FindingBase {
  kind: 'more';
  count: number;
}

/** A finding about a policy, as data; worded by `shared/format/finding-text.ts`. */
export type PolicyFinding =
  | GrantFinding
  | AbilityFinding
  | AssumeFinding
  | WildcardFinding
  | NothingFinding
  | SummaryFinding
  | KnownFinding
  | WidenedFinding
  | AdminGroupFinding
  | BoundaryFinding
  | CombinedFinding
  | MoreFinding;

/**
 * How a finding relates to what the event did: the document `granted` it, the call tried and failed
 * (`attempted`), or it takes effect only later (`non-default` policy version, `unattached` new policy).
 */
export type Frame = 'granted' | 'attempted' | 'non-default' | 'unattached';

/**
 * A finding as an alert states it: the finding, its frame, and the document it comes from (`source`, said in
 * brackets: `inline policy x`). `severity` and `code` are the finding's unless the statement changes them (a new
 * policy's findings are capped at medium; the one reason a failed call keeps is `attempted-<code>`, low).
 */
export interface StatedFinding {
  finding: PolicyFinding;
  severity: Severity;
  code: string;
  frame: Frame;
  source?: string;
}

/** A finding stated as it is: granted, with its own severity and code, optionally from a named document. */
export const stated = (finding: PolicyFinding, source?: string): StatedFinding => {
  const result: StatedFinding = { finding, severity: finding.severity, code: finding.code, frame: 'granted' };
  if (source) result.source = source;
  return result;
};
