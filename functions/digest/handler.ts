// Composition root of the `digest` Lambda (EventBridge schedule, once a day): config, clients, middy chain.
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { SNSClient } from '@aws-sdk/client-sns';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { readAtColdStart } from '../../shared/env.js';
import { boundedAwsCalls, createTelemetry, logFailureOnce, MIDDY_PLUGIN } from '../../shared/telemetry.js';
import { createPrintingPublisher, createSnsPublisher } from '../notifier/adapters/sns-publisher.js';
import { createCloudWatchCounts } from './adapters/cloudwatch-counts.js';
import { readDigestConfig } from './config.js';
import { runDigest } from './digest.js';

const config = readAtColdStart(readDigestConfig, process.env);
const telemetry = createTelemetry('digest');
const { logger, metrics } = telemetry;

// Every call bounded (connect + request timeout); SNS makes one attempt per send, the publisher retries.
const calls = boundedAwsCalls(config.awsTimeoutMs);
const counts = createCloudWatchCounts(new CloudWatchClient({ region: config.region, ...calls }));
const publisher = config.alertTopicArn
  ? createSnsPublisher(
      new SNSClient({ region: config.region, ...calls, maxAttempts: 1 }),
      config.alertTopicArn,
      {
        maxAttempts: 4,
        baseDelayMs: 100,
        attemptMs: calls.requestHandler.connectionTimeout + calls.requestHandler.requestTimeout,
      },
    )
  : createPrintingPublisher((text) => process.stdout.write(`${text}\n`));

/**
 * The Lambda handler: reads yesterday's suppression counts, publishes the digest, logs it (`digest published`). A
 * failure is logged once and rethrown (Lambda retries the scheduled invocation twice).
 */
export const handler = middy<unknown, unknown, Error, Context>(MIDDY_PLUGIN)
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics))
  .use(logFailureOnce(telemetry, { message: 'digest not published', eventIdOf: () => undefined }))
  .handler(async (_event, context) => {
    const result = await runDigest({
      counts,
      publisher,
      rules: config.rules,
      now: () => new Date(),
      remainingMs: () => context.getRemainingTimeInMillis(),
    });
    logger.info('digest published', { ...result });
    return result;
  });
