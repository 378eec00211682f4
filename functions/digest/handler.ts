// Composition root of the `digest` Lambda (EventBridge schedule, once a day): config, clients, middy chain.
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { createDynamoDbMarks, createDynamoDbRecords } from '../../shared/dynamodb-marks.js';
import { readAtColdStart } from '../../shared/env.js';
import { createLocalGuard, createOnceGuard, type OnceGuard } from '../../shared/idempotency.js';
import { boundedAwsCalls, createTelemetry, logFailureOnce, MIDDY_PLUGIN } from '../../shared/telemetry.js';
import { createPrintingPublisher, createSnsPublisher } from '../notifier/adapters/sns-publisher.js';
import { createCloudWatchCounts } from './adapters/cloudwatch-counts.js';
import { readDigestConfig } from './config.js';
import { runDigest, scheduledTimeOf } from './digest.js';

const config = readAtColdStart(readDigestConfig, process.env);
const telemetry = createTelemetry('digest');
const { logger, metrics } = telemetry;

// Every call bounded (connect + request timeout); SNS makes one attempt per send, the publisher retries.
const calls = boundedAwsCalls(config.awsTimeoutMs);

// One digest per day: idempotency record (Powertools' layout) and attempt mark in the stack's idempotency table, keys
// `iam-alerts-digest-sns#…` (the role may write no other keys). Locally, in memory.
const dynamoDbGuard = (tableName: string): OnceGuard => {
  const client = new DynamoDBClient({ region: config.region, ...calls });
  return createOnceGuard({
    records: createDynamoDbRecords(client, tableName),
    marks: createDynamoDbMarks(client, tableName, config.idempotencyTtlSeconds),
    expiresAfterSeconds: config.idempotencyTtlSeconds,
    keyPrefix: 'iam-alerts-digest',
    destinations: ['sns'],
  });
};
const guard = config.idempotencyTable ? dynamoDbGuard(config.idempotencyTable) : createLocalGuard();

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
 * The Lambda handler: reads the suppression counts of the day before the scheduled time, publishes the digest once
 * per day, logs it (`digest published`, with `possibleRepeat` when marked; a retry after a publish logs `duplicate
 * delivery: digest already published` and counts `duplicatesSkipped`). A failure is logged once and rethrown
 * (Lambda retries the scheduled invocation twice).
 */
export const handler = middy<unknown, unknown, Error, Context>(MIDDY_PLUGIN)
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics))
  .use(logFailureOnce(telemetry, { message: 'digest not published', eventIdOf: () => undefined }))
  .handler(async (event, context) => {
    guard.registerContext(context);
    const now = new Date();
    const result = await runDigest(
      {
        counts,
        publisher,
        rules: config.rules,
        guard,
        now: () => now,
        remainingMs: () => context.getRemainingTimeInMillis(),
      },
      scheduledTimeOf(event, now),
    );
    if (result.kind === 'duplicate') {
      logger.info('duplicate delivery: digest already published', { ...result });
      metrics.addMetric('duplicatesSkipped', MetricUnit.Count, 1);
      return result;
    }
    logger.info('digest published', { ...result });
    if (result.possibleRepeat) metrics.addMetric('possibleRepeatsPublished', MetricUnit.Count, 1);
    return result;
  });
