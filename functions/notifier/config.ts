// The only module that reads process.env for the notifier. Called at module scope, so a bad value
// fails the cold start loudly instead of halfway through a run.

import { KEY_ARN } from '../../shared/domain/catalogue/key-names.js';
import { PARAMETER_NAME } from '../../shared/domain/catalogue/parameter-names.js';
import { parseCidr } from '../../shared/domain/classify/addresses.js';
import type { RulesConfig } from '../../shared/domain/rules/model.js';
import { type Env, integerVar, optionalVar } from '../../shared/env.js';
import { ConfigError } from '../../shared/errors.js';
import { readRulesConfig, utcDate } from '../../shared/rules-config.js';

/** The notifier's configuration. */
export interface NotifierConfig {
  /** SNS topic to publish to. Absent: local run, the publisher prints what it would publish. */
  alertTopicArn?: string;
  /** Whether to call the IAM API for policy details (`IAM_ENRICHMENT`, default `on`). */
  iamEnrichment: boolean;
  /** Per-call timeout of IAM API calls, retries included (`IAM_TIMEOUT_MS`, default 1500, at most 5000). */
  iamTimeoutMs: number;
  /** How long IAM answers are cached across warm invocations (`ENRICHMENT_CACHE_TTL_SECONDS`, default 300). */
  cacheTtlSeconds: number;
  /** Region of the SDK clients; IAM events exist only in us-east-1. */
  region: string;
  /** DynamoDB table for one publish per eventID (`IDEMPOTENCY_TABLE`). Absent: remembered in memory only. */
  idempotencyTable?: string;
  /** How long an eventID is remembered (`IDEMPOTENCY_TTL_SECONDS`, default 86400: a day, past Lambda's 6 h of retries). */
  idempotencyTtlSeconds: number;
  /** Connect + request timeout of one SNS Publish attempt (`SNS_TIMEOUT_MS`, default 3000). */
  snsTimeoutMs: number;
  /** Connect + request timeout of each DynamoDB call (`AWS_CALL_TIMEOUT_MS`, default 2000). */
  awsTimeoutMs: number;
  /**
   * CIDRs the instances reach public endpoints from (`INSTANCE_EGRESS_CIDRS`, comma-separated, empty: none): a
   * successful call with instance credentials from elsewhere, not through a VPC endpoint, is a high alert.
   */
  instanceEgressCidrs: readonly string[];
  /**
   * The SSM parameters the forwarder reads its delivery secrets from (`DELIVERY_PARAMETERS`, comma-separated, as the
   * template resolves them for `ParameterGuardRailRule`; unset or empty: none): an SSM write is the critical parameter
   * guard rail only on one of these.
   */
  deliveryParameters: readonly string[];
  /**
   * The KMS key ARNs of this stack's topics (`OWN_KEYS`, comma-separated, as the template resolves them for
   * `KeyGuardRailRule`; unset or empty: none): a `DisableKey`, `ScheduleKeyDeletion` or `PutKeyPolicy` is the critical
   * key guard rail only on one of these (by key ID or key ARN).
   */
  ownKeys: readonly string[];
  /** Whether alerts name the changed account from Organizations `DescribeAccount` (`ACCOUNT_NAMES`, default `off`). */
  accountNames: boolean;
  /** Deadline of one `DescribeAccount`, retries included (`ORGANIZATIONS_TIMEOUT_MS`, default 1000). */
  organizationsTimeoutMs: number;
  /** The compiled `alerts.yml` (`ALERT_RULES`, see shared/rules-config.ts); absent: the empty rule set. */
  rules: RulesConfig;
  /** Warnings about the rules (expired rules), logged once at cold start. */
  rulesWarnings: string[];
}

const onOff = (env: Env, key: string, fallback: boolean): boolean => {
  const raw = optionalVar(env, key)?.toLowerCase();
  if (raw === undefined) return fallback;
  if (['on', 'true', '1', 'yes'].includes(raw)) return true;
  if (['off', 'false', '0', 'no'].includes(raw)) return false;
  throw new ConfigError(`${key} must be 'on' or 'off', got '${raw}'`);
};

const rulesOf = (env: Env, now: Date): Pick<NotifierConfig, 'rules' | 'rulesWarnings'> => {
  const { rules, warnings } = readRulesConfig(env, utcDate(now));
  return { rules, rulesWarnings: warnings };
};

const TOPIC_ARN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/;

/** A comma-separated list whose every item passes `valid`; a malformed item fails the cold start, naming it. */
const listVar = (env: Env, key: string, valid: (item: string) => boolean, what: string): string[] => {
  const text = optionalVar(env, key);
  if (text === undefined) return [];
  return text.split(',').map((raw) => {
    const item = raw.trim();
    if (!valid(item)) throw new ConfigError(`${key}: '${item}' is not ${what}`);
    return item;
  });
};

/** A comma-separated list of IPv4/IPv6 CIDRs; a malformed item fails the cold start, naming it. */
const cidrList = (env: Env, key: string): string[] =>
  listVar(env, key, (item) => Boolean(parseCidr(item)), 'an IP address or CIDR');

/** `listVar` for items matching a pattern. */
const matching = (pattern: RegExp) => (item: string) => pattern.test(item);

/**
 * Reads and validates the notifier's environment.
 * @throws ConfigError naming the variable at fault.
 */
export const readNotifierConfig = (env: Env, now: Date = new Date()): Readonly<NotifierConfig> => {
  const alertTopicArn = optionalVar(env, 'ALERT_TOPIC_ARN');
  if (alertTopicArn !== undefined && !TOPIC_ARN.test(alertTopicArn)) {
    throw new ConfigError(`ALERT_TOPIC_ARN is not an SNS topic ARN: '${alertTopicArn}'`);
  }
  return Object.freeze({
    alertTopicArn,
    iamEnrichment: onOff(env, 'IAM_ENRICHMENT', true),
    // At most 5 s, as the other AWS calls here: with the enrichment budget (enrichmentReserveMs) on a 30 s function,
    // about 16 s, a slow call can cost at most a third of it, so the event's own policy is still read.
    iamTimeoutMs: integerVar(env, 'IAM_TIMEOUT_MS', 1500, 50, 5_000),
    cacheTtlSeconds: integerVar(env, 'ENRICHMENT_CACHE_TTL_SECONDS', 300, 0, 86_400),
    region: optionalVar(env, 'AWS_REGION') ?? 'us-east-1',
    idempotencyTable: optionalVar(env, 'IDEMPOTENCY_TABLE'),
    idempotencyTtlSeconds: integerVar(env, 'IDEMPOTENCY_TTL_SECONDS', 86_400, 60, 366 * 86_400),
    // Four attempts of this, plus backoff, must fit the function's 30 s with IAM enrichment before them.
    snsTimeoutMs: integerVar(env, 'SNS_TIMEOUT_MS', 3_000, 100, 5_000),
    awsTimeoutMs: integerVar(env, 'AWS_CALL_TIMEOUT_MS', 2_000, 100, 5_000),
    instanceEgressCidrs: cidrList(env, 'INSTANCE_EGRESS_CIDRS'),
    deliveryParameters: listVar(
      env,
      'DELIVERY_PARAMETERS',
      matching(PARAMETER_NAME),
      'an SSM parameter name',
    ),
    ownKeys: listVar(env, 'OWN_KEYS', matching(KEY_ARN), 'a KMS key ARN'),
    accountNames: onOff(env, 'ACCOUNT_NAMES', false),
    organizationsTimeoutMs: integerVar(env, 'ORGANIZATIONS_TIMEOUT_MS', 1_000, 50, 10_000),
    ...rulesOf(env, now),
  });
};

/** What {@link enrichmentReserveMs} needs: the timeouts of the calls made after policy enrichment. */
export type ReserveTimeouts = Pick<
  NotifierConfig,
  'snsTimeoutMs' | 'awsTimeoutMs' | 'accountNames' | 'organizationsTimeoutMs'
>;

/**
 * Milliseconds an invocation keeps for what follows policy enrichment; the rest of the time left is the enrichment's
 * budget (`budgetMs` of `buildAlert`). Middy's early timeout (1 s), two SNS Publish attempts (connect + request
 * each; the publisher itself stops retrying when time runs short), the idempotency record's DynamoDB call and a
 * retry, and with `ACCOUNT_NAMES` the account name and OU lookups. Defaults: 13 s of the notifier's 30 s.
 */
export const enrichmentReserveMs = ({
  snsTimeoutMs,
  awsTimeoutMs,
  accountNames,
  organizationsTimeoutMs,
}: ReserveTimeouts): number =>
  1_000 +
  2 * (Math.min(1_000, snsTimeoutMs) + snsTimeoutMs) +
  2 * awsTimeoutMs +
  (accountNames ? 2 * organizationsTimeoutMs : 0);

/** The reserve with every timeout at its default: what the pipeline keeps when its caller names none. */
export const DEFAULT_ENRICHMENT_RESERVE_MS = enrichmentReserveMs({
  snsTimeoutMs: 3_000,
  awsTimeoutMs: 2_000,
  accountNames: false,
  organizationsTimeoutMs: 1_000,
});
