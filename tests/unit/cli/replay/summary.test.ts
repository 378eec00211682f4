import { formatProblems, formatSummaryText, ReplayAggregator } from '../../../../cli/replay/summary.js';
import { fakeCreateAlert } from './fake-alert.js';

const alertFor = (eventName: string, eventTime: string, userName: string) =>
  fakeCreateAlert({
    account: undefined,
    record: {
      eventName,
      eventTime,
      eventSource: 'iam.amazonaws.com',
      readOnly: false,
      userIdentity: { type: 'IAMUser', userName, arn: `arn:aws:iam::111122223333:user/${userName}` },
      requestParameters: null,
      responseElements: null,
    },
  });

describe('ReplayAggregator', () => {
  const build = () => {
    const aggregator = new ReplayAggregator('writes');
    aggregator.files = 2;
    for (const time of [
      '2024-05-01T10:00:00Z',
      '2024-05-03T09:00:00Z',
      '2024-05-03T23:00:00Z',
      '2024-05-01T00:00:00Z',
      // A day with records but no alert: not a day "with alerts".
      '2024-05-02T12:00:00Z',
    ]) {
      aggregator.addRecord(time);
    }
    aggregator.addAlert(alertFor('CreateUser', '2024-05-01T10:00:00Z', 'alice'));
    aggregator.addAlert(alertFor('CreateAccessKey', '2024-05-03T09:00:00Z', 'alice'));
    aggregator.addAlert(alertFor('DeleteUser', '2024-05-03T23:00:00Z', 'bob'));
    aggregator.addProblem({ source: 'a.jsonl', line: 7, message: 'malformed JSON' });
    aggregator.addProblem({ source: 'a.jsonl', line: 9, message: 'malformed JSON' });
    return aggregator;
  };

  it('counts by severity, category, event name, principal and day', () => {
    const summary = build().toSummary();
    expect(summary).toMatchObject({
      preset: 'writes',
      files: 2,
      records: 5,
      alerts: 3,
      period: { first: '2024-05-01T00:00:00Z', last: '2024-05-03T23:00:00Z', days: 3, activeDays: 3 },
      // 3 alerts over the 2 days that had alerts (2024-05-02 had records only).
      alertsPerDay: {
        average: 1,
        activeDayAverage: 1.5,
        alertDays: 2,
        busiestDay: '2024-05-03',
        busiestCount: 2,
      },
      bySeverity: { critical: 0, high: 2, medium: 1, low: 0, info: 0 },
      byCategory: { identity: 2, credentials: 1 },
      byDay: { '2024-05-01': 1, '2024-05-03': 2 },
      principals: 2,
    });
    expect(summary.topPrincipals).toEqual([
      { principal: 'arn:aws:iam::111122223333:user/alice', type: 'IAMUser', count: 2, highest: 'high' },
      { principal: 'arn:aws:iam::111122223333:user/bob', type: 'IAMUser', count: 1, highest: 'medium' },
    ]);
    expect(summary.problems).toEqual({
      count: 2,
      groups: [{ source: 'a.jsonl', message: 'malformed JSON', count: 2, at: ['line 7', 'line 9'] }],
    });
  });

  it('renders a summary a person reads at a glance', () => {
    const text = formatSummaryText(build().toSummary());
    expect(text).toContain("Replay with preset 'writes'");
    expect(text).toContain('5 records in 2 files, 2024-05-01 → 2024-05-03 (3 days)');
    expect(text).toContain('3 would-be alerts from 2 principals');
    expect(text).toContain('1 alert per day over the period, 1.5 per day on the 2 days with alerts');
    expect(text).toContain('  2 inputs skipped (unreadable or malformed: listed on stderr)\n');
    expect(text).toMatch(/busiest 2024-05-03 with 2/);
    expect(text).toMatch(/\n {2}high +2 +█+\n/);
    expect(text).toMatch(/arn:aws:iam::111122223333:user\/alice \(high\) +2/);
    // The problems themselves are for stderr, in every output mode.
    expect(text).not.toContain('a.jsonl');
    expect(formatProblems(build().toSummary().problems)).toEqual([
      'Problems: 2 inputs skipped',
      '  a.jsonl: malformed JSON ×2 (line 7, line 9)',
    ]);
  });
});

describe('summary wording', () => {
  it('says one of each in the singular', () => {
    const aggregator = new ReplayAggregator('writes');
    aggregator.files = 1;
    aggregator.addRecord('2024-05-01T10:00:00Z');
    aggregator.addAlert(alertFor('CreateUser', '2024-05-01T10:00:00Z', 'alice'));
    aggregator.readOnlyNotDelivered = 1;
    aggregator.addProblem({ source: 'a.jsonl', line: 7, message: 'malformed JSON' });
    const text = formatSummaryText(aggregator.toSummary());
    expect(text).toContain('  1 record in 1 file, 2024-05-01 → 2024-05-01 (1 day)\n');
    expect(text).toContain('  1 would-be alert from 1 principal\n');
    expect(text).toContain('  1 alert per day over the period, 1 per day on the 1 day with alerts, busiest');
    expect(text).toContain('  1 read-only event matched the pattern but is not delivered');
    expect(text).toContain('  1 input skipped (unreadable or malformed: listed on stderr)\n');
    expect(formatProblems(aggregator.toSummary().problems)[0]).toBe('Problems: 1 input skipped');
    expect(text).not.toMatch(/\b1 [a-z-]+s\b(?! per)/);
  });

  it('says the plural for none and for many', () => {
    const aggregator = new ReplayAggregator('writes');
    aggregator.files = 0;
    const text = formatSummaryText(aggregator.toSummary());
    expect(text).toContain('  0 records in 0 files\n');
    expect(text).toContain('  0 would-be alerts from 0 principals\n');
  });
});
