// parse → [classify] → enrich → format → publish
// The shape of one entry of the operation catalogue: everything the product knows about one operation.
import type { Category, CloudTrailRecord, Principal, Severity, Target } from '../types.js';

/** A CloudTrail record's `requestParameters` (or `{}`), as the catalogue's functions read them. */
export type Params = Readonly<Record<string, unknown>>;

/** What a target finder may look at: the request, the record, the caller and the changed account. */
export interface TargetContext {
  /** The operation name without Lambda's API-version suffix. */
  name: string;
  params: Params;
  record: CloudTrailRecord;
  principal: Principal;
  /** The changed account (`IamEvent.account`). */
  account: string | undefined;
}

/** How to find the entity an operation acts on; `undefined` when the event does not name one. */
export type FindTarget = (context: TargetContext) => Target | undefined;

/** What a headline is made from. */
export interface TitleContext {
  /** The target in words: `IAM user bob`, `role deploy`, `the root user`, `an unnamed entity`. */
  t: string;
  p: Params;
  /** The policy's name: the target's when it is a policy, else from `policyArn`, else `policy`. */
  policy: string;
  target: Target | undefined;
  /** The caller in words (`IAM user alice`, `role session deploy/ci-1`). */
  who: string;
  /** The call failed (`errorCode`, or a sign-in answered `Failure`). */
  failed: boolean;
  /** The caller's MFA as CloudTrail states it (`MFAUsed` for a console sign-in); `undefined` when it cannot know. */
  mfa?: boolean;
}

/** A headline, without the severity. */
export type Title = (context: TitleContext) => string;

/** What a credential created or re-activated for an IAM user lets its holder do, in AWS's terms. */
export interface CredentialGrant {
  /** `an access key`, `a console password`. */
  what: (p: Params) => string;
  /** Past participle and infinitive: `created`/`create`. */
  done: string;
  verb: string;
  /** What whoever holds the credential can do as `user`. */
  effect: (user: string, p: Params) => string;
}

/** What a deployment knows beyond the event that decides whether a catalogue guard rail applies. */
export interface Deployment {
  /**
   * The SSM parameters the forwarder reads its delivery secrets from (stack parameters `SlackWebhookUrlParameter`,
   * `SlackBotTokenParameter`, `JiraApiTokenParameter`, the `alerts.yml` routes' webhooks): the names
   * `ParameterGuardRailRule` is built from. Absent: not known (offline, names not given); empty: none.
   */
  deliveryParameters?: readonly string[];
  /**
   * The KMS keys of this stack's topics, as key ARNs (`AlertTopicKey`, `OperationsTopicKey`): the keys
   * `KeyGuardRailRule` is built from. Absent: not known (offline, keys not given); empty: none.
   */
  ownKeys?: readonly string[];
}

/**
 * An operation that can blind the alerting itself: `critical` when it succeeds, and matched by the deployed
 * guard-rail rule (`GUARD_RAIL_PATTERN` is derived from these entries; `ownKey` and `ownParameter` ones by the
 * central stack's own rules).
 */
export interface GuardRail {
  /** The headline, naming the consequence for the alerts. */
  title: (p: Params, deployment?: Deployment) => string;
  /** The reason text: why the alerting is at risk. */
  text: (p: Params, deployment?: Deployment) => string;
  /**
   * Some calls are guard-rail events only with some parameters (concurrency 0), or only on this deployment's own
   * resources (`deployment`: the forwarder's delivery parameters, the topics' keys). Absent: always.
   */
  applies?: (p: Params, deployment: Deployment) => boolean;
  /**
   * The request parameter that names the resource, when only this project's resources count: the deployed pattern
   * then matches values containing the service name (`*iam-change-alerts-*`). Absent: every resource counts.
   */
  ownResource?: string;
  /**
   * The request parameter that names a KMS key, when only this stack's topic keys count. Key ids and ARNs are
   * known only to the central stack's template, so the shared pattern (`GUARD_RAIL_PATTERN`, which member accounts
   * deploy too) leaves these operations out; the central stack's `KeyGuardRailRule` matches them on the keys' id
   * and ARN (`keyGuardRailPattern`).
   */
  ownKey?: string;
  /**
   * The request parameter that names SSM parameters (`name`, or `names`: a list), when only the parameters the
   * forwarder reads count (the Slack webhook URL, the Slack bot token, the Jira API token, the routes' webhooks). Their
   * names are stack parameters and `alerts.yml` routes, known only to the central stack's template, so the shared
   * pattern leaves these operations out; the central stack's `ParameterGuardRailRule` matches them on every spelling
   * of those names (`parameterGuardRailPattern`).
   */
  ownParameter?: string;
  /** The service appends an API version to `eventName` (Lambda: `DeleteFunction20150331`): match by prefix. */
  versionedName?: boolean;
}

/**
 * A console sign-in step the identity rules watch: a success without MFA by an IAM user (`high`), and every failure
 * (`low`; `medium` for root). The identity rules' EventBridge pattern (`IDENTITY_RULES_PATTERN`) is derived from the
 * entries that carry it.
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-aws-console-sign-in-events.html
 */
export interface SignInWatch {
  /** The `responseElements` key that reads `Success` or `Failure` (`ConsoleLogin` for `ConsoleLogin`). */
  outcomeKey: string;
}

/**
 * One operation, keyed in the catalogue by `eventSource` + `eventName`. Base severity ranks what the operation can
 * do on its own; the classifier's rules raise it from the event (caller, target, parameters, outcome).
 */
export interface Operation {
  /** `iam.amazonaws.com`, `cloudtrail.amazonaws.com`, … as CloudTrail writes it. */
  eventSource: string;
  /** `eventName` without an API-version suffix. */
  name: string;
  /** The leading verb of the name (`CreatePolicyVersion` → `Create`). */
  family: string;
  category: Category;
  /** Base severity: `info` only for reads and STS session issuance; a change is at least `low`. */
  severity: Severity;
  /** Whether the call changes nothing (reads, STS sessions). */
  isRead: boolean;
  /** What the operation does, in a few words (lower case, for "why it matters" lists). */
  summary: (p: Params, deployment?: Deployment) => string;
  target?: FindTarget;
  title?: Title;
  /** Credential operations that give someone a way in when aimed at another IAM user. */
  grants?: CredentialGrant;
  /** Whose permissions the operation changes: the IAM user in `userName` or the role in `roleName`. */
  permissionsOf?: 'user' | 'role';
  guardRail?: GuardRail;
  /** A sign-in step watched by the identity rules. */
  signIn?: SignInWatch;
}

/** An entry as written in a catalogue file: the key gives the name, the file gives the event source. */
export type OperationSpec = Omit<Operation, 'eventSource' | 'name' | 'family' | 'isRead'> & {
  isRead?: boolean;
};

/** Operation specs by name, as a catalogue file writes them. */
export type OperationSpecs = Readonly<Record<string, OperationSpec>>;

/** `'iam.amazonaws.com'` → `'iam'`. */
export const servicePrefix = (eventSource: string): string => eventSource.replace(/\.amazonaws\.com$/, '');
