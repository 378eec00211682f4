// The SDK baseline plus the DynamoDB client and the commands of the once-guard (shared/dynamodb-marks.ts), to price
// the idempotency table alone.
import {
  DeleteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { IAMClient } from '@aws-sdk/client-iam';
import { SNSClient } from '@aws-sdk/client-sns';

export const clients = [
  new SNSClient({ region: 'us-east-1' }),
  new IAMClient({ region: 'us-east-1' }),
  new DynamoDBClient({ region: 'us-east-1' }),
];
export const commands = [DeleteItemCommand, GetItemCommand, PutItemCommand, UpdateItemCommand];
