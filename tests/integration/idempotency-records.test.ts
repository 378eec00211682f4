// The once-guard's idempotency records (shared/idempotency.ts + shared/dynamodb-marks.ts) with the real DynamoDB
// client against the fake on 127.0.0.1, next to Powertools idempotency, which wrote these records before: the same
// items, each side honouring the other's records (a deployment replaces one with the other while records live),
// and the lock that lets one of two concurrent deliveries through.
// @see https://docs.powertools.aws.dev/lambda/typescript/latest/features/idempotency/
// @see https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.ConditionExpressions.html
import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createLambdaContext } from '../../scripts/lambda-context.js';
import { createDynamoDbMarks, createDynamoDbRecords } from '../../shared/dynamodb-marks.js';
import { createOnceGuard, type OnceGuard, type OnceResult } from '../../shared/idempotency.js';
import { type AwsServer, startAwsServer } from '../helpers/aws-server.js';

const TTL = 3_600;
let aws: AwsServer;
let client: DynamoDBClient;

beforeAll(async () => {
  aws = await startAwsServer();
  client = new DynamoDBClient({
    region: 'us-east-1',
    endpoint: aws.endpoint,
    credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'secret' },
    maxAttempts: 1,
  });
});
afterAll(async () => {
  client.destroy();
  await aws.close();
});
beforeEach(() => {
  aws.tables.clear();
  aws.calls.length = 0;
});

const ourGuard = (table: string): OnceGuard =>
  createOnceGuard({
    records: createDynamoDbRecords(client, table),
    marks: createDynamoDbMarks(client, table, TTL),
    expiresAfterSeconds: TTL,
    keyPrefix: 'iam-alerts-notifier',
    destinations: ['sns'],
  });

/** What the notifier ran before: Powertools `makeIdempotent` over the payload `{ key }`, the same key prefix. */
const powertools = (table: string) => {
  const config = new IdempotencyConfig({
    eventKeyJmesPath: 'key',
    expiresAfterSeconds: TTL,
    throwOnNoIdempotencyKey: true,
  });
  config.registerLambdaContext(createLambdaContext('notifier'));
  return makeIdempotent(
    async (_input: { key: string }, delivery: () => Promise<OnceResult>): Promise<OnceResult> => delivery(),
    {
      persistenceStore: new DynamoDBPersistenceLayer({ tableName: table, awsSdkV3Client: client }),
      config,
      keyPrefix: 'iam-alerts-notifier-sns',
    },
  );
};

/** The table's items by id, attribute name → type (the values of times differ between runs). */
const layoutOf = (table: string) =>
  [...(aws.tables.get(table)?.values() ?? [])]
    .filter((item) => !item.id?.S?.includes('-attempt#'))
    .map((item) =>
      Object.fromEntries(
        Object.entries(item).map(([name, value]) => [
          name,
          name === 'id' || name === 'status' || name === 'data' ? value : Object.keys(value),
        ]),
      ),
    );

describe('idempotency records in DynamoDB', () => {
  it('writes the items Powertools idempotency wrote: same id, attributes, status and stored result', async () => {
    const guard = ourGuard('ours');
    guard.registerContext(createLambdaContext('notifier'));
    await guard.once('sns', 'event-1', async () => ({ messageId: 'm-1', n: 2, ok: true }));
    await powertools('theirs')({ key: 'event-1' }, async () => ({ messageId: 'm-1', n: 2, ok: true }));

    expect(layoutOf('ours')).toEqual(layoutOf('theirs'));
    expect(layoutOf('ours')).toEqual([
      {
        id: { S: expect.stringMatching(/^iam-alerts-notifier-sns#[A-Za-z0-9+/]{22}==$/) },
        status: { S: 'COMPLETED' },
        expiration: ['N'],
        in_progress_expiration: ['N'],
        data: { M: { messageId: { S: 'm-1' }, n: { N: '2' }, ok: { BOOL: true } } },
      },
    ]);
  });

  it('a record Powertools completed is a duplicate for the guard, and the reverse', async () => {
    await powertools('t')({ key: 'event-2' }, async () => ({ messageId: 'from-powertools' }));
    let ran = 0;
    const stored = await ourGuard('t').once('sns', 'event-2', async () => {
      ran += 1;
      return { messageId: 'again' };
    });
    expect(stored).toEqual({ messageId: 'from-powertools' });

    await ourGuard('t').once('sns', 'event-3', async () => ({ messageId: 'from-guard' }));
    const replayed = await powertools('t')({ key: 'event-3' }, async () => {
      ran += 1;
      return { messageId: 'again' };
    });
    expect(replayed).toEqual({ messageId: 'from-guard' });
    expect(ran).toBe(0);
  });

  it('lets one of two concurrent deliveries of a key run; the other fails while the first is in progress', async () => {
    const guard = ourGuard('t');
    guard.registerContext(createLambdaContext('notifier'));
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let runs = 0;
    const first = guard.once('sns', 'event-4', async () => {
      runs += 1;
      await held;
      return { messageId: 'first' };
    });
    // The first delivery's lock is written once its attempt mark is: wait for both.
    while (!aws.calls.some((call) => call.target === 'DynamoDB_20120810.UpdateItem')) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await expect(
      guard.once('sns', 'event-4', async () => {
        runs += 1;
        return { messageId: 'second' };
      }),
    ).rejects.toMatchObject({ name: 'IdempotencyAlreadyInProgressError' });
    release();
    await expect(first).resolves.toEqual({ messageId: 'first' });
    expect(runs).toBe(1);
    // A later delivery finds the completed record.
    await expect(guard.once('sns', 'event-4', async () => ({ messageId: 'third' }))).resolves.toEqual({
      messageId: 'first',
    });
  });

  it('takes over a record whose invocation ran out of time, and deletes its record when the delivery fails', async () => {
    const guard = ourGuard('t');
    guard.registerContext(createLambdaContext('notifier'));
    await expect(
      guard.once('sns', 'event-5', async () => {
        throw new Error('refused');
      }),
    ).rejects.toThrow('refused');
    expect(layoutOf('t')).toEqual([]);

    // A delivery whose Lambda timed out mid-run leaves INPROGRESS with a past in-progress expiry.
    const stale = createOnceGuard({
      records: createDynamoDbRecords(client, 't'),
      marks: createDynamoDbMarks(client, 't', TTL),
      expiresAfterSeconds: TTL,
      keyPrefix: 'iam-alerts-notifier',
      destinations: ['sns'],
    });
    stale.registerContext({ ...createLambdaContext('notifier'), getRemainingTimeInMillis: () => 1 });
    const never = stale.once('sns', 'event-6', () => new Promise<OnceResult>(() => undefined));
    while (layoutOf('t').length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    await new Promise((resolve) => setTimeout(resolve, 10));
    const retried = await guard.once('sns', 'event-6', async ({ suspectRepeat }) => ({ suspectRepeat }));
    // The attempt mark says the timed-out run may have delivered.
    expect(retried).toEqual({ suspectRepeat: true });
    void never;
  });
});
