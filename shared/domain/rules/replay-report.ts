// What each suppress rule would have done to a history of alerts: the report of `iam-alerts replay --config`.
import { maxSeverity, type Severity } from '../types.js';
import type { RuleOutcome, SuppressionDecision } from './match.js';
import type { RulesConfig } from './model.js';

/** Why a rule whose selectors matched did not hide an alert. */
export type KeptOutcome = Exclude<RuleOutcome, 'suppressed'>;

/** One rule's line in the replay report. */
export interface RuleReplayStats {
  ruleId: string;
  /** Alerts this rule hid (it was the first rule to hide them). */
  hidden: number;
  /** The highest severity among them, `null` when it hid nothing. */
  highestHidden: Severity | null;
  /** Alerts it would have hidden, but an earlier rule in the file already did. */
  shadowed: number;
  /** Alerts its selectors matched but it could not hide, by why. */
  kept: Record<KeptOutcome, number>;
}

/** The replay report: totals and one line per rule, in file order (rules that matched nothing included). */
export interface RulesReplayReport {
  alerts: number;
  suppressed: number;
  rules: RuleReplayStats[];
}

/** An accumulator fed one decision at a time, so a streaming replay never holds the alerts. */
export interface RulesReplayTally {
  add(decision: SuppressionDecision, severity: Severity): void;
  report(): RulesReplayReport;
}

const noKept = (): Record<KeptOutcome, number> => ({
  'kept-guard-rail': 0,
  'kept-critical': 0,
  'kept-severity': 0,
  'kept-expired': 0,
});

/** A tally with one line per rule of `rules`; decisions must come from `decideSuppression` with the same rules. */
export const createRulesReplayTally = (rules: RulesConfig): RulesReplayTally => {
  const stats = new Map<string, RuleReplayStats>(
    rules.suppress.map((rule) => [
      rule.id,
      { ruleId: rule.id, hidden: 0, highestHidden: null, shadowed: 0, kept: noKept() },
    ]),
  );
  let alerts = 0;
  let suppressed = 0;
  return {
    add(decision, severity) {
      alerts += 1;
      if (decision.suppressedBy !== null) suppressed += 1;
      for (const match of decision.matches) {
        const line = stats.get(match.ruleId);
        if (!line) continue;
        if (match.outcome !== 'suppressed') line.kept[match.outcome] += 1;
        else if (match.ruleId !== decision.suppressedBy) line.shadowed += 1;
        else {
          line.hidden += 1;
          line.highestHidden = line.highestHidden ? maxSeverity(line.highestHidden, severity) : severity;
        }
      }
    },
    report: () => ({
      alerts,
      suppressed,
      rules: [...stats.values()].map((line) => ({ ...line, kept: { ...line.kept } })),
    }),
  };
};

const KEPT_WORDS: Record<KeptOutcome, string> = {
  'kept-guard-rail': 'guard rail',
  'kept-critical': 'critical',
  'kept-severity': 'above maxSeverity',
  'kept-expired': 'rule expired',
};

/**
 * The report as text lines, one per rule:
 * `cfn-deployments: hides 290 (highest medium); 4 more matched but stay visible: 3 above maxSeverity, 1 guard rail`.
 */
export const formatRulesReplayReport = (report: RulesReplayReport): string[] => [
  `suppress rules: ${report.suppressed} of ${report.alerts} ${report.alerts === 1 ? 'alert' : 'alerts'} would be hidden`,
  ...report.rules.map((line) => {
    const hides = `  ${line.ruleId}: hides ${line.hidden}${line.highestHidden ? ` (highest ${line.highestHidden})` : ''}`;
    const shadowed = line.shadowed > 0 ? `; ${line.shadowed} more already hidden by an earlier rule` : '';
    const kept = (Object.entries(line.kept) as [KeptOutcome, number][]).filter(([, count]) => count > 0);
    const keptTotal = kept.reduce((sum, [, count]) => sum + count, 0);
    const keptText =
      keptTotal > 0
        ? `; ${keptTotal} more matched but ${keptTotal === 1 ? 'stays' : 'stay'} visible: ${kept.map(([why, count]) => `${count} ${KEPT_WORDS[why]}`).join(', ')}`
        : '';
    return `${hides}${shadowed}${keptText}`;
  }),
];
