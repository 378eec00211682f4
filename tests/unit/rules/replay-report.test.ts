import { decideSuppression, type RuleSubject } from '../../../shared/domain/rules/match.js';
import type { RulesConfig } from '../../../shared/domain/rules/model.js';
import {
  createRulesReplayTally,
  formatRulesReplayReport,
} from '../../../shared/domain/rules/replay-report.js';
import { validateRules } from '../../../shared/domain/rules/schema.js';
import type { Severity } from '../../../shared/domain/types.js';

const TODAY = '2026-11-30';

const config = validateRules(
  {
    suppress: [
      { id: 'cfn', reason: 'pipeline', match: { via: ['cloudformation'], maxSeverity: 'medium' } },
      { id: 'roles', reason: 'roles', match: { eventName: ['CreateRole'] } },
      { id: 'unused', reason: 'never matches', match: { eventName: ['Nothing'] } },
    ],
  },
  { mode: 'cli', today: TODAY },
).config as RulesConfig;

const subject = (severity: Severity, overrides: Partial<RuleSubject> = {}): RuleSubject => ({
  principalArn: 'arn:aws:sts::111122223333:assumed-role/cfn-exec/s',
  eventName: 'CreateRole',
  eventSource: 'iam.amazonaws.com',
  account: '111122223333',
  via: 'cloudformation',
  category: 'identity',
  severity,
  isGuardRail: false,
  ...overrides,
});

describe('createRulesReplayTally', () => {
  it('reports per rule what it hid, the highest severity, what an earlier rule took and what stayed visible', () => {
    const tally = createRulesReplayTally(config);
    const alerts = [
      subject('low'),
      subject('medium'),
      subject('high'),
      subject('critical'),
      subject('low', { isGuardRail: true }),
      subject('info', { eventName: 'DeleteRole', via: 'console' }),
    ];
    for (const s of alerts) tally.add(decideSuppression(s, config, TODAY), s.severity);
    const report = tally.report();
    expect(report).toEqual({
      alerts: 6,
      suppressed: 3,
      rules: [
        {
          ruleId: 'cfn',
          hidden: 2,
          highestHidden: 'medium',
          shadowed: 0,
          kept: { 'kept-guard-rail': 1, 'kept-critical': 1, 'kept-severity': 1, 'kept-expired': 0 },
        },
        {
          ruleId: 'roles',
          hidden: 1,
          highestHidden: 'high',
          shadowed: 2,
          kept: { 'kept-guard-rail': 1, 'kept-critical': 1, 'kept-severity': 0, 'kept-expired': 0 },
        },
        {
          ruleId: 'unused',
          hidden: 0,
          highestHidden: null,
          shadowed: 0,
          kept: { 'kept-guard-rail': 0, 'kept-critical': 0, 'kept-severity': 0, 'kept-expired': 0 },
        },
      ],
    });
    expect(formatRulesReplayReport(report)).toEqual([
      'suppress rules: 3 of 6 alerts would be hidden',
      '  cfn: hides 2 (highest medium); 3 more matched but stay visible: 1 guard rail, 1 critical, 1 above maxSeverity',
      '  roles: hides 1 (highest high); 2 more already hidden by an earlier rule; 2 more matched but stay visible: 1 guard rail, 1 critical',
      '  unused: hides 0',
    ]);
  });

  it('words one alert and one kept match in the singular', () => {
    const report = {
      alerts: 1,
      suppressed: 0,
      rules: [
        {
          ruleId: 'cfn',
          hidden: 0,
          highestHidden: null,
          shadowed: 0,
          kept: { 'kept-guard-rail': 1, 'kept-critical': 0, 'kept-severity': 0, 'kept-expired': 0 },
        },
      ],
    };
    expect(formatRulesReplayReport(report)).toEqual([
      'suppress rules: 0 of 1 alert would be hidden',
      '  cfn: hides 0; 1 more matched but stays visible: 1 guard rail',
    ]);
  });

  it('ignores decisions naming a rule that is not in its rules', () => {
    const tally = createRulesReplayTally(config);
    tally.add(
      { suppressedBy: 'gone', reason: 'r', matches: [{ ruleId: 'gone', outcome: 'suppressed' }] },
      'low',
    );
    const report = tally.report();
    expect([report.alerts, report.suppressed]).toEqual([1, 1]);
    expect(report.rules.map((line) => line.hidden)).toEqual([0, 0, 0]);
  });

  it('returns a report the tally does not change afterwards', () => {
    const tally = createRulesReplayTally(config);
    const first = tally.report();
    tally.add(decideSuppression(subject('low'), config, TODAY), 'low');
    expect(first.rules[0]?.hidden).toBe(0);
    expect(tally.report().rules[0]?.hidden).toBe(1);
  });
});
