// Composition root of the `notifier` Lambda (EventBridge target): config, clients, middy chain.

import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { SUPPRESSION_METRIC } from '../../shared/domain/rules/counting.js';
import { isObject } from '../../shared/domain/values.js';
import { createDynamoDbMarks, createDynamoDbRecords } from '../../shared/dynamodb-marks.js';
import { readAtColdStart } from '../../shared/env.js';
import { createLocalGuard, createOnceGuard, type OnceGuard } from '../../shared/idempotency.js';
import { boundedAwsCalls, createTelemetry, logFailureOnce, MIDDY_PLUGIN } from '../../shared/telemetry.js';
import {
  createAccountNames,
  createOrganizationalUnits,
  sdkDescribeAccount,
  sdkListParent,
} from './adapters/account-names.js';
import { createIamSdkDirectory } from './adapters/iam-directory.js';
import { createPrintingPublisher, createSnsPublisher } from './adapters/sns-publisher.js';
import { enrichmentReserveMs, readNotifierConfig } from './config.js';
import { type NotifierDeps, processIamEvent } from './process.js';

const config = readAtColdStart(readNotifierConfig, process.env);
const telemetry = createTelemetry('notifier');
const { logger, metrics } = telemetry;

// One publish per eventID: idempotency record and attempt mark in the stack's idempotency table, keys
// `iam-alerts-notifier-sns#…` (the role may write no other keys). Locally, in memory.
const dynamoDbGuard = (tableName: string): OnceGuard => {
  const client = new DynamoDBClient({ region: config.region, ...boundedAwsCalls(config.awsTimeoutMs) });
  return createOnceGuard({
    records: createDynamoDbRecords(client, tableName),
    marks: createDynamoDbMarks(client, tableName, config.idempotencyTtlSeconds),
    expiresAfterSeconds: config.idempotencyTtlSeconds,
    keyPrefix: 'iam-alerts-notifier',
    destinations: ['sns'],
  });
};
const guard = config.idempotencyTable ? dynamoDbGuard(config.idempotencyTable) : createLocalGuard();

// The SNS client makes one attempt per send: the publisher retries, so that it can tell a throttled request
// from one whose answer was lost (see createSnsPublisher). Every call is bounded (connect + request timeout).
const snsCalls = { ...boundedAwsCalls(config.snsTimeoutMs), maxAttempts: 1 };

// Clients live at module scope: created once per container, reused by warm invocations.
const base: Omit<NotifierDeps, 'remainingMs'> = {
  guard,
  classify: {
    instanceEgressCidrs: config.instanceEgressCidrs,
    deliveryParameters: config.deliveryParameters,
    ownKeys: config.ownKeys,
  },
  // The IAM client is loaded and built on the first lookup (adapters/iam-sdk.ts): only events that name a managed
  // policy or a policy version, or put or attach a policy on a user, group or role, make one.
  iam: config.iamEnrichment
    ? createIamSdkDirectory(
        (sdk) => new sdk.IAMClient({ region: 'us-east-1', ...boundedAwsCalls(config.iamTimeoutMs) }),
        {
          timeoutMs: config.iamTimeoutMs,
          cacheTtlMs: config.cacheTtlSeconds * 1000,
          maxEntries: 500,
        },
      )
    : undefined,
  // Organizations is loaded on the first lookup, never at cold start (see bench/notifier.ts).
  accountNames: config.accountNames
    ? createAccountNames(sdkDescribeAccount(boundedAwsCalls(config.organizationsTimeoutMs)), {
        timeoutMs: config.organizationsTimeoutMs,
        cacheTtlMs: 3_600_000,
        maxEntries: 1_000,
      })
    : undefined,
  // Only when a route names an OU: ListParents walks up from the account (same permission condition as the names).
  organizationalUnits:
    config.accountNames && config.rules.routes.some((route) => route.match.organizationalUnit !== undefined)
      ? createOrganizationalUnits(sdkListParent(boundedAwsCalls(config.organizationsTimeoutMs)), {
          timeoutMs: config.organizationsTimeoutMs,
          cacheTtlMs: 3_600_000,
          maxEntries: 1_000,
        })
      : undefined,
  publisher: config.alertTopicArn
    ? createSnsPublisher(new SNSClient({ region: config.region, ...snsCalls }), config.alertTopicArn, {
        maxAttempts: 4,
        baseDelayMs: 100,
        attemptMs: snsCalls.requestHandler.connectionTimeout + snsCalls.requestHandler.requestTimeout,
      })
    : createPrintingPublisher((text) => process.stdout.write(`${text}\n`)),
};
if (!config.alertTopicArn) logger.warn('ALERT_TOPIC_ARN is not set: alerts are printed, not published');
for (const warning of config.rulesWarnings) logger.warn('alert rules', { warning });

/** The CloudTrail eventID of an EventBridge event (or bare record), read without trusting its shape. */
const eventIdOf = (event: unknown): string | undefined => {
  const record = isObject(event) && isObject(event.detail) ? event.detail : event;
  return isObject(record) && typeof record.eventID === 'string' ? record.eventID : undefined;
};

/**
 * The Lambda handler: EventBridge (async) invokes it with one event. Success is logged (`alert published`) and
 * counted (`alertsPublished`; `possibleRepeatsPublished` for an alert marked as a possible repeat) here, a
 * duplicate delivery too (`duplicate delivery: already published`, `duplicatesSkipped`); a failure is logged and counted once by {@link logFailureOnce}, then
 * rethrown so that Lambda retries.
 */
export const handler = middy<unknown, unknown, Error, Context>(MIDDY_PLUGIN)
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics, { captureColdStartMetric: true }))
  .use(logFailureOnce(telemetry, { message: 'alert not published', eventIdOf }))
  .handler(async (event, context) => {
    guard.registerContext(context);
    const result = await processIamEvent(event, {
      ...base,
      remainingMs: () => context.getRemainingTimeInMillis(),
      enrichmentReserveMs: enrichmentReserveMs(config),
      rules: config.rules,
    });
    if (result.kind === 'duplicate') {
      logger.info('duplicate delivery: already published', {
        eventId: result.eventId,
        messageId: result.messageId,
      });
      metrics.addMetric('duplicatesSkipped', MetricUnit.Count, 1);
      return { eventId: result.eventId, duplicate: true };
    }
    if (result.kind === 'suppressed') {
      const { alert, ruleId, reason } = result;
      logger.info('alert suppressed', {
        rule: ruleId,
        reason,
        eventId: alert.eventId,
        eventName: alert.eventName,
        severity: alert.severity,
        account: alert.account,
      });
      // Its own EMF line: the `rule` dimension must not attach to the invocation's other metrics.
      const single = metrics.singleMetric();
      single.addDimension(SUPPRESSION_METRIC.dimension, ruleId);
      single.addMetric(SUPPRESSION_METRIC.name, MetricUnit.Count, 1);
      return { eventId: alert.eventId, suppressedBy: ruleId };
    }
    const { alert, messageId, possibleRepeat, failure } = result;
    // The full alert failed and the minimal one was published: an error to look at, not a lost alert.
    if (failure) logger.error('alert incomplete', { eventId: alert.eventId, ...failure });
    logger.info('alert published', {
      eventId: alert.eventId,
      eventName: alert.eventName,
      severity: alert.severity,
      category: alert.category,
      account: alert.account,
      messageId,
      possibleRepeat: possibleRepeat || undefined,
      routes: alert.routes,
      group: alert.group ?? undefined,
      notes: alert.notes.length > 0 ? alert.notes : undefined,
    });
    metrics.addMetric('alertsPublished', MetricUnit.Count, 1);
    if (possibleRepeat) metrics.addMetric('possibleRepeatsPublished', MetricUnit.Count, 1);
    return { eventId: alert.eventId, severity: alert.severity, messageId };
  });
