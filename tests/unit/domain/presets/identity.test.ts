// The identity rules' EventBridge patterns, checked with the local matcher against every fixture record and tied to
// the classifier record by record: a record reaches the notifier through an identity rule exactly when the classifier
// gives it that rule's reason. Operators: https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compileEventPattern } from '../../../../cli/patterns/event-pattern.js';
import { SIGN_IN_WATCHED_OPERATIONS } from '../../../../shared/domain/catalogue/index.js';
import { classifyEvent } from '../../../../shared/domain/classify/index.js';
import { SCP_DENIAL_PHRASES } from '../../../../shared/domain/classify/outcome.js';
import { parseIamEvent, toEventBridgeEvent } from '../../../../shared/domain/cloudtrail.js';
import {
  DEFAULT_PRESET,
  deployedRules,
  EVENT_PATTERN_MAX_LENGTH,
  GUARD_RAIL_PATTERN,
  IDENTITY_RULE_NAMES,
  IDENTITY_RULES,
  IDENTITY_RULES_PATTERN,
  type IdentityRuleName,
  INSTANCE_PUBLIC_ENDPOINT_PATTERN,
  instanceEgressPatterns,
  PRESETS,
  signInClauses,
} from '../../../../shared/domain/patterns.js';
import { describePrincipal } from '../../../../shared/domain/principal.js';
import type { Classification, CloudTrailRecord } from '../../../../shared/domain/types.js';
import { FIXTURES_DIR, loadCorpus } from '../../../helpers/fixtures.js';

const identityFixtures = (file: string): Array<{ name: string; record: CloudTrailRecord }> =>
  readFileSync(join(FIXTURES_DIR, 'identity', file), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line, i) => ({ name: `identity/${file}:${i + 1}`, record: JSON.parse(line) as CloudTrailRecord }));

const RECORDS = [
  ...loadCorpus().map(({ file, line, record }) => ({ name: `${file}:${line}`, record })),
  ...identityFixtures('identity-rules.jsonl'),
  ...identityFixtures('aws-cli-examples.jsonl'),
];

const classifyRecord = (
  record: CloudTrailRecord,
  instanceEgressCidrs: readonly string[] = [],
): Classification => {
  const event = parseIamEvent(structuredClone(record));
  return classifyEvent(event, describePrincipal(event.record), { instanceEgressCidrs });
};

const has = (classification: Classification, ...wanted: string[]): boolean =>
  classification.reasons.some((reason) => wanted.includes(reason.code));

/** What the classifier says each identity rule is for, in its own reason codes. */
const CLASSIFIER_SAYS: Record<IdentityRuleName, (c: Classification, r: CloudTrailRecord) => boolean> = {
  'root-activity': (c) =>
    has(c, 'root-activity', 'root-sign-in', 'root-sign-in-failed', 'root-session', 'root-session-attempt'),
  'console-sign-in': (c, r) =>
    has(c, 'sign-in-failed') || (has(c, 'console-login-without-mfa') && r.userIdentity.type === 'IAMUser'),
  'instance-credentials-denied': (c) => has(c, 'instance-credentials-denied'),
};

describe('identity rules pattern', () => {
  const combined = compileEventPattern(IDENTITY_RULES_PATTERN);

  it.each(IDENTITY_RULE_NAMES.map((name) => [name]))(
    '%s matches exactly the fixture records the classifier gives its reasons (and some)',
    (name) => {
      const pattern = IDENTITY_RULES.get(name as IdentityRuleName);
      const matcher = compileEventPattern(pattern);
      const says = CLASSIFIER_SAYS[name as IdentityRuleName];
      const disagreements: string[] = [];
      let matched = 0;
      for (const { name: where, record } of RECORDS) {
        const routed = matcher.matches(toEventBridgeEvent(record));
        const alerted = says(classifyRecord(record), record);
        if (routed) matched++;
        if (routed !== alerted) disagreements.push(`${where}: routed ${routed}, classified ${alerted}`);
      }
      expect(disagreements).toEqual([]);
      expect(matched).toBeGreaterThanOrEqual(2);
    },
  );

  it('is the union of the rules, and matches nothing the rules do not', () => {
    const rules = IDENTITY_RULE_NAMES.map((name) => compileEventPattern(IDENTITY_RULES.get(name)));
    for (const { name, record } of RECORDS) {
      const event = toEventBridgeEvent(record);
      expect([name, combined.matches(event)]).toEqual([name, rules.some((rule) => rule.matches(event))]);
    }
  });

  it('routes a root sign-in in eu-west-1, an IAM user sign-in without MFA and denied stolen credentials', () => {
    const wanted = [
      'identity/identity-rules.jsonl:6',
      'awsdocs-examples:15',
      'identity/identity-rules.jsonl:1',
      'identity/identity-rules.jsonl:2',
    ];
    for (const where of wanted) {
      const entry = RECORDS.find((r) => r.name === where);
      expect([where, entry && combined.matches(toEventBridgeEvent(entry.record))]).toEqual([where, true]);
    }
  });

  it.each([
    ['a root call made by an AWS service (invokedBy)', 'identity/identity-rules.jsonl:4'],
    ['a service event about root', 'identity/identity-rules.jsonl:5'],
    ['a denial by an identity policy', 'identity/identity-rules.jsonl:3'],
    ['an Identity Center sign-in', 'identity/identity-rules.jsonl:12'],
    ['a federated sign-in', 'identity/aws-cli-examples.jsonl:1'],
    ['an IAM user sign-in with MFA', 'invictus-ir-aws-dataset:2440'],
  ])('does not route %s', (_case, where) => {
    const entry = RECORDS.find((r) => r.name === where);
    expect(entry).toBeDefined();
    expect(entry && combined.matches(toEventBridgeEvent(entry.record))).toBe(false);
  });

  it('derives the sign-in clauses from the catalogue, operation by operation', () => {
    expect(SIGN_IN_WATCHED_OPERATIONS.map((operation) => operation.name)).toEqual(['ConsoleLogin']);
    for (const operation of SIGN_IN_WATCHED_OPERATIONS) {
      const clauses = signInClauses([operation]);
      expect(clauses).toHaveLength(2);
      for (const clause of clauses) {
        expect(clause).toMatchObject({ eventSource: [operation.eventSource], eventName: [operation.name] });
      }
    }
    expect(signInClauses(SIGN_IN_WATCHED_OPERATIONS)).toHaveLength(2 * SIGN_IN_WATCHED_OPERATIONS.length);
  });

  it('matches each SCP denial phrase the classifier knows, whatever the error code', () => {
    const stolen = RECORDS.find((r) => r.name === 'identity/identity-rules.jsonl:1')?.record;
    if (!stolen) throw new Error('fixture missing');
    for (const [i, phrase] of SCP_DENIAL_PHRASES.entries()) {
      const record = {
        ...structuredClone(stolen),
        errorCode: i === 0 ? 'AccessDenied' : 'AccessDeniedException',
        errorMessage: `User: arn:aws:sts::111122223333:assumed-role/web-role/i-0abc1234def567890 is not authorized to perform: s3:ListAllMyBuckets ${i === 0 ? 'with an' : 'because'} ${phrase}`,
      };
      expect(combined.matches(toEventBridgeEvent(record))).toBe(true);
      expect(has(classifyRecord(record), 'instance-credentials-denied')).toBe(true);
    }
  });

  it('misses an SCP denial phrase written in another case (EventBridge wildcards are case-sensitive; documented)', () => {
    const stolen = RECORDS.find((r) => r.name === 'identity/identity-rules.jsonl:1')?.record;
    if (!stolen) throw new Error('fixture missing');
    const shouting = {
      ...structuredClone(stolen),
      errorMessage: 'WITH AN EXPLICIT DENY IN A SERVICE CONTROL POLICY',
    };

    expect(combined.matches(toEventBridgeEvent(shouting))).toBe(false);
    expect(has(classifyRecord(shouting), 'instance-credentials-denied')).toBe(true);
  });
});

describe('egress rule patterns (issue 16, item 5)', () => {
  const EGRESS = ['198.51.100.7/32', '192.0.2.0/24'];

  it('matches exactly what the classifier alerts as outside the egress addresses, on every fixture record', () => {
    const matchers = instanceEgressPatterns(EGRESS).map((pattern) => compileEventPattern(pattern));
    const disagreements: string[] = [];
    let matched = 0;
    for (const { name, record } of RECORDS) {
      const routed = matchers.some((matcher) => matcher.matches(toEventBridgeEvent(record)));
      const alerted = has(classifyRecord(record, EGRESS), 'instance-credentials-outside-egress');
      if (routed) matched++;
      if (routed !== alerted) disagreements.push(`${name}: routed ${routed}, classified ${alerted}`);
    }
    expect(disagreements).toEqual([]);
    // Stratus Red Team's stolen credentials (2), Invictus' and OTRF's public-endpoint calls, the IPv6 call.
    expect(matched).toBeGreaterThanOrEqual(3);
  });

  it('splits the blocks over patterns within the size quota, and their union does not change', () => {
    const many = [
      '198.51.100.7/32',
      '192.0.2.0/24',
      '203.0.113.128/25',
      '2001:db8:85a3::/48',
      '18.236.0.0/16',
    ];
    const patterns = instanceEgressPatterns(many);
    const small = instanceEgressPatterns(many, 700);

    for (const pattern of [...patterns, ...small]) {
      expect(JSON.stringify(pattern).length).toBeLessThanOrEqual(EVENT_PATTERN_MAX_LENGTH);
    }
    expect(small.length).toBeGreaterThan(patterns.length);
    for (const pattern of small) expect(JSON.stringify(pattern).length).toBeLessThanOrEqual(700);
    const union = (list: typeof patterns) => {
      const matchers = list.map((p) => compileEventPattern(p));
      return RECORDS.map(({ record }) => matchers.some((m) => m.matches(toEventBridgeEvent(record))));
    };
    expect(union(small)).toEqual(union(patterns));
  });

  it('deploys nothing without CIDRs, and refuses a malformed one', () => {
    expect(instanceEgressPatterns([])).toEqual([]);
    expect(() => instanceEgressPatterns(['198.51.100.7/33'])).toThrow(/not a CIDR: "198.51.100.7\/33"/);
  });

  it('offers a coarse pattern for CIDRs known only at deploy time: every successful public-endpoint instance call', () => {
    const matcher = compileEventPattern(INSTANCE_PUBLIC_ENDPOINT_PATTERN);
    const names = RECORDS.filter(({ record }) => matcher.matches(toEventBridgeEvent(record))).map(
      (r) => r.name,
    );

    expect(names).toEqual(expect.arrayContaining(['identity/identity-rules.jsonl:9', 'stratus-red-team:40']));
    expect(names).not.toContain('identity/identity-rules.jsonl:8');
    expect(names).not.toContain('identity/identity-rules.jsonl:1');
  });
});

describe('deployedRules: what a deployment sends to the notifier', () => {
  it('is the preset, the guard rails and the identity rules by default', () => {
    expect(deployedRules()).toEqual([
      { name: 'preset', pattern: PRESETS[DEFAULT_PRESET], needsReadOnlyEvents: false, regions: 'us-east-1' },
      { name: 'guard-rails', pattern: GUARD_RAIL_PATTERN, needsReadOnlyEvents: false, regions: 'us-east-1' },
      { name: 'identity', pattern: IDENTITY_RULES_PATTERN, needsReadOnlyEvents: true, regions: 'all' },
    ]);
  });

  it('drops the identity rules when turned off and adds the egress rules when CIDRs are given', () => {
    const rules = deployedRules({
      preset: 'all',
      identityRules: false,
      instanceEgressCidrs: ['198.51.100.7/32'],
    });

    expect(rules.map((rule) => [rule.name, rule.needsReadOnlyEvents, rule.regions])).toEqual([
      ['preset', true, 'us-east-1'],
      ['guard-rails', false, 'us-east-1'],
      ['instance-egress-1', true, 'all'],
    ]);
  });

  it('deploys only patterns EventBridge accepts', () => {
    for (const rule of deployedRules({ instanceEgressCidrs: ['198.51.100.7/32', '2001:db8::/32'] })) {
      expect(() => compileEventPattern(rule.pattern)).not.toThrow();
      expect(JSON.stringify(rule.pattern).length).toBeLessThanOrEqual(EVENT_PATTERN_MAX_LENGTH);
    }
  });
});
