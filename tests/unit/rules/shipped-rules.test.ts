// The alerts.yml the repository ships, and the rules engine on the whole CloudTrail corpus.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createAlert } from '../../../shared/domain/alert.js';
import { parseIamEvent } from '../../../shared/domain/cloudtrail.js';
import { loadRulesYaml } from '../../../shared/domain/rules/load-yaml.js';
import { decideSuppression, matchRoutes } from '../../../shared/domain/rules/match.js';
import type { RulesConfig } from '../../../shared/domain/rules/model.js';
import { createRulesReplayTally } from '../../../shared/domain/rules/replay-report.js';
import { validateRules } from '../../../shared/domain/rules/schema.js';
import { ruleSubjectOf } from '../../../shared/domain/rules/subject.js';
import { type Alert, severityRank } from '../../../shared/domain/types.js';
import { FIXTURES_DIR, loadCorpus } from '../../helpers/fixtures.js';

const TODAY = '2026-11-30';
const SHIPPED = readFileSync(join(FIXTURES_DIR, '..', '..', 'alerts.yml'), 'utf8');

let corpusAlerts: Alert[] = [];

beforeAll(async () => {
  corpusAlerts = await Promise.all(loadCorpus().map((entry) => createAlert(parseIamEvent(entry.record))));
});

describe('the shipped alerts.yml', () => {
  const loaded = loadRulesYaml(SHIPPED, { fileName: 'alerts.yml', mode: 'package', today: TODAY });

  it('validates at package time, with no warning', () => {
    expect(loaded.errors).toEqual([]);
    expect(loaded.warnings).toEqual([]);
    expect(loaded.config).toEqual({
      suppress: [],
      routes: [],
      grouping: { windowSeconds: 300, maxSeverity: 'medium' },
    });
  });

  it('hides nothing and sends everything to the default route, on every alert of the corpus', () => {
    const config = loaded.config as RulesConfig;
    expect(corpusAlerts.length).toBeGreaterThan(3000);
    for (const alert of corpusAlerts) {
      const subject = ruleSubjectOf(alert);
      expect(decideSuppression(subject, config, TODAY)).toEqual({
        suppressedBy: null,
        reason: null,
        matches: [],
      });
      expect(matchRoutes(subject, config)).toEqual(['default']);
    }
  });

  it('carries a commented example that validates once uncommented (the documentation cannot rot)', () => {
    const uncommented = SHIPPED.replace('suppress: []', 'suppress:')
      .replace('routes: []', 'routes:')
      .replace(/^# {2}( *- | {2})/gm, '  $1');
    const example = loadRulesYaml(uncommented, { fileName: 'alerts.yml', mode: 'package', today: TODAY });
    expect(example.errors).toEqual([]);
    expect(example.config?.suppress.map((rule) => rule.id)).toEqual(['cfn-deployments']);
    expect(example.config?.routes.map((route) => route.name)).toEqual(['prod']);
  });
});

describe('docs/rules.md', () => {
  const doc = readFileSync(join(FIXTURES_DIR, '..', '..', 'docs', 'rules.md'), 'utf8');
  const blocks = [...doc.matchAll(/```yaml\n([\s\S]*?)```/g)].map((found) => found[1] ?? '');

  it('shows only examples that validate', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(4);
    for (const block of blocks) {
      expect(loadRulesYaml(block, { fileName: 'rules.md', mode: 'package', today: TODAY }).errors).toEqual(
        [],
      );
    }
  });
});

describe('suppression on the corpus', () => {
  const config = validateRules(
    {
      suppress: [
        {
          id: 'reads',
          reason: 'reads are noise here',
          match: { eventName: ['Get*', 'List*'], maxSeverity: 'medium' },
        },
        { id: 'anything-in-iam', reason: 'test', match: { eventSource: ['iam.amazonaws.com'] } },
      ],
    },
    { mode: 'package', today: TODAY },
  ).config as RulesConfig;

  it('hides and reports per rule exactly what an independent count finds', () => {
    const tally = createRulesReplayTally(config);
    for (const alert of corpusAlerts)
      tally.add(decideSuppression(ruleSubjectOf(alert), config, TODAY), alert.severity);
    const report = tally.report();

    // Independent count, straight from the alerts: the guarantees and each rule's keys spelled out again.
    const guardRail = (a: Alert) =>
      a.reasons.some((r) => r.code === 'guard-rail' || r.code === 'guard-rail-attempt');
    const isRead = (a: Alert) => /^(Get|List)/.test(a.eventName);
    const isIam = (a: Alert) => a.eventSource === 'iam.amazonaws.com';
    const atMost = (a: Alert, max: 'medium' | 'high') => severityRank(a.severity) <= severityRank(max);
    const hiddenByReads = corpusAlerts.filter((a) => isRead(a) && !guardRail(a) && atMost(a, 'medium'));
    const hiddenByIam = corpusAlerts.filter(
      (a) => isIam(a) && !guardRail(a) && atMost(a, 'high') && !hiddenByReads.includes(a),
    );
    const shadowed = hiddenByReads.filter((a) => isIam(a) && atMost(a, 'high'));
    const readsKeptSeverity = corpusAlerts.filter((a) => isRead(a) && !guardRail(a) && !atMost(a, 'medium'));
    const iamCritical = corpusAlerts.filter((a) => isIam(a) && !guardRail(a) && a.severity === 'critical');

    expect(hiddenByReads.length).toBeGreaterThan(0);
    expect(hiddenByIam.length).toBeGreaterThan(0);
    expect(report.alerts).toBe(corpusAlerts.length);
    expect(report.suppressed).toBe(hiddenByReads.length + hiddenByIam.length);
    const [reads, iam] = report.rules;
    expect(reads).toMatchObject({ ruleId: 'reads', hidden: hiddenByReads.length, shadowed: 0 });
    expect(reads?.kept['kept-severity']).toBe(readsKeptSeverity.length);
    expect(iam).toMatchObject({
      ruleId: 'anything-in-iam',
      hidden: hiddenByIam.length,
      shadowed: shadowed.length,
    });
    expect(iam?.kept['kept-critical']).toBe(iamCritical.length);
    const highest = (alerts: Alert[]) =>
      alerts.reduce(
        (top, a) => (severityRank(a.severity) > severityRank(top) ? a.severity : top),
        'info' as Alert['severity'],
      );
    expect(reads?.highestHidden).toBe(highest(hiddenByReads));
    expect(iam?.highestHidden).toBe(highest(hiddenByIam));
  });

  it('leaves every guard-rail and critical alert of the corpus visible', () => {
    const protectedAlerts = corpusAlerts.filter(
      (a) => a.severity === 'critical' || a.reasons.some((r) => r.code.startsWith('guard-rail')),
    );
    expect(protectedAlerts.length).toBeGreaterThan(0);
    for (const alert of protectedAlerts) {
      expect(decideSuppression(ruleSubjectOf(alert), config, TODAY).suppressedBy).toBeNull();
    }
  });
});
