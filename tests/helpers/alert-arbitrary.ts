// fast-check arbitraries for alerts whose every event-derived string is hostile: Slack control sequences,
// mention words, backticks, control and bidi characters, astral characters and huge values.
import fc from 'fast-check';
import { CREDENTIAL_KINDS } from '../../shared/domain/alert-schema.js';
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

// The characters that reorder or hide text ("Trojan Source") or break a line: Unicode's bidi controls and marks.
const BIDI = [0x061c, 0x200e, 0x200f, 0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069];

/** Any one C0 or C1 control, DEL, bidi control or mark, or line/paragraph separator. */
export const unsafeChar: fc.Arbitrary<string> = fc
  .oneof(
    fc.integer({ min: 0x00, max: 0x1f }),
    fc.integer({ min: 0x7f, max: 0x9f }),
    fc.constantFrom(...BIDI, 0x2028, 0x2029),
  )
  .map((code) => String.fromCodePoint(code));

/**
 * The raw control, bidi and separator characters in `text` (a test oracle, written independently of the
 * formatters). `\n` is allowed only where `allowNewline` says so: Slack mrkdwn and code blocks use it for layout.
 */
export const rawUnsafeChars = (text: string, allowNewline: boolean): string[] =>
  [...text].filter((char) => {
    const code = char.codePointAt(0) ?? 0;
    if (char === '\n') return !allowNewline;
    return (
      code <= 0x1f ||
      (code >= 0x7f && code <= 0x9f) ||
      BIDI.includes(code) ||
      code === 0x2028 ||
      code === 0x2029
    );
  });

/** A string mixing arbitrary Unicode with Slack/Jira control sequences and control/bidi characters. */
export const hostileString = (maxLength = 80): fc.Arbitrary<string> =>
  fc
    .array(
      fc.oneof(
        fc.constantFrom(...NASTY),
        unsafeChar,
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
    invokedBy: optional(hostileString()),
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
  callerAccessKeyId: optional(maybeHugeString()),
  credentials: optional(
    fc.array(
      fc.record({
        kind: fc.constantFrom(...CREDENTIAL_KINDS),
        action: fc.constantFrom(
          'created',
          'uploaded',
          'enabled',
          'deactivated',
          'resynced',
          'reset',
          'updated',
          'deleted' as const,
        ),
        id: optional(maybeHugeString()),
        user: optional(maybeHugeString()),
        status: optional(hostileString()),
        fingerprint: optional(hostileString()),
        service: optional(hostileString()),
        serviceUserName: optional(hostileString()),
        passwordResetRequired: optional(fc.boolean()),
      }),
      { maxLength: 3 },
    ),
  ),
  links: fc.record({ event: optional(urlish), target: optional(urlish), credentials: optional(urlish) }),
  notes: fc.array(maybeHugeString(), { maxLength: 30 }),
});
