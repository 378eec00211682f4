import fc from 'fast-check';
import { escapeSlackChar, slackInline, slackUrl, truncateEncoded } from '../../../shared/format/escape.js';
import { alertFacts, describeWho, TYPE_LABELS } from '../../../shared/format/facts.js';
import { formatSlackMessage, type SlackMessage } from '../../../shared/format/slack-blocks.js';
import { hostileAlert as hostileAlertArbitrary, rawUnsafeChars } from '../../helpers/alert-arbitrary.js';
import { attachAdminAlert, hostileAlert, trustPolicyAlert } from '../../helpers/alerts.js';
import { validateSlackMessage } from '../../helpers/slack-server.js';

/** Every text Slack will parse: the fallback and each text object of each block. */
const texts = (message: SlackMessage): string[] => [
  message.text,
  ...message.blocks.flatMap((block) => {
    switch (block.type) {
      case 'header':
        return [block.text.text];
      case 'section':
        return block.text ? [block.text.text] : block.fields.map((field) => field.text);
      case 'context':
        return block.elements.map((element) => element.text);
      default:
        return [];
    }
  }),
];

// The formatter's own links: `<http(s)://…|fixed label>` with no `|`, `<`, `>` or space in the URL.
const OWN_LINK = /<https?:\/\/[^\s|<>]+\|(View the event in CloudTrail|Open the [a-z -]+ in IAM)>/g;

/** Every string anywhere in a payload (texts, types, URLs). */
const allStrings = (value: unknown): string[] => {
  if (typeof value === 'string') return [value];
  if (typeof value !== 'object' || value === null) return [];
  return Object.values(value).flatMap(allStrings);
};

/** An alert carrying the reviewer's "Trojan Source" user name and user agent (U+202E … U+202C). */
const bidiAlert = () =>
  attachAdminAlert({
    eventName: 'CreateAccessKey',
    title: 'Access key created for IAM user admin\u202egnp.exe\u202c',
    principal: {
      ...attachAdminAlert().principal,
      userAgent: 'aws-cli/2 \u202e',
      viaLabel: 'AWS CLI',
      via: 'cli',
    },
    target: { kind: 'user', name: 'admin\u202egnp.exe\u202c' },
    parameters: { userName: 'admin\u202egnp.exe\u202c' },
  });

/** Problems a text has as Slack mrkdwn built from untrusted input. */
const injectionProblems = (text: string): string[] => {
  const problems: string[] = [];
  const withoutLinks = text.replace(OWN_LINK, '');
  if (/[<>]/.test(withoutLinks)) problems.push(`raw < or > in ${JSON.stringify(withoutLinks.slice(0, 200))}`);
  if (/&(?!amp;|lt;|gt;)/.test(text)) problems.push('raw & that is not an entity Slack decodes');
  if (/@(channel|here|everyone)/i.test(withoutLinks)) problems.push('mention word outside a link URL');
  if ((text.match(/`/g) ?? []).length % 2 !== 0) problems.push('unbalanced backticks');
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the assertion is about control characters.
  if (/[\u0000-\u0008\u000b-\u001f\u2028\u2029]/.test(text)) problems.push('control character');
  return problems;
};

describe('formatSlackMessage', () => {
  it('puts severity and title in the header and repeats it as the text fallback', () => {
    // Act
    const message = formatSlackMessage(attachAdminAlert());
    // Assert
    expect(message.blocks[0]).toEqual({
      type: 'header',
      text: {
        type: 'plain_text',
        text: '🟠 HIGH · AdministratorAccess attached to IAM user deploy-bot',
        emoji: true,
      },
    });
    expect(message.text).toBe('🟠 HIGH · AdministratorAccess attached to IAM user deploy-bot');
  });

  it('lists the reasons first, then who/how/when/where/target and the event as fields', () => {
    const message = formatSlackMessage(attachAdminAlert());
    expect(message.blocks[1]).toEqual({
      type: 'section',
      text: {
        type: 'mrkdwn',
        text:
          '*Why it matters*\n' +
          '• grants every action on every resource (AWS managed policy AdministratorAccess) _(high)_\n' +
          '• made by a person with console credentials, without MFA _(medium)_',
      },
    });
    const fields = message.blocks[2];
    expect(fields?.type).toBe('section');
    const fieldTexts = fields?.type === 'section' ? (fields.fields ?? []).map((field) => field.text) : [];
    expect(fieldTexts).toEqual([
      '*Who*\nalice (IAM user, arn:aws:iam::123456789012:user/alice), no MFA',
      '*How*\nAWS console, from 203.0.113.9\nuser agent `AWS Internal`',
      '*When*\n2026-11-01 10:00:00 UTC (eventID 6f1c2b9e-4a4f-4d7e-9a51-3b0c8c1d2e3f)',
      '*Where*\naccount 123456789012, us-east-1',
      '*Target*\nuser deploy-bot',
      '*Event*\n`AttachUserPolicy`\npermissions · Attach',
    ]);
  });

  it('says who, how, when and where in the same words as the e-mail (facts.ts)', () => {
    for (const alert of [attachAdminAlert(), trustPolicyAlert()]) {
      const fields = formatSlackMessage(alert).blocks.flatMap((block) =>
        block.type === 'section' && block.fields ? block.fields.map((field) => field.text) : [],
      );
      for (const fact of alertFacts(alert)) {
        expect(fields.some((text) => text.startsWith(`*${fact.label}*\n${fact.value}`))).toBe(true);
      }
    }
  });

  it('names identity types in words (TYPE_LABELS), never as CloudTrail type codes', () => {
    for (const [type, words] of Object.entries(TYPE_LABELS)) {
      const principal = { ...attachAdminAlert().principal, type };
      const all = texts(formatSlackMessage(attachAdminAlert({ principal })));
      expect(all).toContain(`*Who*\n${describeWho(principal)}`);
      if (words !== type) expect(all.join('\n')).not.toContain(type);
    }
  });

  it('shows bidi and control characters from the event as \\u{…}, as the e-mail does', () => {
    // Arrange: the reviewer's repro (/tmp/rv/hostile-bidi.json) as an alert.
    const message = formatSlackMessage(bidiAlert());
    // Act
    const all = texts(message);
    // Assert: header, fallback, fields, user agent and change all show the escape, none the raw character.
    expect(message.text).toBe('🟠 HIGH · Access key created for IAM user admin\\u{202e}gnp.exe\\u{202c}');
    expect(all).toContain('*Target*\nuser admin\\u{202e}gnp.exe\\u{202c}');
    expect(all).toContain('*How*\nAWS CLI, from 203.0.113.9\nuser agent `aws-cli/2 \\u{202e}`');
    expect(all).toContain('*Change* `CreateAccessKey`\nuserName `admin\\u{202e}gnp.exe\\u{202c}`');
    expect(allStrings(message).flatMap((text) => rawUnsafeChars(text, true))).toEqual([]);
  });

  it('shows the policy findings, a pretty-printed excerpt in a code block, the links and the eventID', () => {
    const all = texts(formatSlackMessage(attachAdminAlert()));
    expect(all).toContain(
      '*Policy* managed policy AdministratorAccess\n`arn:aws:iam::aws:policy/AdministratorAccess`\n• Allow * on * (full administrator) _(critical)_',
    );
    expect(all).toContain(
      '```\n{\n  "Version": "2012-10-17",\n  "Statement": [\n    {\n      "Effect": "Allow",\n      "Action": "*",\n      "Resource": "*"\n    }\n  ]\n}\n```',
    );
    expect(all).toContain(
      '<https://us-east-1.console.aws.amazon.com/cloudtrail/home?region=us-east-1#/events/6f1c2b9e-4a4f-4d7e-9a51-3b0c8c1d2e3f|View the event in CloudTrail>' +
        '  ·  <https://us-east-1.console.aws.amazon.com/iam/home#/users/details/deploy-bot|Open the user in IAM>',
    );
    expect(all).toContain('eventID `6f1c2b9e-4a4f-4d7e-9a51-3b0c8c1d2e3f` · `iam.amazonaws.com`');
  });

  it('says who may now assume a role after a trust-policy change', () => {
    const all = texts(formatSlackMessage(trustPolicyAlert())).join('\n');
    expect(all).toContain('• may be assumed by `arn:aws:iam::999988887777:root`');
    expect(all).toContain(
      '*Who*\nsession ci-run-4411 of role ci-role (arn:aws:iam::123456789012:role/ci-role), no MFA',
    );
  });

  it('neutralises mentions, forged links, entities and code fences taken from the event', () => {
    // Arrange
    const message = formatSlackMessage(hostileAlert());
    // Act
    const all = texts(message);
    // Assert
    expect(all.flatMap(injectionProblems)).toEqual([]);
    const joined = all.join('\n');
    expect(joined).toContain(
      '*Who*\n&lt;!here&gt; @\u2060channel ˋrm -rfˋ &lt;http://evil.example|click me&gt; &amp; co (IAM user,',
    );
    expect(joined).toContain('Access key created for &lt;!channel&gt; by *boss*');
    // javascript: is dropped; the IAM link keeps only an encoded URL.
    expect(joined).not.toContain('javascript');
    expect(joined).toContain(
      '<https://console.aws.amazon.com/iam/home#/users/x%7C%3Cforged%3E|Open the user in IAM>',
    );
    expect(validateSlackMessage(message)).toEqual([]);
  });

  it('never lets event text escape into mrkdwn, for any input (property)', () => {
    fc.assert(
      fc.property(hostileAlertArbitrary, (alert) => {
        const problems = texts(formatSlackMessage(alert)).flatMap(injectionProblems);
        expect(problems).toEqual([]);
      }),
      { numRuns: 150 },
    );
  });

  it('never lets a control or bidi character from any alert string reach the payload raw (property)', () => {
    fc.assert(
      fc.property(hostileAlertArbitrary, (alert) => {
        // `\n` is allowed: the formatter itself uses it for layout; event newlines arrive as \u{000a}.
        const raw = allStrings(formatSlackMessage(alert)).flatMap((text) => rawUnsafeChars(text, true));
        expect(raw).toEqual([]);
      }),
      { numRuns: 150 },
    );
  });

  it('stays within every Block Kit limit, for any input including huge policies (property)', () => {
    fc.assert(
      fc.property(hostileAlertArbitrary, (alert) => {
        const message = formatSlackMessage(alert);
        expect(validateSlackMessage(message)).toEqual([]);
        expect(message.text).toBe((message.blocks[0] as { text: { text: string } }).text.text);
      }),
      { numRuns: 150 },
    );
  });
});

describe('Slack escaping helpers', () => {
  it('escapes the three control characters and backticks, nothing else', () => {
    expect([...'a&<>`"\''].map(escapeSlackChar).join('')).toBe('a&amp;&lt;&gt;ˋ"\'');
  });

  it('cuts after escaping without splitting an entity or a surrogate pair', () => {
    expect(truncateEncoded('&&&&', 10, escapeSlackChar)).toBe('&amp;…');
    expect(truncateEncoded('😀😀😀', 5, (char) => char)).toBe('😀😀…');
  });

  it('shows control and bidi characters as \\u{…} and never cuts inside one', () => {
    expect(slackInline('a\nb\u0000c', 100)).toBe('a\\u{000a}b\\u{0000}c');
    expect(slackInline('admin\u202egnp.exe\u202c', 100)).toBe('admin\\u{202e}gnp.exe\\u{202c}');
    expect(slackInline('a\u2028b  c ', 100)).toBe('a b c');
    expect(slackInline('ab\u202e', 9)).toBe('ab…');
  });

  it('keeps only absolute http(s) URLs and encodes what Slack would parse', () => {
    expect(slackUrl('https://x.example/?a=1&b=<2>|3')).toBe('https://x.example/?a=1&amp;b=%3C2%3E%7C3');
    expect(slackUrl('javascript:alert(1)')).toBeUndefined();
    expect(slackUrl('/relative')).toBeUndefined();
    expect(slackUrl(`https://x.example/${'a'.repeat(3000)}`)).toBeUndefined();
  });
});
