// Aggregates a replay into what a person reads at a glance: counts, top principals, alerts per day.
// Memory is bounded by the number of distinct keys (event names, principals, days), not by records.
import type { RulesConfig } from '../../shared/domain/rules/model.js';
import {
  createRulesReplayTally,
  formatRulesReplayReport,
  type RulesReplayReport,
  type RulesReplayTally,
} from '../../shared/domain/rules/replay-report.js';
import type { Alert, Severity } from '../../shared/domain/types.js';
import { SEVERITIES, severityRank } from '../../shared/domain/types.js';
import type { InputLocation } from '../input/read-inputs.js';
import { mergeRulesReports, type RulesOutcome } from './rules-config.js';

/** A record or file the replay could not use, with where it was. */
export interface ReplayProblem extends InputLocation {
  message: string;
}

/** Problems of one kind in one input, with the first places they occurred. */
export interface ReplayProblemGroup {
  source: string;
  message: string;
  count: number;
  /** Where in the input the first few occurred: `line 12`, `Records[3]` (empty for a whole file). */
  at: string[];
}

/** One principal's alerts. */
export interface PrincipalCount {
  principal: string;
  type: string;
  count: number;
  highest: Severity;
}

/** The result of a replay, as `--format json` prints it. */
export interface ReplaySummary {
  preset: string;
  /** The deployed rules evaluated, in deployment order (`preset`, `guard-rails`, `identity`, …). */
  rules: string[];
  files: number;
  /** Records read (whatever their service). */
  records: number;
  /** Records the rule would have delivered and the notifier turned into alerts. */
  alerts: number;
  /** Read-only records that matched but that a rule in state `ENABLED` never receives. */
  readOnlyNotDelivered: number;
  period?: { first: string; last: string; days: number; activeDays: number };
  /**
   * `average` over every calendar day of the period; `activeDayAverage` over the `alertDays` days that had alerts
   * (alerts without an `eventTime` count in neither).
   */
  alertsPerDay: {
    average: number;
    activeDayAverage: number;
    alertDays: number;
    busiestDay?: string;
    busiestCount: number;
  };
  bySeverity: Record<Severity, number>;
  byCategory: Record<string, number>;
  byEventName: Record<string, number>;
  byDay: Record<string, number>;
  topPrincipals: PrincipalCount[];
  principals: number;
  problems: { count: number; groups: ReplayProblemGroup[] };
  /** With `--config`: what each suppress rule would hide (`formatRulesReplayReport`), and alerts per route. */
  suppression?: RulesReplayReport;
  byRoute?: Record<string, number>;
}

/** At most this many problem groups (and locations per group) are kept; the count covers them all. */
const MAX_PROBLEM_GROUPS = 100;
const MAX_LOCATIONS_PER_GROUP = 5;
const TOP_PRINCIPALS = 10;

/** A problem's position inside its input, for grouped reports. */
const positionOf = (location: InputLocation): string =>
  [
    location.line !== undefined ? `line ${location.line}` : '',
    location.index !== undefined ? `Records[${location.index}]` : '',
  ]
    .filter(Boolean)
    .join(' ');

// One decimal, two below 1: a sparse history still shows a non-zero rate.
const round = (n: number): number => (n >= 1 ? Math.round(n * 10) / 10 : Math.round(n * 100) / 100);

const increment = (map: Map<string, number>, key: string): void => {
  map.set(key, (map.get(key) ?? 0) + 1);
};

const sortedEntries = (map: Map<string, number>): Record<string, number> =>
  Object.fromEntries([...map].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])));

/** The principal key of an alert: its ARN when CloudTrail gives one, else type and name. */
const principalKey = (alert: Alert): string =>
  alert.principal.arn ?? `${alert.principal.type}:${alert.principal.name}`;

/** An aggregator's counts as plain data, to cross a worker boundary (`ReplayAggregator.toState` / `merge`). */
export interface ReplayState {
  files: number;
  records: number;
  alerts: number;
  readOnlyNotDelivered: number;
  first?: string;
  last?: string;
  severity: Array<[string, number]>;
  category: Array<[string, number]>;
  eventName: Array<[string, number]>;
  day: Array<[string, number]>;
  principal: PrincipalCount[];
  recordDays: string[];
  problemCount: number;
  problems: ReplayProblemGroup[];
  suppression?: RulesReplayReport;
  route?: Array<[string, number]>;
}

const addCounts = (into: Map<string, number>, from: Array<[string, number]>): void => {
  for (const [key, count] of from) into.set(key, (into.get(key) ?? 0) + count);
};

/** Accumulates a replay; `toSummary()` renders the totals. */
export class ReplayAggregator {
  files = 0;
  records = 0;
  alerts = 0;
  readOnlyNotDelivered = 0;
  private first: string | undefined;
  private last: string | undefined;
  private readonly severity = new Map<string, number>();
  private readonly category = new Map<string, number>();
  private readonly eventName = new Map<string, number>();
  private readonly day = new Map<string, number>();
  private readonly principal = new Map<string, PrincipalCount>();
  private readonly recordDays = new Set<string>();
  private problemCount = 0;
  private readonly problems = new Map<string, ReplayProblemGroup>();
  private readonly tally: RulesReplayTally | undefined;
  /** Reports merged from other threads, added to this tally's at the end. */
  private mergedReport: RulesReplayReport | undefined;
  private readonly route = new Map<string, number>();

  /**
   * @param preset the preset deployed
   * @param rules the deployed rules evaluated (names, for the summary)
   * @param config with `--config`: the rules file whose suppress rules are tallied
   */
  constructor(
    private readonly preset: string,
    private readonly rules: readonly string[] = ['preset'],
    config?: RulesConfig,
  ) {
    this.tally = config ? createRulesReplayTally(config) : undefined;
  }

  /** Counts what the rules file did to an alert (`--config`): the suppress rules' tally, and its routes. */
  addRulesOutcome(outcome: RulesOutcome, severity: Severity): void {
    this.tally?.add(outcome.decision, severity);
    if (outcome.suppressedBy === null) for (const route of outcome.routes) increment(this.route, route);
  }

  private suppressionReport(): RulesReplayReport | undefined {
    if (!this.tally) return undefined;
    const own = this.tally.report();
    return this.mergedReport ? mergeRulesReports(own, this.mergedReport) : own;
  }

  /** Counts a record read, widening the period covered by its `eventTime`. */
  addRecord(eventTime: unknown): void {
    this.records++;
    // ISO-8601 UTC strings order lexically, so no Date parsing per record.
    if (typeof eventTime === 'string' && eventTime.length >= 10) {
      if (this.first === undefined || eventTime < this.first) this.first = eventTime;
      if (this.last === undefined || eventTime > this.last) this.last = eventTime;
      this.recordDays.add(eventTime.slice(0, 10));
    }
  }

  /** Counts an alert the deployed rule and notifier would have sent. */
  addAlert(alert: Alert): void {
    this.alerts++;
    increment(this.severity, alert.severity);
    increment(this.category, alert.category);
    increment(this.eventName, alert.eventName);
    increment(this.day, alert.eventTime?.slice(0, 10) ?? 'unknown');
    const key = principalKey(alert);
    const entry = this.principal.get(key);
    if (entry) {
      entry.count++;
      if (severityRank(alert.severity) > severityRank(entry.highest)) entry.highest = alert.severity;
    } else {
      this.principal.set(key, {
        principal: key,
        type: alert.principal.type,
        count: 1,
        highest: alert.severity,
      });
    }
  }

  /** Counts a skipped input, grouped by file and message so a bad file is one line of the report. */
  addProblem(problem: ReplayProblem): void {
    this.problemCount++;
    const key = `${problem.source}\u0000${problem.message}`;
    const group = this.problems.get(key);
    if (group) {
      group.count++;
      if (group.at.length < MAX_LOCATIONS_PER_GROUP) group.at.push(positionOf(problem));
    } else if (this.problems.size < MAX_PROBLEM_GROUPS) {
      this.problems.set(key, {
        source: problem.source,
        message: problem.message,
        count: 1,
        at: [positionOf(problem)],
      });
    }
  }

  /** The counts as plain data (for `merge` in another thread). */
  toState(): ReplayState {
    return {
      files: this.files,
      records: this.records,
      alerts: this.alerts,
      readOnlyNotDelivered: this.readOnlyNotDelivered,
      ...(this.first !== undefined ? { first: this.first } : {}),
      ...(this.last !== undefined ? { last: this.last } : {}),
      severity: [...this.severity],
      category: [...this.category],
      eventName: [...this.eventName],
      day: [...this.day],
      principal: [...this.principal.values()],
      recordDays: [...this.recordDays],
      problemCount: this.problemCount,
      problems: [...this.problems.values()],
      ...(this.tally ? { suppression: this.suppressionReport(), route: [...this.route] } : {}),
    };
  }

  /**
   * Adds another aggregator's counts, as if its inputs had been replayed here next. Merging the states of inputs
   * in input order gives exactly the summary of replaying them one after the other: counts add, the period widens,
   * problem groups keep their order and limits (a group is keyed by its input, so two inputs never share one).
   */
  merge(state: ReplayState): void {
    this.files += state.files;
    this.records += state.records;
    this.alerts += state.alerts;
    this.readOnlyNotDelivered += state.readOnlyNotDelivered;
    if (state.first !== undefined && (this.first === undefined || state.first < this.first))
      this.first = state.first;
    if (state.last !== undefined && (this.last === undefined || state.last > this.last))
      this.last = state.last;
    addCounts(this.severity, state.severity);
    addCounts(this.category, state.category);
    addCounts(this.eventName, state.eventName);
    addCounts(this.day, state.day);
    for (const entry of state.principal) {
      const mine = this.principal.get(entry.principal);
      if (!mine) this.principal.set(entry.principal, { ...entry });
      else {
        mine.count += entry.count;
        if (severityRank(entry.highest) > severityRank(mine.highest)) mine.highest = entry.highest;
      }
    }
    for (const day of state.recordDays) this.recordDays.add(day);
    if (state.suppression)
      this.mergedReport = this.mergedReport
        ? mergeRulesReports(this.mergedReport, state.suppression)
        : state.suppression;
    addCounts(this.route, state.route ?? []);
    this.problemCount += state.problemCount;
    for (const group of state.problems) {
      const key = `${group.source}\u0000${group.message}`;
      const mine = this.problems.get(key);
      if (mine) {
        mine.count += group.count;
        for (const at of group.at) if (mine.at.length < MAX_LOCATIONS_PER_GROUP) mine.at.push(at);
      } else if (this.problems.size < MAX_PROBLEM_GROUPS)
        this.problems.set(key, { ...group, at: [...group.at] });
    }
  }

  get problemTotal(): number {
    return this.problemCount;
  }

  toSummary(): ReplaySummary {
    const period =
      this.first && this.last
        ? {
            first: this.first,
            last: this.last,
            days:
              Math.round(
                (Date.parse(this.last.slice(0, 10)) - Date.parse(this.first.slice(0, 10))) / 86_400_000,
              ) + 1,
            activeDays: this.recordDays.size,
          }
        : undefined;
    const days = [...this.day].filter(([day]) => day !== 'unknown');
    const datedAlerts = days.reduce((sum, [, count]) => sum + count, 0);
    const busiest = days.sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0];
    const bySeverity = Object.fromEntries(
      [...SEVERITIES].reverse().map((s) => [s, this.severity.get(s) ?? 0]),
    ) as Record<Severity, number>;
    const suppression = this.suppressionReport();
    return {
      preset: this.preset,
      rules: [...this.rules],
      files: this.files,
      records: this.records,
      alerts: this.alerts,
      readOnlyNotDelivered: this.readOnlyNotDelivered,
      ...(period ? { period } : {}),
      alertsPerDay: {
        average: period && Number.isFinite(period.days) ? round(this.alerts / period.days) : 0,
        activeDayAverage: days.length > 0 ? round(datedAlerts / days.length) : 0,
        alertDays: days.length,
        ...(busiest ? { busiestDay: busiest[0] } : {}),
        busiestCount: busiest?.[1] ?? 0,
      },
      bySeverity,
      byCategory: sortedEntries(this.category),
      byEventName: sortedEntries(this.eventName),
      byDay: Object.fromEntries([...this.day].sort((a, b) => a[0].localeCompare(b[0]))),
      topPrincipals: [...this.principal.values()]
        .sort((a, b) => b.count - a.count || a.principal.localeCompare(b.principal))
        .slice(0, TOP_PRINCIPALS),
      principals: this.principal.size,
      problems: {
        count: this.problemCount,
        groups: [...this.problems.values()].map((g) => ({ ...g, at: [...g.at] })),
      },
      ...(suppression ? { suppression, byRoute: sortedEntries(this.route) } : {}),
    };
  }
}

const number = (n: number): string => n.toLocaleString('en-US');

/** `1 record`, `2 records`, `1,204 records`: a count and its noun, plural unless the count is exactly one. */
export const counted = (n: number, singular: string, plural = `${singular}s`): string =>
  `${number(n)} ${n === 1 ? singular : plural}`;

const bar = (count: number, max: number, width = 24): string =>
  max === 0 || count === 0 ? '' : '█'.repeat(Math.max(1, Math.round((count / max) * width)));

const table = (title: string, rows: Array<[string, number]>, limit?: number): string[] => {
  if (rows.length === 0) return [];
  const shown = limit ? rows.slice(0, limit) : rows;
  const width = Math.max(...shown.map(([key]) => key.length));
  const max = Math.max(...shown.map(([, count]) => count));
  const countWidth = Math.max(...shown.map(([, count]) => number(count).length));
  const lines = [
    title,
    ...shown.map(
      ([key, count]) => `  ${key.padEnd(width)}  ${number(count).padStart(countWidth)}  ${bar(count, max)}`,
    ),
  ];
  if (limit && rows.length > limit)
    lines.push(`  … ${rows.length - limit} more (--format json lists them all)`);
  return [...lines, ''];
};

/** Where a problem was, as `file:line` or `file#Records[n]`. */
export const formatLocation = (location: InputLocation): string =>
  `${location.source}${location.line !== undefined ? `:${location.line}` : ''}${
    location.index !== undefined ? `#Records[${location.index}]` : ''
  }`;

/**
 * The problems block, for stderr in every output mode (text, `--format json`, `--jsonl`): a headline with the count,
 * then one line per file and kind of problem, with where it first happened.
 */
export const formatProblems = (problems: ReplaySummary['problems']): string[] => {
  const lines = [`Problems: ${counted(problems.count, 'input')} skipped`];
  let listed = 0;
  for (const group of problems.groups) {
    listed += group.count;
    const positions = group.at.filter(Boolean);
    const where = positions.length
      ? ` (${positions.join(', ')}${group.count > positions.length ? ', …' : ''})`
      : '';
    const times = group.count > 1 ? ` ×${number(group.count)}` : '';
    lines.push(`  ${group.source}: ${group.message}${times}${where}`);
  }
  if (problems.count > listed) lines.push(`  … ${number(problems.count - listed)} more`);
  return lines;
};

/** Days listed one by one up to this many; beyond, the busiest are listed. */
const MAX_DAYS_LISTED = 31;

/** How the deployed rules read in the headline: `preset 'writes', the guard rails and the identity rules`. */
const RULE_WORDS: Record<string, string> = {
  'guard-rails': 'the guard rails',
  'delivery-parameters': 'the delivery-parameter guard rail',
  identity: 'the identity rules',
};

const rulesPhrase = (preset: string, rules: readonly string[]): string => {
  const egress = rules.filter((name) => name.startsWith('instance-egress-')).length;
  const words = [
    `preset '${preset}'`,
    ...rules.filter((name) => name in RULE_WORDS).map((name) => RULE_WORDS[name] as string),
    ...(egress > 0 ? [`the egress ${egress === 1 ? 'rule' : `rules (${egress} patterns)`}`] : []),
  ];
  return words.length === 1 ? (words[0] as string) : `${words.slice(0, -1).join(', ')} and ${words.at(-1)}`;
};

/**
 * Renders the summary for stdout: headline first (with the count of inputs skipped, if any), then the tables. The
 * problems are not in it: the command writes {@link formatProblems} to stderr.
 */
export const formatSummaryText = (summary: ReplaySummary): string => {
  const lines: string[] = [];
  const period = summary.period
    ? `, ${summary.period.first.slice(0, 10)} → ${summary.period.last.slice(0, 10)} (${counted(summary.period.days, 'day')})`
    : '';
  lines.push(`Replay with ${rulesPhrase(summary.preset, summary.rules)}`);
  lines.push(`  ${counted(summary.records, 'record')} in ${counted(summary.files, 'file')}${period}`);
  lines.push(
    `  ${counted(summary.alerts, 'would-be alert')} from ${counted(summary.principals, 'principal')}`,
  );
  if (summary.alerts > 0 && summary.period) {
    const busiest = summary.alertsPerDay.busiestDay
      ? `, busiest ${summary.alertsPerDay.busiestDay} with ${number(summary.alertsPerDay.busiestCount)}`
      : '';
    const { average, activeDayAverage, alertDays } = summary.alertsPerDay;
    lines.push(
      `  ${average} ${average === 1 ? 'alert' : 'alerts'} per day over the period, ${activeDayAverage} per day on the ${counted(alertDays, 'day')} with alerts${busiest}`,
    );
  }
  if (summary.readOnlyNotDelivered > 0) {
    lines.push(
      `  ${counted(summary.readOnlyNotDelivered, 'read-only event')} matched the pattern but ${summary.readOnlyNotDelivered === 1 ? 'is' : 'are'} not delivered to a rule in state ENABLED`,
    );
  }
  // The report on stdout says it covers part of the input; the problems themselves are on stderr (formatProblems).
  if (summary.problems.count > 0) {
    lines.push(
      `  ${counted(summary.problems.count, 'input')} skipped (unreadable or malformed: listed on stderr)`,
    );
  }
  if (summary.suppression) {
    lines.push('', ...formatRulesReplayReport(summary.suppression));
    if (summary.byRoute) {
      const routes = Object.entries(summary.byRoute).map(([name, count]) => `${name} ${number(count)}`);
      lines.push(`routes of the alerts not hidden: ${routes.length > 0 ? routes.join(', ') : 'none'}`);
    }
  }
  lines.push('');
  lines.push(...table('By severity', Object.entries(summary.bySeverity)));
  lines.push(...table('By category', Object.entries(summary.byCategory)));
  lines.push(...table('By event name', Object.entries(summary.byEventName), 15));
  lines.push(
    ...table(
      'Top principals (highest severity)',
      summary.topPrincipals.map((p) => [`${p.principal} (${p.highest})`, p.count] as [string, number]),
    ),
  );
  const days = Object.entries(summary.byDay);
  if (days.length > MAX_DAYS_LISTED) {
    const busiest = [...days].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, 10);
    lines.push(...table(`Busiest days (of ${days.length} with alerts)`, busiest));
  } else {
    lines.push(...table('Alerts per day', days));
  }
  return `${lines.join('\n')}\n`;
};
