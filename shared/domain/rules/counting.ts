// Hiding is visible: the counts of what suppress rules hid, as CloudWatch metrics and as the daily digest line.
import type { SuppressionDecision } from './match.js';

/**
 * The metric the notifier emits for each suppressed alert: `AlertsSuppressed` (Count) in namespace
 * `IamChangeAlerts`, dimension `rule` = the rule id (with Powertools Metrics: `singleMetric()`,
 * `addDimension('rule', id)`, `addMetric('AlertsSuppressed', MetricUnit.Count, 1)`; Powertools adds `service`).
 * Rule ids are short and few (the file's), so the dimension's cardinality is the number of rules.
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
 */
export const SUPPRESSION_METRIC = {
  namespace: 'IamChangeAlerts',
  name: 'AlertsSuppressed',
  unit: 'Count',
  dimension: 'rule',
} as const;

/** One metric value with its dimensions, ready for Powertools Metrics or {@link formatEmfRecord}. */
export interface MetricDatum {
  name: string;
  unit: 'Count';
  value: number;
  dimensions: Readonly<Record<string, string>>;
}

/** Suppressed alerts per rule id. A `Map`: rule ids are data, never object keys. */
export type SuppressionCounts = ReadonlyMap<string, number>;

/** The counts with `count` more for `ruleId` (a new map; the given one is left as it is). */
export const addSuppression = (counts: SuppressionCounts, ruleId: string, count = 1): Map<string, number> =>
  new Map(counts).set(ruleId, (counts.get(ruleId) ?? 0) + count);

/** Counts the decisions that suppressed, per rule. */
export const countSuppressions = (
  decisions: Iterable<Pick<SuppressionDecision, 'suppressedBy'>>,
): Map<string, number> => {
  const counts = new Map<string, number>();
  for (const { suppressedBy } of decisions) {
    if (suppressedBy !== null) counts.set(suppressedBy, (counts.get(suppressedBy) ?? 0) + 1);
  }
  return counts;
};

/** The counts as metric data, one per rule with a non-zero count, sorted by rule id. */
export const suppressionMetrics = (counts: SuppressionCounts): MetricDatum[] =>
  [...counts]
    .filter(([, value]) => value > 0)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([rule, value]) => ({
      name: SUPPRESSION_METRIC.name,
      unit: SUPPRESSION_METRIC.unit,
      value,
      dimensions: { [SUPPRESSION_METRIC.dimension]: rule },
    }));

/**
 * One CloudWatch embedded-metric-format line for a datum: the `_aws` metadata (timestamp in epoch milliseconds,
 * namespace, one dimension set of the datum's dimension names, the metric's name and unit) plus each dimension and
 * the value as top-level members.
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
 */
export const formatEmfRecord = (datum: MetricDatum, namespace: string, timestampMs: number): string =>
  JSON.stringify({
    _aws: {
      Timestamp: timestampMs,
      CloudWatchMetrics: [
        {
          Namespace: namespace,
          Dimensions: [Object.keys(datum.dimensions)],
          Metrics: [{ Name: datum.name, Unit: datum.unit }],
        },
      ],
    },
    ...datum.dimensions,
    [datum.name]: datum.value,
  });

/** What the daily digest reports. */
export interface DigestInput {
  /** The period in words, e.g. `yesterday`, `2026-11-29`. */
  period: string;
  counts: SuppressionCounts;
  /** Ids of rules past their `expires` date (`expiredRuleIds(config, today)`). */
  expiredRuleIds: readonly string[];
}

const plural = (count: number, one: string, many: string): string => `${count} ${count === 1 ? one : many}`;

/**
 * The digest line published once a day: `yesterday: 312 alerts suppressed: cfn-deployments 290, sso-provisioning
 * 22; 0 rules expired`. Rules listed by count, highest first (ties by id); rules that hid nothing are left out;
 * expired rules are named.
 */
export const formatSuppressionDigest = ({ period, counts, expiredRuleIds }: DigestInput): string => {
  const rules = [...counts]
    .filter(([, count]) => count > 0)
    .sort(([a, x], [b, y]) => y - x || (a < b ? -1 : a > b ? 1 : 0));
  const total = rules.reduce((sum, [, count]) => sum + count, 0);
  const hidden = `${period}: ${plural(total, 'alert', 'alerts')} suppressed`;
  const perRule = rules.length > 0 ? `: ${rules.map(([id, count]) => `${id} ${count}`).join(', ')}` : '';
  const expired = `${plural(expiredRuleIds.length, 'rule', 'rules')} expired${
    expiredRuleIds.length > 0 ? ` (${expiredRuleIds.join(', ')})` : ''
  }`;
  return `${hidden}${perRule}; ${expired}`;
};
