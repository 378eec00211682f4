// fast-check arbitraries for alerts whose every event-derived string is hostile: Slack control sequences,
// mention words, backticks, control characters, astral characters and huge values.
import fc from 'fast-check';
import type { Alert } from '../../shared/domain/types.js';
import { CATEGORIES, SEVERITIES } from '../../shared/domain/types.js';

const NASTY = [
  '<!channel>',
  '<!here>',
  '<!everyone>',
  '@channel',
  '@HERE',
  '@everyone',
  '<@U0123ABC>',
  '<!subteam^S123>',
  '<http://evil.example|AWS Console>',
  '<https://x>',
  '&amp;',
  '&lt;',
  '&',
  '<',
  '>',
  '`',
  '```',
  '*bold*',
  '_it_',
  '~s~',
  '\n',
  '\r\n',
  '\u0000',
  '\u2028',
  '😀',
  '\ud83d',
  '|',
  '"',
  '\\',
];

/** A string mixing arbitrary Unicode with Slack/Jira control sequences. */
export const hostileString = (maxLength = 80): fc.Arbitrary<string> =>
  fc
    .array(
      fc.oneof(
        fc.constantFrom(...NASTY),
        fc.string({ unit: 'binary', maxLength: 8 }),
        fc.string({ maxLength: 8 }),
      ),
      {
        maxLength: Math.max(1, Math.floor(maxLength / 4)),
      },
    )
    .map((parts) => parts.join(''));

/** Sometimes a normal hostile string, sometimes the same repeated to tens of thousands of characters. */
export const maybeHugeString = (): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 4, arbitrary: hostileString() },
    {
      weight: 1,
      arbitrary: fc
        .tuple(hostileString(20), fc.integer({ min: 1_000, max: 60_000 }))
        .map(([value, length]) =>
          (value === '' ? 'x' : value).repeat(Math.ceil(length / Math.max(1, value.length))).slice(0, length),
        ),
    },
  );

const optional = <T>(arbitrary: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> =>
  fc.option(arbitrary, { nil: undefined });
const severity = fc.constantFrom(...SEVERITIES);

/** Any URL-ish string: real https links, forged schemes, links with `|` and `>`, junk. */
const urlish = fc.oneof(
  hostileString().map((path) => `https://console.aws.amazon.com/iam/home#/users/${path}`),
  fc.constantFrom('javascript:alert(1)', 'https://x.example/a|b>c', 'not a url', 'http://127.0.0.1/&x=<y>'),
  hostileString(),
);

/** An alert whose every string field is hostile and whose lists and policy may be huge. */
export const hostileAlert: fc.Arbitrary<Alert> = fc.record({
  schema: fc.constant('iam-change-alerts/alert@1' as const),
  eventId: optional(fc.oneof(fc.uuid(), hostileString())),
  eventName: maybeHugeString(),
  eventSource: hostileString(),
  eventTime: optional(hostileString()),
  awsRegion: optional(hostileString()),
  account: optional(hostileString()),
  family: hostileString(),
  category: fc.constantFrom(...CATEGORIES),
  severity,
  reasons: fc.array(fc.record({ severity, code: hostileString(), text: maybeHugeString() }), {
    maxLength: 40,
  }),
  title: maybeHugeString(),
  principal: fc.record({
    type: hostileString(),
    name: maybeHugeString(),
    arn: optional(maybeHugeString()),
    sessionName: optional(hostileString()),
    issuerName: optional(hostileString()),
    issuerArn: optional(hostileString()),
    mfa: optional(fc.boolean()),
    sourceIp: optional(hostileString()),
    userAgent: optional(maybeHugeString()),
    via: fc.constantFrom(
      'console',
      'cli',
      'sdk',
      'terraform',
      'cloudformation',
      'aws-service',
      'unknown' as const,
    ),
    viaLabel: hostileString(),
    isRoot: fc.boolean(),
    ec2Instance: optional(
      fc.record({ instanceId: optional(hostileString()), roleDelivery: hostileString() }),
    ),
    vpcEndpointId: optional(hostileString()),
  }),
  target: optional(
    fc.record({
      kind: fc.constantFrom('user', 'role', 'group', 'policy', 'other' as const),
      name: maybeHugeString(),
      arn: optional(hostileString()),
    }),
  ),
  parameters: fc.dictionary(hostileString(20), maybeHugeString(), { maxKeys: 40 }),
  errorCode: optional(hostileString()),
  errorMessage: optional(maybeHugeString()),
  policy: optional(
    fc.record({
      source: fc.constantFrom('request', 'response', 'iam-api', 'well-known' as const),
      label: hostileString(),
      policyArn: optional(hostileString()),
      document: optional(
        fc.oneof(
          maybeHugeString(),
          fc
            .array(
              fc.record({ Effect: fc.constant('Allow'), Action: hostileString(), Resource: hostileString() }),
              { maxLength: 2000 },
            )
            .map((Statement) => JSON.stringify({ Version: '2012-10-17', Statement })),
        ),
      ),
      findings: fc.array(fc.record({ severity, code: hostileString(), text: maybeHugeString() }), {
        maxLength: 30,
      }),
      trustedPrincipals: optional(fc.array(hostileString(), { maxLength: 30 })),
      diff: optional(fc.array(hostileString(), { maxLength: 30 })),
    }),
  ),
  links: fc.record({ event: optional(urlish), target: optional(urlish) }),
  notes: fc.array(maybeHugeString(), { maxLength: 30 }),
});
