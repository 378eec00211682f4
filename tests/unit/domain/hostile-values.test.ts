// The pieces that keep a hostile record from stopping its alert, one by one: the parser drops a malformed optional
// field instead of rejecting the record, values are serialised without recursion limits, cut to their budgets,
// and neutralised; every lookup keyed by event text ignores Object.prototype.
// @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html

import { createAlert } from '../../../shared/domain/alert.js';
import { parseIamEvent } from '../../../shared/domain/cloudtrail.js';
import { buildMinimalAlert } from '../../../shared/domain/minimal-alert.js';
import { describePrincipal } from '../../../shared/domain/principal.js';
import { boundedJson, wellFormed } from '../../../shared/domain/values.js';
import { InvalidEventError } from '../../../shared/errors.js';
import { BUDGETS, boundAlert } from '../../../shared/format/budgets.js';
import { describeWho } from '../../../shared/format/facts.js';
import { formatJiraLabels } from '../../../shared/format/jira-adf.js';
import { neutralize, neutralizeJson } from '../../../shared/format/plain-text.js';
import { formatSnsMessage } from '../../../shared/format/sns-message.js';
import { deepObject } from '../../helpers/hostile-record.js';
import { cloudTrailRecord } from '../../helpers/records.js';

describe('parsing a malformed CloudTrail record', () => {
  it('drops an optional field of the wrong type, says so, and keeps the rest', () => {
    const ignored: string[] = [];
    const raw = { ...cloudTrailRecord(), userAgent: 42, userIdentity: { type: 7, userName: 'alice' } };
    const event = parseIamEvent(raw, ignored);
    expect(event.record.eventName).toBe('CreateUser');
    expect(event.record.userAgent).toBeUndefined();
    expect(event.record.userIdentity).toEqual({ userName: 'alice' });
    expect(ignored.sort()).toEqual([
      'userAgent ignored: expected string, got number',
      'userIdentity.type ignored: expected string, got number',
    ]);
  });

  it('still rejects what is not a CloudTrail record at all, naming the field', () => {
    expect(() => parseIamEvent({ ...cloudTrailRecord(), eventName: 42, userAgent: 1 })).toThrow(
      'not a CloudTrail record: eventName: expected string, got number',
    );
    expect(() => parseIamEvent({ ...cloudTrailRecord(), eventSource: '' })).toThrow(InvalidEventError);
    expect(() => parseIamEvent([])).toThrow('expected a JSON object');
  });
});

describe('boundedJson', () => {
  it('writes JSON as JSON.stringify does for ordinary values', () => {
    const value = { a: [1, 'x', null, true], b: { c: 'd"e' }, skipped: undefined };
    expect(boundedJson(value)).toBe(JSON.stringify(value));
  });

  it('caps depth and length instead of overflowing the stack', () => {
    expect(() => JSON.stringify(deepObject(20_000))).toThrow(RangeError);
    const text = boundedJson(deepObject(20_000), 3, 1_000);
    // Depth 0 is the root, 1 the outermost array, 2 its object; what lies deeper is written "…".
    expect(text).toBe('{"nested":[{"a":"…"}]}');
    expect(boundedJson({ big: 'x'.repeat(10_000) }, 16, 100)).toHaveLength(100);
  });
});

describe('wellFormed', () => {
  it('replaces lone surrogates so that encodeURIComponent cannot throw', () => {
    expect(() => encodeURIComponent('bob\ud800')).toThrow(URIError);
    expect(wellFormed('bob\ud800')).toBe('bob\ufffd');
    expect(wellFormed('ok 😀')).toBe('ok 😀');
  });
});

describe('neutralize', () => {
  it.each([
    ['a zero-width space', '\u200b'],
    ['a zero-width joiner', '\u200d'],
    ['a word joiner', '\u2060'],
    ['a byte order mark', '\ufeff'],
    ['a soft hyphen', '\u00ad'],
    ['a line separator', '\u2028'],
    ['a right-to-left override', '\u202e'],
    ['an escape', '\u001b'],
    ['a lone surrogate', '\udc00'],
  ])('shows %s as an escape', (_name, char) => {
    const shown = neutralize(`ad${char}min`);
    expect(shown).toBe(`ad\\u{${char.charCodeAt(0).toString(16).padStart(4, '0')}}min`);
  });

  it('keeps a surrogate pair and ordinary text', () => {
    expect(neutralize('Zoë 😀 日本')).toBe('Zoë 😀 日本');
  });

  it('escapes the same characters inside JSON text without changing the parsed value', () => {
    const value = { name: 'a\u202eb\u200bc\u0085', emoji: '😀' };
    const json = neutralizeJson(JSON.stringify(value));
    expect(json).not.toMatch(/[\u202e\u200b\u0085]/);
    expect(JSON.parse(json)).toEqual(value);
  });
});

describe('budgets', () => {
  it('leave an ordinary alert untouched', async () => {
    const alert = await createAlert(parseIamEvent(cloudTrailRecord()));
    expect(boundAlert(alert)).toBe(alert);
  });

  it('cut every caller-chosen value to its budget, with a note naming what was cut', async () => {
    const alert = await createAlert(
      parseIamEvent(
        cloudTrailRecord({
          userAgent: 'A'.repeat(400_000),
          errorCode: 'AccessDenied',
          errorMessage: 'E'.repeat(400_000),
          requestParameters: { userName: 'u'.repeat(31_000) },
        }),
      ),
    );
    const bounded = boundAlert(alert);
    expect(bounded.principal.userAgent).toHaveLength(BUDGETS.userAgent);
    expect(bounded.errorMessage).toHaveLength(BUDGETS.errorMessage);
    expect(bounded.target?.name).toHaveLength(BUDGETS.name);
    expect(bounded.links.target).toBeUndefined();
    expect(bounded.notes.at(-1)).toMatch(
      /^cut to fit every destination: .*principal\.userAgent \(400000 characters\).*errorMessage \(400000 characters\)/,
    );
    expect(Buffer.byteLength(JSON.stringify(formatSnsMessage(alert)))).toBeLessThan(60_000);
  });

  it('keep a Jira label within 255 characters, prefix included', () => {
    const alert = buildMinimalAlert(cloudTrailRecord(), { stage: 'build', reason: 'x' });
    const labels = formatJiraLabels({ ...alert, family: 'F'.repeat(300) });
    expect(labels).toContain(`family-${'f'.repeat(255 - 'family-'.length)}`);
    for (const label of labels) expect(label.length).toBeLessThanOrEqual(255);
  });
});

describe('lookups keyed by event text', () => {
  it.each(['toString', 'constructor', '__proto__', 'hasOwnProperty'])(
    'treat an identity type %s as an unknown type, printed as it is',
    (type) => {
      const principal = describePrincipal(cloudTrailRecord({ userIdentity: { type, userName: 'mallory' } }));
      expect(describeWho(principal)).toBe(`mallory (${type})`);
    },
  );
});

describe('describePrincipal', () => {
  it('reads a session issuer whose fields are not strings (the parser does not type them) without throwing', () => {
    const record = cloudTrailRecord({
      userIdentity: {
        type: 'AssumedRole',
        arn: 'arn:aws:sts::123456789012:assumed-role/deploy/ci',
        sessionContext: { sessionIssuer: { arn: 42, userName: ['x'], type: {} } as never },
      },
    });
    const principal = describePrincipal(record);
    expect(principal).toMatchObject({ type: 'AssumedRole', name: 'deploy/ci', sessionName: 'ci' });
    expect(principal.issuerArn).toBeUndefined();
  });
});
