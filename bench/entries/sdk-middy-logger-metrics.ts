// The SDK baseline plus Middy, the Powertools logger and Powertools metrics, to price metrics alone (next row up).
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { IAMClient } from '@aws-sdk/client-iam';
import { SNSClient } from '@aws-sdk/client-sns';
import middy from '@middy/core';

const logger = new Logger();
const metrics = new Metrics({ namespace: 'bench', logger });
export const clients = [new SNSClient({ region: 'us-east-1' }), new IAMClient({ region: 'us-east-1' })];
export const handler = middy()
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics))
  .handler(async () => {
    metrics.addMetric('invocations', MetricUnit.Count, 1);
    return clients.length;
  });
