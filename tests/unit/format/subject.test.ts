import fc from 'fast-check';
import { formatSubject, MAX_SUBJECT_LENGTH } from '../../../shared/format/subject.js';
import { attachAdminAlert as sampleAlert } from '../../helpers/alerts.js';

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

  it('cuts a very long actor name in the middle, keeping the start of the title and the account', () => {
    const base = sampleAlert();
    const name = `AWSReservedSSO_AdministratorAccess_0123456789abcdef/${'jane.doe.with.a.long.name'.repeat(3)}@example.com`;
    const subject = formatSubject({ ...base, principal: { ...base.principal, name } });
    expect(subject).toMatch(/^\[HIGH\] AdministratorAccess attached to IAM\.\.\. by AWSReservedSSO_/);
    expect(subject).toMatch(/\.\.\. \(123456789012\)$/);
    expect(subject.length).toBeLessThanOrEqual(MAX_SUBJECT_LENGTH);
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
