// The EventBridge patterns: the presets, the guard rails, the identity rules and the egress rule. The one source of
// truth for what is deployed (serverless.yml), what `iam-alerts patterns` prints and what `iam-alerts replay` matches.
import { GUARD_RAIL_OPERATIONS, SIGN_IN_WATCHED_OPERATIONS } from './catalogue/index.js';
import { keySpellings } from './catalogue/key-names.js';
import { type Operation, servicePrefix } from './catalogue/operation.js';
import { parameterNameSpellings } from './catalogue/parameter-names.js';
import { complementCidrs, formatCidr, parseCidr } from './classify/addresses.js';
import { SCP_DENIAL_PHRASES } from './classify/outcome.js';

/** Preset names, in the order the CLI lists them. */
export const PRESET_NAMES = ['all', 'writes', 'changes', 'auth'] as const;
export type PresetName = (typeof PRESET_NAMES)[number];

/** The preset deployed when no parameter says otherwise. */
export const DEFAULT_PRESET: PresetName = 'writes';

/** An EventBridge event pattern, as JSON. */
export type EventPattern = Record<string, unknown>;

const base = {
  source: ['aws.iam'],
  'detail-type': ['AWS API Call via CloudTrail'],
} as const;

/** Verbs of the reference design's "changes" list. */
export const CHANGE_VERBS = [
  'Add',
  'Attach',
  'Change',
  'Create',
  'Deactivate',
  'Delete',
  'Detach',
  'Enable',
  'Put',
  'Remove',
  'Set',
  'Update',
  'Upload',
] as const;

/** Verbs of the reference design's "auth" list (plus `Put*Policy`, below). */
export const AUTH_VERBS = [
  'Attach',
  'Detach',
  'Create',
  'Update',
  'Upload',
  'Delete',
  'Remove',
  'Set',
] as const;

/**
 * Authentication changes the reference design's "auth" list leaves out although they plainly belong
 * there: a password change and MFA devices switched on or off.
 */
export const AUTH_EXTRA_EVENTS = ['ChangePassword', 'EnableMFADevice', 'DeactivateMFADevice'] as const;

/**
 * The presets. Written with EventBridge's own operators: in a real pattern a plain string is an exact
 * match, so the reference design's `"Add*"` would match nothing.
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html
 */
export const PRESETS: Readonly<Record<PresetName, EventPattern>> = {
  all: { ...base, detail: { eventSource: ['iam.amazonaws.com'] } },
  writes: { ...base, detail: { eventSource: ['iam.amazonaws.com'], readOnly: [false] } },
  changes: {
    ...base,
    detail: {
      eventSource: ['iam.amazonaws.com'],
      eventName: CHANGE_VERBS.map((verb) => ({ prefix: verb })),
    },
  },
  auth: {
    ...base,
    detail: {
      eventSource: ['iam.amazonaws.com'],
      eventName: [
        { wildcard: 'Put*Policy' },
        ...AUTH_VERBS.map((verb) => ({ prefix: verb })),
        ...AUTH_EXTRA_EVENTS,
      ],
    },
  },
};

/**
 * Whether a preset needs the rule state `ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS` (it matches read-only calls).
 */
export const needsReadOnlyEvents = (preset: PresetName): boolean => preset === 'all';

/** Narrows a string to a preset name. */
export const isPresetName = (value: string): value is PresetName =>
  (PRESET_NAMES as readonly string[]).includes(value);

/**
 * The name every deployed resource of this project carries (`serverless.yml` `service`). The guard-rail
 * pattern scopes Lambda, EventBridge and SNS calls to resources whose name contains it, so that changes to
 * unrelated functions or topics in the account raise nothing.
 */
export const SERVICE_NAME = 'iam-change-alerts';

const ownResource = { wildcard: `*${SERVICE_NAME}-*` } as const;

/**
 * The deployed guard-rail pattern's clauses, derived from the catalogue's guard rails: one clause per event source
 * and `ownResource` parameter, in catalogue order. Versioned names (Lambda) match by prefix, and a prefix that a
 * shorter one of the same clause already covers is left out (`DeleteFunction` covers
 * `DeleteFunctionEventInvokeConfig`).
 */
export const guardRailPattern = (operations: readonly Operation[]): EventPattern => {
  const clauses = new Map<string, { eventSource: string; names: Operation[]; ownResource?: string }>();
  for (const operation of operations) {
    const rail = operation.guardRail;
    if (!rail || rail.ownKey || rail.ownParameter) continue;
    const key = `${operation.eventSource} ${rail.ownResource ?? ''}`;
    const clause = clauses.get(key) ?? {
      eventSource: operation.eventSource,
      names: [],
      ...(rail.ownResource ? { ownResource: rail.ownResource } : {}),
    };
    clause.names.push(operation);
    clauses.set(key, clause);
  }
  const eventNames = (names: Operation[]): unknown[] =>
    names
      .filter(
        (operation) =>
          !operation.guardRail?.versionedName ||
          !names.some(
            (other) =>
              other !== operation &&
              other.guardRail?.versionedName === true &&
              operation.name.startsWith(other.name),
          ),
      )
      .map((operation) => (operation.guardRail?.versionedName ? { prefix: operation.name } : operation.name));
  const sources = [
    ...new Set([...clauses.values()].map(({ eventSource }) => `aws.${servicePrefix(eventSource)}`)),
  ];
  return {
    source: sources,
    'detail-type': ['AWS API Call via CloudTrail'],
    detail: {
      $or: [...clauses.values()].map(({ eventSource, names, ownResource: parameter }) => ({
        eventSource: [eventSource],
        eventName: eventNames(names),
        ...(parameter ? { requestParameters: { [parameter]: [ownResource] } } : {}),
      })),
    },
  };
};

/**
 * Calls that silence or blind the alerting itself, alerted as `critical` through the same notifier: the catalogue's
 * guard rails (`shared/domain/catalogue/guard-rails.ts`): a trail stopped, deleted or narrowed; an SCP detached,
 * changed or deleted, SCPs disabled, or the account taken out of the organization; this project's rules disabled,
 * deleted, rewritten or given other targets, its bus deleted or its policy changed; its topic deleted, its policy
 * changed, or its subscriptions removed or re-filtered; its functions changed or deleted. Trails and SCPs are matched
 * whatever their name (a reused trail's name is not known here, and every such call is worth a look); the rest only
 * for this project's resources. Lambda records versioned event names (`UpdateFunctionCode20150331v2`), hence
 * `prefix` (which also covers `DeleteFunctionConcurrency`, `DeleteFunctionEventInvokeConfig`).
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html#eb-filtering-complex-example-or
 * @see https://docs.aws.amazon.com/lambda/latest/dg/logging-using-cloudtrail.html
 */
export const GUARD_RAIL_PATTERN: EventPattern = guardRailPattern(GUARD_RAIL_OPERATIONS);

/**
 * The guard rails on this stack's KMS keys (`ownKey`), which the shared pattern leaves out: their keys are known
 * only to the central stack.
 */
export const KEY_GUARD_RAIL_OPERATIONS: readonly Operation[] = GUARD_RAIL_OPERATIONS.filter(
  (operation) => operation.guardRail?.ownKey,
);

/**
 * The central stack's key guard-rail pattern: the catalogue's `ownKey` guard rails, on the keys given. A caller
 * names a key by its id or its ARN (an alias is not accepted by `DisableKey`, `ScheduleKeyDeletion` or
 * `PutKeyPolicy`), and CloudTrail records what the caller passed, so `keys` lists both for every key: in the
 * template, `Ref` and `Fn::GetAtt …Arn` of each key (EventBridge matches the resolved strings exactly).
 * @see https://docs.aws.amazon.com/kms/latest/APIReference/API_DisableKey.html
 * @see https://docs.aws.amazon.com/kms/latest/APIReference/API_ScheduleKeyDeletion.html
 * @see https://docs.aws.amazon.com/kms/latest/APIReference/API_PutKeyPolicy.html
 */
export const keyGuardRailPattern = (
  keys: readonly unknown[],
  operations: readonly Operation[] = KEY_GUARD_RAIL_OPERATIONS,
): EventPattern => scopedGuardRailPattern(operations, (operation) => operation.guardRail?.ownKey, keys);

/**
 * A central-stack guard-rail pattern: one clause per event source and scoping request parameter (`scopeOf`), in
 * catalogue order, each matching `values` in that parameter. The key and parameter guard rails are both this shape.
 */
const scopedGuardRailPattern = (
  operations: readonly Operation[],
  scopeOf: (operation: Operation) => string | undefined,
  values: readonly unknown[],
): EventPattern => {
  const clauses = new Map<string, { eventSource: string; parameter: string; names: string[] }>();
  for (const operation of operations) {
    const parameter = scopeOf(operation);
    if (!parameter) continue;
    const key = `${operation.eventSource} ${parameter}`;
    const clause = clauses.get(key) ?? { eventSource: operation.eventSource, parameter, names: [] };
    clause.names.push(operation.name);
    clauses.set(key, clause);
  }
  const details = [...clauses.values()].map(({ eventSource, parameter, names }) => ({
    eventSource: [eventSource],
    eventName: names,
    requestParameters: { [parameter]: [...values] },
  }));
  return {
    source: [...new Set([...clauses.values()].map(({ eventSource }) => `aws.${servicePrefix(eventSource)}`))],
    'detail-type': ['AWS API Call via CloudTrail'],
    detail: details.length === 1 ? (details[0] as Record<string, unknown>) : { $or: details },
  };
};

/**
 * The guard rails on the SSM parameters the forwarder reads its delivery secrets from (`ownParameter`), which the
 * shared pattern leaves out: their names are known only to the central stack.
 */
export const PARAMETER_GUARD_RAIL_OPERATIONS: readonly Operation[] = GUARD_RAIL_OPERATIONS.filter(
  (operation) => operation.guardRail?.ownParameter,
);

/** The spellings of an SSM parameter name (catalogue/parameter-names.ts): classification matches the same ones. */
export { parameterNameSpellings };

/**
 * Names that start or end with a space, whatever the rest: `PutParameter` "removes any spaces specified for the
 * beginning or end of a parameter name", so ` /iam-alerts/slack` overwrites `/iam-alerts/slack`. Whether CloudTrail
 * records the name before or after that trim is not documented; no real name is padded, so every padded one is
 * matched rather than each configured name in every padding (which would not fit the pattern's size quota).
 * @see https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_PutParameter.html#systemsmanager-PutParameter-request-Name
 */
export const PADDED_PARAMETER_NAME: readonly EventPattern[] = [{ prefix: ' ' }, { suffix: ' ' }];

/**
 * The central stack's parameter guard-rail pattern: the catalogue's `ownParameter` guard rails, on the names given
 * (every spelling: `parameterNameSpellings` for a name known when packaging, `Ref`/`Fn::Split` of the stack
 * parameters in the template) and on padded names (`PADDED_PARAMETER_NAME`). `PutParameter` and `DeleteParameter`
 * record one `name`, `DeleteParameters` a list `names` (a pattern's value list matches an array when any element
 * matches). Never empty: with no name configured only padded names match.
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html
 * @see https://docs.aws.amazon.com/systems-manager/latest/userguide/monitoring-cloudtrail-logs.html
 */
export const parameterGuardRailPattern = (
  spellings: readonly unknown[],
  operations: readonly Operation[] = PARAMETER_GUARD_RAIL_OPERATIONS,
): EventPattern =>
  scopedGuardRailPattern(operations, (operation) => operation.guardRail?.ownParameter, [
    ...spellings,
    ...PADDED_PARAMETER_NAME,
  ]);

// ---------------------------------------------------------------- identity rules

/**
 * The EventBridge detail types of CloudTrail records that a caller makes: API calls and console sign-ins. Service
 * events (`AwsServiceEvent`, detail type `AWS Service Event via CloudTrail`) are AWS's own records, never matched.
 * @see https://docs.aws.amazon.com/eventbridge/latest/ref/events-structure.html
 */
export const CALLER_DETAIL_TYPES = [
  'AWS API Call via CloudTrail',
  'AWS Console Sign In via CloudTrail',
] as const;

/** The names of the identity rules, in the order of `IDENTITY_RULES_PATTERN`'s clauses. */
export const IDENTITY_RULE_NAMES = [
  'root-activity',
  'console-sign-in',
  'instance-credentials-denied',
] as const;
export type IdentityRuleName = (typeof IDENTITY_RULE_NAMES)[number];

/**
 * Root user activity, as CIS AWS Foundations 4.3 defines it: `userIdentity.type` `Root`, `invokedBy` absent (not an
 * AWS service acting for root), `eventType` not `AwsServiceEvent`: that one is the detail type's job
 * (`CALLER_DETAIL_TYPES` leaves out `AWS Service Event via CloudTrail`), which also keeps early records without
 * `eventType`. Mirrors `isRootOwnAction` of the classifier; a test ties the two on every fixture record.
 */
const rootActivityClause = {
  userIdentity: { type: ['Root'], invokedBy: [{ exists: false }] },
};

/**
 * The watched console sign-in steps of the catalogue (`signIn`), two clauses each: an IAM user's success without MFA
 * (`MFAUsed` other than `Yes` in any case, as the classifier reads it) and any failure. Root sign-ins are the
 * root-activity clause's; federated and Identity Center sign-ins are not "without MFA" (their MFA is the identity
 * provider's), so only `IAMUser` is matched for success.
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-aws-console-sign-in-events.html
 */
export const signInClauses = (operations: readonly Operation[]): EventPattern[] =>
  operations.flatMap((operation) => {
    const watch = operation.signIn;
    if (!watch) return [];
    const step = { eventSource: [operation.eventSource], eventName: [operation.name] };
    return [
      {
        ...step,
        userIdentity: { type: ['IAMUser'] },
        additionalEventData: { MFAUsed: [{ 'anything-but': { 'equals-ignore-case': 'Yes' } }] },
        responseElements: { [watch.outcomeKey]: ['Success'] },
      },
      { ...step, responseElements: { [watch.outcomeKey]: ['Failure'] } },
    ];
  });

/** Calls with EC2 instance credentials (`sessionContext.ec2RoleDelivery` present), as the classifier detects them. */
const instanceCredentials = { sessionContext: { ec2RoleDelivery: [{ exists: true }] } };

/**
 * EC2 instance credentials denied by a service control policy: `errorMessage` contains one of the classifier's SCP
 * denial phrases (`SCP_DENIAL_PHRASES`), whatever the error code (`AccessDenied`, `AccessDeniedException`,
 * `Client.UnauthorizedOperation`…). EventBridge's `wildcard` is case-sensitive: the phrases are matched as AWS
 * writes them.
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html
 */
const instanceDeniedClause = {
  userIdentity: instanceCredentials,
  errorMessage: SCP_DENIAL_PHRASES.map((phrase) => ({ wildcard: `*${phrase}*` })),
};

const detailPattern = (clauses: readonly EventPattern[]): EventPattern => ({
  'detail-type': [...CALLER_DETAIL_TYPES],
  detail: clauses.length === 1 && clauses[0] ? clauses[0] : { $or: clauses },
});

/** Each identity rule on its own, as a full pattern (for `iam-alerts patterns` and tests). */
export const IDENTITY_RULES: ReadonlyMap<IdentityRuleName, EventPattern> = new Map([
  ['root-activity', detailPattern([rootActivityClause])],
  ['console-sign-in', detailPattern(signInClauses(SIGN_IN_WATCHED_OPERATIONS))],
  ['instance-credentials-denied', detailPattern([instanceDeniedClause])],
]);

/**
 * The identity rules' pattern, on by default: root user activity (CIS 4.3), console sign-ins without MFA and failed
 * sign-ins (CIS 4.2), EC2 instance credentials denied by a service control policy. Any event source, so it must be
 * deployed in every region (sign-ins and most calls are recorded in the region where they happen), and with the
 * rule state `ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS`: root reads and denied reads are read-only events.
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html
 */
export const IDENTITY_RULES_PATTERN: EventPattern = detailPattern([
  rootActivityClause,
  ...signInClauses(SIGN_IN_WATCHED_OPERATIONS),
  instanceDeniedClause,
]);

/**
 * The default size quota of an event pattern, in characters (adjustable to 4,096 on request).
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-quota.html
 */
export const EVENT_PATTERN_MAX_LENGTH = 2048;

/**
 * Successful calls with EC2 instance credentials through a public endpoint (no `vpcEndpointId`, no `errorCode`),
 * from any address: what the egress rule needs when the egress CIDRs are known only at deploy time (a CloudFormation
 * parameter cannot be turned into CIDR blocks); the notifier then tests the address (`ClassifyOptions`).
 */
export const INSTANCE_PUBLIC_ENDPOINT_PATTERN: EventPattern = {
  'detail-type': ['AWS API Call via CloudTrail'],
  detail: {
    userIdentity: instanceCredentials,
    errorCode: [{ exists: false }],
    vpcEndpointId: [{ exists: false }],
  },
};

/**
 * The patterns of the egress rule (issue 16, item 5): successful calls with EC2 instance credentials through a public
 * endpoint from an address outside `egressCidrs`. EventBridge's `anything-but` takes no `cidr`, so "outside" is
 * written as the CIDR blocks that cover every other address (IPv4 and IPv6), split over as many patterns as needed to
 * keep each within `maxLength` characters (one rule per pattern; their union is exact). Empty list: no pattern.
 * @throws Error naming a malformed CIDR (a deployment must not drop one silently).
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html
 */
export const instanceEgressPatterns = (
  egressCidrs: readonly string[],
  maxLength: number = EVENT_PATTERN_MAX_LENGTH,
): EventPattern[] => {
  const blocks = egressCidrs.map((text) => {
    const block = parseCidr(text);
    if (!block) throw new Error(`InstanceEgressCidrs: not a CIDR: ${JSON.stringify(text)}`);
    return block;
  });
  if (blocks.length === 0) return [];
  const outside = [...complementCidrs(blocks, 4), ...complementCidrs(blocks, 6)].map((block) => ({
    cidr: formatCidr(block),
  }));
  const patternOf = (part: readonly unknown[]): EventPattern => {
    const base = INSTANCE_PUBLIC_ENDPOINT_PATTERN as { 'detail-type': string[]; detail: EventPattern };
    return { ...base, detail: { ...base.detail, sourceIPAddress: [...part] } };
  };
  const patterns: EventPattern[] = [];
  let part: unknown[] = [];
  for (const matcher of outside) {
    if (part.length > 0 && JSON.stringify(patternOf([...part, matcher])).length > maxLength) {
      patterns.push(patternOf(part));
      part = [];
    }
    part.push(matcher);
  }
  if (part.length > 0) patterns.push(patternOf(part));
  return patterns;
};

/** What a deployment decides about its rules (stack parameters). */
export interface DeploymentRuleOptions {
  preset?: PresetName;
  /** The identity rules (default on). */
  identityRules?: boolean;
  /** `InstanceEgressCidrs`: when not empty, the egress rule's exact patterns are deployed too. */
  instanceEgressCidrs?: readonly string[];
}

/** One rule a deployment deploys: its name, pattern, and whether it needs read-only events too. */
export interface DeployedRule {
  /**
   * `preset`, `guard-rails`, `identity`, `instance-egress-1`, … (`delivery-parameters`: `deliveryParameterRule`;
   * `own-keys`: `ownKeyRule`)
   */
  name: string;
  pattern: EventPattern;
  /** Rule state `ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS` (it matches read-only calls). */
  needsReadOnlyEvents: boolean;
  /** Only in us-east-1 (IAM is global) or in every region (sign-ins and other services' calls). */
  regions: 'us-east-1' | 'all';
}

/**
 * Every rule a deployment with these options deploys, in order: the preset, the guard rails, the identity rules
 * (unless turned off) and the egress rules (when egress CIDRs are given), each also forwarded by member accounts. The
 * central stack's own guard rails on its keys and its delivery parameters are not in this list: key ids exist only
 * once deployed, and the parameters' names are stack parameters (`deliveryParameterRule` builds that rule for the
 * names a caller knows). With no options: what a default deployment sends to the notifier, which `iam-alerts replay`
 * should evaluate.
 */
export const deployedRules = (options: DeploymentRuleOptions = {}): DeployedRule[] => {
  const preset = options.preset ?? DEFAULT_PRESET;
  return [
    {
      name: 'preset',
      pattern: PRESETS[preset],
      needsReadOnlyEvents: needsReadOnlyEvents(preset),
      regions: 'us-east-1',
    },
    // The guard-rail rule lives beside the notifier, in us-east-1, like the resources it watches.
    { name: 'guard-rails', pattern: GUARD_RAIL_PATTERN, needsReadOnlyEvents: false, regions: 'us-east-1' },
    ...(options.identityRules === false
      ? []
      : [
          {
            name: 'identity',
            pattern: IDENTITY_RULES_PATTERN,
            needsReadOnlyEvents: true,
            regions: 'all' as const,
          },
        ]),
    ...instanceEgressPatterns(options.instanceEgressCidrs ?? []).map((pattern, i) => ({
      name: `instance-egress-${i + 1}`,
      pattern,
      needsReadOnlyEvents: true,
      regions: 'all' as const,
    })),
  ];
};

/**
 * The central stack's delivery-parameter guard rail (`ParameterGuardRailRule`) on the SSM parameter names given, as a
 * rule of `iam-alerts replay`: on this account's default bus, where the parameters are. The template resolves the
 * stack parameters' names at deploy time; offline only the names a caller passes (and the routes' `slack` of a rules
 * file) are known.
 */
export const deliveryParameterRule = (names: readonly string[]): DeployedRule => ({
  name: 'delivery-parameters',
  pattern: parameterGuardRailPattern(names.flatMap(parameterNameSpellings)),
  needsReadOnlyEvents: false,
  regions: 'us-east-1',
});

/**
 * The central stack's key guard rail (`KeyGuardRailRule`) on the key ARNs given, as a rule of `iam-alerts replay`:
 * each key by its ARN and its key ID (`keySpellings`; the template's `Fn::GetAtt …Arn` and `Ref`). The keys exist only
 * once deployed; offline only the ARNs a caller passes are known.
 */
export const ownKeyRule = (arns: readonly string[]): DeployedRule => ({
  name: 'own-keys',
  pattern: keyGuardRailPattern(arns.flatMap(keySpellings)),
  needsReadOnlyEvents: false,
  regions: 'us-east-1',
});
