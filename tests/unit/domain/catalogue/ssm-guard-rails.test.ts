// The guard rail on the SSM parameters the forwarder reads its delivery secrets from: the catalogue's SSM entries,
// the central stack's pattern on every spelling of the configured names, and the alerts, on records written from
// AWS's documented shapes (tests/fixtures/ssm-guard-rails/README.md cites each field's source).
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
import { findRecord, loadNamedRecords } from '../../../helpers/fixtures.js';

const { cases, record } = loadNamedRecords('ssm-guard-rails');

// As configured in the tests: three stack parameters (the bot token outside a hierarchy) and one route's webhook.
const STACK_NAMES = ['/iam-alerts/slack-webhook-url', '/slack-bot-token', '/iam-alerts/jira-api-token'];
const ROUTE_NAMES = ['/iam-alerts/slack/prod'];
const withRoutes = parameterGuardRailPattern(
  [...STACK_NAMES, ...ROUTE_NAMES].flatMap(parameterNameSpellings),
);
const withoutRoutes = parameterGuardRailPattern(STACK_NAMES.flatMap(parameterNameSpellings));

const CONFIGURED = [...STACK_NAMES, ...ROUTE_NAMES];
const classifyRecord = (value: CloudTrailRecord, deliveryParameters?: readonly string[]) => {
  const event = parseIamEvent(toEventBridgeEvent(value));
  return classifyEvent(
    event,
    describePrincipal(event.record),
    deliveryParameters ? { deliveryParameters } : {},
  );
};
const classify = (name: string, deliveryParameters: readonly string[] | undefined = CONFIGURED) =>
  classifyRecord(record(name), deliveryParameters);
const codes = (classification: { reasons: { code: string }[] }) =>
  classification.reasons.map((reason) => reason.code);
const isGuardRail = (classification: { reasons: { code: string }[] }) =>
  codes(classification).some((code) => code === 'guard-rail' || code === 'guard-rail-attempt');

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
      // Only the listed name that is a delivery parameter is named: /app/db-password is someone else's.
      'SSM parameters /iam-alerts/slack/prod deleted: Slack or Jira alerts may fail',
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
    const classification = classifyRecord(throttled, CONFIGURED);
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

describe('classification on the configured delivery parameters (DELIVERY_PARAMETERS)', () => {
  // A root-user PutParameter reaches the notifier through the identity rules (root activity), not the parameter
  // guard rail. CloudTrail's root userIdentity: type Root, the account's root ARN.
  // https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-user-identity.html
  const rootPut = (name: string): CloudTrailRecord => {
    const value = record('put-overwrite-webhook');
    value.userIdentity = {
      type: 'Root',
      principalId: '111122223333',
      arn: 'arn:aws:iam::111122223333:root',
      accountId: '111122223333',
      accessKeyId: 'ASIAEXAMPLEROOTKEY01',
    };
    (value.requestParameters as Record<string, unknown>).name = name;
    return value;
  };

  it('leaves a root PutParameter on another parameter an ordinary write, alerted for the root user only', () => {
    const classification = classifyRecord(rootPut('/app/feature-flag'), CONFIGURED);
    expect(isGuardRail(classification)).toBe(false);
    expect(classification.title).toBe('ssm:PutParameter');
    expect(classification.title).not.toContain('Slack or Jira');
    // Still critical, for the reason the root-activity rule gives, not because of the forwarder's secrets.
    expect(classification.severity).toBe('critical');
    expect(codes(classification)).toEqual(['root-activity']);
    expect(JSON.stringify(classification)).not.toContain('the forwarder reads the Slack webhook URL');
  });

  it('calls the same root PutParameter on a delivery parameter the guard rail', () => {
    const classification = classifyRecord(rootPut('/iam-alerts/slack-webhook-url'), CONFIGURED);
    expect(isGuardRail(classification)).toBe(true);
    expect(classification.title).toBe(
      'SSM parameter /iam-alerts/slack-webhook-url overwritten: Slack or Jira alerts may go elsewhere',
    );
  });

  it('says an ordinary write is not one the forwarder reads: low, its own reason', () => {
    const classification = classify('other-put');
    expect([classification.severity, codes(classification)]).toEqual(['low', ['operation']]);
    expect(classification.reasons[0]?.text).toBe(
      'SSM parameter /app/db-password written (not one the forwarder reads its Slack or Jira secrets from)',
    );
    expect(classify('other-delete-many').reasons[0]?.text).toBe(
      'SSM parameters /app/db-password, /app/api-key deleted (none of them the forwarder reads its Slack or Jira secrets from)',
    );
  });

  // "/TestParam1 and TestParam1 are not unique"; PutParameter "removes any spaces specified for the beginning or end
  // of a parameter name".
  // https://docs.aws.amazon.com/systems-manager/latest/userguide/sysman-paramstore-su-create.html#sysman-parameter-name-constraints
  // https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_PutParameter.html#systemsmanager-PutParameter-request-Name
  it.each([
    ['/slack-bot-token', '/slack-bot-token'],
    ['/slack-bot-token', 'slack-bot-token'],
    ['slack-bot-token', '/slack-bot-token'],
    ['/slack-bot-token', ' /slack-bot-token'],
    ['/slack-bot-token', 'slack-bot-token  '],
    ['/iam-alerts/slack-webhook-url', '/iam-alerts/slack-webhook-url'],
    ['/iam-alerts/slack-webhook-url', 'iam-alerts/slack-webhook-url'],
    ['/iam-alerts/slack-webhook-url', ' /iam-alerts/slack-webhook-url '],
  ])(
    'configured %j: a write recorded as %j is the guard rail, and the pattern matches it',
    (configured, written) => {
      const value = rootPut(written);
      value.userIdentity = record('put-overwrite-webhook').userIdentity;
      expect(isGuardRail(classifyRecord(value, [configured]))).toBe(true);
      expect(isGuardRail(classifyRecord(value, ['/other']))).toBe(false);
      expect(
        matchesEventPattern(
          parameterGuardRailPattern(parameterNameSpellings(configured)),
          toEventBridgeEvent(value),
        ),
      ).toBe(true);
    },
  );

  it('agrees with the deployed pattern on every fixture, with and without the routes', () => {
    for (const [names, pattern] of [
      [CONFIGURED, withRoutes],
      [STACK_NAMES, withoutRoutes],
    ] as const) {
      for (const name of cases) {
        expect([name, isGuardRail(classify(name, names))]).toEqual([
          name,
          matchesEventPattern(pattern, toEventBridgeEvent(record(name))),
        ]);
      }
    }
  });

  it('with no delivery parameter, calls no write the guard rail (a padded name alone reaches the notifier)', () => {
    for (const name of cases) expect([name, isGuardRail(classify(name, []))]).toEqual([name, false]);
    expect(
      matchesEventPattern(parameterGuardRailPattern([]), toEventBridgeEvent(record('put-padded-name'))),
    ).toBe(true);
  });

  it('with the names not known (offline), claims no tampering: low, worded as a condition', () => {
    const classification = classifyRecord(record('put-overwrite-webhook'));
    expect(isGuardRail(classification)).toBe(false);
    expect([classification.severity, classification.title]).toEqual(['low', 'ssm:PutParameter']);
    expect(classification.reasons[0]?.text).toBe(
      'SSM parameter /iam-alerts/slack-webhook-url written; if it is a parameter the forwarder reads its Slack or Jira secrets from, this is a critical guard-rail event (the delivery parameter names were not given)',
    );
    expect(classifyRecord(record('delete-many-with-route')).reasons[0]?.text).toContain(
      '/app/db-password, /iam-alerts/slack/prod deleted; if one is a parameter',
    );
  });
});
