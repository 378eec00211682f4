// Composition root of the `notifier` Lambda (EventBridge target): config, clients, middy chain.
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { IAMClient } from '@aws-sdk/client-iam';
import { SNSClient } from '@aws-sdk/client-sns';
import middy from '@middy/core';
import { describeError, InvalidEventError } from '../../shared/errors.js';
import { createIamSdkDirectory } from './adapters/iam-directory.js';
import { createPrintingPublisher, createSnsPublisher } from './adapters/sns-publisher.js';
import { readNotifierConfig } from './config.js';
import { type NotifierDeps, type NotifierResult, processIamEvent } from './process.js';

const config = readNotifierConfig(process.env);
const logger = new Logger({ serviceName: 'iam-change-alerts-notifier' });

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

const eventId = (event: unknown): string | undefined => {
  const detail = (event as { detail?: { eventID?: unknown } } | null)?.detail;
  return typeof detail?.eventID === 'string' ? detail.eventID : undefined;
};

/** Processes one event; logs the outcome once, here at the boundary, and rethrows failures so Lambda retries. */
const processAndLog = async (event: unknown): Promise<NotifierResult> => {
  try {
    const result = await processIamEvent(event, deps);
    const { alert } = result;
    logger.info('alert published', {
      eventId: alert.eventId,
      eventName: alert.eventName,
      severity: alert.severity,
      category: alert.category,
      account: alert.account,
      messageId: result.messageId,
      notes: alert.notes.length > 0 ? alert.notes : undefined,
    });
    return result;
  } catch (error) {
    logger.error(error instanceof InvalidEventError ? 'event rejected' : 'alert not published', {
      eventId: eventId(event),
      field: error instanceof InvalidEventError ? error.field : undefined,
      reason: describeError(error),
      error: error as Error,
    });
    throw error;
  }
};

/** The Lambda handler: EventBridge (async) invokes it with one event. */
export const handler = middy()
  .use(injectLambdaContext(logger))
  .handler(async (event: unknown) => {
    const { alert, messageId } = await processAndLog(event);
    return { eventId: alert.eventId, severity: alert.severity, messageId };
  });
