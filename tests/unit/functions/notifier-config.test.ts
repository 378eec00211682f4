import { readNotifierConfig } from '../../../functions/notifier/config.js';
import { ConfigError } from '../../../shared/errors.js';

describe('readNotifierConfig', () => {
  it('gives every optional value its default, and no topic (alerts printed) when ALERT_TOPIC_ARN is unset', () => {
    expect(readNotifierConfig({})).toEqual({
      alertTopicArn: undefined,
      iamEnrichment: true,
      iamTimeoutMs: 1500,
      cacheTtlSeconds: 300,
      region: 'us-east-1',
      idempotencyTable: undefined,
      idempotencyTtlSeconds: 86_400,
      snsTimeoutMs: 3_000,
      awsTimeoutMs: 2_000,
    });
  });

  it('reads the deployed values', () => {
    const config = readNotifierConfig({
      ALERT_TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:iam-change-alerts-dev-alerts',
      IAM_ENRICHMENT: 'OFF',
      IAM_TIMEOUT_MS: ' 2000 ',
      ENRICHMENT_CACHE_TTL_SECONDS: '0',
      AWS_REGION: 'us-east-1',
    });
    expect(config).toMatchObject({
      alertTopicArn: 'arn:aws:sns:us-east-1:123456789012:iam-change-alerts-dev-alerts',
      iamEnrichment: false,
      iamTimeoutMs: 2000,
      cacheTtlSeconds: 0,
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('names the variable at fault', () => {
    expect(() => readNotifierConfig({ ALERT_TOPIC_ARN: 'arn:aws:sqs:us-east-1:123456789012:q' })).toThrow(
      ConfigError,
    );
    expect(() => readNotifierConfig({ IAM_ENRICHMENT: 'maybe' })).toThrow(
      "IAM_ENRICHMENT must be 'on' or 'off'",
    );
    expect(() => readNotifierConfig({ IAM_TIMEOUT_MS: '10' })).toThrow(
      'IAM_TIMEOUT_MS must be an integer between 50 and 60000, got "10"',
    );
    expect(() => readNotifierConfig({ ENRICHMENT_CACHE_TTL_SECONDS: '1.5' })).toThrow(
      /^ENRICHMENT_CACHE_TTL_SECONDS must be an integer/,
    );
  });
});
