// The only module that reads process.env for the digest. Called at module scope: a bad value fails the cold start.
import type { RulesConfig } from '../../shared/domain/rules/model.js';
import { type Env, integerVar, optionalVar } from '../../shared/env.js';
import { ConfigError } from '../../shared/errors.js';
import { readRulesConfig, utcDate } from '../../shared/rules-config.js';

/** The digest's configuration. */
export interface DigestConfig {
  /** SNS topic to publish to. Absent: local run, the digest is printed. */
  alertTopicArn?: string;
  region: string;
  /** Connect + request timeout of each CloudWatch and SNS call (`AWS_CALL_TIMEOUT_MS`, default 3000). */
  awsTimeoutMs: number;
  /** The compiled `alerts.yml` (`ALERT_RULES`): the expired rules it names are reported. */
  rules: RulesConfig;
  /** DynamoDB table for one digest per day (`IDEMPOTENCY_TABLE`). Absent: remembered in memory only (local runs). */
  idempotencyTable?: string;
  /**
   * How long a published day is remembered (`IDEMPOTENCY_TTL_SECONDS`, default 172800: two days, past the 6 h a
   * scheduled invocation can be retried for and past the end of the day the digest is about).
   */
  idempotencyTtlSeconds: number;
}

const TOPIC_ARN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/;

/**
 * Reads and validates the digest's environment.
 * @throws ConfigError naming the variable at fault.
 */
export const readDigestConfig = (env: Env, now: Date = new Date()): Readonly<DigestConfig> => {
  const alertTopicArn = optionalVar(env, 'ALERT_TOPIC_ARN');
  if (alertTopicArn !== undefined && !TOPIC_ARN.test(alertTopicArn)) {
    throw new ConfigError(`ALERT_TOPIC_ARN is not an SNS topic ARN: '${alertTopicArn}'`);
  }
  return Object.freeze({
    alertTopicArn,
    region: optionalVar(env, 'AWS_REGION') ?? 'us-east-1',
    awsTimeoutMs: integerVar(env, 'AWS_CALL_TIMEOUT_MS', 3_000, 100, 10_000),
    rules: readRulesConfig(env, utcDate(now)).rules,
    idempotencyTable: optionalVar(env, 'IDEMPOTENCY_TABLE'),
    idempotencyTtlSeconds: integerVar(env, 'IDEMPOTENCY_TTL_SECONDS', 172_800, 60, 366 * 86_400),
  });
};
