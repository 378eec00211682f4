// The EventBridge filter presets: the one source of truth for what is deployed (serverless.yml),
// what `iam-alerts patterns` prints and what `iam-alerts replay` matches.

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

/** Whether a preset needs the rule state `ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS` (it matches read-only calls). */
export const needsReadOnlyEvents = (preset: PresetName): boolean => preset === 'all';

/** Narrows a string to a preset name. */
export const isPresetName = (value: string): value is PresetName =>
  (PRESET_NAMES as readonly string[]).includes(value);
