// parse → [classify] → enrich → format → publish
// The SSM parameter names a request may spell: one matcher for the deployed parameter guard-rail pattern
// (patterns.ts, `parameterGuardRailPattern`) and for classification (guard-rails.ts), so that they cannot drift.

/**
 * The spellings a request may use for SSM parameter `name`, as CloudTrail records them (what the caller passed). A
 * name without a slash and the same name with a leading slash are one parameter (`/TestParam1` and `TestParam1` "are
 * not unique"); a name in a hierarchy must start with a slash, so its spelling without one is refused (listed anyway
 * for a name that starts with `/`, as the template's `Fn::Split` gives it: it can only match a failed call). No ARN:
 * `PutParameter`, `DeleteParameter` and `DeleteParameters` take "only the parameter name itself".
 * @see https://docs.aws.amazon.com/systems-manager/latest/userguide/sysman-paramstore-su-create.html#sysman-parameter-name-constraints
 * @see https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_DeleteParameters.html
 */
export const parameterNameSpellings = (name: string): string[] => {
  if (name.startsWith('/')) return [name, name.slice(1)];
  return name.includes('/') ? [name] : [name, `/${name}`];
};

/**
 * A recorded name as Parameter Store takes it: `PutParameter` "removes any spaces specified for the beginning or end
 * of a parameter name", so ` /iam-alerts/slack` overwrites `/iam-alerts/slack` (the deployed pattern matches every
 * padded name for this reason: `PADDED_PARAMETER_NAME`).
 * @see https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_PutParameter.html#systemsmanager-PutParameter-request-Name
 */
export const unpaddedParameterName = (name: string): string => name.replace(/^ +| +$/g, '');

/**
 * Whether a name a request records is one of `configured` (the forwarder's delivery parameters), in any spelling the
 * deployed pattern accepts for it: with or without the leading slash (`parameterNameSpellings`), padded or not.
 */
export const isConfiguredParameterName = (recorded: string, configured: readonly string[]): boolean => {
  const name = unpaddedParameterName(recorded);
  return configured.some((given) => parameterNameSpellings(given).includes(name));
};

/**
 * SSM parameter names as Parameter Store allows them: letters, digits, `.`, `-`, `_` and `/` (a name in a hierarchy
 * starts with `/`), at most 2,048 characters with the path. Used to validate configured names.
 * @see https://docs.aws.amazon.com/systems-manager/latest/userguide/sysman-paramstore-su-create.html#sysman-parameter-name-constraints
 */
export const PARAMETER_NAME = /^[A-Za-z0-9_.\-/]{1,2048}$/;
