// The SDK baseline plus Middy and the Powertools logger, to price them alone.
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { IAMClient } from '@aws-sdk/client-iam';
import { SNSClient } from '@aws-sdk/client-sns';
import middy from '@middy/core';

const logger = new Logger();
export const clients = [new SNSClient({ region: 'us-east-1' }), new IAMClient({ region: 'us-east-1' })];
export const handler = middy()
  .use(injectLambdaContext(logger))
  .handler(async () => clients.length);
