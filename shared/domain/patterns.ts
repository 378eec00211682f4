// The EventBridge filter presets: the one source of truth for what is deployed (serverless.yml),
// what `iam-alerts patterns` prints and what `iam-alerts replay` matches.
import { GUARD_RAIL_OPERATIONS } from './catalogue/index.js';
import { type Operation, servicePrefix } from './catalogue/operation.js';

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
    if (!rail) continue;
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
