// The guard rail on the SSM parameters the forwarder reads, in the template the real osls CLI compiles: the rule holds
// every spelling of the configured names once CloudFormation resolves the stack parameters (`Ref`, `Fn::Split`), the
// routes' webhook parameters of the rules file (literal), and no empty name for an unset parameter. EventBridge takes
// intrinsic functions in `EventPattern` like any other property value: CloudFormation resolves them at deploy time, as
// for the key guard rail's `Ref`/`Fn::GetAtt`.
// @see https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-events-rule.html#cfn-events-rule-eventpattern
// @see https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference.html
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { matchesEventPattern } from '../../cli/patterns/event-pattern.js';
import { readNotifierConfig } from '../../functions/notifier/config.js';
import { classifyEvent } from '../../shared/domain/classify/index.js';
import { parseIamEvent, toEventBridgeEvent } from '../../shared/domain/cloudtrail.js';
import { parameterGuardRailPattern, parameterNameSpellings } from '../../shared/domain/patterns.js';
import { describePrincipal } from '../../shared/domain/principal.js';
import type { CloudTrailRecord } from '../../shared/domain/types.js';
import { FIXTURES_DIR } from '../helpers/fixtures.js';
import {
  deployedResources,
  makeWorkCopy,
  packageService,
  resolve,
  runServerless,
  scenario,
  statementsOf,
  type Template,
  type TemplateResource,
} from '../helpers/template.js';

// The names tests/fixtures/ssm-guard-rails/ uses: two in a hierarchy, the bot token outside one.
const CONFIGURED = {
  SlackWebhookUrlParameter: '/iam-alerts/slack-webhook-url',
  SlackBotTokenParameter: '/slack-bot-token',
  JiraApiTokenParameter: '/iam-alerts/jira-api-token',
};
const ROUTE_WEBHOOK = '/iam-alerts/slack/prod';
const RULES_WITH_ROUTE = `routes:
  - name: prod
    match: { account: ["111122223333"], minSeverity: high }
    slack: ${ROUTE_WEBHOOK}
  - name: audit
    match: { minSeverity: critical }
    email: [audit@example.com]
`;

const records = new Map(
  readFileSync(join(FIXTURES_DIR, 'ssm-guard-rails', 'cases.ndjson'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line, index) => [
      String((JSON.parse(line) as { case: string }).case),
      JSON.parse(
        readFileSync(join(FIXTURES_DIR, 'ssm-guard-rails', 'records.jsonl'), 'utf8').split('\n')[index] ?? '',
      ) as CloudTrailRecord,
    ]),
);

let template: Template;
let withRoutes: Template;
let workDir: string;

beforeAll(async () => {
  ({ template } = await packageService());
  workDir = makeWorkCopy(join(mkdtempSync(join(tmpdir(), 'iam-alerts-ssm-guard-')), 'project'));
  writeFileSync(join(workDir, 'route-rules.yml'), RULES_WITH_ROUTE);
  const out = join(workDir, 'out');
  const { code, output } = await runServerless(workDir, [
    'package',
    '--package',
    out,
    '--param',
    'alertsConfig=route-rules.yml',
  ]);
  if (code !== 0) throw new Error(output);
  withRoutes = JSON.parse(readFileSync(join(out, 'cloudformation-template-update-stack.json'), 'utf8'));
}, 300_000);
afterAll(() => rmSync(join(workDir, '..'), { recursive: true, force: true }));

const properties = (resource: TemplateResource | undefined): Record<string, unknown> => {
  if (!resource) throw new Error('resource missing');
  return resource.Properties ?? {};
};

/** The rule's pattern as CloudFormation resolves it for these stack parameter values. */
const deployedPattern = (body: Template, overrides: Record<string, string>) =>
  properties(deployedResources(body, scenario(body, overrides)).ParameterGuardRailRule)
    .EventPattern as Record<string, unknown>;

const matched = (pattern: Record<string, unknown>): string[] =>
  [...records]
    .filter(([, record]) => matchesEventPattern(pattern, toEventBridgeEvent(record)))
    .map(([name]) => name);

describe('ParameterGuardRailRule in the compiled template', () => {
  it('holds every spelling of the three stack parameters once resolved, and only those (no routes)', () => {
    const pattern = deployedPattern(template, CONFIGURED);
    expect(pattern).toEqual(
      parameterGuardRailPattern(Object.values(CONFIGURED).flatMap(parameterNameSpellings)),
    );
    expect(matched(pattern)).toEqual([
      'put-overwrite-webhook',
      'put-create-jira-token',
      'put-single-level-without-slash',
      'put-padded-name',
      'put-denied-webhook',
      'delete-webhook',
    ]);
  });

  it('adds the routes’ webhook parameters of the rules file, literally', () => {
    const pattern = deployedPattern(withRoutes, CONFIGURED);
    expect(pattern).toEqual(
      parameterGuardRailPattern(
        [...Object.values(CONFIGURED), ROUTE_WEBHOOK].flatMap(parameterNameSpellings),
      ),
    );
    expect(matched(pattern)).toEqual([
      'put-overwrite-webhook',
      'put-create-jira-token',
      'put-single-level-without-slash',
      'put-padded-name',
      'put-expiration-policy-route',
      'put-denied-webhook',
      'delete-webhook',
      'delete-many-with-route',
    ]);
    // With only the route configured, the stack parameters leave nothing behind.
    expect(deployedPattern(withRoutes, {})).toEqual(
      parameterGuardRailPattern(parameterNameSpellings(ROUTE_WEBHOOK)),
    );
  });

  it('puts no empty name in the pattern for an unset parameter: with none set, only padded names match', () => {
    const pattern = deployedPattern(template, {});
    expect(pattern).toEqual(parameterGuardRailPattern([]));
    expect(JSON.stringify(pattern)).not.toContain('""');
    expect(matched(pattern)).toEqual(['put-padded-name']);
    // One parameter set: its spellings, none of the others'.
    expect(deployedPattern(template, { JiraApiTokenParameter: CONFIGURED.JiraApiTokenParameter })).toEqual(
      parameterGuardRailPattern(parameterNameSpellings(CONFIGURED.JiraApiTokenParameter)),
    );
  });

  it('fits EventBridge’s 2,048-character pattern quota with every parameter and a route set', () => {
    // https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-quota.html
    expect(JSON.stringify(deployedPattern(withRoutes, CONFIGURED)).length).toBeLessThan(2048);
  });

  it('refuses to package names whose pattern would exceed the quota, naming the cause', async () => {
    const routes = Array.from(
      { length: 12 },
      (_, i) =>
        `  - name: team-${i}\n    match: { minSeverity: high }\n    slack: /iam-change-alerts/slack-webhooks/team-${i}-incident-channel\n`,
    ).join('');
    writeFileSync(join(workDir, 'many-routes.yml'), `routes:\n${routes}`);
    const { code, output } = await runServerless(workDir, [
      'package',
      '--package',
      join(workDir, 'out-many'),
      '--param',
      'alertsConfig=many-routes.yml',
      '--param',
      `SlackWebhookUrlParameter=${CONFIGURED.SlackWebhookUrlParameter}`,
    ]);
    expect(code).not.toBe(0);
    expect(output).toMatch(
      /the guard rail on the forwarder's SSM parameters \(13 names\) needs a \d+-character event pattern, over EventBridge's 2048/,
    );
  }, 130_000);

  it('watches this account’s default bus and tells the notifier and the operations topic, not the forwarder', () => {
    for (const body of [template, withRoutes]) {
      const rule = properties(body.Resources.ParameterGuardRailRule);
      expect(body.Resources.ParameterGuardRailRule?.Condition).toBeUndefined();
      expect([rule.EventBusName, rule.State]).toEqual(['default', 'ENABLED']);
      const targets = rule.Targets as Record<string, unknown>[];
      expect(targets.map((target) => [target.Id, target.Arn, target.DeadLetterConfig])).toEqual([
        [
          'notifier',
          { 'Fn::GetAtt': ['NotifierLambdaFunction', 'Arn'] },
          { Arn: { 'Fn::GetAtt': ['RuleDeadLetterQueue', 'Arn'] } },
        ],
        [
          'operations-topic',
          { Ref: 'OperationsTopic' },
          { Arn: { 'Fn::GetAtt': ['RuleDeadLetterQueue', 'Arn'] } },
        ],
      ]);
      const transformer = JSON.stringify(targets[1]?.InputTransformer);
      expect(transformer).toContain('$.detail.requestParameters.name');
      expect(transformer).toContain('$.detail.requestParameters.names');
      expect(properties(body.Resources.ParameterGuardRailRuleInvokeNotifier)).toMatchObject({
        Action: 'lambda:InvokeFunction',
        Principal: 'events.amazonaws.com',
        SourceArn: { 'Fn::GetAtt': ['ParameterGuardRailRule', 'Arn'] },
      });
      const topicPolicy = statementsOf(properties(body.Resources.OperationsTopicPolicy).PolicyDocument);
      expect(topicPolicy.find((statement) => statement.Sid === 'AllowParameterGuardRailRule')).toMatchObject({
        Effect: 'Allow',
        Principal: { Service: 'events.amazonaws.com' },
        Action: 'sns:Publish',
        Condition: { ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': ['ParameterGuardRailRule', 'Arn'] } } },
      });
      expect(JSON.stringify(properties(body.Resources.RuleDeadLetterQueuePolicy))).toContain(
        'ParameterGuardRailRule',
      );
      // Member accounts read no delivery parameter: their forwarding template has no such rule.
      expect(String(properties(body.Resources.MemberStackSet).TemplateBody)).not.toContain('ssm');
    }
  });
});

describe('ParameterGuardRailRule’s message to the operations topic', () => {
  /** The message EventBridge publishes for a record: each `<path>` of the template replaced, an absent one by nothing. */
  const message = (record: CloudTrailRecord): string => {
    const targets = properties(template.Resources.ParameterGuardRailRule).Targets as Record<
      string,
      unknown
    >[];
    const transformer = targets[1]?.InputTransformer as
      | { InputPathsMap: Record<string, string>; InputTemplate: string }
      | undefined;
    if (!transformer) throw new Error('the operations topic target has no input transformer');
    const { InputPathsMap: paths, InputTemplate: text } = transformer;
    const event = toEventBridgeEvent(record) as unknown as Record<string, unknown>;
    const at = (path: string): unknown =>
      path
        .slice(2)
        .split('.')
        .reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], event);
    const rendered = text.replace(/<(\w+)>/g, (_, name: string) => {
      const value = at(paths[name] ?? '');
      return value === undefined ? '' : Array.isArray(value) ? value.join(',') : String(value);
    });
    return JSON.parse(rendered) as string;
  };

  it('claims a delivery parameter only as one alternative, true also of a padded name that trims to another', () => {
    const padded = structuredClone(records.values().next().value as CloudTrailRecord);
    padded.eventName = 'PutParameter';
    padded.requestParameters = { name: ' /app/db-password', type: 'SecureString', overwrite: true };
    const pattern = deployedPattern(template, CONFIGURED);
    expect(matchesEventPattern(pattern, toEventBridgeEvent(padded))).toBe(true);
    const text = message(padded);
    expect(text).toMatch(/^Guard rail: ssm:PutParameter on parameter ' \/app\/db-password' by /);
    expect(text).toContain('or it is a name padded with spaces');
    expect(text).not.toMatch(/^CRITICAL/);
    expect(text).not.toMatch(/password'?, which the IAM change alerts forwarder reads/);
  });
});

describe('the notifier’s DELIVERY_PARAMETERS in the compiled template', () => {
  /**
   * The variable as CloudFormation resolves it: `Fn::Join` of its list, once the list's `Fn::If`s are resolved (an
   * unset parameter's `AWS::NoValue` drops out of the list, as in any list property).
   * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference-join.html
   */
  const deliveryParameters = (body: Template, overrides: Record<string, string>): string => {
    const at = scenario(body, overrides);
    const notifier = deployedResources(body, at).NotifierLambdaFunction;
    const variable = (properties(notifier).Environment as { Variables: Record<string, unknown> }).Variables
      .DELIVERY_PARAMETERS as { 'Fn::Join': [string, unknown[]] };
    const [separator, list] = variable['Fn::Join'];
    const items = resolve(list, body, at);
    if (!Array.isArray(items) || !items.every((item) => typeof item === 'string'))
      throw new Error(`unresolved DELIVERY_PARAMETERS: ${JSON.stringify(items)}`);
    return items.join(separator);
  };

  it('holds the names the rule is built from: the stack parameters set, then the routes’ webhooks', () => {
    expect(deliveryParameters(template, CONFIGURED)).toBe(Object.values(CONFIGURED).join(','));
    expect(deliveryParameters(withRoutes, CONFIGURED)).toBe(
      [...Object.values(CONFIGURED), ROUTE_WEBHOOK].join(','),
    );
    // An unset parameter adds nothing, not an empty item the notifier would refuse.
    expect(deliveryParameters(template, {})).toBe('');
    expect(deliveryParameters(withRoutes, {})).toBe(ROUTE_WEBHOOK);
    expect(deliveryParameters(template, { JiraApiTokenParameter: CONFIGURED.JiraApiTokenParameter })).toBe(
      CONFIGURED.JiraApiTokenParameter,
    );
  });

  it('makes the notifier call the guard rail exactly what the rule matches (bar padded names of no one’s)', () => {
    for (const [body, overrides] of [
      [template, CONFIGURED],
      [withRoutes, CONFIGURED],
      [withRoutes, {}],
      [template, { SlackBotTokenParameter: CONFIGURED.SlackBotTokenParameter }],
    ] as const) {
      const config = readNotifierConfig({ DELIVERY_PARAMETERS: deliveryParameters(body, overrides) });
      const guardRails = [...records]
        .filter(([, record]) => {
          const event = parseIamEvent(toEventBridgeEvent(record));
          const { reasons } = classifyEvent(event, describePrincipal(event.record), {
            deliveryParameters: config.deliveryParameters,
          });
          return reasons.some(
            (reason) => reason.code === 'guard-rail' || reason.code === 'guard-rail-attempt',
          );
        })
        .map(([name]) => name);
      const pattern = deployedPattern(body, overrides);
      // Every padded name is matched (its trimmed name is not known to the pattern): the notifier calls it the guard
      // rail only when the trimmed name is one of the configured.
      const paddedOfOthers = config.deliveryParameters.includes(CONFIGURED.SlackWebhookUrlParameter)
        ? []
        : ['put-padded-name'];
      expect(guardRails).toEqual(matched(pattern).filter((name) => !paddedOfOthers.includes(name)));
    }
  });
});
