import {
  DEFAULT_ENRICHMENT_RESERVE_MS,
  enrichmentReserveMs,
  readNotifierConfig,
} from '../../../functions/notifier/config.js';
import { EMPTY_RULES } from '../../../shared/domain/rules/model.js';
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
      instanceEgressCidrs: [],
      deliveryParameters: [],
      ownKeys: [],
      accountNames: false,
      organizationsTimeoutMs: 1_000,
      rules: EMPTY_RULES,
      rulesWarnings: [],
    });
  });

  it('reads the compiled rules, warns of an expired rule and refuses rules the package step would refuse', () => {
    const rule = { id: 'old', reason: 'r', expires: '2026-11-29', match: { eventName: ['CreateRole'] } };
    const now = new Date('2026-11-30T10:00:00Z');
    const config = readNotifierConfig({ ALERT_RULES: JSON.stringify({ suppress: [rule] }) }, now);
    expect(config.rules.suppress.map((r) => r.id)).toEqual(['old']);
    expect(config.rulesWarnings).toEqual([
      expect.stringContaining('suppress[0].expires: the rule expired on 2026-11-29'),
    ]);
    expect(() => readNotifierConfig({ ALERT_RULES: '{"suppress": [' }, now)).toThrow(
      /^ALERT_RULES is not JSON/,
    );
    expect(() => readNotifierConfig({ ALERT_RULES: '{"suppress": [{"id": "x"}]}' }, now)).toThrow(
      /^ALERT_RULES is not valid rules: .*suppress\[0\]\.reason/,
    );
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

  it('reads the instances egress CIDRs the stack passes (InstanceEgressCidrs), IPv4 and IPv6', () => {
    expect(
      readNotifierConfig({ INSTANCE_EGRESS_CIDRS: ' 198.51.100.0/24, 2001:db8::/32 ' }).instanceEgressCidrs,
    ).toEqual(['198.51.100.0/24', '2001:db8::/32']);
    expect(readNotifierConfig({ INSTANCE_EGRESS_CIDRS: '' }).instanceEgressCidrs).toEqual([]);
    expect(() => readNotifierConfig({ INSTANCE_EGRESS_CIDRS: '198.51.100.0/24,nope' })).toThrow(
      "INSTANCE_EGRESS_CIDRS: 'nope' is not an IP address or CIDR",
    );
  });

  it('reads the delivery parameters the stack passes (DELIVERY_PARAMETERS) and refuses a malformed one', () => {
    expect(
      readNotifierConfig({ DELIVERY_PARAMETERS: '/iam-alerts/slack-webhook-url, slack-bot-token' })
        .deliveryParameters,
    ).toEqual(['/iam-alerts/slack-webhook-url', 'slack-bot-token']);
    // No Slack, Jira or route webhook: the template joins nothing.
    expect(readNotifierConfig({ DELIVERY_PARAMETERS: '' }).deliveryParameters).toEqual([]);
    // Parameter Store names: a-z, A-Z, 0-9, _ . - / only; an empty item (`a,,b`) names nothing.
    // https://docs.aws.amazon.com/systems-manager/latest/userguide/sysman-paramstore-su-create.html#sysman-parameter-name-constraints
    expect(() => readNotifierConfig({ DELIVERY_PARAMETERS: '/iam-alerts/slack,/bad name' })).toThrow(
      "DELIVERY_PARAMETERS: '/bad name' is not an SSM parameter name",
    );
    expect(() => readNotifierConfig({ DELIVERY_PARAMETERS: '/a,,/b' })).toThrow(
      "DELIVERY_PARAMETERS: '' is not an SSM parameter name",
    );
  });

  it('reads the topic keys the stack passes (OWN_KEYS) and refuses anything but key ARNs', () => {
    const alert = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    const operations = 'arn:aws:kms:us-east-1:111122223333:key/0987dcba-09fe-87dc-65ba-ab0987654321';
    expect(readNotifierConfig({ OWN_KEYS: `${alert}, ${operations}` }).ownKeys).toEqual([alert, operations]);
    expect(readNotifierConfig({}).ownKeys).toEqual([]);
    // The template joins the keys' ARNs (Fn::GetAtt …Arn); a key ID, an alias or an empty item is a broken value.
    // https://docs.aws.amazon.com/kms/latest/developerguide/concepts.html#key-id-key-ARN
    expect(() => readNotifierConfig({ OWN_KEYS: '1234abcd-12ab-34cd-56ef-1234567890ab' })).toThrow(
      "OWN_KEYS: '1234abcd-12ab-34cd-56ef-1234567890ab' is not a KMS key ARN",
    );
    expect(() =>
      readNotifierConfig({ OWN_KEYS: `${alert},arn:aws:kms:us-east-1:111122223333:alias/iam-alerts` }),
    ).toThrow("OWN_KEYS: 'arn:aws:kms:us-east-1:111122223333:alias/iam-alerts' is not a KMS key ARN");
    expect(() => readNotifierConfig({ OWN_KEYS: `${alert},,${operations}` })).toThrow(
      "OWN_KEYS: '' is not a KMS key ARN",
    );
  });

  it('names the variable at fault', () => {
    expect(() => readNotifierConfig({ ALERT_TOPIC_ARN: 'arn:aws:sqs:us-east-1:123456789012:q' })).toThrow(
      ConfigError,
    );
    expect(() => readNotifierConfig({ IAM_ENRICHMENT: 'maybe' })).toThrow(
      "IAM_ENRICHMENT must be 'on' or 'off'",
    );
    expect(() => readNotifierConfig({ IAM_TIMEOUT_MS: '10' })).toThrow(
      'IAM_TIMEOUT_MS must be an integer between 50 and 5000, got "10"',
    );
    expect(() => readNotifierConfig({ IAM_TIMEOUT_MS: '60000' })).toThrow(
      'IAM_TIMEOUT_MS must be an integer between 50 and 5000, got "60000"',
    );
    expect(() => readNotifierConfig({ ENRICHMENT_CACHE_TTL_SECONDS: '1.5' })).toThrow(
      /^ENRICHMENT_CACHE_TTL_SECONDS must be an integer/,
    );
  });
});

describe('enrichmentReserveMs', () => {
  it('keeps, of the notifier’s 30 s, the publish, idempotency and account-name calls’ time, so the enrichment has the rest', () => {
    const defaults = readNotifierConfig({});
    // 1 s early timeout + 2 × (1 s connect + 3 s request) SNS + 2 × 2 s DynamoDB.
    expect(enrichmentReserveMs(defaults)).toBe(13_000);
    expect(DEFAULT_ENRICHMENT_RESERVE_MS).toBe(13_000);
    expect(enrichmentReserveMs(readNotifierConfig({ ACCOUNT_NAMES: 'on' }))).toBe(15_000);
    // Every timeout at its maximum, with the largest IAM timeout, still leaves the enrichment a few calls' time.
    const widest = readNotifierConfig({
      SNS_TIMEOUT_MS: '5000',
      AWS_CALL_TIMEOUT_MS: '5000',
      IAM_TIMEOUT_MS: '5000',
    });
    expect(30_000 - enrichmentReserveMs(widest)).toBeGreaterThanOrEqual(widest.iamTimeoutMs);
  });
});
