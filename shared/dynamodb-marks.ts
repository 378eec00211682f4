// Attempt marks (shared/idempotency.ts) in the idempotency table: one item per delivery attempt.
import { DeleteItemCommand, type DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import type { AttemptMarks, OnceResult } from './idempotency.js';

/**
 * Attempt marks in DynamoDB, in the Powertools table (key `id`, TTL `expiration`). `begin` is one UpdateItem
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
