import fc from 'fast-check';
import { createAlert } from '../../../shared/domain/alert.js';
import { iamEventOf } from '../../../shared/domain/cloudtrail.js';
import type { Alert } from '../../../shared/domain/types.js';
import { formatSubject, MAX_SUBJECT_LENGTH, toAscii } from '../../../shared/format/subject.js';
import { attachAdminAlert as sampleAlert } from '../../helpers/alerts.js';
import { loadCorpus } from '../../helpers/fixtures.js';

describe('formatSubject', () => {
  it('reads severity, what, who and account', () => {
    expect(formatSubject(sampleAlert())).toBe(
      '[HIGH] AdministratorAccess attached to IAM user deploy-bot by alice (123456789012)',
    );
  });

  it('stays printable ASCII under 100 characters for any title and principal name', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', maxLength: 400 }),
        fc.string({ unit: 'binary', maxLength: 200 }),
        (title, name) => {
          const base = sampleAlert();
          const subject = formatSubject({ ...base, title, principal: { ...base.principal, name } });
          expect(subject.length).toBeLessThan(100);
          expect(subject.length).toBeLessThanOrEqual(MAX_SUBJECT_LENGTH);
          expect(subject).toMatch(/^[\x20-\x7e]*$/);
          expect(subject.startsWith('[HIGH] ')).toBe(true);
        },
      ),
    );
  });

  it('folds accents and cuts a long title at a word, keeping who and which account', () => {
    const alert = sampleAlert({ title: `Rôle ${'très-long-nom '.repeat(12)}` });
    const subject = formatSubject(alert);
    expect(subject.startsWith('[HIGH] Role tres-long-nom')).toBe(true);
    expect(subject.endsWith('... by alice (123456789012)')).toBe(true);
    expect(subject.length).toBeLessThanOrEqual(MAX_SUBJECT_LENGTH);
  });

  it('cuts a very long actor name in the middle, keeping the whole title and the account', () => {
    const base = sampleAlert();
    const name = `AWSReservedSSO_AdministratorAccess_0123456789abcdef/${'jane.doe.with.a.long.name'.repeat(3)}@example.com`;
    const subject = formatSubject({ ...base, principal: { ...base.principal, name } });
    expect(subject).toMatch(
      /^\[HIGH\] AdministratorAccess attached to IAM user deploy-bot by AWSReservedSS\S*\.\.\.\S+ \(123456789012\)$/,
    );
    // The room the title leaves goes to the actor: not a character is wasted.
    expect(subject).toHaveLength(MAX_SUBJECT_LENGTH);
  });

  it('never cuts the outcome: a long target is cut in the middle, "denied" and its code stay', () => {
    // invictus-ir-aws-dataset: AssumeRole denied for a stratus-red-team role (the subject used to end "...-dat...").
    const base = sampleAlert();
    const subject = formatSubject({
      ...base,
      severity: 'medium',
      title:
        'sts:AssumeRole on role stratus-red-team-ec2-get-password-data-role-xyzabcdefghijklmnop denied (AccessDenied)',
      target: { kind: 'role', name: 'stratus-red-team-ec2-get-password-data-role-xyzabcdefghijklmnop' },
      principal: { ...base.principal, name: 'bert-jan' },
      account: '123837392027',
    });
    expect(subject).toMatch(
      /^\[MEDIUM\] sts:AssumeRole on role stratus-\S*\.\.\.\S+ denied \(AccessDenied\) by bert-jan \(123837392027\)$/,
    );
    expect(subject).toHaveLength(MAX_SUBJECT_LENGTH);
  });

  it('adds no "..." when nothing is cut', () => {
    const base = sampleAlert();
    const subject = formatSubject({
      ...base,
      severity: 'low',
      title: 'sts:GetCallerIdentity',
      target: undefined,
    });
    expect(subject).toBe('[LOW] sts:GetCallerIdentity by alice (123456789012)');
  });

  it('gives the room a short actor leaves back to the target', () => {
    const base = sampleAlert();
    const long = `deploy-${'x'.repeat(100)}-bot`;
    const subject = formatSubject({
      ...base,
      title: `AdministratorAccess attached to IAM user ${long}`,
      target: { kind: 'user', name: long },
      principal: { ...base.principal, name: 'al' },
    });
    expect(subject).toMatch(
      /^\[HIGH\] AdministratorAccess attached to IAM user deploy-x+\.\.\.x+-bot by al \(123456789012\)$/,
    );
    expect(subject).toHaveLength(MAX_SUBJECT_LENGTH);
  });

  it('never lets a newline from the event into the subject', () => {
    const base = sampleAlert();
    const subject = formatSubject({
      ...base,
      principal: { ...base.principal, name: 'eve\r\nBcc: x@example.com' },
    });
    expect(subject).not.toMatch(/[\r\n]/);
  });
});

describe('formatSubject on every record of the corpus', () => {
  const OUTCOME_WORDS = /\b(?:denied|failed|attempted)\b/gi;
  const count = (text: string, pattern: RegExp | string): number =>
    typeof pattern === 'string' ? text.split(pattern).length - 1 : (text.match(pattern) ?? []).length;
  /** The subject as it would read uncut. */
  const uncut = (alert: Alert): string =>
    `[${alert.severity.toUpperCase()}] ${toAscii(alert.title)}${alert.principal.name ? ` by ${toAscii(alert.principal.name)}` : ''}${alert.account ? ` (${alert.account})` : ''}`;
  let alerts: Alert[] = [];

  beforeAll(async () => {
    alerts = await Promise.all(loadCorpus().map(({ record }) => createAlert(iamEventOf(record, undefined))));
  });

  it('covers the whole corpus, with cut subjects among them', () => {
    expect(alerts.length).toBeGreaterThan(3000);
    expect(alerts.filter((alert) => uncut(alert).length > MAX_SUBJECT_LENGTH).length).toBeGreaterThan(100);
  });

  it('keeps every subject printable ASCII, at most 99 characters, with the account', () => {
    for (const alert of alerts) {
      const subject = formatSubject(alert);
      expect(subject.length).toBeLessThanOrEqual(MAX_SUBJECT_LENGTH);
      expect(subject).toMatch(/^[\x20-\x7e]+$/);
      if (alert.account) expect(subject.endsWith(` (${alert.account})`)).toBe(true);
    }
  });

  it('never loses an outcome word', () => {
    const lost = alerts
      .map((alert) => ({ title: alert.title, subject: formatSubject(alert) }))
      .filter(({ title, subject }) => count(subject, OUTCOME_WORDS) < count(toAscii(title), OUTCOME_WORDS));
    expect(lost).toEqual([]);
  });

  it('writes "..." only where something was cut', () => {
    const spurious = alerts
      .map((alert) => ({ full: uncut(alert), subject: formatSubject(alert) }))
      .filter(
        ({ full, subject }) =>
          count(subject, '...') > count(full, '...') && full.length <= MAX_SUBJECT_LENGTH,
      );
    expect(spurious).toEqual([]);
    // And a subject that fits is the whole of it.
    for (const alert of alerts) {
      if (uncut(alert).length <= MAX_SUBJECT_LENGTH) expect(formatSubject(alert)).toBe(uncut(alert));
    }
  });

  it('wastes no room while the target or the actor is cut', () => {
    const wasteful = alerts
      .map((alert) => ({ alert, subject: formatSubject(alert) }))
      .filter(({ alert, subject }) => {
        const targetCut =
          alert.target &&
          alert.title.includes(alert.target.name) &&
          !subject.includes(toAscii(alert.target.name));
        const actorCut = !subject.includes(` by ${toAscii(alert.principal.name)}`);
        return (targetCut || actorCut) && subject.length < MAX_SUBJECT_LENGTH;
      })
      .map(({ subject }) => subject);
    expect(wasteful).toEqual([]);
  });
});
