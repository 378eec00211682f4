// The previous row plus Powertools idempotency (`makeIdempotent` over `DynamoDBPersistenceLayer`), as the once-guard
// used it before its own conditional writes: what that library cost (it is now a devDependency, for the test that
// proves the records are the same).
import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { DeleteItemCommand, DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { IAMClient } from '@aws-sdk/client-iam';
import { SNSClient } from '@aws-sdk/client-sns';

const dynamoDb = new DynamoDBClient({ region: 'us-east-1' });
export const clients = [
  new SNSClient({ region: 'us-east-1' }),
  new IAMClient({ region: 'us-east-1' }),
  dynamoDb,
];
export const commands = [DeleteItemCommand, UpdateItemCommand];
export const once = makeIdempotent(async (input: { key: string }) => input.key, {
  persistenceStore: new DynamoDBPersistenceLayer({ tableName: 'bench', awsSdkV3Client: dynamoDb }),
  config: new IdempotencyConfig({ eventKeyJmesPath: 'key', expiresAfterSeconds: 86_400 }),
  keyPrefix: 'bench',
});
