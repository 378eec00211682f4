import {
  addSuppression,
  countSuppressions,
  formatEmfRecord,
  formatSuppressionDigest,
  SUPPRESSION_METRIC,
  suppressionMetrics,
} from '../../../shared/domain/rules/counting.js';

describe('counting suppressions', () => {
  it('counts the decisions that suppressed, per rule', () => {
    const counts = countSuppressions([
      { suppressedBy: 'cfn-deployments' },
      { suppressedBy: null },
      { suppressedBy: 'sso-provisioning' },
      { suppressedBy: 'cfn-deployments' },
    ]);
    expect([...counts]).toEqual([
      ['cfn-deployments', 2],
      ['sso-provisioning', 1],
    ]);
  });

  it('adds without changing the counts it was given, and keys rule ids as data', () => {
    const before = new Map([['a', 1]]);
    const after = addSuppression(addSuppression(before, 'a'), 'constructor', 3);
    expect([...before]).toEqual([['a', 1]]);
    expect([...after]).toEqual([
      ['a', 2],
      ['constructor', 3],
    ]);
  });

  it('gives one AlertsSuppressed datum per rule, dimension rule', () => {
    expect(
      suppressionMetrics(
        new Map([
          ['sso-provisioning', 22],
          ['unused', 0],
          ['cfn-deployments', 290],
        ]),
      ),
    ).toEqual([
      { name: 'AlertsSuppressed', unit: 'Count', value: 290, dimensions: { rule: 'cfn-deployments' } },
      { name: 'AlertsSuppressed', unit: 'Count', value: 22, dimensions: { rule: 'sso-provisioning' } },
    ]);
  });

  it('writes an embedded-metric-format line CloudWatch can extract', () => {
    // EMF: _aws.Timestamp in epoch ms, CloudWatchMetrics[].{Namespace, Dimensions: [[names]], Metrics: [{Name, Unit}]},
    // and each dimension and metric as a top-level member.
    // https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
    const [datum] = suppressionMetrics(new Map([['cfn-deployments', 1]]));
    if (!datum) throw new Error('no datum');
    expect(JSON.parse(formatEmfRecord(datum, SUPPRESSION_METRIC.namespace, 1764460800000))).toEqual({
      _aws: {
        Timestamp: 1764460800000,
        CloudWatchMetrics: [
          {
            Namespace: 'IamChangeAlerts',
            Dimensions: [['rule']],
            Metrics: [{ Name: 'AlertsSuppressed', Unit: 'Count' }],
          },
        ],
      },
      rule: 'cfn-deployments',
      AlertsSuppressed: 1,
    });
  });
});

describe('formatSuppressionDigest', () => {
  it('writes the daily line: total, per rule by count, expired rules', () => {
    expect(
      formatSuppressionDigest({
        period: 'yesterday',
        counts: new Map([
          ['sso-provisioning', 22],
          ['cfn-deployments', 290],
        ]),
        expiredRuleIds: [],
      }),
    ).toBe('yesterday: 312 alerts suppressed: cfn-deployments 290, sso-provisioning 22; 0 rules expired');
  });

  it('names expired rules, orders ties by id and leaves out rules that hid nothing', () => {
    expect(
      formatSuppressionDigest({
        period: '2026-11-29',
        counts: new Map([
          ['b', 1],
          ['a', 1],
          ['idle', 0],
        ]),
        expiredRuleIds: ['old-rule'],
      }),
    ).toBe('2026-11-29: 2 alerts suppressed: a 1, b 1; 1 rule expired (old-rule)');
  });

  it('says so when nothing was hidden', () => {
    expect(
      formatSuppressionDigest({ period: 'yesterday', counts: new Map(), expiredRuleIds: ['x', 'y'] }),
    ).toBe('yesterday: 0 alerts suppressed; 2 rules expired (x, y)');
    expect(
      formatSuppressionDigest({ period: 'yesterday', counts: new Map([['x', 1]]), expiredRuleIds: [] }),
    ).toBe('yesterday: 1 alert suppressed: x 1; 0 rules expired');
  });
});
