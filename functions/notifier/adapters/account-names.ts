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
 * `DescribeAccount` through the AWS SDK, the client created on the first call (dynamic import: the Organizations
 * client is in the bundle but not evaluated at cold start). Organizations' endpoint is global (us-east-1).
 * @see https://docs.aws.amazon.com/organizations/latest/APIReference/API_DescribeAccount.html
 */
export const sdkDescribeAccount = (clientConfig: Record<string, unknown>): DescribeAccount => {
  let loaded: Promise<(accountId: string, signal: AbortSignal) => Promise<string | undefined>> | undefined;
  const load = async () => {
    const { OrganizationsClient, DescribeAccountCommand } = await import('@aws-sdk/client-organizations');
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
