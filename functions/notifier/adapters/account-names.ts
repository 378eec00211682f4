// Account names from AWS Organizations (`DescribeAccount`), best effort: the only notifier code that talks to
// Organizations. The SDK client is loaded on first use, so a deployment without an organization never pays for it.
import { shorten } from '../../../shared/domain/values.js';
import { describeError } from '../../../shared/errors.js';

/** The name of an account, or why it is not known (a note for the alert). Never throws. */
export type AccountNameResult = { name: string } | { note: string };

/** Names accounts by id. */
export interface AccountNames {
  nameOf(accountId: string): Promise<AccountNameResult>;
}

/** The one call the directory makes, so that tests and the lazy SDK import share a shape. */
export type DescribeAccount = (accountId: string, signal: AbortSignal) => Promise<string | undefined>;

/** Options of {@link createAccountNames}. */
export interface AccountNamesOptions {
  /** Deadline of one lookup, SDK retries included. */
  timeoutMs: number;
  /** How long a name is reused across warm invocations (a failure is retried after a tenth of it). */
  cacheTtlMs: number;
  /** Cache bound; the oldest entries go first. */
  maxEntries: number;
  now?: () => number;
}

/** Account names are at most 50 characters (Organizations); anything longer is cut. */
const MAX_NAME_CHARS = 64;

/**
 * Account names cached per container. A lookup that fails or times out gives a note instead of a name (the alert is
 * published all the same) and is not retried for a tenth of the TTL, so an outage of Organizations costs each
 * container one timeout per account, not one per alert.
 */
export const createAccountNames = (describe: DescribeAccount, options: AccountNamesOptions): AccountNames => {
  const now = options.now ?? Date.now;
  const cache = new Map<string, { result: AccountNameResult; until: number }>();
  return {
    async nameOf(accountId) {
      const cached = cache.get(accountId);
      if (cached && cached.until > now()) return cached.result;
      let result: AccountNameResult;
      let ttl = options.cacheTtlMs;
      try {
        const name = await describe(accountId, AbortSignal.timeout(options.timeoutMs));
        result = name
          ? { name: shorten(name, MAX_NAME_CHARS) }
          : { note: `account name of ${accountId} unknown: Organizations returned none` };
      } catch (error) {
        result = {
          note: `account name of ${accountId} unknown: Organizations DescribeAccount failed (${describeError(error)})`,
        };
        ttl = Math.floor(options.cacheTtlMs / 10);
      }
      cache.delete(accountId);
      cache.set(accountId, { result, until: now() + ttl });
      if (cache.size > options.maxEntries) cache.delete(cache.keys().next().value as string);
      return result;
    },
  };
};

/**
 * `DescribeAccount` through the AWS SDK, the client created on the first call (dynamic import of
 * `organizations-sdk.ts`: the client is in the bundle but not evaluated at cold start, and only its two commands
 * are bundled). Organizations' endpoint is global (us-east-1).
 * @see https://docs.aws.amazon.com/organizations/latest/APIReference/API_DescribeAccount.html
 */
export const sdkDescribeAccount = (clientConfig: Record<string, unknown>): DescribeAccount => {
  let loaded: Promise<(accountId: string, signal: AbortSignal) => Promise<string | undefined>> | undefined;
  const load = async () => {
    const { OrganizationsClient, DescribeAccountCommand } = await import('./organizations-sdk.js');
    const client = new OrganizationsClient({ region: 'us-east-1', ...clientConfig });
    return async (accountId: string, signal: AbortSignal) =>
      (await client.send(new DescribeAccountCommand({ AccountId: accountId }), { abortSignal: signal }))
        .Account?.Name;
  };
  return async (accountId, signal) => {
    loaded ??= load();
    return (await loaded)(accountId, signal);
  };
};

/** The immediate parent of an account or OU: its id, and whether it is the root (where the walk up ends). */
export type ListParent = (
  childId: string,
  signal: AbortSignal,
) => Promise<{ id: string; isRoot: boolean } | undefined>;

/** The OU and root ids above an account, for routes that name `organizationalUnit` (docs/rules.md). */
export interface OrganizationalUnits {
  /** Nearest OU first, the root last; `undefined` when Organizations could not say (the route then does not match). */
  of(accountId: string): Promise<readonly string[] | undefined>;
}

/** Organizations nests OUs at most five levels under the root. @see https://docs.aws.amazon.com/organizations/latest/userguide/orgs_reference_limits.html */
const MAX_OU_DEPTH = 5;

/**
 * The OUs above each account, walked up with `ListParents` and cached per container like the names (a failure is
 * retried after a tenth of the TTL). Never throws: an unknown answer leaves the alert on the routes that do not need
 * it, which always include `default`.
 */
export const createOrganizationalUnits = (
  listParent: ListParent,
  options: AccountNamesOptions,
): OrganizationalUnits => {
  const now = options.now ?? Date.now;
  const cache = new Map<string, { ids: readonly string[] | undefined; until: number }>();
  return {
    async of(accountId) {
      const cached = cache.get(accountId);
      if (cached && cached.until > now()) return cached.ids;
      let ids: readonly string[] | undefined;
      let ttl = options.cacheTtlMs;
      try {
        const signal = AbortSignal.timeout(options.timeoutMs);
        const found: string[] = [];
        let child = accountId;
        for (let depth = 0; depth <= MAX_OU_DEPTH; depth += 1) {
          const parent = await listParent(child, signal);
          if (!parent) break;
          found.push(parent.id);
          if (parent.isRoot) break;
          child = parent.id;
        }
        ids = found;
      } catch {
        ids = undefined;
        ttl = Math.floor(options.cacheTtlMs / 10);
      }
      cache.delete(accountId);
      cache.set(accountId, { ids, until: now() + ttl });
      if (cache.size > options.maxEntries) cache.delete(cache.keys().next().value as string);
      return ids;
    },
  };
};

/**
 * `ListParents` through the AWS SDK, the Organizations client loaded on the first call (as for the names).
 * @see https://docs.aws.amazon.com/organizations/latest/APIReference/API_ListParents.html
 */
export const sdkListParent = (clientConfig: Record<string, unknown>): ListParent => {
  let loaded: Promise<ListParent> | undefined;
  const load = async (): Promise<ListParent> => {
    const { OrganizationsClient, ListParentsCommand } = await import('./organizations-sdk.js');
    const client = new OrganizationsClient({ region: 'us-east-1', ...clientConfig });
    return async (childId, signal) => {
      const parent = (
        await client.send(new ListParentsCommand({ ChildId: childId }), { abortSignal: signal })
      ).Parents?.[0];
      return parent?.Id ? { id: parent.Id, isRoot: parent.Type === 'ROOT' } : undefined;
    };
  };
  return async (childId, signal) => {
    loaded ??= load();
    return (await loaded)(childId, signal);
  };
};
