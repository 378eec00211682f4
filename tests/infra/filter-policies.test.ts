// The deployed SNS subscription filter policies, evaluated against the attributes the notifier really
// publishes: e-mail and the forwarder get exactly the alerts at or above their minimum severity.
// SNS attribute policies with exact string values share EventBridge's semantics (any listed value
// matches; every key must match), so the project's matcher evaluates them.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { matchesEventPattern } from '../../cli/patterns/event-pattern.js';
import { formatDigestMessage } from '../../functions/digest/digest.js';
import { buildAlert } from '../../shared/domain/alert.js';
import { parseIamEvent } from '../../shared/domain/cloudtrail.js';
import { SEVERITIES, type Severity, severityRank } from '../../shared/domain/types.js';
import { formatSnsMessage, type SnsMessage } from '../../shared/format/sns-message.js';
import { deployedResources, packageService, scenario, type Template } from '../helpers/template.js';

const EVENTS = join(import.meta.dirname, '..', '..', 'events');
let template: Template;
let messages: SnsMessage[];

/** Message attributes as SNS evaluates them: String values as strings, Number values as numbers. */
const attributeValues = (message: SnsMessage): Record<string, unknown> =>
  Object.fromEntries(
    Object.entries(message.MessageAttributes).map(([name, attr]) => [
      name,
      attr.DataType === 'Number' ? Number(attr.StringValue) : attr.StringValue,
    ]),
  );

beforeAll(async () => {
  ({ template } = await packageService());
  const files = readdirSync(EVENTS).filter((f) => f.endsWith('.json'));
  messages = await Promise.all(
    files.map(async (f) =>
      formatSnsMessage(
        await buildAlert(parseIamEvent(JSON.parse(readFileSync(join(EVENTS, f), 'utf8'))), undefined),
      ),
    ),
  );
}, 300_000);

const filterPolicyOf = (subscription: string, overrides: Record<string, string>): Record<string, unknown> => {
  const resource = deployedResources(template, scenario(template, overrides))[subscription];
  if (!resource) throw new Error(`${subscription} is not deployed with ${JSON.stringify(overrides)}`);
  expect(resource.Properties?.FilterPolicyScope).toBe('MessageAttributes');
  return resource.Properties?.FilterPolicy as Record<string, unknown>;
};

describe('subscription filter policies against published alerts', () => {
  it('has sample alerts of every severity to test with', () => {
    const seen = new Set(messages.map((m) => m.MessageAttributes.severity?.StringValue));
    expect([...seen].sort()).toEqual([...SEVERITIES].sort());
  });

  it.each(SEVERITIES)('e-mails exactly the alerts at or above %s', (minimum: Severity) => {
    const policy = filterPolicyOf('AlertEmailSubscription', {
      AlertEmail: 'secops@example.com',
      EmailMinimumSeverity: minimum,
    });
    for (const message of messages) {
      const severity = message.MessageAttributes.severity?.StringValue as Severity;
      expect(matchesEventPattern(policy, attributeValues(message))).toBe(
        severityRank(severity) >= severityRank(minimum),
      );
    }
  });

  it('sends the forwarder medium and above by default', () => {
    const policy = filterPolicyOf('ForwarderSubscription', {
      SlackWebhookUrlParameter: '/iam-alerts/slack-webhook-url',
    });
    const delivered = messages.filter((m) => matchesEventPattern(policy, attributeValues(m)));
    expect(delivered.length).toBeGreaterThan(0);
    expect(
      delivered.every((m) => severityRank(m.MessageAttributes.severity?.StringValue as Severity) >= 2),
    ).toBe(true);
    expect(delivered.length).toBe(
      messages.filter((m) => severityRank(m.MessageAttributes.severity?.StringValue as Severity) >= 2).length,
    );
  });

  it('e-mails the daily suppression digest whatever the minimum severity, and never gives it to the forwarder', () => {
    const digest = attributeValues(
      formatDigestMessage('yesterday: 0 alerts suppressed; 0 rules expired', '2026-11-29'),
    );
    for (const minimum of SEVERITIES) {
      const email = filterPolicyOf('AlertEmailSubscription', {
        AlertEmail: 'secops@example.com',
        EmailMinimumSeverity: minimum,
      });
      expect(matchesEventPattern(email, digest)).toBe(true);
      const forwarder = filterPolicyOf('ForwarderSubscription', {
        SlackWebhookUrlParameter: '/iam-alerts/slack-webhook-url',
        ForwarderMinimumSeverity: minimum,
      });
      expect(matchesEventPattern(forwarder, digest)).toBe(false);
    }
  });

  it('drops a message without attributes (why CloudWatch alarms go to the operations topic)', () => {
    const policy = filterPolicyOf('AlertEmailSubscription', { AlertEmail: 'secops@example.com' });
    expect(matchesEventPattern(policy, {})).toBe(false);
  });
});
