// The e-mail of six representative events, as golden samples (tests/fixtures/golden/*.txt): what a responder reads.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createAlert } from '../../shared/domain/alert.js';
import { iamEventOf, parseIamEvent } from '../../shared/domain/cloudtrail.js';
import { formatEmailText } from '../../shared/format/email-text.js';
import { formatSubject } from '../../shared/format/subject.js';
import { FIXTURES_DIR, loadCorpus } from './fixtures.js';

/** A golden sample: its file under tests/fixtures/golden and how to get its event. */
export interface GoldenSample {
  name: string;
  event: () => ReturnType<typeof parseIamEvent>;
}

const sampleEvent = (file: string) =>
  parseIamEvent(JSON.parse(readFileSync(join(FIXTURES_DIR, '..', '..', 'events', file), 'utf8')));

const corpusEvent = (file: string, line: number) => {
  const found = loadCorpus().find((entry) => entry.file === file && entry.line === line);
  if (!found) throw new Error(`no record at ${file}:${line}`);
  return iamEventOf(found.record, undefined);
};

/** The six events: admin attach, trust opened, a Cognito pool's guests let in, access key for another user, SCP-denied instance credentials, console sign-in without MFA. */
export const GOLDEN_SAMPLES: GoldenSample[] = [
  { name: 'admin-attach', event: () => sampleEvent('attach-user-policy-admin.json') },
  { name: 'trust-opened', event: () => sampleEvent('update-assume-role-policy.json') },
  { name: 'trust-cognito-guests', event: () => sampleEvent('update-assume-role-policy-cognito.json') },
  { name: 'access-key-other-user', event: () => sampleEvent('create-access-key-other-user.json') },
  {
    name: 'scp-denied-instance-credentials',
    event: () => sampleEvent('create-user-scp-denied-ec2-credentials.json'),
  },
  // awsdocs-examples line 15: Mary_Major signs in to the console without MFA (AWS CloudTrail user guide example).
  { name: 'console-sign-in-without-mfa', event: () => corpusEvent('awsdocs-examples', 15) },
];

/** The e-mail as SNS delivers it: the subject line, a blank line, the body. */
export const renderGolden = async (sample: GoldenSample): Promise<string> => {
  const alert = await createAlert(sample.event());
  return `Subject: ${formatSubject(alert)}\n\n${formatEmailText(alert)}`;
};

/** Where a sample's golden file lives. */
export const goldenPath = (sample: GoldenSample): string =>
  join(FIXTURES_DIR, 'golden', `${sample.name}.txt`);
