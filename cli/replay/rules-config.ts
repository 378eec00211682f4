// `--config alerts.yml` in replay and render: what the suppress rules, routes and grouping of the rules file do to
// one alert, and the per-rule tally merged across worker threads.
import { decideSuppression, groupKeyOf, matchRoutes } from '../../shared/domain/rules/match.js';
import type { RulesConfig } from '../../shared/domain/rules/model.js';
import type { RulesReplayReport } from '../../shared/domain/rules/replay-report.js';
import { ruleSubjectOf } from '../../shared/domain/rules/subject.js';
import { type Alert, maxSeverity } from '../../shared/domain/types.js';

/** A validated rules file and the UTC day (`YYYY-MM-DD`) its expiry dates are read against. */
export interface ReplayRules {
  config: RulesConfig;
  today: string;
}

/** What the rules file does to one alert: the `--jsonl` fields, and the decision the tally counts. */
export interface RulesOutcome {
  /** The suppress rule that hides the alert, or `null`. */
  suppressedBy: string | null;
  /** The burst the alert joins (`account caller-arn`), or `null` when it is delivered on its own. */
  group: string | null;
  /** The routes it takes, in file order (`default` when none matches). */
  routes: string[];
  decision: ReturnType<typeof decideSuppression>;
}

/**
 * Applies the rules file to an alert as the notifier and forwarder will: `decideSuppression`, `groupKeyOf` and
 * `matchRoutes` on `ruleSubjectOf(alert)`. Organizational units are not known offline: a route that names one
 * matches nothing here.
 */
export const applyRules = (alert: Alert, rules: ReplayRules): RulesOutcome => {
  const subject = ruleSubjectOf(alert);
  const decision = decideSuppression(subject, rules.config, rules.today);
  return {
    suppressedBy: decision.suppressedBy,
    group: groupKeyOf(subject, rules.config.grouping),
    routes: matchRoutes(subject, rules.config),
    decision,
  };
};

/**
 * Two reports of the same rules file added up, as if their alerts had been tallied by one tally: counts add, the
 * highest hidden severity is the higher. Rules are matched by position (both come from the same file).
 */
export const mergeRulesReports = (a: RulesReplayReport, b: RulesReplayReport): RulesReplayReport => ({
  alerts: a.alerts + b.alerts,
  suppressed: a.suppressed + b.suppressed,
  rules: a.rules.map((line, i) => {
    const other = b.rules[i];
    if (!other || other.ruleId !== line.ruleId) throw new Error('rules reports of different rules files');
    const highest =
      line.highestHidden && other.highestHidden
        ? maxSeverity(line.highestHidden, other.highestHidden)
        : (line.highestHidden ?? other.highestHidden);
    return {
      ruleId: line.ruleId,
      hidden: line.hidden + other.hidden,
      highestHidden: highest,
      shadowed: line.shadowed + other.shadowed,
      kept: {
        'kept-guard-rail': line.kept['kept-guard-rail'] + other.kept['kept-guard-rail'],
        'kept-critical': line.kept['kept-critical'] + other.kept['kept-critical'],
        'kept-severity': line.kept['kept-severity'] + other.kept['kept-severity'],
        'kept-expired': line.kept['kept-expired'] + other.kept['kept-expired'],
      },
    };
  }),
});
