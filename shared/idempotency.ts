// "Deliver once per CloudTrail eventID", for both functions: Powertools idempotency (a DynamoDB record per
// destination and eventID) plus an attempt mark that survives a failed invocation, so that a retry knows when an
// earlier attempt may already have delivered.
import { createHash } from 'node:crypto';
import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import type { BasePersistenceLayer } from '@aws-lambda-powertools/idempotency/persistence';
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
 * `suspectRepeat`. A concurrent run of the same key throws (Powertools `IdempotencyAlreadyInProgressError`),
 * which fails the invocation and lets Lambda retry later.
 */
export interface OnceGuard {
  once<T extends OnceResult>(
    destination: Destination,
    key: string,
    run: (context: RunContext) => Promise<T>,
  ): Promise<T>;
  /** Lets Powertools bound an in-progress record by the invocation's remaining time. */
  registerContext(context: Context): void;
}

/** What an earlier invocation left about one delivery. */
export type EarlierAttempt =
  | { state: 'none' }
  | { state: 'attempted' }
  | { state: 'delivered'; result: OnceResult };

/**
 * Attempt marks: a record written before each delivery and completed after it, separate from the Powertools
 * record (Powertools deletes its record when the run throws and overwrites an expired one, so it cannot say
 * that an earlier attempt may have delivered).
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
  once: (destination, key, run) => runMarked(marks, `local-${destination}#${hashKey(key)}`, run),
  registerContext: () => undefined,
});

/** A guard that records nothing at all (tests of one delivery). */
export const passThroughGuard: OnceGuard = {
  once: (_destination, _key, run) => run({ suspectRepeat: false }),
  registerContext: () => undefined,
};

/** Powertools' key hash (MD5, base64): the same shape as the idempotency record's key. */
const hashKey = (key: string): string => createHash('md5').update(key).digest('base64');

const runMarked = async <T extends OnceResult>(
  marks: AttemptMarks,
  markId: string,
  run: (context: RunContext) => Promise<T>,
): Promise<T> => {
  const earlier = await marks.begin(markId);
  // A delivery that happened but whose idempotency record was never completed: do not deliver again.
  if (earlier.state === 'delivered') return earlier.result as T;
  let result: T;
  try {
    result = await run({ suspectRepeat: earlier.state === 'attempted' });
  } catch (error) {
    if (!mayHaveDelivered(error)) await marks.clear(markId).catch(() => undefined);
    throw error;
  }
  // Best effort: the Powertools record saves the result too; if both writes fail, the retry is suspect,
  // checks the destination or marks its message, and never loses the alert.
  await marks.delivered(markId, result).catch(() => undefined);
  return result;
};

/**
 * A guard over a Powertools persistence layer (in Lambda, `DynamoDBPersistenceLayer` on the stack's
 * idempotency table, key attribute `id`, TTL attribute `expiration`) and attempt marks in the same table.
 * Idempotency keys are `<prefix>-<destination>#<md5 of the key>`, marks `<prefix>-<destination>-attempt#…`:
 * each destination gets its own records, so a retry after a Jira failure does not post to Slack again.
 * @see https://docs.powertools.aws.dev/lambda/typescript/latest/features/idempotency/
 */
export const createOnceGuard = (options: {
  /**
   * Makes a persistence layer. Called once per destination: a Powertools persistence layer keeps the key
   * prefix of the function it serves as state, so two idempotent functions sharing one layer and running
   * concurrently (Slack and Jira do) would write each other's keys.
   */
  createPersistenceStore: () => BasePersistenceLayer;
  marks: AttemptMarks;
  expiresAfterSeconds: number;
  keyPrefix: string;
  destinations: readonly Destination[];
}): OnceGuard => {
  const guards = new Map<Destination, { config: IdempotencyConfig; run: ReturnType<typeof make> }>();
  function make(destination: Destination, config: IdempotencyConfig) {
    // The payload hashed is the first argument ({ key }); the second is the delivery to run.
    return makeIdempotent(
      async (_input: { key: string }, delivery: () => Promise<OnceResult>): Promise<OnceResult> => delivery(),
      {
        persistenceStore: options.createPersistenceStore(),
        config,
        keyPrefix: `${options.keyPrefix}-${destination}`,
      },
    );
  }
  for (const destination of options.destinations) {
    const config = new IdempotencyConfig({
      eventKeyJmesPath: 'key',
      expiresAfterSeconds: options.expiresAfterSeconds,
      throwOnNoIdempotencyKey: true,
    });
    guards.set(destination, { config, run: make(destination, config) });
  }
  return {
    once: async <T extends OnceResult>(
      destination: Destination,
      key: string,
      run: (context: RunContext) => Promise<T>,
    ) => {
      const guard = guards.get(destination);
      if (!guard) throw new Error(`no idempotency guard for ${destination}`);
      const markId = `${options.keyPrefix}-${destination}-attempt#${hashKey(key)}`;
      return (await guard.run({ key }, () => runMarked(options.marks, markId, run))) as T;
    },
    registerContext: (context) => {
      for (const guard of guards.values()) guard.config.registerLambdaContext(context);
    },
  };
};
