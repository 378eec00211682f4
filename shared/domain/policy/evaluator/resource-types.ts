// Which resource types an action acts on, from the generated table, as wildcard patterns over ARNs.
import { BoundedCache } from '../../memo.js';
import { patternsOverlap } from './patterns.js';
import { RESOURCE_TYPE_TABLE } from './resource-types-table.js';

/** An action's resource types: ARN patterns (`*` for AWS's `${Variables}`), or none for `Resource: "*"` only. */
export interface ActionResourceTypes {
  /** Type name → ARN pattern. Empty when the action supports only `Resource: "*"`. */
  types: ReadonlyMap<string, string>;
}

// ${Partition}, ${Region} and ${Account} stay within one ARN part; names may hold `/` and `:`.
const toPattern = (arnFormat: string): string => arnFormat.replace(/\$\{[^}]*\}/g, '*');

const ARN_PARTS = 6;

const arnParts = (arn: string): string[] => {
  const parts = arn.split(':');
  return parts.length < ARN_PARTS
    ? parts
    : [...parts.slice(0, ARN_PARTS - 1), parts.slice(ARN_PARTS - 1).join(':')];
};

/**
 * True when an ARN (or ARN pattern) can be of a resource type's ARN format, part by colon-separated part, so that a
 * wildcard in the account cannot swallow the resource part. A pattern with fewer parts (`arn:aws:*`) is compared
 * whole: its last `*` may span colons.
 */
const fitsType = (typePattern: string, arn: string): boolean => {
  const type = arnParts(typePattern);
  const given = arnParts(arn);
  if (given.length < ARN_PARTS || type.length < ARN_PARTS) return patternsOverlap(typePattern, arn);
  return type.every((part, index) => patternsOverlap(part, given[index] ?? ''));
};

const services = new Map<string, Map<string, ActionResourceTypes>>();

const load = (service: string): Map<string, ActionResourceTypes> | undefined => {
  const cached = services.get(service);
  if (cached) return cached;
  if (!Object.hasOwn(RESOURCE_TYPE_TABLE, service)) return undefined;
  const entry = RESOURCE_TYPE_TABLE[service];
  if (!entry) return undefined;
  const patterns = new Map<string, string>();
  for (const item of entry.types.split(' ')) {
    const at = item.indexOf('=');
    patterns.set(item.slice(0, at), toPattern(item.slice(at + 1)));
  }
  const actions = new Map<string, ActionResourceTypes>();
  for (const group of entry.actions.split(' ')) {
    const [list = '', names = ''] = group.split(':');
    const types = new Map<string, string>();
    for (const type of list.split(',').filter(Boolean)) {
      const pattern = patterns.get(type);
      if (pattern) types.set(type, pattern);
    }
    // The actions of a group share one read-only value (no caller changes it).
    for (const name of names.split(',')) actions.set(name.toLowerCase(), { types });
  }
  services.set(service, actions);
  return actions;
};

/**
 * The resource types AWS lists for an action (`iam:CreatePolicyVersion` → `policy`), or `undefined` when the
 * action is not in the generated table (its service is not covered, or the action is unknown): callers must then
 * not narrow anything.
 * @see https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html
 */
export const resourceTypesOf = (action: string): ActionResourceTypes | undefined => {
  const [service = '', name = ''] = action.toLowerCase().split(':');
  return load(service)?.get(name);
};

/**
 * Whether a request's resource is one the action can act on: `*` always is (the caller asks about every
 * resource), an ARN must fit one of the action's types. `undefined` when the action is not in the table.
 */
export const actsOnResource = (action: string, resource: string): boolean | undefined => {
  const known = resourceTypesOf(action);
  if (!known) return undefined;
  if (resource === '*') return true;
  // Every evaluation asks this first, mostly of the same few probe resources: the answers are kept (short keys only).
  const key = `${action.length}:${action}${resource}`;
  const remembered = FITS.get(key);
  if (remembered !== undefined) return remembered;
  const fits = [...known.types.values()].some((pattern) => fitsType(pattern, resource));
  if (key.length <= MAX_FITS_KEY) FITS.set(key, fits);
  return fits;
};

const FITS = new BoundedCache<string, boolean>(2048);
const MAX_FITS_KEY = 512;

/**
 * Whether a statement's Resource pattern can name a resource the action acts on (`arn:aws:iam::*:role/x` cannot
 * name a policy, so it grants no `iam:CreatePolicyVersion`). True when the action is not in the table.
 */
export const patternFitsAction = (action: string, resourcePattern: string): boolean => {
  const known = resourceTypesOf(action);
  if (!known) return true;
  if (known.types.size === 0) return resourcePattern === '*';
  return [...known.types.values()].some((pattern) => fitsType(pattern, resourcePattern));
};
