// The forwarder's configuration: the ONLY place the forwarder reads process.env (handler.ts passes it in).

import type { RulesConfig } from '../../shared/domain/rules/model.js';
import { SEVERITIES, type Severity } from '../../shared/domain/types.js';
import { type Env, integerVar, optionalVar } from '../../shared/env.js';
import { ConfigError } from '../../shared/errors.js';
import { readRulesConfig } from '../../shared/rules-config.js';

/**
 * Where a secret comes from: a plain value (local runs) or the name of an SSM SecureString parameter
 * (deployed). `source` names the variable, for logs; the value itself is never logged.
 */
export type SecretRef =
  | { kind: 'value'; value: string; source: string }
  | { kind: 'ssm'; parameterName: string; source: string };

/**
 * Slack destination settings: an incoming webhook, or a bot token and a channel. The bot can read the channel's
 * history, so a re-send after a lost answer checks before posting; the webhook can only mark it.
 */
export type SlackConfig =
  | { mode: 'webhook'; webhookUrl: SecretRef }
  | { mode: 'bot'; botToken: SecretRef; channelId: string; apiUrl: string; historyWindowSeconds: number };

/** Jira Cloud destination settings. */
export interface JiraConfig {
  baseUrl: string;
  email: string;
  apiToken: SecretRef;
  projectKey: string;
  issueType: string;
  priorityMap?: Readonly<Record<string, string>>;
}

/**
 * Where one route of `alerts.yml` sends its alerts besides e-mail: a Slack webhook read from its SSM parameter
 * and/or a Jira project on the site (and with the credentials) of `jira`.
 */
export interface RouteDestinations {
  name: string;
  slackWebhookUrl?: SecretRef;
  jiraProject?: string;
}

/** The forwarder's typed, frozen configuration. At least one destination is set. */
export interface ForwarderConfig {
  slack?: SlackConfig;
  jira?: JiraConfig;
  /** Routes of `ALERT_RULES` with a Slack or Jira destination, by name (the default route is `slack`/`jira`). */
  routes: ReadonlyMap<string, RouteDestinations>;
  /**
   * Lowest severity the default route delivers (`FORWARDER_MINIMUM_SEVERITY`, the stack's ForwarderMinimumSeverity).
   * The subscription filters on it already; an alert that reached the forwarder by another route is held to it too.
   */
  minimumSeverity: Severity;
  /** DynamoDB table for Powertools idempotency; absent locally (then only the JQL check guards Jira). */
  idempotencyTable?: string;
  /** How long an idempotency record lives (DynamoDB TTL), seconds. */
  idempotencyTtlSeconds: number;
  /** How long SSM secrets are cached in the warm container, seconds. */
  secretsMaxAgeSeconds: number;
  /** Per-request HTTP timeout, milliseconds. */
  httpTimeoutMs: number;
  /** Connect and request timeout of each AWS SDK call (DynamoDB, SSM), milliseconds. */
  awsTimeoutMs: number;
  /**
   * Minimum spacing between two Slack posts from one container, milliseconds: `SLACK_MIN_INTERVAL_MS` (Slack
   * allows ~1 message/s per channel) times `FORWARDER_CONCURRENCY`, so that all containers together keep to it.
   */
  slackSpacingMs: number;
  /** The forwarder's reserved concurrency as deployed (`FORWARDER_CONCURRENCY`; 0 = no cap). */
  concurrency: number;
  /** Notes for the cold-start log line (which source each secret uses, what guards duplicates). */
  notes: string[];
}

const required = (env: Env, key: string, why: string): string => {
  const found = optionalVar(env, key);
  if (!found) throw new ConfigError(`${key} is required ${why}`);
  return found;
};

/** An absolute https URL (http only to loopback, for local fakes); never echoes a secret URL in the error. */
const httpsUrl = (raw: string, key: string, isSecret: boolean): string => {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`${key} is not a valid URL${isSecret ? '' : `: ${JSON.stringify(raw)}`}`);
  }
  const isLoopback = url.hostname === '127.0.0.1' || url.hostname === 'localhost' || url.hostname === '[::1]';
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopback)) {
    throw new ConfigError(`${key} must be an https:// URL`);
  }
  return url.href;
};

/**
 * Plain value or SSM parameter name. When both are set, the plain value wins: `serverless invoke local`
 * runs with the deployed environment (which names the parameter) plus the developer's shell, and a local
 * run must not need AWS. The choice is recorded in `notes` so the cold-start log says which one is used.
 */
const secret = (env: Env, plainKey: string, parameterKey: string, notes: string[]): SecretRef | undefined => {
  const plain = optionalVar(env, plainKey);
  const parameterName = optionalVar(env, parameterKey);
  if (plain) {
    notes.push(
      parameterName
        ? `${plainKey} is set: using it and ignoring ${parameterKey} (local run)`
        : `${plainKey} read from the environment (local run)`,
    );
    return { kind: 'value', value: plain, source: plainKey };
  }
  if (parameterName) return { kind: 'ssm', parameterName, source: parameterKey };
  return undefined;
};

const priorityMap = (env: Env): Readonly<Record<string, string>> | undefined => {
  const raw = optionalVar(env, 'JIRA_PRIORITY_MAP');
  if (raw === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (error) {
    throw new ConfigError('JIRA_PRIORITY_MAP must be JSON like {"critical":"Highest","high":"High"}', {
      cause: error,
    });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ConfigError('JIRA_PRIORITY_MAP must be a JSON object');
  }
  const map: Record<string, string> = {};
  for (const [severity, priority] of Object.entries(parsed)) {
    if (!(SEVERITIES as readonly string[]).includes(severity)) {
      throw new ConfigError(
        `JIRA_PRIORITY_MAP: unknown severity ${JSON.stringify(severity)} (use ${SEVERITIES.join(', ')})`,
      );
    }
    if (typeof priority !== 'string' || priority.trim() === '') {
      throw new ConfigError(`JIRA_PRIORITY_MAP: the priority for ${severity} must be a non-empty string`);
    }
    map[severity] = priority.trim();
  }
  return Object.freeze(map);
};

const JIRA_KEYS = [
  'JIRA_BASE_URL',
  'JIRA_EMAIL',
  'JIRA_API_TOKEN',
  'JIRA_API_TOKEN_PARAMETER',
  'JIRA_PROJECT_KEY',
];

const readJira = (env: Env, notes: string[]): JiraConfig | undefined => {
  // Jira is on as soon as one identifying variable is set; then all of them are required. JIRA_ISSUE_TYPE and
  // JIRA_PRIORITY_MAP alone do not turn it on (serverless.yml may set them as defaults).
  if (!JIRA_KEYS.some((key) => optionalVar(env, key))) return undefined;
  const why =
    'when Jira is configured (any of JIRA_BASE_URL, JIRA_EMAIL, JIRA_PROJECT_KEY, JIRA_API_TOKEN[_PARAMETER] is set)';
  const apiToken = secret(env, 'JIRA_API_TOKEN', 'JIRA_API_TOKEN_PARAMETER', notes);
  if (!apiToken) throw new ConfigError(`JIRA_API_TOKEN or JIRA_API_TOKEN_PARAMETER is required ${why}`);
  const projectKey = required(env, 'JIRA_PROJECT_KEY', why);
  if (!/^[A-Z][A-Z0-9_]{0,254}$/.test(projectKey)) {
    throw new ConfigError(
      `JIRA_PROJECT_KEY must be a Jira project key like SEC, got ${JSON.stringify(projectKey)}`,
    );
  }
  const map = priorityMap(env);
  return {
    baseUrl: httpsUrl(required(env, 'JIRA_BASE_URL', why), 'JIRA_BASE_URL', false).replace(/\/+$/, ''),
    email: required(env, 'JIRA_EMAIL', why),
    apiToken,
    projectKey,
    issueType: optionalVar(env, 'JIRA_ISSUE_TYPE') ?? 'Task',
    ...(map ? { priorityMap: map } : {}),
  };
};

const readSlack = (env: Env, notes: string[]): SlackConfig | undefined => {
  const webhookUrl = secret(env, 'SLACK_WEBHOOK_URL', 'SLACK_WEBHOOK_URL_PARAMETER', notes);
  const botToken = secret(env, 'SLACK_BOT_TOKEN', 'SLACK_BOT_TOKEN_PARAMETER', notes);
  const channelId = optionalVar(env, 'SLACK_CHANNEL_ID');
  if (webhookUrl && botToken) {
    throw new ConfigError(
      'set either SLACK_WEBHOOK_URL[_PARAMETER] or SLACK_BOT_TOKEN[_PARAMETER], not both: they are two ways to post to Slack',
    );
  }
  if (webhookUrl) {
    if (webhookUrl.kind === 'value') httpsUrl(webhookUrl.value, 'SLACK_WEBHOOK_URL', true);
    return { mode: 'webhook', webhookUrl };
  }
  if (!botToken) {
    if (channelId) throw new ConfigError('SLACK_CHANNEL_ID is set but SLACK_BOT_TOKEN[_PARAMETER] is not');
    return undefined;
  }
  if (!channelId || !/^[CGD][A-Z0-9]{2,}$/.test(channelId)) {
    throw new ConfigError(
      `SLACK_CHANNEL_ID must be a Slack channel ID like C0123456789 when a bot token is set${channelId ? `, got ${JSON.stringify(channelId)}` : ''}`,
    );
  }
  return {
    mode: 'bot',
    botToken,
    channelId,
    apiUrl: httpsUrl(
      optionalVar(env, 'SLACK_API_URL') ?? 'https://slack.com/api',
      'SLACK_API_URL',
      false,
    ).replace(/\/+$/, ''),
    // Lambda retries an event for up to 6 hours (MaximumEventAgeInSeconds): look back a little further.
    historyWindowSeconds: integerVar(env, 'SLACK_HISTORY_WINDOW_SECONDS', 7 * 3600, 60, 7 * 24 * 3600),
  };
};

const JIRA_PROJECT_KEY = /^[A-Z][A-Z0-9_]{0,254}$/;

/** The routes with a Slack or Jira destination; a Jira route needs the site and credentials of `JIRA_*`. */
const routeDestinations = (
  rules: RulesConfig,
  jira: JiraConfig | undefined,
): ReadonlyMap<string, RouteDestinations> => {
  const routes = new Map<string, RouteDestinations>();
  for (const route of rules.routes) {
    if (route.jira && !jira) {
      throw new ConfigError(
        `route ${route.name} names Jira project ${route.jira.project} but Jira is not configured (JIRA_BASE_URL, JIRA_EMAIL, JIRA_API_TOKEN[_PARAMETER]): routes share the site and credentials`,
      );
    }
    if (route.jira && !JIRA_PROJECT_KEY.test(route.jira.project)) {
      throw new ConfigError(
        `route ${route.name}: Jira project must be a key like SEC, got ${JSON.stringify(route.jira.project)}`,
      );
    }
    if (!route.slack && !route.jira) continue;
    routes.set(route.name, {
      name: route.name,
      ...(route.slack
        ? {
            slackWebhookUrl: {
              kind: 'ssm' as const,
              parameterName: route.slack,
              source: `route ${route.name} (alerts.yml)`,
            },
          }
        : {}),
      ...(route.jira ? { jiraProject: route.jira.project } : {}),
    });
  }
  return routes;
};

const severityVar = (env: Env, key: string, fallback: Severity): Severity => {
  const raw = optionalVar(env, key);
  if (raw === undefined) return fallback;
  if (!(SEVERITIES as readonly string[]).includes(raw)) {
    throw new ConfigError(`${key} must be one of ${SEVERITIES.join(', ')}, got ${JSON.stringify(raw)}`);
  }
  return raw as Severity;
};

/**
 * Reads and validates the forwarder's environment; call once at module scope so a bad configuration fails
 * the cold start. Throws `ConfigError` when neither Slack nor Jira is configured: a forwarder without a
 * destination would acknowledge every alert and deliver none.
 * @see docs/forwarder.md for the variables.
 */
export const readForwarderConfig = (
  env: Env,
  today: string = new Date().toISOString().slice(0, 10),
): ForwarderConfig => {
  const notes: string[] = [];
  const slack = readSlack(env, notes);
  const jira = readJira(env, notes);
  // The compiled rules, read as the notifier reads them (an expired rule is a warning there, logged once).
  const routes = routeDestinations(readRulesConfig(env, today).rules, jira);
  if (!slack && !jira) {
    throw new ConfigError(
      'no destination: set SLACK_WEBHOOK_URL[_PARAMETER] or SLACK_BOT_TOKEN[_PARAMETER] + SLACK_CHANNEL_ID, and/or the JIRA_* variables (a forwarder without a destination would drop every alert)',
    );
  }
  const idempotencyTable = optionalVar(env, 'IDEMPOTENCY_TABLE');
  if (!idempotencyTable && jira) {
    notes.push(
      'IDEMPOTENCY_TABLE is not set: beyond this process, only the JQL search (eventually consistent) guards against a second Jira issue',
    );
  }
  if (!idempotencyTable && slack)
    notes.push(
      'IDEMPOTENCY_TABLE is not set: only this process remembers Slack posts; a delivery retried elsewhere can repeat one',
    );
  const concurrency = integerVar(env, 'FORWARDER_CONCURRENCY', 1, 0, 1000);
  const interval = integerVar(env, 'SLACK_MIN_INTERVAL_MS', 1_000, 0, 60_000);
  if (concurrency === 0 && slack) {
    notes.push(
      'FORWARDER_CONCURRENCY is 0 (no cap): containers space their own posts only; Slack 429s are waited out',
    );
  }
  return Object.freeze({
    ...(slack ? { slack } : {}),
    ...(jira ? { jira } : {}),
    routes,
    minimumSeverity: severityVar(env, 'FORWARDER_MINIMUM_SEVERITY', 'info'),
    ...(idempotencyTable ? { idempotencyTable } : {}),
    idempotencyTtlSeconds: integerVar(env, 'IDEMPOTENCY_TTL_SECONDS', 7 * 24 * 3600, 60, 366 * 24 * 3600),
    secretsMaxAgeSeconds: integerVar(env, 'SECRETS_MAX_AGE_SECONDS', 300, 0, 24 * 3600),
    httpTimeoutMs: integerVar(env, 'FORWARDER_HTTP_TIMEOUT_MS', 5_000, 100, 60_000),
    awsTimeoutMs: integerVar(env, 'AWS_CALL_TIMEOUT_MS', 3_000, 100, 20_000),
    slackSpacingMs: interval * Math.max(1, concurrency),
    concurrency,
    notes,
  });
};
