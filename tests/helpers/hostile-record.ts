// fast-check arbitraries for CloudTrail records whose every caller-controlled field is hostile: names, tags, policy
// documents, user agent, request parameters (deeply nested, huge), error message, eventName (`Object.prototype` keys,
// CR/LF, escape sequences, 300 characters), lone surrogates, bidi controls. Built from the copied corpus, so the
// rest of each record is what CloudTrail really writes.
import fc from 'fast-check';
import { hostileString, unsafeChar } from './alert-arbitrary.js';
import { loadCorpus } from './fixtures.js';

type Json = Record<string, unknown>;

/** Strings that have crashed or overflowed the pipeline before, or that a naive lookup mistakes for a key. */
const NAMED = [
  '__proto__',
  'constructor',
  'toString',
  'hasOwnProperty',
  'valueOf',
  'prototype',
  'CreateUser\r\nSubject: forged',
  '\u001b[31mAttachUserPolicy\u001b[0m',
  'Create\u202eresUnoitcA',
  '\ud800',
  'a\udfffb',
  '\u200bAttachUserPolicy\ufeff',
];

/** Any of the above, a hostile mix, a lone surrogate in a name, or the same cut to exactly `length`. */
export const hostileName: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...NAMED),
  hostileString(60),
  fc.tuple(hostileString(12), fc.constantFrom('\ud83d', '\udc00')).map(([a, b]) => `${a}${b}x`),
  unsafeChar,
);

/** A string of `min`…`max` characters made by repeating a hostile one (huge values cost the caller nothing). */
export const hugeString = (min: number, max: number): fc.Arbitrary<string> =>
  fc
    .tuple(hostileName, fc.integer({ min, max }))
    .map(([seed, length]) =>
      (seed === '' ? 'x' : seed).repeat(Math.ceil(length / Math.max(1, seed.length))).slice(0, length),
    );

/** Mostly hostile, sometimes huge (up to `maxHuge` characters). */
const hostileOrHuge = (maxHuge: number): fc.Arbitrary<string> =>
  fc.oneof({ weight: 3, arbitrary: hostileName }, { weight: 1, arbitrary: hugeString(1_000, maxHuge) });

/** An object nested `depth` levels deep, built without recursion (JSON.stringify itself may overflow on it). */
export const deepObject = (depth: number, leaf: unknown = 'x'): Json => {
  let value: unknown = leaf;
  for (let i = 0; i < depth; i += 1) value = i % 2 === 0 ? { a: value } : [value];
  return { nested: value };
};

/** An object whose key is an `Object.prototype` name, set as JSON.parse sets it (an own property). */
const withKey = (key: string, value: unknown): Json => {
  const object = JSON.parse('{}') as Json;
  Object.defineProperty(object, key, { value, enumerable: true, configurable: true, writable: true });
  return object;
};

const hostileParameters: fc.Arbitrary<Json> = fc
  .record(
    {
      userName: hostileOrHuge(40_000),
      roleName: hostileOrHuge(40_000),
      groupName: hostileName,
      policyName: hostileName,
      policyArn: fc.oneof(
        hostileName,
        hostileName.map((name) => `arn:aws:iam::123456789012:policy/${name}`),
        fc.constant('arn:aws:iam::aws:policy/AdministratorAccess'),
      ),
      policyDocument: fc.oneof(
        hostileOrHuge(300_000),
        fc
          .array(fc.record({ Effect: fc.constant('Allow'), Action: hostileName, Resource: hostileName }), {
            maxLength: 200,
          })
          .map((Statement) => JSON.stringify({ Version: '2012-10-17', Statement })),
        fc.integer({ min: 100, max: 5_000 }).map((depth) => JSON.stringify(deepObject(10)).repeat(depth)),
      ),
      assumeRolePolicyDocument: hostileOrHuge(100_000),
      tags: fc.array(fc.record({ key: hostileName, value: hostileOrHuge(20_000) }), { maxLength: 60 }),
      deep: fc.integer({ min: 1, max: 6_000 }).map((depth) => deepObject(depth)),
      big: hugeString(1_000, 400_000),
      many: fc
        .integer({ min: 1, max: 3_000 })
        .map((count) => Object.fromEntries(Array.from({ length: count }, (_, i) => [`k${i}`, `v${i}`]))),
      protoKey: fc.constantFrom(...NAMED.slice(0, 6)).map((key) => withKey(key, { polluted: true })),
      number: fc.oneof(fc.integer(), fc.double()),
    },
    { requiredKeys: [] },
  )
  .chain((params) =>
    // Spread into a prototype-less JSON object, adding an Object.prototype key at the top level sometimes.
    fc.constantFrom(...NAMED.slice(0, 6), '').map((key) => {
      const object = JSON.parse('{}') as Json;
      for (const [name, value] of Object.entries(params)) object[name] = value;
      return key ? Object.assign(object, withKey(key, 'x')) : object;
    }),
  );

/** The hostile values a record may receive; each is applied or not. */
interface Mutation {
  eventName?: string;
  userName?: string;
  arn?: string;
  principalId?: string;
  issuerName?: string;
  issuerArn?: string;
  sessionArn?: string;
  userAgent?: string;
  errorCode?: string;
  errorMessage?: string;
  sourceIPAddress?: string;
  awsRegion?: string;
  eventID?: string;
  eventTime?: string;
  recipientAccountId?: string;
  requestParameters?: Json;
  responseElements?: Json;
  identityType?: string;
  /** A field CloudTrail always writes as a string, given another JSON type. */
  wrongType?: { field: string; value: unknown };
  envelope?: boolean;
}

const mutation: fc.Arbitrary<Mutation> = fc.record(
  {
    // Never empty: a record without an eventName is not a CloudTrail record (the parser rejects it, by design).
    eventName: fc
      .oneof(hostileName, hugeString(200, 400), fc.constant('A'.repeat(300)))
      .map((name) => (name === '' ? '\u0000' : name)),
    userName: hostileOrHuge(40_000),
    arn: hostileOrHuge(40_000).map((name) => `arn:aws:iam::123456789012:user/${name}`),
    principalId: hostileOrHuge(20_000),
    issuerName: hostileOrHuge(40_000),
    issuerArn: hostileName.map((name) => `arn:aws:iam::123456789012:role/${name}`),
    sessionArn: hostileOrHuge(40_000).map((name) => `arn:aws:sts::123456789012:assumed-role/${name}/${name}`),
    userAgent: hostileOrHuge(400_000),
    errorCode: hostileOrHuge(5_000),
    errorMessage: hostileOrHuge(400_000),
    sourceIPAddress: hostileName,
    awsRegion: hostileName,
    eventID: hostileName,
    eventTime: hostileName,
    recipientAccountId: hostileName,
    requestParameters: hostileParameters,
    responseElements: hostileParameters,
    identityType: fc.constantFrom(
      'IAMUser',
      'AssumedRole',
      'Root',
      'FederatedUser',
      'AWSService',
      'IdentityCenterUser',
      '__proto__',
      'toString',
    ),
    wrongType: fc.record({
      field: fc.constantFrom(
        'userAgent',
        'eventTime',
        'errorMessage',
        'errorCode',
        'sourceIPAddress',
        'awsRegion',
        'eventID',
        'readOnly',
        'recipientAccountId',
        'userIdentity.type',
        'userIdentity.arn',
        'userIdentity.userName',
        'userIdentity.sessionContext',
        'userIdentity.invokedBy',
        'sessionIssuer.arn',
        'sessionIssuer.userName',
        'sessionIssuer.type',
        'requestParameters',
        'additionalEventData',
      ),
      value: fc.oneof(
        fc.integer(),
        fc.constant([1, 'a']),
        fc.constant({ a: 1 }),
        fc.boolean(),
        fc.constant('s'),
      ),
    }),
    envelope: fc.boolean(),
  },
  { requiredKeys: [] },
);

const setIn = (object: Json, key: string, value: unknown): void => {
  Object.defineProperty(object, key, { value, enumerable: true, configurable: true, writable: true });
};

/** Applies a mutation to a copy of a corpus record, and wraps it as EventBridge delivers it when asked. */
const applyMutation = (record: Json, m: Mutation): unknown => {
  const out: Json = { ...record };
  const identity: Json = { ...((out.userIdentity as Json | undefined) ?? {}) };
  const session: Json = { ...((identity.sessionContext as Json | undefined) ?? {}) };
  const issuer: Json = { ...((session.sessionIssuer as Json | undefined) ?? {}) };
  const simple: (keyof Mutation & keyof Json)[] = [
    'eventName',
    'userAgent',
    'errorCode',
    'errorMessage',
    'sourceIPAddress',
    'awsRegion',
    'eventID',
    'eventTime',
    'recipientAccountId',
    'requestParameters',
    'responseElements',
  ];
  for (const key of simple) if (m[key] !== undefined) setIn(out, key, m[key]);
  if (m.identityType !== undefined) identity.type = m.identityType;
  if (m.userName !== undefined) identity.userName = m.userName;
  if (m.arn !== undefined) identity.arn = m.arn;
  if (m.sessionArn !== undefined) identity.arn = m.sessionArn;
  if (m.principalId !== undefined) identity.principalId = m.principalId;
  if (m.issuerName !== undefined) issuer.userName = m.issuerName;
  if (m.issuerArn !== undefined) issuer.arn = m.issuerArn;
  if (m.wrongType?.field.startsWith('sessionIssuer.'))
    setIn(issuer, m.wrongType.field.slice('sessionIssuer.'.length), m.wrongType.value);
  if (Object.keys(issuer).length > 0) session.sessionIssuer = issuer;
  if (Object.keys(session).length > 0) identity.sessionContext = session;
  out.userIdentity = identity;
  if (m.wrongType && !m.wrongType.field.startsWith('sessionIssuer.')) {
    const [first, second] = m.wrongType.field.split('.') as [string, string | undefined];
    if (second === undefined) setIn(out, first, m.wrongType.value);
    else setIn(identity, second, m.wrongType.value);
  }
  if (!m.envelope) return out;
  return {
    version: '0',
    id: 'c0ffee00-0000-4000-8000-000000000000',
    'detail-type': 'AWS API Call via CloudTrail',
    source: 'aws.iam',
    account: '123456789012',
    time: '2026-11-01T10:00:00Z',
    region: 'us-east-1',
    resources: [],
    detail: out,
  };
};

let corpus: Json[] | undefined;

/**
 * A CloudTrail record (bare or in its EventBridge envelope) from the corpus, with hostile values in any subset of
 * its caller-controlled fields.
 */
export const hostileRecord = (): fc.Arbitrary<unknown> => {
  corpus ??= loadCorpus().map((entry) => entry.record as unknown as Json);
  const records = corpus;
  return fc
    .tuple(fc.integer({ min: 0, max: records.length - 1 }), mutation)
    .map(([index, m]) => applyMutation(structuredClone(records[index] as Json), m));
};
