// Property: nothing a caller can put in a CloudTrail record stops its alert. For records from the corpus with hostile
// values in every caller-controlled field, the notifier publishes exactly one alert, and that alert fits every
// destination: SNS (256 KB for message, subject and attributes; an ASCII subject under 100 characters; no raw
// control, bidi or invisible characters in any attribute), Slack (Block Kit limits) and Jira (valid ADF, a description
// of at most 32,767 characters, labels of at most 255).
// @see https://docs.aws.amazon.com/sns/latest/api/API_Publish.html
// @see https://docs.slack.dev/reference/block-kit/blocks
// @see https://support.atlassian.com/jira-cloud-administration/docs/what-are-the-field-limits-in-jira-cloud/
import fc from 'fast-check';
import type { AlertPublisher } from '../../../functions/notifier/adapters/sns-publisher.js';
import { processIamEvent } from '../../../functions/notifier/process.js';
import { validateAlert } from '../../../shared/domain/alert-schema.js';
import { buildMinimalAlert } from '../../../shared/domain/minimal-alert.js';
import type { Alert } from '../../../shared/domain/types.js';
import { severityRank } from '../../../shared/domain/types.js';
import { shorten } from '../../../shared/domain/values.js';
import { BUDGETS } from '../../../shared/format/budgets.js';
import { formatJiraIssue } from '../../../shared/format/jira-adf.js';
import { formatSlackMessage } from '../../../shared/format/slack-blocks.js';
import { formatSnsMessage } from '../../../shared/format/sns-message.js';
import { passThroughGuard } from '../../../shared/idempotency.js';
import type { SnsMessage } from '../../../shared/ports.js';
import { rawUnsafeChars } from '../../helpers/alert-arbitrary.js';
import { deepObject, hostileName, hostileRecord } from '../../helpers/hostile-record.js';
import { validateCreateIssue } from '../../helpers/jira-server.js';
import { cloudTrailRecord } from '../../helpers/records.js';
import { validateSlackMessage } from '../../helpers/slack-server.js';
import { validatePublish } from '../../helpers/sns-server.js';

const JIRA = { email: 'a@example.com', token: 't', projectKey: 'SEC' };

/** Invisible format characters an attribute must not carry raw: zero-width space/joiners, word joiner, BOM. */
const INVISIBLE = /[\u200b-\u200d\u2060\ufeff]/;

const recordingPublisher = (): AlertPublisher & { sent: SnsMessage[] } => {
  const sent: SnsMessage[] = [];
  return {
    sent,
    publish: async (message) => {
      sent.push(message);
      return { messageId: `m-${sent.length}` };
    },
  };
};

/** Every limit one published message must meet; returns the problems (empty when it meets them all). */
const problemsOf = (message: SnsMessage): string[] => {
  const problems: string[] = [];
  const attributes = Object.fromEntries(
    Object.entries(message.MessageAttributes).map(([name, a]) => [
      name,
      { dataType: a.DataType, value: a.StringValue },
    ]),
  );
  const sns = validatePublish({
    topicArn: 'arn:aws:sns:us-east-1:123456789012:t',
    subject: message.Subject,
    message: message.Message,
    attributes,
  });
  if (sns) problems.push(`SNS: ${sns}`);
  // The SDK form-encodes every value with encodeURIComponent, which throws on a lone surrogate.
  for (const [name, value] of [
    ['Subject', message.Subject],
    ['Message', message.Message],
    ...Object.entries(attributes).map(([key, a]) => [key, a.value]),
  ] as [string, string][]) {
    try {
      encodeURIComponent(value);
    } catch {
      problems.push(`${name}: not well-formed UTF-16`);
    }
  }
  if (rawUnsafeChars(message.Message, true).length > 0) problems.push('Message: raw control or bidi');
  if (INVISIBLE.test(message.Message)) problems.push('Message: raw invisible character');
  for (const [name, a] of Object.entries(attributes)) {
    if (rawUnsafeChars(a.value, false).length > 0 || INVISIBLE.test(a.value))
      problems.push(`attribute ${name}: raw control, bidi or invisible character`);
  }
  const json = attributes.alert?.value;
  if (!json) return [...problems, 'no alert attribute'];
  const result = validateAlert(JSON.parse(json));
  if ('problems' in result) return [...problems, `alert schema: ${result.problems.join('; ')}`];
  const alert = result.alert as Alert;
  const slack = validateSlackMessage(JSON.parse(JSON.stringify(formatSlackMessage(alert))));
  if (slack.length > 0) problems.push(`Slack: ${slack.slice(0, 3).join('; ')}`);
  const jira = validateCreateIssue(
    JSON.parse(JSON.stringify(formatJiraIssue(alert, { projectKey: 'SEC', issueType: 'Task' }))),
    JIRA,
  );
  if (Object.keys(jira).length > 0) problems.push(`Jira: ${JSON.stringify(jira).slice(0, 300)}`);
  return problems;
};

describe('a hostile CloudTrail record', () => {
  it('still gets exactly one alert, within every destination’s limits', async () => {
    await fc.assert(
      fc.asyncProperty(hostileRecord(), async (raw) => {
        const publisher = recordingPublisher();
        const result = await processIamEvent(raw, {
          publisher,
          guard: passThroughGuard,
          remainingMs: () => 30_000,
        });
        expect(publisher.sent).toHaveLength(1);
        const [message] = publisher.sent as [SnsMessage];
        expect(problemsOf(message)).toEqual([]);
        // The alert is about this record: its eventName, cut to its budget.
        const record = (raw as { detail?: { eventName: string }; eventName?: string }).detail ?? raw;
        const published = JSON.parse(message.MessageAttributes.alert?.StringValue ?? '{}') as Alert;
        expect(published.eventName).toBe(
          shorten((record as { eventName: string }).eventName, BUDGETS.eventName),
        );
        // The hardening, not the fail-safe, carries JSON records: the full alert is built (the fail-safe is
        // exercised by the property below and tests/integration/notifier-failsafe.test.ts).
        expect(result.kind === 'published' && result.failure).toBeFalsy();
      }),
      { numRuns: 500, seed: Number(process.env.FC_SEED ?? Date.now() % 2 ** 31) },
    );
  });

  it('has a minimal alert that is itself within every limit, at least medium', () => {
    fc.assert(
      fc.property(
        hostileRecord(),
        hostileName,
        fc.constantFrom('build' as const, 'format' as const),
        (raw, reason, stage) => {
          const alert = buildMinimalAlert(raw, { stage, reason });
          expect(severityRank(alert.severity)).toBeGreaterThanOrEqual(severityRank('medium'));
          expect(alert.notes[0]).toContain(`the ${stage} stage failed`);
          expect(problemsOf(formatSnsMessage(alert))).toEqual([]);
        },
      ),
      { numRuns: 200 },
    );
  });

  it.each([
    ['an eventName that is an Object.prototype key', { eventName: '__proto__' }],
    ['an eventName that is toString', { eventName: 'toString' }],
    ['an unknown eventName of 300 characters with CR/LF', { eventName: `${'X'.repeat(300)}\r\nInjected` }],
    [
      'a lone surrogate in the user name',
      {
        eventName: 'DeleteUser',
        requestParameters: { userName: 'bob\ud800' },
      },
    ],
    [
      'parameters nested 6,000 levels deep',
      { eventName: 'PutUserPolicy', requestParameters: deepObject(6_000) },
    ],
    ['a user agent of 400 KB', { userAgent: 'A'.repeat(400_000) }],
    ['an error message of 400 KB', { errorCode: 'AccessDenied', errorMessage: 'E'.repeat(400_000) }],
    [
      'a user name of 31 KB',
      { eventName: 'CreateUser', requestParameters: { userName: 'u'.repeat(31_000) } },
    ],
  ])('with %s gets its alert, within every limit', async (_name, overrides) => {
    const publisher = recordingPublisher();
    await processIamEvent(cloudTrailRecord(overrides), {
      publisher,
      guard: passThroughGuard,
      remainingMs: () => 30_000,
    });
    expect(publisher.sent).toHaveLength(1);
    expect(problemsOf(publisher.sent[0] as SnsMessage)).toEqual([]);
  });
});
