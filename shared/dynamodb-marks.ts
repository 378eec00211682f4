// The idempotency table's two kinds of items (shared/idempotency.ts): idempotency records, one per delivery, in
// the layout of Powertools idempotency, and attempt marks, one per delivery attempt.
import {
  type AttributeValue,
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { AttemptMarks, OnceRecord, OnceRecords, OnceResult } from './idempotency.js';

/**
 * Attempt marks in DynamoDB, in the idempotency table (key `id`, TTL `expiration`). `begin` is one UpdateItem
 * that sets the expiry and returns the old item (`ReturnValues: ALL_OLD`): no item means no earlier attempt, an
 * item without `result` an attempt whose outcome is unknown, an item with `result` a delivery that happened.
 * @see https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_UpdateItem.html
 */
export const createDynamoDbMarks = (
  client: DynamoDBClient,
  tableName: string,
  expiresAfterSeconds: number,
): AttemptMarks => {
  const expiry = () => String(Math.floor(Date.now() / 1000) + expiresAfterSeconds);
  return {
    async begin(id) {
      const output = await client.send(
        new UpdateItemCommand({
          TableName: tableName,
          Key: { id: { S: id } },
          UpdateExpression: 'SET #expiration = :expiration',
          ExpressionAttributeNames: { '#expiration': 'expiration' },
          ExpressionAttributeValues: { ':expiration': { N: expiry() } },
          ReturnValues: 'ALL_OLD',
        }),
      );
      const old = output.Attributes;
      if (!old) return { state: 'none' };
      const result = old.result?.S;
      if (result === undefined) return { state: 'attempted' };
      return { state: 'delivered', result: JSON.parse(result) as OnceResult };
    },
    async delivered(id, result) {
      await client.send(
        new UpdateItemCommand({
          TableName: tableName,
          Key: { id: { S: id } },
          UpdateExpression: 'SET #result = :result, #expiration = :expiration',
          ExpressionAttributeNames: { '#result': 'result', '#expiration': 'expiration' },
          ExpressionAttributeValues: {
            ':result': { S: JSON.stringify(result) },
            ':expiration': { N: expiry() },
          },
        }),
      );
    },
    async clear(id) {
      await client.send(new DeleteItemCommand({ TableName: tableName, Key: { id: { S: id } } }));
    },
  };
};

// The condition of Powertools' DynamoDBPersistenceLayer: no record, an expired one, or an in-progress one whose
// invocation has run out of time.
const LOCK_CONDITION =
  'attribute_not_exists(#id) OR #expiry < :now OR (#status = :inprogress AND attribute_exists(#in_progress_expiry) AND #in_progress_expiry < :now_in_millis)';

/** A result as a DynamoDB map (what Powertools' `marshall` writes for strings, numbers and booleans). */
const toMap = (result: OnceResult): AttributeValue => {
  const map: Record<string, AttributeValue> = {};
  for (const [name, value] of Object.entries(result)) {
    map[name] =
      typeof value === 'string'
        ? { S: value }
        : typeof value === 'number'
          ? { N: String(value) }
          : { BOOL: value };
  }
  return { M: map };
};

/** A stored result back from its map; values of other types (not written by this code) are left out. */
const fromMap = (value: AttributeValue | undefined): OnceResult => {
  const result: OnceResult = {};
  for (const [name, item] of Object.entries(value?.M ?? {})) {
    if (item.S !== undefined) result[name] = item.S;
    else if (item.N !== undefined) result[name] = Number(item.N);
    else if (item.BOOL !== undefined) result[name] = item.BOOL;
  }
  return result;
};

const numberOf = (value: AttributeValue | undefined): number | undefined =>
  value?.N === undefined ? undefined : Number(value.N);

/** An item of the table as a record. */
const recordOf = (item: Record<string, AttributeValue>): OnceRecord => {
  const status = item.status?.S ?? '';
  const expiration = numberOf(item.expiration);
  if (status === 'COMPLETED') return { status, expiration, result: fromMap(item.data) };
  if (status === 'INPROGRESS')
    return { status, expiration, inProgressExpiration: numberOf(item.in_progress_expiration) };
  return { status, expiration };
};

/**
 * Idempotency records in DynamoDB, item for item as Powertools idempotency's `DynamoDBPersistenceLayer` writes
 * them (key `id`, `status` `INPROGRESS`/`COMPLETED`, TTL `expiration` in seconds, `in_progress_expiration` in
 * milliseconds, the result as the map `data`), with its conditional PutItem: records written by either are read by
 * the other. A failed condition returns the item that holds the key (`ReturnValuesOnConditionCheckFailure`), or,
 * when DynamoDB sends none, a consistent GetItem reads it.
 * @see https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.ConditionExpressions.html
 * @see https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_PutItem.html
 */
export const createDynamoDbRecords = (
  client: DynamoDBClient,
  tableName: string,
  now: () => number = Date.now,
): OnceRecords => ({
  async lock(id, expiration, inProgressExpiration) {
    const time = now();
    const item: Record<string, AttributeValue> = {
      id: { S: id },
      expiration: { N: String(expiration) },
      status: { S: 'INPROGRESS' },
    };
    if (inProgressExpiration !== undefined) item.in_progress_expiration = { N: String(inProgressExpiration) };
    try {
      await client.send(
        new PutItemCommand({
          TableName: tableName,
          Item: item,
          ExpressionAttributeNames: {
            '#id': 'id',
            '#expiry': 'expiration',
            '#in_progress_expiry': 'in_progress_expiration',
            '#status': 'status',
          },
          ExpressionAttributeValues: {
            ':now': { N: String(time / 1000) },
            ':now_in_millis': { N: String(time) },
            ':inprogress': { S: 'INPROGRESS' },
          },
          ConditionExpression: LOCK_CONDITION,
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return undefined;
    } catch (error) {
      if (!(error instanceof Error) || error.name !== 'ConditionalCheckFailedException') throw error;
      const old = (error as { Item?: Record<string, AttributeValue> }).Item;
      if (old) return recordOf(old);
      const read = await client.send(
        new GetItemCommand({ TableName: tableName, Key: { id: { S: id } }, ConsistentRead: true }),
      );
      // Deleted between the two calls: the key is free again, but this call did not take it. Try again.
      return read.Item ? recordOf(read.Item) : { status: 'EXPIRED', expiration: 0 };
    }
  },
  async complete(id, expiration, result) {
    await client.send(
      new UpdateItemCommand({
        TableName: tableName,
        Key: { id: { S: id } },
        UpdateExpression: 'SET #expiry = :expiry, #status = :status, #response_data = :response_data',
        ExpressionAttributeNames: { '#expiry': 'expiration', '#status': 'status', '#response_data': 'data' },
        ExpressionAttributeValues: {
          ':expiry': { N: String(expiration) },
          ':status': { S: 'COMPLETED' },
          ':response_data': toMap(result),
        },
      }),
    );
  },
  async remove(id) {
    await client.send(new DeleteItemCommand({ TableName: tableName, Key: { id: { S: id } } }));
  },
});
