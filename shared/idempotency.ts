// "Deliver once per CloudTrail eventID", for both functions: an idempotency record per destination and eventID
// (conditional writes to DynamoDB, in the record layout of Powertools idempotency) plus an attempt mark that
// survives a failed invocation, so that a retry knows when an earlier attempt may already have delivered.
import { createHash } from 'node:crypto';
import type { Context } from 'aws-lambda';

/** A JSON-serialisable result, stored with the idempotency record and returned on a repeat. */
export type OnceResult = Record<string, string | number | boolean>;

/** Where a delivery goes: the notifier publishes to SNS; the forwarder posts to Slack and Jira. */
export type Destination = 'sns' | 'slack' | 'jira';

/** What a delivery is told before it runs. */
export interface RunContext {
  /**
   * An earlier invocation attempted this delivery and did not record its outcome (its answer was lost, the
   * invocation timed out, or the "success" write failed): the destination may already hold it. The delivery
   * checks the destination if it can (Slack history, Jira search) and otherwise marks its message as a
   * possible repeat.
   */
  suspectRepeat: boolean;
}

/**
 * Runs a delivery at most once per (destination, key) within the record's lifetime. A repeat returns the
 * stored result of the first run. A run that fails for certain (a 4xx, a refused connection) leaves no record,
 * so the retry delivers as new; a run that may have delivered leaves its attempt mark, so the retry runs with
 * `suspectRepeat`. A concurrent run of the same key throws {@link IdempotencyAlreadyInProgressError}, which fails
 * the invocation and lets Lambda retry later.
 */
export interface OnceGuard {
  once<T extends OnceResult>(
    destination: Destination,
    key: string,
    run: (context: RunContext) => Promise<T>,
  ): Promise<T>;
  /** Bounds an in-progress record by the invocation's remaining time (its lock expires with the invocation). */
  registerContext(context: Context): void;
}

/** What an earlier invocation left about one delivery. */
export type EarlierAttempt =
  | { state: 'none' }
  | { state: 'attempted' }
  | { state: 'delivered'; result: OnceResult };

/**
 * Attempt marks: a record written before each delivery and completed after it, separate from the idempotency
 * record (which is deleted when the run throws and overwritten once expired, so it cannot say that an earlier
 * attempt may have delivered).
 */
export interface AttemptMarks {
  /** Marks an attempt as started; returns what was there before. */
  begin(id: string): Promise<EarlierAttempt>;
  /** Records the result of a delivery that happened. */
  delivered(id: string, result: OnceResult): Promise<void>;
  /** Forgets an attempt that certainly delivered nothing. */
  clear(id: string): Promise<void>;
}

/** Attempt marks in memory: one container's view, for local runs and tests. */
export const createMemoryMarks = (): AttemptMarks => {
  const marks = new Map<string, OnceResult | null>();
  return {
    begin: async (id) => {
      const old = marks.get(id);
      if (old === undefined) {
        marks.set(id, null);
        return { state: 'none' };
      }
      return old === null ? { state: 'attempted' } : { state: 'delivered', result: old };
    },
    delivered: async (id, result) => {
      marks.set(id, result);
    },
    clear: async (id) => {
      marks.delete(id);
    },
  };
};

/**
 * Whether a failed delivery may nevertheless have reached its destination (its answer was lost: a timeout,
 * a dropped connection or a 5xx after the request was sent). Adapters set `mayHaveDelivered` on such errors.
 */
export const mayHaveDelivered = (error: unknown): boolean =>
  typeof error === 'object' &&
  error !== null &&
  (error as { mayHaveDelivered?: unknown }).mayHaveDelivered === true;

/** A guard that records nothing across containers: used locally when no table is configured. */
export const createLocalGuard = (marks: AttemptMarks = createMemoryMarks()): OnceGuard => ({
  once: async (destination, key, run) => {
    const { result, marked } = await runMarked(marks, `local-${destination}#${hashKey(key)}`, run);
    await marked;
    return result;
  },
  registerContext: () => undefined,
});

/** A guard that records nothing at all (tests of one delivery). */
export const passThroughGuard: OnceGuard = {
  once: (_destination, _key, run) => run({ suspectRepeat: false }),
  registerContext: () => undefined,
};

/** The key hash of attempt marks (MD5, base64 of the key itself). */
const hashKey = (key: string): string => createHash('md5').update(key).digest('base64');

/**
 * Runs a delivery between its attempt mark's writes. Returns the result with the mark's last write still under
 * way (`marked`, which never rejects), so that the caller can write its own record at the same time.
 */
const runMarked = async <T extends OnceResult>(
  marks: AttemptMarks,
  markId: string,
  run: (context: RunContext) => Promise<T>,
): Promise<{ result: T; marked: Promise<void> }> => {
  const earlier = await marks.begin(markId);
  // A delivery that happened but whose idempotency record was never completed: do not deliver again.
  if (earlier.state === 'delivered') return { result: earlier.result as T, marked: Promise.resolve() };
  let result: T;
  try {
    result = await run({ suspectRepeat: earlier.state === 'attempted' });
  } catch (error) {
    if (!mayHaveDelivered(error)) await marks.clear(markId).catch(() => undefined);
    throw error;
  }
  // Best effort: the idempotency record saves the result too; if both writes fail, the retry is suspect,
  // checks the destination or marks its message, and never loses the alert.
  return { result, marked: marks.delivered(markId, result).catch(() => undefined) };
};

/** What the idempotency record of a (destination, key) holds, as {@link OnceRecords} read it. */
export type OnceRecord =
  | { status: 'INPROGRESS'; expiration?: number; inProgressExpiration?: number }
  | { status: 'COMPLETED'; expiration?: number; result: OnceResult }
  | { status: string; expiration?: number };

/**
 * The store of idempotency records (in Lambda, the stack's DynamoDB table: `createDynamoDbRecords`).
 * `lock` writes an `INPROGRESS` record unless a live one exists (a conditional write: of two concurrent callers
 * exactly one succeeds) and otherwise returns the record that holds the key.
 */
export interface OnceRecords {
  /** Writes the in-progress record; `undefined` when written, else the record that stopped it. */
  lock(
    id: string,
    expiration: number,
    inProgressExpiration: number | undefined,
  ): Promise<OnceRecord | undefined>;
  /** Marks the record `COMPLETED` with the delivery's result. */
  complete(id: string, expiration: number, result: OnceResult): Promise<void>;
  /** Deletes the record of a run that failed, so that a retry runs again. */
  remove(id: string): Promise<void>;
}

/** A concurrent invocation holds the key (its in-progress record is live): fail, Lambda retries later. */
export class IdempotencyAlreadyInProgressError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IdempotencyAlreadyInProgressError';
  }
}

/** The idempotency store failed (a DynamoDB error or timeout, its cause): the invocation fails and is retried. */
export class IdempotencyPersistenceLayerError extends Error {
  constructor(message: string, options: ErrorOptions) {
    super(message, options);
    this.name = 'IdempotencyPersistenceLayerError';
  }
}

/** The record held the key when written but had expired when read back: the lock is tried again. */
class IdempotencyInconsistentStateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IdempotencyInconsistentStateError';
  }
}

// As Powertools idempotency (MAX_RETRIES): a lock that meets an expired record is tried twice more.
const MAX_LOCK_RETRIES = 2;

/**
 * The idempotency record's id, as Powertools idempotency writes it for the payload `{ key }` with
 * `eventKeyJmesPath: 'key'`: `<prefix>#<MD5, base64, of the key as JSON>`. Records written before this module
 * replaced Powertools keep their meaning.
 */
export const idempotencyRecordId = (prefix: string, key: string): string =>
  `${prefix}#${createHash('md5').update(JSON.stringify(key)).digest('base64')}`;

/**
 * A guard over an idempotency record store (in Lambda, the stack's DynamoDB table, key attribute `id`, TTL
 * attribute `expiration`) and attempt marks in the same table. Record ids are `<prefix>-<destination>#<md5 of
 * the key>`, marks `<prefix>-<destination>-attempt#…`: each destination gets its own records, so a retry after a
 * Jira failure does not post to Slack again. The steps are those of Powertools idempotency (`makeIdempotent`),
 * which this replaces with the same records: lock (`INPROGRESS`, its lock bounded by the invocation's remaining
 * time), run, then `COMPLETED` with the result, or the record deleted when the run throws; a key already
 * `COMPLETED` returns the stored result, one `INPROGRESS` throws {@link IdempotencyAlreadyInProgressError}.
 * @see https://docs.powertools.aws.dev/lambda/typescript/latest/features/idempotency/
 */
export const createOnceGuard = (options: {
  records: OnceRecords;
  marks: AttemptMarks;
  expiresAfterSeconds: number;
  keyPrefix: string;
  destinations: readonly Destination[];
  /** The clock, in milliseconds (tests). */
  now?: () => number;
}): OnceGuard => {
  const { records } = options;
  const now = options.now ?? Date.now;
  let context: Context | undefined;
  const expiration = (): number => Math.round(now() / 1000 + options.expiresAfterSeconds);
  const persistence = async <T>(message: string, write: () => Promise<T>): Promise<T> => {
    try {
      return await write();
    } catch (error) {
      throw new IdempotencyPersistenceLayerError(message, { cause: error });
    }
  };
  /** `undefined` when this run holds the key, else the stored result of the run that completed it. */
  const lock = async (id: string): Promise<OnceResult | undefined> => {
    for (let attempt = 0; ; attempt += 1) {
      const remaining = context?.getRemainingTimeInMillis();
      const held = await persistence('Failed to save in progress record to idempotency store', () =>
        records.lock(id, expiration(), remaining ? now() + remaining : undefined),
      );
      if (held === undefined) return undefined;
      try {
        if (held.expiration !== undefined && now() / 1000 > held.expiration) {
          throw new IdempotencyInconsistentStateError(
            'Item has expired during processing and may not longer be valid.',
          );
        }
        if (held.status === 'INPROGRESS') {
          throw new IdempotencyAlreadyInProgressError(
            `There is already an execution in progress with idempotency key: ${id}`,
          );
        }
        if ('result' in held && held.status === 'COMPLETED') return held.result;
        throw new IdempotencyPersistenceLayerError(`Unknown idempotency record status: ${held.status}`, {});
      } catch (error) {
        if (error instanceof IdempotencyInconsistentStateError && attempt < MAX_LOCK_RETRIES) continue;
        throw error;
      }
    }
  };
  const known = new Set(options.destinations);
  return {
    once: async <T extends OnceResult>(
      destination: Destination,
      key: string,
      run: (context: RunContext) => Promise<T>,
    ) => {
      if (!known.has(destination)) throw new Error(`no idempotency guard for ${destination}`);
      if (!key) throw new Error('No data found to create a hashed idempotency_key');
      const id = idempotencyRecordId(`${options.keyPrefix}-${destination}`, key);
      const stored = await lock(id);
      if (stored !== undefined) return stored as T;
      const markId = `${options.keyPrefix}-${destination}-attempt#${hashKey(key)}`;
      let ran: { result: T; marked: Promise<void> };
      try {
        ran = await runMarked(options.marks, markId, run);
      } catch (error) {
        await persistence('Failed to delete record from idempotency store', () => records.remove(id));
        throw error;
      }
      // The two "success" writes are independent (either one stops a retry from delivering again): one round
      // trip for both. A failed record write still fails the invocation, as it did under Powertools.
      const [, completed] = await Promise.allSettled([
        ran.marked,
        persistence('Failed to update success record to idempotency store', () =>
          records.complete(id, expiration(), ran.result),
        ),
      ]);
      if (completed.status === 'rejected') throw completed.reason;
      return ran.result;
    },
    registerContext: (registered) => {
      context = registered;
    },
  };
};
