// Composition root of the `forwarder` Lambda (SNS → Slack + Jira): config, clients at module scope, middy chain.
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { SSMProvider } from '@aws-lambda-powertools/parameters/ssm';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SSMClient } from '@aws-sdk/client-ssm';
import middy from '@middy/core';
import type { Context, SNSEvent } from 'aws-lambda';
import { createOnceGuard, type OnceGuard, passThroughGuard } from './adapters/idempotency.js';
import { createJiraClient } from './adapters/jira-client.js';
import { createSecretSource } from './adapters/secrets.js';
import { createSlackWebhook } from './adapters/slack-webhook.js';
import { readForwarderConfig } from './config.js';
import { type ForwarderDeps, forwardRecord } from './forward.js';

const config = readForwarderConfig(process.env);
const logger = new Logger({ serviceName: 'iam-change-alerts-forwarder' });

const usesSsm = config.slack?.webhookUrl.kind === 'ssm' || config.jira?.apiToken.kind === 'ssm';
const ssm = usesSsm ? new SSMProvider({ awsSdkV3Client: new SSMClient({}) }) : undefined;
const retry = { timeoutMs: config.httpTimeoutMs };

// One DynamoDB client, one persistence layer per destination (see createOnceGuard).
const dynamoDbGuard = (tableName: string): OnceGuard => {
  const client = new DynamoDBClient({});
  return createOnceGuard({
    createPersistenceStore: () => new DynamoDBPersistenceLayer({ tableName, awsSdkV3Client: client }),
    expiresAfterSeconds: config.idempotencyTtlSeconds,
  });
};
const guard = config.idempotencyTable ? dynamoDbGuard(config.idempotencyTable) : passThroughGuard;

const base: Omit<ForwarderDeps, 'remainingMs'> = {
  guard,
  ...(config.slack
    ? {
        slack: createSlackWebhook({
          webhookUrl: createSecretSource(config.slack.webhookUrl, ssm, config.secretsMaxAgeSeconds),
          minIntervalMs: config.slackSpacingMs,
          policy: retry,
        }),
      }
    : {}),
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
  slack: config.slack ? config.slack.webhookUrl.source : 'off',
  jira: config.jira
    ? `${config.jira.baseUrl} project ${config.jira.projectKey} (${config.jira.apiToken.source})`
    : 'off',
  idempotency: config.idempotencyTable ? `DynamoDB table ${config.idempotencyTable}` : 'none: JQL check only',
  notes: config.notes,
});

/**
 * The `forwarder` Lambda, subscribed to the alert topic: each SNS record's `alert` attribute becomes a Slack
 * message and a Jira issue. Throws on any failure so Lambda retries and the on-failure destination keeps it.
 * @see docs/forwarder.md
 */
export const handler = middy<SNSEvent, void, Error, Context>()
  .use(injectLambdaContext(logger))
  .use({
    onError: (request) => {
      // The one place an error is logged; middy rethrows it afterwards.
      logger.error('forwarding failed', { error: request.error as Error });
    },
  })
  .handler(async (event, context) => {
    guard.registerContext(context);
    const deps: ForwarderDeps = { ...base, remainingMs: () => context.getRemainingTimeInMillis() };
    // SNS invokes Lambda with one record; a loop keeps the handler correct if that ever changes.
    for (const record of event.Records) {
      logger.info('alert forwarded', { ...(await forwardRecord(record, deps)) });
    }
  });
