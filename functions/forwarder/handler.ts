// Composition root of the `forwarder` Lambda (SNS → Slack + Jira): config, clients at module scope, middy chain.
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { SSMProvider } from '@aws-lambda-powertools/parameters/ssm';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SSMClient } from '@aws-sdk/client-ssm';
import middy from '@middy/core';
import type { Context, SNSEvent, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { isObject } from '../../shared/domain/values.js';
import { createDynamoDbMarks, createDynamoDbRecords } from '../../shared/dynamodb-marks.js';
import { readAtColdStart } from '../../shared/env.js';
import { createLocalGuard, createOnceGuard, type OnceGuard } from '../../shared/idempotency.js';
import {
  boundedAwsCalls,
  createTelemetry,
  describeFailure,
  logFailureOnce,
  MIDDY_PLUGIN,
} from '../../shared/telemetry.js';
import { createJiraClient } from './adapters/jira-client.js';
import { createSecretSource } from './adapters/secrets.js';
import { createSlackBot } from './adapters/slack-bot.js';
import { createSlackWebhook } from './adapters/slack-webhook.js';
import { readForwarderConfig } from './config.js';
import { type ForwarderDeps, forwardRecord, type RouteClients } from './forward.js';
import { forwardBatch } from './forward-batch.js';

const config = readAtColdStart(readForwarderConfig, process.env);
const telemetry = createTelemetry('forwarder');
const { logger, metrics } = telemetry;

const slackSecret =
  config.slack?.mode === 'webhook'
    ? config.slack.webhookUrl
    : config.slack?.mode === 'bot'
      ? config.slack.botToken
      : undefined;
const usesSsm =
  slackSecret?.kind === 'ssm' ||
  config.jira?.apiToken.kind === 'ssm' ||
  [...config.routes.values()].some((route) => route.slackWebhookUrl?.kind === 'ssm');
// Every AWS call is bounded (connect and request timeout, SDK retries within the function's 60 s).
const aws = boundedAwsCalls(config.awsTimeoutMs);
const ssm = usesSsm ? new SSMProvider({ awsSdkV3Client: new SSMClient({ ...aws }) }) : undefined;
const retry = { timeoutMs: config.httpTimeoutMs };

// One DynamoDB client, idempotency records per destination (see createOnceGuard), attempt marks alongside.
const dynamoDbGuard = (tableName: string): OnceGuard => {
  const client = new DynamoDBClient({ ...aws });
  return createOnceGuard({
    records: createDynamoDbRecords(client, tableName),
    marks: createDynamoDbMarks(client, tableName, config.idempotencyTtlSeconds),
    expiresAfterSeconds: config.idempotencyTtlSeconds,
    keyPrefix: 'iam-alerts-forwarder',
    destinations: ['slack', 'jira'],
  });
};
const guard = config.idempotencyTable ? dynamoDbGuard(config.idempotencyTable) : createLocalGuard();

const slackSpacing = { minIntervalMs: config.slackSpacingMs, policy: retry };
const createSlack = () => {
  const { slack } = config;
  if (!slack) return undefined;
  if (slack.mode === 'webhook') {
    return createSlackWebhook({
      webhookUrl: createSecretSource(slack.webhookUrl, ssm, config.secretsMaxAgeSeconds),
      ...slackSpacing,
    });
  }
  return createSlackBot({
    botToken: createSecretSource(slack.botToken, ssm, config.secretsMaxAgeSeconds),
    channelId: slack.channelId,
    apiUrl: slack.apiUrl,
    historyWindowSeconds: slack.historyWindowSeconds,
    ...slackSpacing,
  });
};
const slackClient = createSlack();

// Each route of alerts.yml with a Slack webhook posts through its own adapter (its own spacing: another channel).
const routeClients = new Map<string, RouteClients>(
  [...config.routes.values()].map((route) => [
    route.name,
    {
      ...(route.slackWebhookUrl
        ? {
            slack: createSlackWebhook({
              webhookUrl: createSecretSource(route.slackWebhookUrl, ssm, config.secretsMaxAgeSeconds),
              ...slackSpacing,
            }),
          }
        : {}),
      ...(route.jiraProject ? { jiraProject: route.jiraProject } : {}),
    },
  ]),
);

const base: Omit<ForwarderDeps, 'remainingMs'> = {
  guard,
  routes: routeClients,
  minimumSeverity: config.minimumSeverity,
  ...(slackClient ? { slack: slackClient } : {}),
  ...(config.jira
    ? {
        jira: {
          client: createJiraClient({
            baseUrl: config.jira.baseUrl,
            email: config.jira.email,
            apiToken: createSecretSource(config.jira.apiToken, ssm, config.secretsMaxAgeSeconds),
            policy: retry,
          }),
          options: {
            projectKey: config.jira.projectKey,
            issueType: config.jira.issueType,
            ...(config.jira.priorityMap ? { priorityMap: config.jira.priorityMap } : {}),
          },
        },
      }
    : {}),
};

// Once per cold start: where each destination and secret comes from (names only, never values).
logger.info('forwarder configured', {
  slack: config.slack
    ? config.slack.mode === 'webhook'
      ? `webhook (${config.slack.webhookUrl.source})`
      : `bot to ${config.slack.channelId} (${config.slack.botToken.source})`
    : 'off',
  slackSpacingMs: config.slackSpacingMs,
  jira: config.jira
    ? `${config.jira.baseUrl} project ${config.jira.projectKey} (${config.jira.apiToken.source})`
    : 'off',
  routes: [...config.routes.values()].map(
    (route) =>
      `${route.name}: ${[route.slackWebhookUrl ? `Slack ${route.slackWebhookUrl.source}` : '', route.jiraProject ? `Jira ${route.jiraProject}` : ''].filter(Boolean).join(', ')}`,
  ),
  minimumSeverity: config.minimumSeverity,
  idempotency: config.idempotencyTable
    ? `DynamoDB table ${config.idempotencyTable}`
    : 'in memory (this process only) and the JQL check',
  notes: config.notes,
});

/** An SQS batch (the grouped alerts' queue) rather than an SNS notification. */
const isSqsEvent = (event: SNSEvent | SQSEvent): event is SQSEvent =>
  (event?.Records?.[0] as { eventSource?: unknown } | undefined)?.eventSource === 'aws:sqs';

/** The CloudTrail eventID of the alert in an event's first record, read without trusting its shape. */
const eventIdOf = (event: SNSEvent | SQSEvent): string | undefined => {
  const value = isSqsEvent(event)
    ? event.Records[0]?.messageAttributes?.alert?.stringValue
    : event?.Records?.[0]?.Sns?.MessageAttributes?.alert?.Value;
  if (typeof value !== 'string') return undefined;
  try {
    const alert: unknown = JSON.parse(value);
    return isObject(alert) && typeof alert.eventId === 'string' ? alert.eventId : undefined;
  } catch {
    return undefined;
  }
};

/**
 * The `forwarder` Lambda, subscribed to the alert topic: each SNS record's `alert` attribute becomes a Slack
 * message and a Jira issue on each route it names. It also consumes the grouped alerts' queue: an SQS batch is
 * grouped into bursts (one message and one issue each, `burst forwarded`, `burstsForwarded`), and the messages of
 * a burst that failed are returned in `batchItemFailures` (`burstsFailed`), logged, and retried alone. Success is logged (`alert forwarded`) and counted (`alertsForwarded`, and
 * `repeatsSkipped` for a destination its idempotency record skipped); a failure is logged and counted once by
 * {@link logFailureOnce}, then rethrown so that Lambda retries and the on-failure destination keeps it.
 * @see docs/forwarder.md
 */
export const handler = middy<SNSEvent | SQSEvent, undefined | SQSBatchResponse, Error, Context>(MIDDY_PLUGIN)
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics, { captureColdStartMetric: true }))
  .use(logFailureOnce(telemetry, { message: 'forwarding failed', eventIdOf }))
  .handler(async (event, context) => {
    guard.registerContext(context);
    const deps: ForwarderDeps = { ...base, remainingMs: () => context.getRemainingTimeInMillis() };
    if (isSqsEvent(event)) {
      const result = await forwardBatch(event.Records, deps);
      for (const outcome of result.delivered) {
        logger.info(outcome.group === null ? 'alert forwarded' : 'burst forwarded', { ...outcome });
        metrics.addMetric(
          outcome.group === null ? 'alertsForwarded' : 'burstsForwarded',
          MetricUnit.Count,
          1,
        );
      }
      for (const failure of result.failed) {
        logger.error('burst failed: its messages return to the queue', {
          group: failure.group,
          messageIds: failure.messageIds,
          error: describeFailure(failure.error),
        });
      }
      if (result.failed.length > 0) metrics.addMetric('burstsFailed', MetricUnit.Count, result.failed.length);
      return { batchItemFailures: result.batchItemFailures };
    }
    // SNS invokes Lambda with one record; a loop keeps the handler correct if that ever changes.
    for (const record of event.Records) {
      const outcome = await forwardRecord(record, deps);
      logger.info('alert forwarded', { ...outcome });
      metrics.addMetric('alertsForwarded', MetricUnit.Count, 1);
      const repeats =
        Number(outcome.slack === 'already posted') + Number(outcome.jira?.outcome === 'already created');
      if (repeats > 0) metrics.addMetric('repeatsSkipped', MetricUnit.Count, repeats);
    }
    return undefined;
  });
