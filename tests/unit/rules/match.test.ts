import fc from 'fast-check';
import {
  applySuppressRule,
  decideSuppression,
  groupKeyOf,
  matchesSelectors,
  matchRoutes,
  type RuleSubject,
} from '../../../shared/domain/rules/match.js';
import type { RulesConfig, SuppressRule } from '../../../shared/domain/rules/model.js';
import { validateRules } from '../../../shared/domain/rules/schema.js';
import { severityRank } from '../../../shared/domain/types.js';
import { rulesArb, subjectArb } from './arbitraries.js';

const TODAY = '2026-11-30';

/** A CloudFormation session creating a role in the pipeline account (medium). */
const subject = (overrides: Partial<RuleSubject> = {}): RuleSubject => ({
  principalArn: 'arn:aws:sts::111122223333:assumed-role/cfn-exec-prod/AWSCloudFormation',
  sessionRoleArn: 'arn:aws:iam::111122223333:role/cfn-exec-prod',
  eventName: 'CreateRole',
  eventSource: 'iam.amazonaws.com',
  account: '111122223333',
  via: 'cloudformation',
  category: 'identity',
  severity: 'medium',
  isGuardRail: false,
  ...overrides,
});

/** Rules through the real validator, so tests use only what a file can say. */
const rules = (value: unknown): RulesConfig => {
  const { config, problems } = validateRules(value, { mode: 'cli', today: TODAY });
  if (!config) throw new Error(JSON.stringify(problems));
  return config;
};

const rule = (match: Record<string, unknown>, extra: Record<string, unknown> = {}): SuppressRule => {
  const first = rules({ suppress: [{ id: 'r', reason: 'expected', match, ...extra }] }).suppress[0];
  if (!first) throw new Error('no rule');
  return first;
};

describe('matchesSelectors', () => {
  it.each([
    [{ principal: ['arn:aws:iam::*:role/cfn-exec-*'] }, {}, true],
    [{ principal: ['arn:aws:sts::*:assumed-role/cfn-exec-*/*'] }, {}, true],
    [{ principal: ['arn:aws:iam::*:role/cfn-exec-*'] }, { sessionRoleArn: undefined }, false],
    [{ principal: ['arn:aws:iam::*:role/deploy'] }, {}, false],
    [{ principal: ['*'] }, { principalArn: undefined, sessionRoleArn: undefined }, false],
    [{ eventName: ['CreateRole', 'Attach*'] }, {}, true],
    [{ eventName: ['CreateRole', 'Attach*'] }, { eventName: 'AttachRolePolicy' }, true],
    [{ eventName: ['CreateRole', 'Attach*'] }, { eventName: 'DetachRolePolicy' }, false],
    [{ eventName: ['createrole'] }, {}, false],
    [{ eventSource: ['iam.amazonaws.com'] }, {}, true],
    [{ eventSource: ['sts.amazonaws.com'] }, {}, false],
    [{ account: ['111122223333'] }, {}, true],
    [{ account: ['1111222233??'] }, {}, true],
    [{ account: ['444455556666'] }, {}, false],
    [{ account: ['*'] }, { account: undefined }, false],
    [{ via: ['cloudformation', 'terraform'] }, {}, true],
    [{ via: ['console'] }, {}, false],
    [{ category: ['identity', 'permissions'] }, {}, true],
    [{ category: ['credentials'] }, {}, false],
  ])('%j on %j is %s', (selectors, overrides, expected) => {
    expect(matchesSelectors(selectors as never, subject(overrides as Partial<RuleSubject>))).toBe(expected);
  });

  it('needs every key given to match', () => {
    const both = { eventName: ['CreateRole'], account: ['444455556666'] };
    expect(matchesSelectors({ eventName: ['CreateRole'] }, subject())).toBe(true);
    expect(matchesSelectors(both, subject())).toBe(false);
    expect(matchesSelectors(both, subject({ account: '444455556666' }))).toBe(true);
  });

  it('is the conjunction of its keys taken one at a time', () => {
    fc.assert(
      fc.property(rulesArb, subjectArb, (config, s) => {
        for (const { match } of config.suppress) {
          const keys = (
            ['principal', 'eventName', 'eventSource', 'account', 'via', 'category'] as const
          ).filter((key) => match[key] !== undefined);
          const oneByOne = keys.every((key) => matchesSelectors({ [key]: match[key] }, s));
          expect(matchesSelectors(match, s)).toBe(oneByOne);
        }
      }),
    );
  });
});

describe('applySuppressRule', () => {
  it('hides what matches, up to maxSeverity (default high)', () => {
    const r = rule({ eventName: ['CreateRole'] });
    expect(applySuppressRule(r, subject(), TODAY)).toBe('suppressed');
    expect(applySuppressRule(r, subject({ severity: 'high' }), TODAY)).toBe('suppressed');
    expect(applySuppressRule(r, subject({ eventName: 'DeleteRole' }), TODAY)).toBeUndefined();
    const low = rule({ eventName: ['CreateRole'], maxSeverity: 'low' });
    expect(applySuppressRule(low, subject({ severity: 'medium' }), TODAY)).toBe('kept-severity');
    expect(applySuppressRule(low, subject({ severity: 'info' }), TODAY)).toBe('suppressed');
  });

  it('never hides a critical alert without includeCritical', () => {
    expect(
      applySuppressRule(rule({ eventName: ['CreateRole'] }), subject({ severity: 'critical' }), TODAY),
    ).toBe('kept-critical');
  });

  it('hides a critical alert when the rule says includeCritical and maxSeverity critical', () => {
    const r = rule({ eventName: ['CreateRole'], maxSeverity: 'critical' }, { includeCritical: true });
    expect(applySuppressRule(r, subject({ severity: 'critical' }), TODAY)).toBe('suppressed');
  });

  it('never hides a guard-rail alert, not even with includeCritical', () => {
    const r = rule({ eventName: ['*'], maxSeverity: 'critical' }, { includeCritical: true });
    for (const severity of ['low', 'high', 'critical'] as const) {
      expect(applySuppressRule(r, subject({ severity, isGuardRail: true }), TODAY)).toBe('kept-guard-rail');
    }
  });

  it('hides nothing after its expiry date, and still hides on that date', () => {
    const r = rule({ eventName: ['CreateRole'] }, { expires: TODAY });
    expect(applySuppressRule(r, subject(), TODAY)).toBe('suppressed');
    expect(applySuppressRule(r, subject(), '2026-12-01')).toBe('kept-expired');
  });
});

describe('decideSuppression', () => {
  const config = rules({
    suppress: [
      { id: 'cfn', reason: 'pipeline deploys roles', match: { via: ['cloudformation'], maxSeverity: 'low' } },
      { id: 'create-role', reason: 'roles are created all day', match: { eventName: ['CreateRole'] } },
      { id: 'any-iam', reason: 'everything in IAM', match: { eventSource: ['iam.amazonaws.com'] } },
    ],
  });

  it('names the first rule that hides the alert, with its reason, and every rule that matched', () => {
    expect(decideSuppression(subject(), config, TODAY)).toEqual({
      suppressedBy: 'create-role',
      reason: 'roles are created all day',
      matches: [
        { ruleId: 'cfn', outcome: 'kept-severity' },
        { ruleId: 'create-role', outcome: 'suppressed' },
        { ruleId: 'any-iam', outcome: 'suppressed' },
      ],
    });
  });

  it('delivers what no rule matches', () => {
    expect(
      decideSuppression(
        subject({ eventSource: 'sts.amazonaws.com', eventName: 'X', via: 'cli' }),
        config,
        TODAY,
      ),
    ).toEqual({ suppressedBy: null, reason: null, matches: [] });
  });

  it('never hides a guard-rail alert, nor a critical one unless the hiding rule includes critical', () => {
    fc.assert(
      fc.property(rulesArb, subjectArb, (config, s) => {
        const decision = decideSuppression(s, config, TODAY);
        if (decision.suppressedBy === null) return;
        const hiding = config.suppress.find((r) => r.id === decision.suppressedBy);
        expect(s.isGuardRail).toBe(false);
        expect(hiding).toBeDefined();
        if (s.severity === 'critical') expect(hiding?.includeCritical).toBe(true);
        expect(severityRank(s.severity)).toBeLessThanOrEqual(
          severityRank(hiding?.match.maxSeverity ?? 'info'),
        );
        expect(hiding?.expires === undefined || hiding.expires >= TODAY).toBe(true);
        expect(hiding && matchesSelectors(hiding.match, s)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('hides an alert whenever a live rule matches it and no guarantee protects it', () => {
    fc.assert(
      fc.property(rulesArb, subjectArb, (config, s) => {
        const canHide = config.suppress.some(
          (r) =>
            matchesSelectors(r.match, s) &&
            !s.isGuardRail &&
            (r.expires === undefined || r.expires >= TODAY) &&
            severityRank(s.severity) <= severityRank(r.match.maxSeverity) &&
            (s.severity !== 'critical' || r.includeCritical),
        );
        expect(decideSuppression(s, config, TODAY).suppressedBy !== null).toBe(canHide);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('matchRoutes', () => {
  const config = rules({
    routes: [
      {
        name: 'prod',
        match: { account: ['111122223333'], minSeverity: 'high', category: ['permissions'] },
        slack: '/iam-alerts/slack/prod',
      },
      { name: 'payments-ou', match: { organizationalUnit: ['ou-ab12-34cd56ef'] }, jira: { project: 'PAY' } },
      { name: 'quiet', match: { maxSeverity: 'low' }, email: ['audit@example.com'] },
    ],
  });

  it('sends what no route matches to the default route', () => {
    expect(matchRoutes(subject({ category: 'permissions' }), config)).toEqual(['default']);
    expect(matchRoutes(subject(), rules({}))).toEqual(['default']);
  });

  it('lists every route that matches, in file order', () => {
    const s = subject({
      category: 'permissions',
      severity: 'critical',
      organizationalUnits: ['ou-ab12-34cd56ef'],
    });
    expect(matchRoutes(s, config)).toEqual(['prod', 'payments-ou']);
    expect(matchRoutes(subject({ severity: 'low' }), config)).toEqual(['quiet']);
  });

  it('matches an organizational unit only when the account is known to be under it', () => {
    expect(matchRoutes(subject({ organizationalUnits: ['ou-ab12-34cd56ef'] }), config)).toEqual([
      'payments-ou',
    ]);
    expect(matchRoutes(subject({ organizationalUnits: ['r-ab12'] }), config)).toEqual(['default']);
    expect(matchRoutes(subject(), config)).toEqual(['default']);
  });

  it('also sends a guard-rail alert to the default route', () => {
    const s = subject({ category: 'permissions', severity: 'critical', isGuardRail: true });
    expect(matchRoutes(s, config)).toEqual(['default', 'prod']);
  });
});

describe('groupKeyOf', () => {
  const grouping = { windowSeconds: 300, maxSeverity: 'medium' } as const;

  it('groups alerts below high by changed account and caller session', () => {
    expect(groupKeyOf(subject(), grouping)).toBe(
      '111122223333 arn:aws:sts::111122223333:assumed-role/cfn-exec-prod/AWSCloudFormation',
    );
    expect(groupKeyOf(subject({ severity: 'info', eventName: 'AttachRolePolicy' }), grouping)).toBe(
      groupKeyOf(subject(), grouping),
    );
    expect(
      groupKeyOf(
        subject({ principalArn: 'arn:aws:sts::111122223333:assumed-role/cfn-exec-prod/other' }),
        grouping,
      ),
    ).not.toBe(groupKeyOf(subject(), grouping));
  });

  it.each([
    ['high', { severity: 'high' }, grouping],
    ['critical', { severity: 'critical' }, grouping],
    ['above grouping.maxSeverity', { severity: 'medium' }, { windowSeconds: 300, maxSeverity: 'low' }],
    ['a guard rail', { severity: 'low', isGuardRail: true }, grouping],
    ['no caller ARN', { principalArn: undefined }, grouping],
    ['grouping off', {}, { windowSeconds: 0, maxSeverity: 'medium' }],
  ] as const)('delivers at once: %s', (_, overrides, settings) => {
    expect(groupKeyOf(subject(overrides), settings)).toBeNull();
  });

  it('never delays high, critical or guard-rail alerts, whatever the settings', () => {
    fc.assert(
      fc.property(rulesArb, subjectArb, (config, s) => {
        const key = groupKeyOf(s, config.grouping);
        if (key === null) return;
        expect(severityRank(s.severity)).toBeLessThan(severityRank('high'));
        expect(severityRank(s.severity)).toBeLessThanOrEqual(severityRank(config.grouping.maxSeverity));
        expect(s.isGuardRail).toBe(false);
        expect(config.grouping.windowSeconds).toBeGreaterThan(0);
      }),
    );
  });
});
