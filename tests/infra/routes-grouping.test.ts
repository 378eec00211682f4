// Issue 12 in the template: the grouped alerts' queue and its event source mapping (the batching window), the route
// and grouping filter policies evaluated against the attributes of real alerts, per-route e-mail subscriptions and
// the Slack bot parameters. SNS attribute policies with exact values and `exists` share EventBridge's semantics
// (every key must match, any listed value matches, an array attribute matches when any element does), so the
// project's matcher evaluates each branch; `$or` is SNS's OR operator over whole branches.
// @see https://docs.aws.amazon.com/sns/latest/dg/and-or-logic.html
// @see https://docs.aws.amazon.com/sns/latest/dg/attribute-key-matching.html
// @see https://docs.aws.amazon.com/sns/latest/dg/string-value-matching.html
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { matchesEventPattern } from '../../cli/patterns/event-pattern.js';
import { buildAlert } from '../../shared/domain/alert.js';
import { parseIamEvent } from '../../shared/domain/cloudtrail.js';
import type { RulesConfig } from '../../shared/domain/rules/model.js';
import { type Severity, severityRank } from '../../shared/domain/types.js';
import { formatSnsMessage } from '../../shared/format/sns-message.js';
import {
  deployedResources,
  packageService,
  resolve,
  type Scenario,
  scenario,
  statementsOf,
  type Template,
  type TemplateResource,
} from '../helpers/template.js';

const require = createRequire(import.meta.url);
const derived = require('../../resources/derived.cjs') as {
  ALERT_ATTRIBUTES: { routes: string; grouped: string; groupedYes: string; groupedNo: string };
  subscriptionsFor: (rules: RulesConfig) => {
    forwarderFilterPolicy: unknown;
    groupedFilterPolicy: unknown;
    emailFilterPolicy: unknown;
    routeSubscriptionsFragment: { Resources: Record<string, TemplateResource> };
    groupedBatching: { window: number; batchSize: number };
  };
};
const EVENTS = join(import.meta.dirname, '..', '..', 'events');
const ON = {
  AlertEmail: 'secops@example.com',
  SlackWebhookUrlParameter: '/iam-alerts/slack-webhook-url',
  EmailMinimumSeverity: 'high',
  ForwarderMinimumSeverity: 'medium',
};

let template: Template;
let at: Scenario;
let resources: Record<string, TemplateResource>;
/** Message attributes of every sample alert, as SNS evaluates them (String values, Number as numbers). */
let samples: { severity: Severity; attributes: Record<string, unknown> }[];

beforeAll(async () => {
  ({ template } = await packageService());
  at = scenario(template, ON);
  resources = deployedResources(template, at);
  const files = readdirSync(EVENTS).filter((file) => file.endsWith('.json'));
  samples = await Promise.all(
    files.map(async (file) => {
      const alert = await buildAlert(
        parseIamEvent(JSON.parse(readFileSync(join(EVENTS, file), 'utf8'))),
        undefined,
      );
      const { MessageAttributes } = formatSnsMessage(alert);
      const attributes = Object.fromEntries(
        Object.entries(MessageAttributes).map(([name, value]) => [
          name,
          value.DataType === 'Number' ? Number(value.StringValue) : value.StringValue,
        ]),
      );
      return { severity: alert.severity, attributes };
    }),
  );
}, 300_000);

const properties = (resource: TemplateResource | undefined): Record<string, unknown> => {
  if (!resource) throw new Error('resource missing');
  return resource.Properties ?? {};
};

/** SNS's evaluation of a MessageAttributes policy: `$or` over branches, each branch an exact-match policy. */
const matchesPolicy = (policy: unknown, attributes: Record<string, unknown>): boolean => {
  const { $or, ...rest } = policy as { $or?: unknown[] };
  if ($or) return $or.some((branch) => matchesPolicy({ ...rest, ...(branch as object) }, attributes));
  return matchesEventPattern(policy, attributes);
};

/** The attributes with the notifier's routing attributes (issue 12 contract); `grouped` undefined = absent. */
const routed = (
  attributes: Record<string, unknown>,
  routes: string[] | undefined,
  grouped: boolean | undefined,
): Record<string, unknown> => {
  const { routes: routesName, grouped: groupedName, groupedYes, groupedNo } = derived.ALERT_ATTRIBUTES;
  return {
    ...attributes,
    ...(routes ? { [routesName]: routes } : {}),
    ...(grouped === undefined ? {} : { [groupedName]: grouped ? groupedYes : groupedNo }),
  };
};

const policyOf = (id: string, scope = resources): unknown => {
  const { FilterPolicy, FilterPolicyScope } = properties(scope[id]);
  expect(FilterPolicyScope).toBe('MessageAttributes');
  return FilterPolicy;
};

describe('the grouped alerts queue', () => {
  it('is fed by a raw-delivery SQS subscription with the subscriptions dead-letter queue', () => {
    expect(properties(resources.GroupedAlertsSubscription)).toMatchObject({
      TopicArn: { Ref: 'AlertTopic' },
      Protocol: 'sqs',
      Endpoint: { 'Fn::GetAtt': ['GroupedAlertsQueue', 'Arn'] },
      // Raw delivery: the notifier's attributes arrive as SQS message attributes (the forwarder reads `alert`).
      RawMessageDelivery: true,
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': ['SubscriptionDeadLetterQueue', 'Arn'] } },
    });
  });

  it('is encrypted, TLS-only, open to the alert topic only, with a dead-letter queue that is alarmed', () => {
    const queue = properties(resources.GroupedAlertsQueue);
    expect(queue).toMatchObject({
      SqsManagedSseEnabled: true,
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': ['GroupedAlertsDeadLetterQueue', 'Arn'] } },
    });
    // Lambda: a visibility timeout of at least six times the function's timeout (60 s) for an SQS source.
    expect(queue.VisibilityTimeout as number).toBeGreaterThanOrEqual(6 * 60);
    const statements = statementsOf(properties(resources.GroupedAlertsQueuePolicy).PolicyDocument);
    expect(statements).toEqual([
      expect.objectContaining({
        Effect: 'Allow',
        Principal: { Service: 'sns.amazonaws.com' },
        Action: 'sqs:SendMessage',
        Condition: { ArnEquals: { 'aws:SourceArn': { Ref: 'AlertTopic' } } },
      }),
      expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
    ]);
    expect(properties(resources.GroupedAlertsDeadLetterQueue)).toMatchObject({ SqsManagedSseEnabled: true });
    expect(properties(resources.GroupedAlertsDeadLetterQueueAlarm)).toMatchObject({
      Dimensions: [
        { Name: 'QueueName', Value: { 'Fn::GetAtt': ['GroupedAlertsDeadLetterQueue', 'QueueName'] } },
      ],
      AlarmActions: [{ Ref: 'OperationsTopic' }],
    });
  });

  it('triggers the forwarder with the grouping window of alerts.yml and reports failed bursts alone', () => {
    expect(properties(resources.GroupedAlertsEventSourceMapping)).toMatchObject({
      EventSourceArn: { 'Fn::GetAtt': ['GroupedAlertsQueue', 'Arn'] },
      FunctionName: { Ref: 'ForwarderLambdaFunction' },
      // The repository's alerts.yml: windowSeconds 300, Lambda's maximum batching window.
      MaximumBatchingWindowInSeconds: 300,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    // Standard queues: at most 10,000; above 10 only with a batching window of at least 1 s.
    const batchSize = properties(resources.GroupedAlertsEventSourceMapping).BatchSize as number;
    expect(batchSize).toBeGreaterThanOrEqual(100);
    expect(batchSize).toBeLessThanOrEqual(10_000);
  });

  it('follows windowSeconds, and keeps a batch of 10 with no window when grouping is off', () => {
    const rules = (windowSeconds: number): RulesConfig => ({
      suppress: [],
      routes: [],
      grouping: { windowSeconds, maxSeverity: 'medium' },
    });
    expect(derived.subscriptionsFor(rules(120)).groupedBatching).toEqual({ window: 120, batchSize: 1000 });
    expect(derived.subscriptionsFor(rules(0)).groupedBatching).toEqual({ window: 0, batchSize: 10 });
  });

  it('lets the forwarder role consume the queue', () => {
    const statements = statementsOf(resolve(properties(resources.ForwarderRole).Policies, template, at));
    expect(statements).toContainEqual(
      expect.objectContaining({
        Sid: 'ConsumeGroupedAlerts',
        Action: expect.arrayContaining(['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes']),
        Resource: { 'Fn::GetAtt': ['GroupedAlertsQueue', 'Arn'] },
      }),
    );
  });
});

describe('filter policies against the attributes of the sample alerts', () => {
  it('sends each default-route alert at or above the forwarder minimum exactly once: queue if grouped, else direct', () => {
    const direct = resolve(policyOf('ForwarderSubscription'), template, at);
    const queued = resolve(policyOf('GroupedAlertsSubscription'), template, at);
    for (const { severity, attributes } of samples) {
      const wanted = severityRank(severity) >= severityRank('medium');
      for (const grouped of [true, false]) {
        const message = routed(attributes, ['default'], grouped);
        expect([severity, grouped, matchesPolicy(direct, message), matchesPolicy(queued, message)]).toEqual([
          severity,
          grouped,
          wanted && !grouped,
          wanted && grouped,
        ]);
      }
      // An older notifier's alert (neither attribute): the direct path, as before issue 12.
      expect(matchesPolicy(direct, routed(attributes, undefined, undefined))).toBe(wanted);
      expect(matchesPolicy(queued, routed(attributes, undefined, undefined))).toBe(false);
    }
  });

  it('e-mails default-route alerts at or above the e-mail minimum, and no alert of another route only', () => {
    const email = resolve(policyOf('AlertEmailSubscription'), template, at);
    for (const { severity, attributes } of samples) {
      const wanted = severityRank(severity) >= severityRank('high');
      expect(matchesPolicy(email, routed(attributes, ['default'], false))).toBe(wanted);
      expect(matchesPolicy(email, routed(attributes, ['default', 'prod'], false))).toBe(wanted);
      expect(matchesPolicy(email, routed(attributes, ['prod'], false))).toBe(false);
      expect(matchesPolicy(email, routed(attributes, undefined, undefined))).toBe(wanted);
    }
  });

  describe('with routes in alerts.yml', () => {
    const rules: RulesConfig = {
      suppress: [],
      routes: [
        {
          name: 'prod',
          match: { account: ['111122223333'] },
          slack: '/iam-alerts/slack/prod',
          jira: { project: 'SECPROD' },
          email: ['prod-secops@example.com', 'oncall@example.com'],
        },
        { name: 'audit', match: { category: ['permissions'] }, email: ['audit@example.com'] },
      ],
      grouping: { windowSeconds: 300, maxSeverity: 'medium' },
    };
    const compiled = derived.subscriptionsFor(rules);
    const fragment = compiled.routeSubscriptionsFragment.Resources;

    it('subscribes each address of a route, filtered on that route, with the dead-letter queue', () => {
      expect(
        Object.keys(fragment)
          .filter((id) => fragment[id]?.Type === 'AWS::SNS::Subscription')
          .sort(),
      ).toEqual([
        'RouteEmailSubscriptionAudit1',
        'RouteEmailSubscriptionProd1',
        'RouteEmailSubscriptionProd2',
      ]);
      for (const { attributes } of samples) {
        const policy = policyOf('RouteEmailSubscriptionProd1', fragment);
        expect(matchesPolicy(policy, routed(attributes, ['prod'], true))).toBe(true);
        expect(matchesPolicy(policy, routed(attributes, ['default', 'prod'], false))).toBe(true);
        expect(matchesPolicy(policy, routed(attributes, ['audit'], false))).toBe(false);
        expect(matchesPolicy(policy, routed(attributes, ['default'], false))).toBe(false);
      }
      expect(properties(fragment.RouteEmailSubscriptionProd2)).toMatchObject({
        Protocol: 'email',
        Endpoint: 'oncall@example.com',
        RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': ['SubscriptionDeadLetterQueue', 'Arn'] } },
      });
    });

    it('sends the forwarder the alerts of routes with Slack or Jira, whatever the default minimum, never those of e-mail-only routes', () => {
      const direct = resolve(compiled.forwarderFilterPolicy, template, at);
      const queued = resolve(compiled.groupedFilterPolicy, template, at);
      for (const { attributes } of samples) {
        expect(matchesPolicy(direct, routed(attributes, ['prod'], false))).toBe(true);
        expect(matchesPolicy(queued, routed(attributes, ['prod'], false))).toBe(false);
        expect(matchesPolicy(queued, routed(attributes, ['prod'], true))).toBe(true);
        expect(matchesPolicy(direct, routed(attributes, ['audit'], false))).toBe(false);
        expect(matchesPolicy(queued, routed(attributes, ['audit'], true))).toBe(false);
      }
    });

    it("lets the forwarder read and decrypt exactly the routes' webhook parameters", () => {
      const statements = statementsOf(properties(fragment.ForwarderRouteWebhooksPolicy).PolicyDocument);
      const read = statements.find((statement) => statement.Sid === 'ReadRouteWebhookUrls');
      expect(read).toMatchObject({ Action: 'ssm:GetParameter' });
      expect(JSON.stringify(read?.Resource)).toContain('/iam-alerts/slack/prod');
      expect(read?.Resource).toHaveLength(1);
      expect(properties(fragment.ForwarderRouteWebhooksPolicy).Roles).toEqual([{ Ref: 'ForwarderRole' }]);
    });

    it('stays within SNS filter policy limits (5 keys, 150 combinations per policy)', () => {
      for (const policy of [compiled.forwarderFilterPolicy, compiled.groupedFilterPolicy]) {
        const branches = (resolve(policy, template, at) as { $or: Record<string, unknown[]>[] }).$or;
        const combinations = branches.reduce(
          (sum, branch) =>
            sum + Object.values(branch).reduce((product, values) => product * values.length, 1),
          0,
        );
        expect(combinations).toBeLessThanOrEqual(150);
        expect(new Set(branches.flatMap((branch) => Object.keys(branch))).size).toBeLessThanOrEqual(5);
      }
    });
  });
});

describe('Slack bot mode', () => {
  it('declares the bot token parameter and the channel id, empty by default', () => {
    expect(template.Parameters.SlackBotTokenParameter).toMatchObject({ Type: 'String', Default: '' });
    expect(template.Parameters.SlackChannelId).toMatchObject({ Type: 'String', Default: '' });
  });

  it('wires them to the forwarder and lets its role read and decrypt that parameter only', () => {
    const bot = scenario(template, {
      SlackBotTokenParameter: '/iam-alerts/slack-bot-token',
      SlackChannelId: 'C0SECURITY1',
    });
    const deployed = deployedResources(template, bot);
    expect(deployed.ForwarderSubscription).toBeDefined();
    const environment = resolve(
      (properties(deployed.ForwarderLambdaFunction).Environment as { Variables: unknown }).Variables,
      template,
      bot,
    ) as Record<string, unknown>;
    expect(environment).toMatchObject({
      SLACK_BOT_TOKEN_PARAMETER: '/iam-alerts/slack-bot-token',
      SLACK_CHANNEL_ID: 'C0SECURITY1',
      SLACK_WEBHOOK_URL_PARAMETER: '',
    });
    const statements = statementsOf(resolve(properties(deployed.ForwarderRole).Policies, template, bot));
    const sids = statements.map((statement) => statement.Sid);
    expect(sids).toEqual(expect.arrayContaining(['ReadSlackBotToken', 'DecryptSlackBotToken']));
    expect(sids).not.toContain('ReadSlackWebhookUrl');
    expect(JSON.stringify(statements.find((s) => s.Sid === 'ReadSlackBotToken')?.Resource)).toContain(
      'parameter/iam-alerts/slack-bot-token',
    );
  });
});
