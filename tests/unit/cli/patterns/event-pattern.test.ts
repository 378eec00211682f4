import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  compileEventPattern,
  InvalidPatternError,
  matchesEventPattern,
  validateEventPattern,
} from '../../../../cli/patterns/event-pattern.js';
import { FIXTURES_DIR } from '../../../helpers/fixtures.js';

interface Vector {
  group?: string;
  name: string;
  rule: unknown;
  event: unknown;
  expected: boolean;
}

const loadVectors = (file: string): Vector[] =>
  (JSON.parse(readFileSync(join(FIXTURES_DIR, 'event-ruler', file), 'utf8')) as { cases: Vector[] }).cases;

describe('event-ruler test vectors', () => {
  it.each(loadVectors('ruler-test-vectors.json').map((v) => [`${v.group}: ${v.name}`, v] as const))(
    '%s',
    (_name, vector) => {
      expect(matchesEventPattern(vector.rule, vector.event)).toBe(vector.expected);
    },
  );

  it.each(loadVectors('correctness-cases.subset.json').map((v) => [v.name, v] as const))(
    'correctness case %s',
    (_name, vector) => {
      expect(matchesEventPattern(vector.rule, vector.event)).toBe(vector.expected);
    },
  );
});

// Examples from the EventBridge user guide (eb-event-patterns*, eb-create-pattern-operators).
describe('EventBridge documentation examples', () => {
  const ec2 = {
    version: '0',
    id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
    'detail-type': 'EC2 Instance State-change Notification',
    source: 'aws.ec2',
    account: '111122223333',
    time: '2017-12-22T18:43:48Z',
    region: 'us-west-1',
    resources: ['arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0'],
    detail: { 'instance-id': 'i-1234567890abcdef0', state: 'terminated' },
  };

  it('matches the terminated-instance pattern and not another state', () => {
    const pattern = {
      source: ['aws.ec2'],
      'detail-type': ['EC2 Instance State-change Notification'],
      detail: { state: ['terminated'] },
    };
    expect(matchesEventPattern(pattern, ec2)).toBe(true);
    expect(matchesEventPattern(pattern, { ...ec2, detail: { state: 'running' } })).toBe(false);
  });

  it('matches an event array when it intersects the pattern array', () => {
    const pattern = {
      resources: [
        'arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f',
        'arn:aws:ec2:us-east-1:111122223333:instance/i-b188560f',
      ],
    };
    const event = {
      resources: [
        'arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:eb56d16b:autoScalingGroupName/ASGTerminate',
        'arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f',
      ],
    };
    expect(matchesEventPattern(pattern, event)).toBe(true);
    expect(matchesEventPattern(pattern, { resources: [event.resources[0]] })).toBe(false);
  });

  it('tells null from the empty string', () => {
    const event = { detail: { eventVersion: '', responseElements: null } };
    expect(matchesEventPattern({ detail: { eventVersion: [''] } }, event)).toBe(true);
    expect(matchesEventPattern({ detail: { responseElements: [null] } }, event)).toBe(true);
    expect(matchesEventPattern({ detail: { eventVersion: [null] } }, event)).toBe(false);
    expect(matchesEventPattern({ detail: { responseElements: [''] } }, event)).toBe(false);
  });

  it('applies exists only to leaf nodes', () => {
    const pattern = { detail: { 'c-count': [{ exists: false }] } };
    expect(matchesEventPattern(pattern, { detail: { state: 'running' } })).toBe(true);
    expect(matchesEventPattern(pattern, { detail: { 'c-count': { c1: 100 } } })).toBe(true);
    expect(matchesEventPattern(pattern, { detail: { 'c-count': 5 } })).toBe(false);
    expect(
      matchesEventPattern({ detail: { description: [{ exists: true }] } }, { detail: { description: 'x' } }),
    ).toBe(true);
  });

  it('combines prefix, anything-but, numeric and cidr (the complex example)', () => {
    const pattern = {
      time: [{ prefix: '2017-10-02' }],
      detail: {
        state: [{ 'anything-but': 'initializing' }],
        'c-count': [{ numeric: ['>', 0, '<=', 5] }],
        'd-count': [{ numeric: ['<', 10] }],
        'x-limit': [{ 'anything-but': [100, 200, 300] }],
        'source-ip': [{ cidr: '10.0.0.0/8' }],
      },
    };
    const event = {
      time: '2017-10-02T16:24:49Z',
      detail: { state: 'running', 'c-count': 5, 'd-count': 3, 'x-limit': 301.8, 'source-ip': '10.0.0.33' },
    };
    expect(matchesEventPattern(pattern, event)).toBe(true);
    expect(matchesEventPattern(pattern, { ...event, detail: { ...event.detail, 'c-count': 6 } })).toBe(false);
    expect(matchesEventPattern(pattern, { ...event, detail: { ...event.detail, 'x-limit': 200 } })).toBe(
      false,
    );
    expect(
      matchesEventPattern(pattern, { ...event, detail: { ...event.detail, 'source-ip': '11.0.0.1' } }),
    ).toBe(false);
    expect(matchesEventPattern(pattern, { ...event, time: '2017-10-03T00:00:00Z' })).toBe(false);
  });

  it('matches the operator table rows', () => {
    const rows: Array<[unknown, unknown, boolean]> = [
      [{ Region: [{ 'anything-but': { prefix: 'us-' } }] }, { Region: 'eu-west-1' }, true],
      [{ Region: [{ 'anything-but': { prefix: 'us-' } }] }, { Region: 'us-east-1' }, false],
      [{ FileName: [{ 'anything-but': { suffix: '.png' } }] }, { FileName: 'a.jpg' }, true],
      [{ FileName: [{ 'anything-but': { suffix: '.png' } }] }, { FileName: 'a.png' }, false],
      [
        { state: [{ 'anything-but': { 'equals-ignore-case': 'initializing' } }] },
        { state: 'INITIALIZING' },
        false,
      ],
      [{ state: [{ 'anything-but': { 'equals-ignore-case': 'initializing' } }] }, { state: 'running' }, true],
      [{ FilePath: [{ 'anything-but': { wildcard: '*/lib/*' } }] }, { FilePath: 'src/lib/a.ts' }, false],
      [{ FilePath: [{ 'anything-but': { wildcard: '*/lib/*' } }] }, { FilePath: 'src/bin/a.ts' }, true],
      [{ service: [{ prefix: { 'equals-ignore-case': 'eventb' } }] }, { service: 'EventBridge' }, true],
      [{ service: [{ suffix: { 'equals-ignore-case': 'tbridge' } }] }, { service: 'EVENTBRIDGE' }, true],
      [{ service: [{ suffix: { 'equals-ignore-case': 'tbridge' } }] }, { service: 'EventBus' }, false],
      [{ LastName: [''] }, { LastName: '' }, true],
      [{ Name: [{ 'equals-ignore-case': 'alice' }] }, { Name: 'ALICE' }, true],
      [{ ProductName: [{ exists: true }] }, { ProductName: 'x' }, true],
      [{ ProductName: [{ exists: false }] }, { ProductName: 'x' }, false],
      [{ Weather: [{ 'anything-but': ['Raining'] }] }, { Weather: 'Sunny' }, true],
      [{ UserID: [null] }, { UserID: null }, true],
      [{ Price: [100] }, { Price: 100 }, true],
      [{ Price: [100] }, { Price: '100' }, false],
      [{ Price: [{ numeric: ['>', 10, '<=', 20] }] }, { Price: 20 }, true],
      [{ Price: [{ numeric: ['>', 10, '<=', 20] }] }, { Price: 10 }, false],
      [{ PaymentType: ['Credit', 'Debit'] }, { PaymentType: 'Debit' }, true],
      [
        { $or: [{ Location: ['New York'] }, { Day: ['Monday'] }] },
        { Location: 'Boston', Day: 'Monday' },
        true,
      ],
      [
        { $or: [{ Location: ['New York'] }, { Day: ['Monday'] }] },
        { Location: 'Boston', Day: 'Sunday' },
        false,
      ],
      [{ FileName: [{ wildcard: 'dir/*.png' }] }, { FileName: 'dir/a/b.png' }, true],
      [{ FileName: [{ wildcard: 'dir/*.png' }] }, { FileName: 'other/a.png' }, false],
    ];
    for (const [pattern, event, expected] of rows) {
      expect([pattern, event, matchesEventPattern(pattern, event)]).toEqual([pattern, event, expected]);
    }
  });

  it('nests $or inside $or and alongside fields (Event Ruler README)', () => {
    const pattern = {
      source: ['aws.cloudwatch'],
      $or: [
        { metricName: ['CPUUtilization', 'ReadLatency'] },
        {
          metricType: ['MetricType'],
          namespace: ['AWS/EC2', 'AWS/ES'],
          $or: [{ metricId: [1234] }, { spaceId: [1000] }],
        },
        { scope: ['Service'] },
      ],
    };
    expect(matchesEventPattern(pattern, { source: 'aws.cloudwatch', scope: 'Service' })).toBe(true);
    expect(
      matchesEventPattern(pattern, {
        source: 'aws.cloudwatch',
        metricType: 'MetricType',
        namespace: 'AWS/ES',
        spaceId: 1000,
      }),
    ).toBe(true);
    expect(
      matchesEventPattern(pattern, {
        source: 'aws.cloudwatch',
        metricType: 'MetricType',
        namespace: 'AWS/ES',
        spaceId: 1,
      }),
    ).toBe(false);
    expect(matchesEventPattern(pattern, { source: 'aws.ec2', scope: 'Service' })).toBe(false);
  });
});

describe('operators in detail', () => {
  it('escapes wildcards: \\* is a literal asterisk, \\\\ a literal backslash', () => {
    expect(matchesEventPattern({ a: [{ wildcard: 'a\\*b' }] }, { a: 'a*b' })).toBe(true);
    expect(matchesEventPattern({ a: [{ wildcard: 'a\\*b' }] }, { a: 'axxb' })).toBe(false);
    expect(matchesEventPattern({ a: [{ wildcard: 'a\\\\*' }] }, { a: 'a\\anything' })).toBe(true);
    expect(matchesEventPattern({ a: [{ wildcard: 'a\\\\*' }] }, { a: 'ab' })).toBe(false);
    expect(matchesEventPattern({ a: [{ wildcard: '*' }] }, { a: '' })).toBe(true);
    expect(matchesEventPattern({ a: [{ wildcard: 'a.c' }] }, { a: 'abc' })).toBe(false);
    expect(matchesEventPattern({ a: [{ wildcard: 'Put*Policy' }] }, { a: 'PutRolePolicy' })).toBe(true);
    expect(matchesEventPattern({ a: [{ wildcard: 'Put*Policy' }] }, { a: 'PutRolePolicyX' })).toBe(false);
  });

  it('matches IPv4 and IPv6 CIDR blocks and only IP strings', () => {
    expect(matchesEventPattern({ ip: [{ cidr: '2001:db8::/32' }] }, { ip: '2001:DB8:0:0:1::1' })).toBe(true);
    expect(matchesEventPattern({ ip: [{ cidr: '2001:db8::/32' }] }, { ip: '2001:db9::1' })).toBe(false);
    expect(matchesEventPattern({ ip: [{ cidr: '::ffff:10.0.0.0/104' }] }, { ip: '::ffff:10.9.9.9' })).toBe(
      true,
    );
    expect(matchesEventPattern({ ip: [{ cidr: '10.0.0.0/24' }] }, { ip: '2001:db8::1' })).toBe(false);
    expect(matchesEventPattern({ ip: [{ cidr: '10.0.0.0/24' }] }, { ip: 'AWS Internal' })).toBe(false);
    expect(matchesEventPattern({ ip: [{ cidr: '0.0.0.0/0' }] }, { ip: '203.0.113.9' })).toBe(true);
    expect(matchesEventPattern({ ip: [{ cidr: '192.0.2.1/32' }] }, { ip: '192.0.2.1' })).toBe(true);
    expect(matchesEventPattern({ ip: [{ cidr: '192.0.2.1/32' }] }, { ip: '192.0.2.2' })).toBe(false);
  });

  it('compares numbers by value and only numbers numerically', () => {
    expect(matchesEventPattern({ x: [3.018e2] }, { x: 301.8 })).toBe(true);
    expect(matchesEventPattern({ x: [{ numeric: ['=', 301.8] }] }, { x: '301.8' })).toBe(false);
    expect(matchesEventPattern({ x: [{ numeric: ['>=', 0] }] }, { x: [-1, 3] })).toBe(true);
  });

  it('matches booleans exactly, not as strings', () => {
    expect(matchesEventPattern({ readOnly: [false] }, { readOnly: false })).toBe(true);
    expect(matchesEventPattern({ readOnly: [false] }, { readOnly: 'false' })).toBe(false);
    expect(matchesEventPattern({ readOnly: [false] }, {})).toBe(false);
  });

  it('requires a present value for anything-but', () => {
    expect(matchesEventPattern({ a: [{ 'anything-but': 'x' }] }, {})).toBe(false);
    expect(matchesEventPattern({ a: [{ 'anything-but': 'x' }] }, { a: null })).toBe(true);
  });

  it('compiles once and matches many events', () => {
    const matcher = compileEventPattern({ detail: { eventName: [{ prefix: 'Create' }] } });
    expect(
      ['CreateUser', 'DeleteUser', 'Create'].map((eventName) => matcher.matches({ detail: { eventName } })),
    ).toEqual([true, false, true]);
    expect(matcher.matches('not an object')).toBe(false);
  });
});

describe('validation', () => {
  it.each([
    ['not an object', 'x', '(root)'],
    ['an empty object', {}, '(root)'],
    ['a bare string value', { source: 'aws.iam' }, 'source'],
    ['an empty value list', { source: [] }, 'source'],
    ['a nested array', { a: [['x']] }, 'a[0]'],
    ['an unknown operator', { a: [{ contains: 'x' }] }, 'a[0].contains'],
    ['two operators in one object', { a: [{ prefix: 'x', suffix: 'y' }] }, 'a[0]'],
    ['consecutive wildcards', { a: [{ wildcard: 'a**b' }] }, 'a[0].wildcard'],
    ['a bad escape in a wildcard', { a: [{ wildcard: 'a\\b' }] }, 'a[0].wildcard'],
    ['a trailing backslash in a wildcard', { a: [{ wildcard: 'a\\' }] }, 'a[0].wildcard'],
    ['a numeric prefix', { a: [{ prefix: 1 }] }, 'a[0].prefix'],
    ['a bad numeric operator', { a: [{ numeric: ['~', 1] }] }, 'a[0].numeric[0]'],
    ['a numeric string bound', { a: [{ numeric: ['>', '1'] }] }, 'a[0].numeric[1]'],
    ['an empty numeric range', { a: [{ numeric: ['>', 5, '<', 5] }] }, 'a[0].numeric'],
    ['= with a range', { a: [{ numeric: ['=', 5, '<', 6] }] }, 'a[0].numeric'],
    ['a bad CIDR', { a: [{ cidr: '10.0.0.256/8' }] }, 'a[0].cidr'],
    ['a too long prefix length', { a: [{ cidr: '2001:db8::/129' }] }, 'a[0].cidr'],
    ['exists with a string', { a: [{ exists: 'true' }] }, 'a[0].exists'],
    ['anything-but mixing types', { a: [{ 'anything-but': ['a', 1] }] }, 'a[0].anything-but'],
    ['anything-but with a boolean', { a: [{ 'anything-but': true }] }, 'a[0].anything-but'],
    [
      'anything-but with numeric',
      { a: [{ 'anything-but': { numeric: ['>', 1] } }] },
      'a[0].anything-but.numeric',
    ],
    ['$or with one branch', { $or: [{ a: ['x'] }] }, '$or'],
    ['$or with a non-object', { $or: [{ a: ['x'] }, 'b'] }, '$or[1]'],
  ])('rejects %s', (_name, pattern, path) => {
    expect(() => validateEventPattern(pattern)).toThrow(InvalidPatternError);
    try {
      validateEventPattern(pattern);
    } catch (error) {
      expect((error as InvalidPatternError).path || '(root)').toBe(path);
    }
  });

  it('accepts every operator in its documented form', () => {
    expect(() =>
      validateEventPattern({
        a: [
          'x',
          1,
          true,
          null,
          { prefix: 'p' },
          { suffix: 's' },
          { 'equals-ignore-case': 'e' },
          { wildcard: 'w*' },
        ],
        b: [
          { 'anything-but': ['x', 'y'] },
          { 'anything-but': { wildcard: ['*a', 'b*'] } },
          { numeric: ['>=', 0] },
        ],
        c: [{ cidr: '10.0.0.0/8' }, { cidr: '2001:db8::/32' }, { exists: true }],
        d: { e: [{ prefix: { 'equals-ignore-case': 'p' } }] },
        $or: [{ f: ['1'] }, { g: ['2'] }],
      }),
    ).not.toThrow();
  });
});

describe('wildcard with characters special in regular expressions', () => {
  it('treats a hyphen literally (the guard-rail pattern scopes names with *iam-change-alerts-*)', () => {
    const pattern = { detail: { name: [{ wildcard: '*iam-change-alerts-*' }] } };
    expect(
      matchesEventPattern(pattern, {
        detail: { name: 'arn:aws:lambda:us-east-1:123456789012:function:iam-change-alerts-prod-notifier' },
      }),
    ).toBe(true);
    expect(matchesEventPattern(pattern, { detail: { name: 'iamXchangeXalertsXprod' } })).toBe(false);
    for (const literal of ['a.b', 'a+b', 'a(b)', 'a[b]', 'a{1}', 'a|b', 'a^b$', 'a/b']) {
      expect(matchesEventPattern({ x: [{ wildcard: `${literal}*` }] }, { x: `${literal}!` })).toBe(true);
    }
  });
});
