// "Deliver once per CloudTrail eventID": Powertools idempotency with a DynamoDB persistence layer.
import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import type { BasePersistenceLayer } from '@aws-lambda-powertools/idempotency/persistence';
import type { Context } from 'aws-lambda';

/** A JSON-serialisable result, stored with the idempotency record and returned on a repeat. */
export type OnceResult = Record<string, string | number | boolean>;

/**
 * Runs a delivery at most once per (destination, key) within the record's lifetime. A repeat returns the
 * stored result of the first run; a run that throws leaves no record (so the retry delivers). A concurrent
 * run of the same key throws (Powertools `IdempotencyAlreadyInProgressError`), which fails the invocation
 * and lets Lambda retry later.
 */
export interface OnceGuard {
  once<T extends OnceResult>(destination: 'slack' | 'jira', key: string, run: () => Promise<T>): Promise<T>;
  /** Lets Powertools bound an in-progress record by the invocation's remaining time. */
  registerContext(context: Context): void;
}

/** A guard that records nothing: used locally when no table is configured. */
export const passThroughGuard: OnceGuard = {
  once: (_destination, _key, run) => run(),
  registerContext: () => undefined,
};

/**
 * A guard over a Powertools persistence layer (in Lambda, `DynamoDBPersistenceLayer` on the table made by
 * serverless.yml, key attribute `id`, TTL attribute `expiration`). Keys are `<prefix>-<destination>#<md5 of the
 * key>`; Slack and Jira get separate records, so a retry after a Jira failure does not post to Slack again.
 * @see https://docs.powertools.aws.dev/lambda/typescript/latest/features/idempotency/
 */
export const createOnceGuard = (options: {
  /**
   * Makes a persistence layer. Called once per destination: a Powertools persistence layer keeps the key
   * prefix of the function it serves as state, so two idempotent functions sharing one layer and running
   * concurrently (Slack and Jira do) would write each other's keys.
   */
  createPersistenceStore: () => BasePersistenceLayer;
  expiresAfterSeconds: number;
  keyPrefix?: string;
}): OnceGuard => {
  const prefix = options.keyPrefix ?? 'iam-alerts-forwarder';
  const make = (destination: 'slack' | 'jira') => {
    const config = new IdempotencyConfig({
      eventKeyJmesPath: 'key',
      expiresAfterSeconds: options.expiresAfterSeconds,
      throwOnNoIdempotencyKey: true,
    });
    // The payload hashed is the first argument ({ key }); the second is the delivery to run.
    const run = makeIdempotent(
      async (_input: { key: string }, delivery: () => Promise<OnceResult>): Promise<OnceResult> => delivery(),
      { persistenceStore: options.createPersistenceStore(), config, keyPrefix: `${prefix}-${destination}` },
    );
    return { config, run };
  };
  const guards = { slack: make('slack'), jira: make('jira') };
  return {
    once: async <T extends OnceResult>(destination: 'slack' | 'jira', key: string, run: () => Promise<T>) =>
      (await guards[destination].run({ key }, run)) as T,
    registerContext: (context) => {
      guards.slack.config.registerLambdaContext(context);
      guards.jira.config.registerLambdaContext(context);
    },
  };
};
