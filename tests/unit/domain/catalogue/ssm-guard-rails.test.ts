// The guard rail on the SSM parameters the forwarder reads its delivery secrets from: the catalogue's SSM entries,
// the central stack's pattern on every spelling of the configured names, and the alerts, on records written from
// AWS's documented shapes (tests/fixtures/ssm-guard-rails/README.md cites each field's source).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { matchesEventPattern } from '../../../../cli/patterns/event-pattern.js';
import { classifyEvent } from '../../../../shared/domain/classify/index.js';
import { parseIamEvent, toEventBridgeEvent } from '../../../../shared/domain/cloudtrail.js';
import {
  deliveryParameterRule,
  deployedRules,
  GUARD_RAIL_PATTERN,
  parameterGuardRailPattern,
  parameterNameSpellings,
} from '../../../../shared/domain/patterns.js';
import { describePrincipal } from '../../../../shared/domain/principal.js';
import type { CloudTrailRecord } from '../../../../shared/domain/types.js';
import { FIXTURES_DIR, findRecord } from '../../../helpers/fixtures.js';

const folder = join(FIXTURES_DIR, 'ssm-guard-rails');
const lines = (file: string) =>
  readFileSync(join(folder, file), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);
const records = lines('records.jsonl') as unknown as CloudTrailRecord[];
const cases = lines('cases.ndjson').map((entry) => String(entry.case));
const byCase = new Map(cases.map((name, index) => [name, records[index] as CloudTrailRecord]));
const record = (name: string): CloudTrailRecord => {
  const found = byCase.get(name);
  if (!found) throw new Error(`no fixture ${name}`);
  return structuredClone(found);
};

// As configured in the tests: three stack parameters (the bot token outside a hierarchy) and one route's webhook.
const STACK_NAMES = ['/iam-alerts/slack-webhook-url', '/slack-bot-token', '/iam-alerts/jira-api-token'];
const ROUTE_NAMES = ['/iam-alerts/slack/prod'];
const withRoutes = parameterGuardRailPattern(
  [...STACK_NAMES, ...ROUTE_NAMES].flatMap(parameterNameSpellings),
);
const withoutRoutes = parameterGuardRailPattern(STACK_NAMES.flatMap(parameterNameSpellings));

const classify = (name: string) => {
  const event = parseIamEvent(toEventBridgeEvent(record(name)));
  return classifyEvent(event, describePrincipal(event.record));
};

describe('parameterNameSpellings', () => {
  // "the following examples, however, if in the same Region, are not unique: /TestParam1, TestParam1"; a name in a
  // hierarchy must start with a slash ("Not fully qualified parameter name: MyParameter3/L1").
  // https://docs.aws.amazon.com/systems-manager/latest/userguide/sysman-paramstore-su-create.html#sysman-parameter-name-constraints
  it.each([
    ['/TestParam1', ['/TestParam1', 'TestParam1']],
    ['TestParam1', ['TestParam1', '/TestParam1']],
    [
      '/Dev/Production/East/MyParameter',
      ['/Dev/Production/East/MyParameter', 'Dev/Production/East/MyParameter'],
    ],
    ['MyParameter3/L1', ['MyParameter3/L1']],
  ])('spells %s as %j', (name, spellings) => {
    expect(parameterNameSpellings(name)).toEqual(spellings);
  });
});

describe('the parameter guard-rail pattern', () => {
  it.each([
    ['put-overwrite-webhook', true, true],
    ['put-create-jira-token', true, true],
    ['put-single-level-without-slash', true, true],
    ['put-padded-name', true, true],
    ['put-denied-webhook', true, true],
    ['delete-webhook', true, true],
    ['put-expiration-policy-route', true, false],
    ['delete-many-with-route', true, false],
    ['other-put', false, false],
    ['other-put-prefix-of-ours', false, false],
    ['other-delete-many', false, false],
    ['label-webhook', false, false],
    ['get-webhook', false, false],
  ])('%s: matched with the routes %s, without them %s', (name, matchedWithRoutes, matchedWithout) => {
    const event = toEventBridgeEvent(record(name));
    expect([matchesEventPattern(withRoutes, event), matchesEventPattern(withoutRoutes, event)]).toEqual([
      matchedWithRoutes,
      matchedWithout,
    ]);
  });

  it('is not part of the shared guard-rail pattern (member accounts read no such parameter)', () => {
    for (const name of cases) {
      expect([name, matchesEventPattern(GUARD_RAIL_PATTERN, toEventBridgeEvent(record(name)))]).toEqual([
        name,
        false,
      ]);
    }
  });

  it('holds no empty name, and with no name configured matches only padded names', () => {
    const none = parameterGuardRailPattern([]);
    expect(JSON.stringify(none)).not.toContain('""');
    expect(matchesEventPattern(none, toEventBridgeEvent(record('put-padded-name')))).toBe(true);
    expect(matchesEventPattern(none, toEventBridgeEvent(record('put-overwrite-webhook')))).toBe(false);
  });

  it('is the central stack’s own rule: not among the rules member accounts forward, built for the names given', () => {
    expect(deployedRules().map((rule) => rule.name)).not.toContain('delivery-parameters');
    expect(deliveryParameterRule([...STACK_NAMES, ...ROUTE_NAMES])).toEqual({
      name: 'delivery-parameters',
      pattern: withRoutes,
      needsReadOnlyEvents: false,
      regions: 'us-east-1',
    });
  });
});

describe('the alerts', () => {
  it.each([
    [
      'put-overwrite-webhook',
      'SSM parameter /iam-alerts/slack-webhook-url overwritten: Slack or Jira alerts may go elsewhere',
    ],
    [
      'put-create-jira-token',
      'SSM parameter /iam-alerts/jira-api-token written: Slack or Jira alerts may go elsewhere',
    ],
    [
      'put-single-level-without-slash',
      'SSM parameter slack-bot-token overwritten: Slack or Jira alerts may go elsewhere',
    ],
    [
      'put-expiration-policy-route',
      'SSM parameter /iam-alerts/slack/prod overwritten: Slack or Jira alerts may go elsewhere (with an expiration policy)',
    ],
    ['delete-webhook', 'SSM parameter /iam-alerts/slack-webhook-url deleted: Slack or Jira alerts will fail'],
    [
      'delete-many-with-route',
      'SSM parameters /app/db-password, /iam-alerts/slack/prod deleted: Slack or Jira alerts may fail',
    ],
  ])('%s is a critical guard-rail alert titled "%s"', (name, title) => {
    const classification = classify(name);
    expect([classification.severity, classification.category, classification.reasons[0]?.code]).toEqual([
      'critical',
      'other',
      'guard-rail',
    ]);
    expect(classification.title).toBe(title);
    expect(classification.reasons[0]?.text).toContain('the forwarder reads the Slack webhook URL');
  });

  it('rates a denied attempt high, as every guard rail', () => {
    const classification = classify('put-denied-webhook');
    expect([classification.severity, classification.reasons[0]?.code]).toEqual([
      'high',
      'guard-rail-attempt',
    ]);
  });

  it('leaves a call whose record names no parameter an ordinary change (a real throttled DeleteParameter)', () => {
    // CloudTrail keeps no requestParameters for a throttled call: it cannot be about the forwarder's parameters.
    const throttled = findRecord(
      (r) =>
        r.eventSource === 'ssm.amazonaws.com' &&
        r.eventName === 'DeleteParameter' &&
        r.errorCode === 'ThrottlingException',
    );
    expect(throttled.requestParameters).toBeNull();
    const event = parseIamEvent(toEventBridgeEvent(throttled));
    const classification = classifyEvent(event, describePrincipal(event.record));
    expect(classification.reasons.map((reason) => reason.code)).not.toContain('guard-rail-attempt');
    expect(classification.severity).toBe('low');
    expect(matchesEventPattern(withRoutes, toEventBridgeEvent(throttled))).toBe(false);
  });

  it.each(['label-webhook', 'get-webhook'])(
    '%s changes nothing the forwarder reads: no guard rail',
    (name) => {
      const classification = classify(name);
      expect(classification.reasons.map((reason) => reason.code)).not.toContain('guard-rail');
      expect(classification.severity).not.toBe('critical');
    },
  );
});
