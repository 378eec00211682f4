// A Lambda context for running handlers outside Lambda (npm start, tests, benchmarks).
import type { Context } from 'aws-lambda';

/** A context whose remaining time counts down from `timeoutMs`, as Lambda's does. */
export const createLambdaContext = (functionName: string, timeoutMs = 30_000): Context => {
  const start = Date.now();
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${functionName}`,
    memoryLimitInMB: '256',
    awsRequestId: `local-${start.toString(36)}`,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, timeoutMs - (Date.now() - start)),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
};
