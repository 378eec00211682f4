// The only digest code that calls CloudWatch: ListMetrics finds the `AlertsSuppressed` metrics (one per rule and
// service), GetMetricData sums each over the day.
import {
  type CloudWatchClient,
  GetMetricDataCommand,
  ListMetricsCommand,
  type Metric,
  type MetricDataQuery,
} from '@aws-sdk/client-cloudwatch';
import { SUPPRESSION_METRIC } from '../../../shared/domain/rules/counting.js';
import type { SuppressionCountReader } from '../digest.js';

/** GetMetricData takes at most 500 queries per call. @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_GetMetricData.html */
const MAX_QUERIES = 500;
/** Pages read at most from each paginated call: far more than a 4 KB rules file can make metrics for. */
const MAX_PAGES = 20;

const ruleOf = (metric: Metric): string | undefined =>
  metric.Dimensions?.find((dimension) => dimension.Name === SUPPRESSION_METRIC.dimension)?.Value;

/**
 * Reads suppression counts from CloudWatch. The metrics are found with `ListMetrics` (namespace, name, any metric
 * with a `rule` dimension: it also carries Powertools' `service`), then each is summed over the window with one
 * `Sum` datapoint of the window's length; counts of the same rule (another service name) are added.
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_ListMetrics.html
 */
export const createCloudWatchCounts = (client: CloudWatchClient): SuppressionCountReader => ({
  async countsBetween(start, end) {
    const metrics: Metric[] = [];
    let listToken: string | undefined;
    for (let page = 0; page < MAX_PAGES; page += 1) {
      const listed = await client.send(
        new ListMetricsCommand({
          Namespace: SUPPRESSION_METRIC.namespace,
          MetricName: SUPPRESSION_METRIC.name,
          Dimensions: [{ Name: SUPPRESSION_METRIC.dimension }],
          ...(listToken ? { NextToken: listToken } : {}),
        }),
      );
      metrics.push(...(listed.Metrics ?? []).filter((metric) => ruleOf(metric) !== undefined));
      listToken = listed.NextToken;
      if (!listToken) break;
    }
    const counts = new Map<string, number>();
    const period = Math.max(60, Math.round((end.getTime() - start.getTime()) / 1000));
    for (let first = 0; first < metrics.length; first += MAX_QUERIES) {
      const batch = metrics.slice(first, first + MAX_QUERIES);
      const queries: MetricDataQuery[] = batch.map((metric, index) => ({
        Id: `m${index}`,
        MetricStat: { Metric: metric, Period: period, Stat: 'Sum', Unit: 'Count' },
        ReturnData: true,
      }));
      let dataToken: string | undefined;
      for (let page = 0; page < MAX_PAGES; page += 1) {
        const data = await client.send(
          new GetMetricDataCommand({
            MetricDataQueries: queries,
            StartTime: start,
            EndTime: end,
            ...(dataToken ? { NextToken: dataToken } : {}),
          }),
        );
        for (const result of data.MetricDataResults ?? []) {
          const metric = batch[Number(result.Id?.slice(1))];
          const rule = metric && ruleOf(metric);
          const sum = (result.Values ?? []).reduce((total, value) => total + value, 0);
          if (rule !== undefined && sum > 0) counts.set(rule, (counts.get(rule) ?? 0) + Math.round(sum));
        }
        dataToken = data.NextToken;
        if (!dataToken) break;
      }
    }
    return counts;
  },
});
