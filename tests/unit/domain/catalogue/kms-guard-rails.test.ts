// The guard rail on this stack's topic keys: the catalogue's KMS entries, the central stack's pattern on each key's
// ID and ARN, and the alerts, on records written from AWS's documented shapes (tests/fixtures/kms-guard-rails/README.md
// cites each field's source).
import { matchesEventPattern } from '../../../../cli/patterns/event-pattern.js';
import { isOwnKey, KEY_ARN, keySpellings } from '../../../../shared/domain/catalogue/key-names.js';
import { classifyEvent } from '../../../../shared/domain/classify/index.js';
import { parseIamEvent, toEventBridgeEvent } from '../../../../shared/domain/cloudtrail.js';
import {
  deployedRules,
  GUARD_RAIL_PATTERN,
  keyGuardRailPattern,
  ownKeyRule,
} from '../../../../shared/domain/patterns.js';
import { describePrincipal } from '../../../../shared/domain/principal.js';
import type { CloudTrailRecord } from '../../../../shared/domain/types.js';
import { loadNamedRecords } from '../../../helpers/fixtures.js';

const { cases, record } = loadNamedRecords('kms-guard-rails');

// As configured in the tests (README): the alert topic's key and the operations topic's key.
const ALERT_KEY = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const OPERATIONS_KEY = 'arn:aws:kms:us-east-1:111122223333:key/0987dcba-09fe-87dc-65ba-ab0987654321';
const OWN_KEYS = [ALERT_KEY, OPERATIONS_KEY];
// The rule as the template resolves it: each key's `Fn::GetAtt …Arn` and `Ref` (the key ID).
const KEY_RULE = ownKeyRule(OWN_KEYS);

const classifyRecord = (value: CloudTrailRecord, ownKeys?: readonly string[]) => {
  const event = parseIamEvent(toEventBridgeEvent(value));
  return classifyEvent(event, describePrincipal(event.record), ownKeys ? { ownKeys } : {});
};
/** Classified with `ownKeys` (default: both topic keys); `null`: keys not known. */
const classify = (name: string, ownKeys: readonly string[] | null = OWN_KEYS) =>
  classifyRecord(record(name), ownKeys ?? undefined);
const codes = (classification: { reasons: { code: string }[] }) =>
  classification.reasons.map((reason) => reason.code);
const isGuardRail = (classification: { reasons: { code: string }[] }) =>
  codes(classification).some((code) => code === 'guard-rail' || code === 'guard-rail-attempt');

const OWN_CASES = [
  'disable-alert-key-by-id',
  'disable-alert-key-by-arn',
  'schedule-deletion-operations-key-by-id',
  'schedule-deletion-operations-key-by-arn',
  'put-policy-alert-key-by-arn',
  'put-policy-operations-key-by-id',
  'root-disable-alert-key-by-id',
];

describe('key spellings', () => {
  // "Specify the key ID or key ARN of the KMS key."
  // https://docs.aws.amazon.com/kms/latest/APIReference/API_DisableKey.html#API_DisableKey_RequestSyntax
  it('spells a key ARN as itself and its key ID, nothing else', () => {
    expect(keySpellings(ALERT_KEY)).toEqual([ALERT_KEY, '1234abcd-12ab-34cd-56ef-1234567890ab']);
    expect(
      keySpellings('arn:aws:kms:us-east-1:111122223333:key/mrk-1234abcd12ab34cd56ef1234567890ab'),
    ).toEqual([
      'arn:aws:kms:us-east-1:111122223333:key/mrk-1234abcd12ab34cd56ef1234567890ab',
      'mrk-1234abcd12ab34cd56ef1234567890ab',
    ]);
    expect(isOwnKey('1234ABCD-12AB-34CD-56EF-1234567890AB', OWN_KEYS)).toBe(false);
    expect(isOwnKey('alias/iam-change-alerts-prod-alerts', OWN_KEYS)).toBe(false);
  });

  it('accepts key ARNs only as configured keys', () => {
    expect(OWN_KEYS.every((arn) => KEY_ARN.test(arn))).toBe(true);
    for (const wrong of [
      '1234abcd-12ab-34cd-56ef-1234567890ab',
      'arn:aws:kms:us-east-1:111122223333:alias/iam-alerts',
      'arn:aws:sns:us-east-1:111122223333:key/1234',
      `${ALERT_KEY} `,
    ])
      expect([wrong, KEY_ARN.test(wrong)]).toEqual([wrong, false]);
  });
});

describe('the key guard-rail rule and the classifier agree on every fixture', () => {
  it.each(cases)('%s', (name) => {
    const matched = matchesEventPattern(KEY_RULE.pattern, toEventBridgeEvent(record(name)));
    expect([name, isGuardRail(classify(name))]).toEqual([name, matched]);
    expect([name, matched]).toEqual([name, OWN_CASES.includes(name)]);
  });

  it('is the central stack’s own rule: not among the rules member accounts forward, built for the keys given', () => {
    expect(deployedRules().map((rule) => rule.name)).not.toContain('own-keys');
    expect(KEY_RULE).toEqual({
      name: 'own-keys',
      pattern: keyGuardRailPattern([
        ALERT_KEY,
        '1234abcd-12ab-34cd-56ef-1234567890ab',
        OPERATIONS_KEY,
        '0987dcba-09fe-87dc-65ba-ab0987654321',
      ]),
      needsReadOnlyEvents: false,
      regions: 'us-east-1',
    });
    for (const name of cases)
      expect([name, matchesEventPattern(GUARD_RAIL_PATTERN, toEventBridgeEvent(record(name)))]).toEqual([
        name,
        false,
      ]);
  });
});

describe('the alerts', () => {
  it.each([
    [
      'disable-alert-key-by-id',
      'KMS key 1234abcd-12ab-34cd-56ef-1234567890ab disabled: the topic it encrypts rejects every alert',
    ],
    [
      'disable-alert-key-by-arn',
      'KMS key 1234abcd-12ab-34cd-56ef-1234567890ab disabled: the topic it encrypts rejects every alert',
    ],
    [
      'schedule-deletion-operations-key-by-arn',
      'KMS key 0987dcba-09fe-87dc-65ba-ab0987654321 scheduled for deletion: the topic it encrypts rejects every alert',
    ],
    [
      'put-policy-operations-key-by-id',
      'Key policy of KMS key 0987dcba-09fe-87dc-65ba-ab0987654321 replaced: alerts and alarms may no longer be published',
    ],
  ])('%s is a critical guard-rail alert titled "%s"', (name, title) => {
    const classification = classify(name);
    expect([classification.severity, classification.category, classification.reasons[0]?.code]).toEqual([
      'critical',
      'other',
      'guard-rail',
    ]);
    expect(classification.title).toBe(title);
  });

  it('each own key in each form is the guard rail, with only that key configured', () => {
    for (const [name, key] of [
      ['disable-alert-key-by-id', ALERT_KEY],
      ['disable-alert-key-by-arn', ALERT_KEY],
      ['put-policy-alert-key-by-arn', ALERT_KEY],
      ['schedule-deletion-operations-key-by-id', OPERATIONS_KEY],
      ['schedule-deletion-operations-key-by-arn', OPERATIONS_KEY],
      ['put-policy-operations-key-by-id', OPERATIONS_KEY],
    ] as const) {
      const other = key === ALERT_KEY ? OPERATIONS_KEY : ALERT_KEY;
      expect([name, isGuardRail(classify(name, [key])), isGuardRail(classify(name, [other]))]).toEqual([
        name,
        true,
        false,
      ]);
    }
  });
});

describe('classification on the configured keys (OWN_KEYS)', () => {
  // A root-user DisableKey reaches the notifier through the identity rules (root activity), whatever the key.
  // https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-user-identity.html
  it('leaves a root DisableKey on an unrelated key an ordinary write, alerted for the root user only', () => {
    const event = toEventBridgeEvent(record('root-disable-unrelated-key'));
    const identity = deployedRules().find((rule) => rule.name === 'identity');
    expect(identity && matchesEventPattern(identity.pattern, event)).toBe(true);

    const classification = classify('root-disable-unrelated-key');
    expect(isGuardRail(classification)).toBe(false);
    expect(classification.title).toBe('kms:DisableKey');
    expect(codes(classification)).toEqual(['root-activity']);
    expect(JSON.stringify(classification)).not.toContain('rejects every alert');
  });

  it('calls a root DisableKey on the alert topic’s key the guard rail', () => {
    const classification = classify('root-disable-alert-key-by-id');
    expect(isGuardRail(classification)).toBe(true);
    expect(classification.title).toBe(
      'KMS key 1234abcd-12ab-34cd-56ef-1234567890ab disabled: the topic it encrypts rejects every alert',
    );
  });

  it('says an ordinary KMS write is not one of the topic keys: low, its own reason', () => {
    const value = record('root-put-policy-unrelated-key');
    value.userIdentity = record('disable-alert-key-by-id').userIdentity;
    const classification = classifyRecord(value, OWN_KEYS);
    expect([classification.severity, codes(classification)]).toEqual(['low', ['operation']]);
    expect(classification.reasons[0]?.text).toBe(
      'KMS key abcd1234-a123-456a-a12b-a123b4cd56ef given a new key policy (not one of this stack’s topic keys)',
    );
  });

  it('never takes an alias for a topic key (these calls take no alias; the rule does not match one)', () => {
    for (const name of ['disable-by-alias-name', 'schedule-deletion-by-alias-arn']) {
      for (const keys of [OWN_KEYS, null]) {
        const classification = classify(name, keys);
        expect([name, isGuardRail(classification), classification.severity]).toEqual([name, false, 'low']);
        expect(classification.reasons[0]?.text).toMatch(
          /\(an alias, which this call does not take: not one of this stack’s topic keys\)$/,
        );
      }
    }
  });

  it('with no keys known (render or replay without --own-keys), says when a call would be the guard rail', () => {
    for (const name of OWN_CASES.filter((name) => !name.startsWith('root-'))) {
      const classification = classify(name, null);
      expect([name, isGuardRail(classification), classification.severity]).toEqual([name, false, 'low']);
      expect(classification.reasons[0]?.text).toMatch(
        /; if it is one of this stack’s topic keys, this is a critical guard-rail event \(the topic keys were not given\)$/,
      );
    }
    // An empty list is known: none.
    expect(classify('disable-alert-key-by-id', []).reasons[0]?.text).toBe(
      'KMS key 1234abcd-12ab-34cd-56ef-1234567890ab disabled (not one of this stack’s topic keys)',
    );
  });

  it('leaves a record that names no key an ordinary change', () => {
    const value = record('disable-alert-key-by-id');
    value.requestParameters = null;
    const classification = classifyRecord(value, OWN_KEYS);
    expect(isGuardRail(classification)).toBe(false);
    expect(classification.reasons[0]?.text).toBe(
      'a change to a KMS key the record does not name (no request recorded)',
    );
    expect(matchesEventPattern(KEY_RULE.pattern, toEventBridgeEvent(value))).toBe(false);
  });
});
