// The checks of alerts.yml that span fields, look at what a value means, or need today's date. They run on the raw
// input, so they are reported beside the schema's errors rather than after them.
import { SEVERITIES, type Severity, severityRank } from '../types.js';
import { isObject } from '../values.js';
import {
  DEFAULT_ROUTE,
  isIsoDate,
  type RulesPath,
  type RulesProblem,
  SELECTOR_KEYS,
  type ValidateOptions,
} from './model.js';

const quote = (value: unknown): string => `'${String(value)}'`;

const asRecord = (value: unknown): Record<string, unknown> | undefined =>
  isObject(value) ? value : undefined;

const itemsOf = (input: unknown, key: string): Record<string, unknown>[] => {
  const items = asRecord(input)?.[key];
  return Array.isArray(items) ? items.map((item) => asRecord(item) ?? {}) : [];
};

/**
 * Why a `principal` glob can be satisfied by a name the caller picks, or `undefined`. A role session name is chosen
 * by whoever assumes the role (`RoleSessionName`), so a glob that constrains the session name while leaving the
 * role open, or that starts with `*` (and so can match inside the session name), lets any caller opt into the rule.
 * @see https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html (RoleSessionName)
 */
export const describeCallerChosenPrincipal = (glob: string): string | undefined => {
  if (glob.startsWith('*') && glob !== '*') {
    return 'starts with *, so it can match text inside a role session name, which the caller chooses; anchor it with arn:aws:…';
  }
  const session = /^arn:aws[a-z-]*:sts::[^:]*:assumed-role\/([^/]*)\/(.*)$/.exec(glob);
  if (session && /[*?]/.test(session[1] ?? '') && session[2] !== '*') {
    return 'matches on the session name of any role it allows, and whoever assumes a role chooses its session name; name the role, or match its ARN (arn:aws:iam::…:role/…)';
  }
  return undefined;
};

/** A `principal` glob that names nobody in particular: only wildcards (`*`, `?*`). */
const namesNobody = (glob: unknown): boolean => typeof glob === 'string' && /^[*?]+$/.test(glob);

/**
 * Why a suppress rule's `via` can be met by any caller who chooses to, or `undefined`. `via` is read from the user
 * agent, which the caller sets (`aws-cli/2 Terraform/9.9` is `terraform`); unless a `principal` glob names who the
 * caller must be, anyone may send the agent and have the rule hide their change. `account` does not help: any
 * caller in that account can send the agent too.
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html (userAgent)
 */
export const describeCallerChosenVia = (match: Record<string, unknown>): string | undefined => {
  if (!Array.isArray(match.via)) return undefined;
  const principals = Array.isArray(match.principal) ? match.principal : [];
  if (principals.some((glob) => !namesNobody(glob))) return undefined;
  return "is read from the user agent, which the caller sets: with no principal naming who the caller is, anyone can send that agent (e.g. 'aws-cli/2 Terraform/9.9') and have this rule hide the change; add a principal";
};

const ACCEPT_HINT = '; or, if that is intended, set acceptCallerChosen: true and say why in reason';

/**
 * Checks that span fields or need `today`: duplicate ids and route names, a rule that names no selector, critical
 * without includeCritical (and the reverse), expired rules (error in `package` mode, warning in `cli` mode), the
 * reserved route name, a route without destination, an empty severity range, and suppress rules a caller can meet
 * by choice (a caller-chosen principal glob, or `via` without a principal naming the caller): an error in `package`
 * mode and a warning in `cli` mode, unless the rule sets `acceptCallerChosen: true` (which is an error where nothing
 * of the rule is caller-chosen).
 */
export const checkAcrossFields = (input: unknown, options: ValidateOptions): RulesProblem[] => {
  const problems: RulesProblem[] = [];
  const error = (path: RulesPath, message: string) => problems.push({ level: 'error', path, message });
  const firstUse = new Map<string, number>();
  itemsOf(input, 'suppress').forEach((rule, index) => {
    const at = (...rest: (string | number)[]) => ['suppress', index, ...rest];
    if (typeof rule.id === 'string') {
      const first = firstUse.get(rule.id);
      if (first !== undefined) error(at('id'), `${quote(rule.id)} is already the id of suppress[${first}]`);
      else firstUse.set(rule.id, index);
    }
    const match = asRecord(rule.match);
    if (match && !SELECTOR_KEYS.some((key) => match[key] !== undefined)) {
      error(
        at('match'),
        `names none of ${SELECTOR_KEYS.join(', ')}: a rule that matches everything would hide every alert`,
      );
    }
    const accepted = rule.acceptCallerChosen === true;
    const callerChosen: RulesProblem[] = [];
    const callerChosenLevel = options.mode === 'package' ? 'error' : 'warning';
    const principals = Array.isArray(match?.principal) ? match.principal : [];
    principals.forEach((glob, item) => {
      const risk = typeof glob === 'string' ? describeCallerChosenPrincipal(glob) : undefined;
      if (risk)
        callerChosen.push({
          level: callerChosenLevel,
          path: at('match', 'principal', item),
          message: `'${glob}' ${risk}${ACCEPT_HINT}`,
        });
    });
    const viaRisk = match ? describeCallerChosenVia(match) : undefined;
    if (viaRisk)
      callerChosen.push({
        level: callerChosenLevel,
        path: at('match', 'via'),
        message: `${viaRisk}${ACCEPT_HINT}`,
      });
    if (!accepted) problems.push(...callerChosen);
    else if (callerChosen.length === 0)
      error(
        at('acceptCallerChosen'),
        'true has no effect: no selector of this rule can be met by a value the caller chooses',
      );
    if (match?.maxSeverity === 'critical' && rule.includeCritical !== true) {
      error(
        at('match', 'maxSeverity'),
        "'critical' needs includeCritical: true (critical alerts are never hidden otherwise)",
      );
    }
    if (rule.includeCritical === true && match?.maxSeverity !== 'critical') {
      error(at('includeCritical'), 'true has no effect unless match.maxSeverity is critical');
    }
    if (typeof rule.expires === 'string' && isIsoDate(rule.expires) && rule.expires < options.today) {
      problems.push({
        level: options.mode === 'package' ? 'error' : 'warning',
        path: at('expires'),
        message: `the rule expired on ${rule.expires} (today is ${options.today}): renew or delete it; it hides nothing now`,
      });
    }
  });
  const routeNames = new Map<string, number>();
  itemsOf(input, 'routes').forEach((route, index) => {
    const at = (...rest: (string | number)[]) => ['routes', index, ...rest];
    if (route.name === DEFAULT_ROUTE)
      error(at('name'), `'${DEFAULT_ROUTE}' is reserved for alerts no route matches`);
    else if (typeof route.name === 'string') {
      const first = routeNames.get(route.name);
      if (first !== undefined)
        error(at('name'), `${quote(route.name)} is already the name of routes[${first}]`);
      else routeNames.set(route.name, index);
    }
    if (route.slack === undefined && route.jira === undefined && route.email === undefined) {
      error(at(), 'has no destination: give slack, jira or email');
    }
    const match = asRecord(route.match);
    const [min, max] = [match?.minSeverity, match?.maxSeverity];
    const isSeverity = (value: unknown): value is Severity => SEVERITIES.includes(value as Severity);
    if (isSeverity(min) && isSeverity(max) && severityRank(min) > severityRank(max)) {
      error(
        at('match', 'minSeverity'),
        `${quote(min)} is above maxSeverity ${quote(max)}: the route matches nothing`,
      );
    }
  });
  return problems;
};
