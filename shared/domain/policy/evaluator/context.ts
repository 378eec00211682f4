// The request context, read case-insensitively, with "absent" and "unknown" told apart.
import type { ContextInput } from './types.js';

/** A request context ready for lookups: lower-case key → values, or `null` for a key known to be absent. */
export type Context = ReadonlyMap<string, readonly string[] | null>;

/** What the context says about one key. */
export type Lookup =
  | { kind: 'present'; values: readonly string[] }
  | { kind: 'absent' }
  | { kind: 'unknown' };

/**
 * Builds a {@link Context}: keys lower-cased (context key names are case-insensitive), single values wrapped.
 * An empty list counts as absent, as AWS treats an empty multivalued key.
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition.html
 */
export const toContext = (input: ContextInput | undefined): Context => {
  const context = new Map<string, readonly string[] | null>();
  for (const [key, value] of Object.entries(input ?? {})) {
    const values = value === null ? null : typeof value === 'string' ? [value] : [...value];
    context.set(key.toLowerCase(), values !== null && values.length === 0 ? null : values);
  }
  return context;
};

/** Looks a key up; keys the context does not list are unknown. */
export const lookup = (context: Context, key: string): Lookup => {
  const lower = key.toLowerCase();
  if (!context.has(lower)) return { kind: 'unknown' };
  const values = context.get(lower);
  return values === null || values === undefined ? { kind: 'absent' } : { kind: 'present', values };
};
