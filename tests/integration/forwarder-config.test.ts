import { readForwarderConfig } from '../../functions/forwarder/config.js';
import { ConfigError } from '../../shared/errors.js';

const JIRA = {
  JIRA_BASE_URL: 'https://example.atlassian.net/',
  JIRA_EMAIL: 'secops@example.com',
  JIRA_API_TOKEN_PARAMETER: '/iam-change-alerts/jira-api-token',
  JIRA_PROJECT_KEY: 'SEC',
};

describe('readForwarderConfig', () => {
  it('refuses a forwarder with no destination at cold start', () => {
    expect(() => readForwarderConfig({ IDEMPOTENCY_TABLE: 't' })).toThrow(ConfigError);
    expect(() => readForwarderConfig({ SLACK_WEBHOOK_URL: '  ', JIRA_ISSUE_TYPE: 'Bug' })).toThrow(
      /no destination/,
    );
  });

  it('reads the deployed configuration: SSM parameter names, defaults, priority map', () => {
    const config = readForwarderConfig({
      ...JIRA,
      SLACK_WEBHOOK_URL_PARAMETER: '/iam-change-alerts/slack-webhook-url',
      JIRA_PRIORITY_MAP: '{"critical":"Highest","high":"High"}',
      IDEMPOTENCY_TABLE: 'forwarder-idempotency',
    });
    expect(config).toMatchObject({
      slack: { webhookUrl: { kind: 'ssm', parameterName: '/iam-change-alerts/slack-webhook-url' } },
      jira: {
        baseUrl: 'https://example.atlassian.net',
        issueType: 'Task',
        apiToken: { kind: 'ssm', parameterName: '/iam-change-alerts/jira-api-token' },
        priorityMap: { critical: 'Highest', high: 'High' },
      },
      idempotencyTable: 'forwarder-idempotency',
      idempotencyTtlSeconds: 604_800,
      notes: [],
    });
  });

  it('names the missing Jira variable when Jira is half configured', () => {
    expect(() => readForwarderConfig({ ...JIRA, JIRA_EMAIL: undefined })).toThrow('JIRA_EMAIL is required');
    expect(() => readForwarderConfig({ ...JIRA, JIRA_API_TOKEN_PARAMETER: '' })).toThrow(
      /JIRA_API_TOKEN or JIRA_API_TOKEN_PARAMETER/,
    );
  });

  it('rejects bad values without echoing a secret URL', () => {
    expect(() =>
      readForwarderConfig({ SLACK_WEBHOOK_URL: 'http://hooks.slack.com/services/T/B/secret' }),
    ).toThrow('SLACK_WEBHOOK_URL must be an https:// URL');
    expect(() => readForwarderConfig({ SLACK_WEBHOOK_URL: 'not a url secret' })).toThrow(
      /^SLACK_WEBHOOK_URL is not a valid URL$/,
    );
    expect(() => readForwarderConfig({ ...JIRA, JIRA_PRIORITY_MAP: '{"urgent":"Highest"}' })).toThrow(
      /unknown severity "urgent"/,
    );
    expect(() => readForwarderConfig({ ...JIRA, JIRA_PROJECT_KEY: 'sec ops' })).toThrow(/project key/);
  });

  it('prefers a plain secret over a parameter name and says so', () => {
    const config = readForwarderConfig({
      SLACK_WEBHOOK_URL: 'https://hooks.slack.com/services/T/B/secret',
      SLACK_WEBHOOK_URL_PARAMETER: '/p',
    });
    expect(config.slack).toMatchObject({
      mode: 'webhook',
      webhookUrl: { kind: 'value', source: 'SLACK_WEBHOOK_URL' },
    });
    expect(config.notes).toEqual([
      'SLACK_WEBHOOK_URL is set: using it and ignoring SLACK_WEBHOOK_URL_PARAMETER (local run)',
      'IDEMPOTENCY_TABLE is not set: only this process remembers Slack posts; a delivery retried elsewhere can repeat one',
    ]);
    expect(JSON.stringify(config.notes)).not.toContain('secret');
  });

  it('reads a Slack bot token and channel, and refuses a webhook and a bot together', () => {
    const config = readForwarderConfig({
      SLACK_BOT_TOKEN_PARAMETER: '/iam-change-alerts/slack-bot-token',
      SLACK_CHANNEL_ID: 'C0123456789',
    });
    expect(config.slack).toEqual({
      mode: 'bot',
      botToken: {
        kind: 'ssm',
        parameterName: '/iam-change-alerts/slack-bot-token',
        source: 'SLACK_BOT_TOKEN_PARAMETER',
      },
      channelId: 'C0123456789',
      apiUrl: 'https://slack.com/api',
      historyWindowSeconds: 7 * 3600,
    });
    expect(() => readForwarderConfig({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_CHANNEL_ID: '#security' })).toThrow(
      /SLACK_CHANNEL_ID must be a Slack channel ID/,
    );
    expect(() => readForwarderConfig({ SLACK_BOT_TOKEN: 'xoxb-1' })).toThrow(/SLACK_CHANNEL_ID/);
    expect(() => readForwarderConfig({ SLACK_CHANNEL_ID: 'C0123456789' })).toThrow(/SLACK_BOT_TOKEN/);
    expect(() =>
      readForwarderConfig({
        SLACK_BOT_TOKEN: 'xoxb-1',
        SLACK_CHANNEL_ID: 'C0123456789',
        SLACK_WEBHOOK_URL: 'https://hooks.slack.com/services/T/B/x',
      }),
    ).toThrow(/not both/);
  });

  it('spreads the Slack interval over the reserved concurrency, so that all containers together keep to it', () => {
    const slack = { SLACK_WEBHOOK_URL: 'https://hooks.slack.com/services/T/B/x' };
    expect(readForwarderConfig(slack).slackSpacingMs).toBe(1_000);
    expect(readForwarderConfig({ ...slack, FORWARDER_CONCURRENCY: '3' }).slackSpacingMs).toBe(3_000);
    const uncapped = readForwarderConfig({ ...slack, FORWARDER_CONCURRENCY: '0' });
    expect(uncapped.slackSpacingMs).toBe(1_000);
    expect(uncapped.notes).toContain(
      'FORWARDER_CONCURRENCY is 0 (no cap): containers space their own posts only; Slack 429s are waited out',
    );
  });

  describe('ALERT_RULES (issue 12)', () => {
    const rules = (routes: unknown[]) =>
      JSON.stringify({ suppress: [], routes, grouping: { windowSeconds: 300, maxSeverity: 'medium' } });
    const prod = {
      name: 'prod',
      match: { account: ['111122223333'] },
      slack: '/iam-alerts/slack/prod',
      jira: { project: 'SECPROD' },
    };
    const audit = { name: 'audit', match: { category: ['permissions'] }, email: ['audit@example.com'] };

    it('reads the routes with Slack or Jira, each webhook as the SSM parameter the route names', () => {
      const config = readForwarderConfig({ ...JIRA, ALERT_RULES: rules([prod, audit]) }, '2026-11-30');
      expect([...config.routes.values()]).toEqual([
        {
          name: 'prod',
          slackWebhookUrl: {
            kind: 'ssm',
            parameterName: '/iam-alerts/slack/prod',
            source: 'route prod (alerts.yml)',
          },
          jiraProject: 'SECPROD',
        },
      ]);
      expect(config.minimumSeverity).toBe('info');
    });

    it('has no routes when ALERT_RULES is absent or empty', () => {
      expect(readForwarderConfig({ ...JIRA }).routes.size).toBe(0);
      expect(readForwarderConfig({ ...JIRA, ALERT_RULES: ' ' }).routes.size).toBe(0);
    });

    it('refuses rules that are not JSON or not valid, and a Jira route without the Jira site', () => {
      expect(() => readForwarderConfig({ ...JIRA, ALERT_RULES: '{routes' })).toThrow(
        /ALERT_RULES is not JSON/,
      );
      expect(() =>
        readForwarderConfig({
          ...JIRA,
          ALERT_RULES: rules([{ ...prod, colour: 'red' }]),
        }),
      ).toThrow(/ALERT_RULES is not valid rules/);
      expect(() =>
        readForwarderConfig({
          SLACK_WEBHOOK_URL: 'https://hooks.slack.com/services/T/B/x',
          ALERT_RULES: rules([prod]),
        }),
      ).toThrow(/route prod names Jira project SECPROD but Jira is not configured/);
    });

    it('reads the default route minimum severity, and refuses an unknown one', () => {
      expect(readForwarderConfig({ ...JIRA, FORWARDER_MINIMUM_SEVERITY: 'high' }).minimumSeverity).toBe(
        'high',
      );
      expect(() => readForwarderConfig({ ...JIRA, FORWARDER_MINIMUM_SEVERITY: 'urgent' })).toThrow(
        /FORWARDER_MINIMUM_SEVERITY must be one of/,
      );
    });
  });
});
