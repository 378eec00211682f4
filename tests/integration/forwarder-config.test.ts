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
    expect(config.slack?.webhookUrl).toMatchObject({ kind: 'value', source: 'SLACK_WEBHOOK_URL' });
    expect(config.notes).toEqual([
      'SLACK_WEBHOOK_URL is set: using it and ignoring SLACK_WEBHOOK_URL_PARAMETER (local run)',
      'IDEMPOTENCY_TABLE is not set: a retried delivery can repeat a Slack message',
    ]);
    expect(JSON.stringify(config.notes)).not.toContain('secret');
  });
});
