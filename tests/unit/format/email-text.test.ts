import { formatEmailText } from '../../../shared/format/email-text.js';
import { attachAdminAlert as sampleAlert } from '../../helpers/alerts.js';

describe('formatEmailText', () => {
  it('puts severity and headline first, then why, then who/how/when/where, then the change and links', () => {
    const text = formatEmailText(sampleAlert());
    const lines = text.split('\n');
    expect(lines[0]).toBe('HIGH  AdministratorAccess attached to IAM user deploy-bot');
    expect(lines[2]).toBe('Why it matters');
    expect(lines[3]).toBe(
      '  - grants every action on every resource (AWS managed policy AdministratorAccess)',
    );
    expect(lines[4]).toBe('  - made by a person with console credentials, without MFA');
    expect(text).toContain('Who     alice (IAM user, arn:aws:iam::123456789012:user/alice), no MFA');
    expect(text).toContain('How     AWS console, from 203.0.113.9');
    expect(text).toContain('When    2026-11-01 10:00:00 UTC (eventID 6f1c2b9e-4a4f-4d7e-9a51-3b0c8c1d2e3f)');
    expect(text).toContain('Where   account 123456789012, us-east-1');
    expect(text).toMatch(/policyArn\s+arn:aws:iam::aws:policy\/AdministratorAccess/);
    expect(text.indexOf('Why it matters')).toBeLessThan(text.indexOf('Who '));
    expect(text).toContain(
      'Open the event:  https://us-east-1.console.aws.amazon.com/cloudtrail/home?region=us-east-1#/events/6f1c',
    );
    expect(text).toContain(
      'Open the user:  https://us-east-1.console.aws.amazon.com/iam/home#/users/details/deploy-bot',
    );
  });

  it('keeps attacker-controlled values on one line and shows hidden characters', () => {
    const base = sampleAlert();
    const text = formatEmailText({
      ...base,
      principal: { ...base.principal, name: 'x', sessionName: 'evil\nHIGH  forged line', issuerName: 'r' },
      parameters: { userName: 'bob\u202Egnp.exe' },
    });
    expect(text).not.toContain('\nHIGH  forged line');
    expect(text).toContain('evil\\u{000a}HIGH  forged line');
    expect(text).toContain('bob\\u{202e}gnp.exe');
  });

  it('shows the policy findings and an excerpt of the document, cut with a note when long', () => {
    const statements = Array.from({ length: 200 }, (_, i) => ({
      Effect: 'Allow',
      Action: `s3:Get${i}`,
      Resource: '*',
    }));
    const text = formatEmailText(
      sampleAlert({
        policy: {
          source: 'request',
          label: 'inline policy big',
          document: JSON.stringify({ Version: '2012-10-17', Statement: statements }),
          findings: [
            { severity: 'high', code: 'wildcard-resource', text: 'grants s3 reads on every bucket' },
          ],
        },
      }),
    );
    expect(text).toContain('Policy  inline policy big');
    expect(text).toContain('  - [HIGH] grants s3 reads on every bucket');
    expect(text).toContain('"Version": "2012-10-17"');
    expect(text).toContain('… (cut; the full document is in the JSON alert and the CloudTrail event)');
    expect(text.length).toBeLessThan(8000);
  });

  it('lists notes and says so when there is no link', () => {
    const text = formatEmailText(
      sampleAlert({ notes: ['policy details unavailable: AccessDenied'], links: {} }),
    );
    expect(text).toContain('Notes\n  - policy details unavailable: AccessDenied');
    expect(text).toContain('No console link: the event has no eventID.');
  });
});

describe('the heading of the call', () => {
  it('says Change for a change, Call for a read and Attempt for a failed call', () => {
    expect(formatEmailText(sampleAlert())).toContain(
      '\nChange  AttachUserPolicy (iam.amazonaws.com; Attach, permissions)',
    );
    expect(
      formatEmailText(sampleAlert({ eventName: 'GetUser', family: 'Get', category: 'read', readOnly: true })),
    ).toContain('\nCall    GetUser (iam.amazonaws.com; Get, read)');
    expect(formatEmailText(sampleAlert({ errorCode: 'AccessDenied' }))).toContain(
      '\nAttempt AttachUserPolicy (',
    );
  });
});
