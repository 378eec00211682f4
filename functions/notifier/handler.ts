// Composition root of the `notifier` Lambda (EventBridge target): config, clients, middy chain.
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { IAMClient } from '@aws-sdk/client-iam';
import { SNSClient } from '@aws-sdk/client-sns';
import middy from '@middy/core';
import { isObject } from '../../shared/domain/values.js';
import { readAtColdStart } from '../../shared/env.js';
import { createTelemetry, logFailureOnce } from '../../shared/telemetry.js';
import { createIamSdkDirectory } from './adapters/iam-directory.js';
import { createPrintingPublisher, createSnsPublisher } from './adapters/sns-publisher.js';
import { readNotifierConfig } from './config.js';
import { type NotifierDeps, processIamEvent } from './process.js';

const config = readAtColdStart(readNotifierConfig, process.env);
const telemetry = createTelemetry('notifier');
const { logger, metrics } = telemetry;

// Clients live at module scope: created once per container, reused by warm invocations.
const deps: NotifierDeps = {
  iam: config.iamEnrichment
    ? createIamSdkDirectory(new IAMClient({ region: 'us-east-1', maxAttempts: 3 }), {
        timeoutMs: config.iamTimeoutMs,
        cacheTtlMs: config.cacheTtlSeconds * 1000,
        maxEntries: 500,
      })
    : undefined,
  publisher: config.alertTopicArn
    ? createSnsPublisher(new SNSClient({ region: config.region, maxAttempts: 4 }), config.alertTopicArn)
    : createPrintingPublisher((text) => process.stdout.write(`${text}\n`)),
};
if (!config.alertTopicArn) logger.warn('ALERT_TOPIC_ARN is not set: alerts are printed, not published');

/** The CloudTrail eventID of an EventBridge event (or bare record), read without trusting its shape. */
const eventIdOf = (event: unknown): string | undefined => {
  const record = isObject(event) && isObject(event.detail) ? event.detail : event;
  return isObject(record) && typeof record.eventID === 'string' ? record.eventID : undefined;
};

/**
 * The Lambda handler: EventBridge (async) invokes it with one event. Success is logged (`alert published`) and
 * counted (`alertsPublished`) here; a failure is logged and counted once by {@link logFailureOnce}, then
 * rethrown so that Lambda retries.
 */
export const handler = middy()
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics, { captureColdStartMetric: true }))
  .use(logFailureOnce(telemetry, { message: 'alert not published', eventIdOf }))
  .handler(async (event: unknown) => {
    const { alert, messageId, failure } = await processIamEvent(event, deps);
    // The full alert failed and the minimal one was published: an error to look at, not a lost alert.
    if (failure) logger.error('alert incomplete', { eventId: alert.eventId, ...failure });
    logger.info('alert published', {
      eventId: alert.eventId,
      eventName: alert.eventName,
      severity: alert.severity,
      category: alert.category,
      account: alert.account,
      messageId,
      notes: alert.notes.length > 0 ? alert.notes : undefined,
    });
    metrics.addMetric('alertsPublished', MetricUnit.Count, 1);
    return { eventId: alert.eventId, severity: alert.severity, messageId };
  });
