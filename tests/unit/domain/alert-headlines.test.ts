// What the first lines of an alert say: what a group grants to a user who joins it, each reason once, and summaries
// that read as one sentence.
import { buildAlert, createAlert } from '../../../shared/domain/alert.js';
import { iamEventOf } from '../../../shared/domain/cloudtrail.js';
import type { Alert, CloudTrailRecord } from '../../../shared/domain/types.js';
import { formatEmailText } from '../../../shared/format/email-text.js';
import { formatJiraIssue, formatJiraSummary } from '../../../shared/format/jira-adf.js';
import { formatSlackMessage } from '../../../shared/format/slack-blocks.js';
import { formatSubject } from '../../../shared/format/subject.js';
import type { IamDirectory } from '../../../shared/ports.js';
import { findRecord } from '../../helpers/fixtures.js';
import { cloudTrailRecord } from '../../helpers/records.js';

/** An IAM directory that knows one group with one inline policy, and nothing else. */
const directoryWithGroup = (document: object): IamDirectory => {
  const missing = async (): Promise<never> => {
    throw new Error('NoSuchEntity');
  };
  return {
    getPolicy: missing,
    getPolicyVersion: missing,
    listPolicyVersions: async () => [],
    listAttachedGroupPolicies: async () => [],
    listGroupPolicies: async () => ['team-policy'],
    getGroupPolicy: async () => JSON.stringify(document),
  };
};

// awsdocs-examples: AddUserToGroup, Bob into group admin (AWS IAM user guide's CloudTrail example).
const addUserToGroup = (): CloudTrailRecord => findRecord((r) => r.eventName === 'AddUserToGroup');

const policy = (statement: object): object => ({ Version: '2012-10-17', Statement: [statement] });

describe('group membership headlines', () => {
  it('says the group policies were not fetched when offline', async () => {
    const alert = await createAlert(iamEventOf(addUserToGroup(), undefined));
    expect(alert.title).toBe('IAM user Bob added to group admin (group policies not fetched)');
  });

  it("says what the group's policies grant when enrichment fetched them", async () => {
    const iam = directoryWithGroup(
      policy({ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' }),
    );
    const alert = await buildAlert(iamEventOf(addUserToGroup(), undefined), iam);
    expect(alert.title).toBe(
      "IAM user Bob added to group admin, which allows s3:GetObject on arn:aws:s3:::b/* (group admin's inline policy team-policy)",
    );
  });

  it('names administrator access in the headline, from the fetched policies', async () => {
    // IAM user guide: a user gets the permissions of every group it belongs to.
    // https://docs.aws.amazon.com/IAM/latest/UserGuide/id_groups.html
    const iam = directoryWithGroup(policy({ Effect: 'Allow', Action: '*', Resource: '*' }));
    const alert = await buildAlert(iamEventOf(addUserToGroup(), undefined), iam);
    expect(alert.severity).toBe('high');
    expect(alert.title).toBe('User Bob added to group admin, which grants administrator-level access');
  });

  it('says nothing of the group when the call failed (nothing was granted)', async () => {
    const failed = {
      ...addUserToGroup(),
      errorCode: 'AccessDenied',
      errorMessage: 'User: x is not authorized',
    };
    const alert = await createAlert(iamEventOf(failed, undefined));
    expect(alert.title).not.toContain('group policies');
  });
});

describe('each reason once', () => {
  /** How many times a text occurs in another. */
  const occurrences = (haystack: string, needle: string): number => haystack.split(needle).length - 1;
  const samples: Array<[string, () => CloudTrailRecord]> = [
    [
      'AttachUserPolicy AdministratorAccess',
      () =>
        findRecord(
          (r) =>
            r.eventName === 'AttachUserPolicy' &&
            JSON.stringify(r.requestParameters).includes('AdministratorAccess'),
        ),
    ],
    [
      'UpdateAssumeRolePolicy to another account',
      () =>
        findRecord(
          (r) => r.eventName === 'UpdateAssumeRolePolicy' && r.userIdentity.userName === 'christophe',
        ),
    ],
  ];

  it.each(samples)('%s: the e-mail, Slack and Jira print every reason once', async (_name, record) => {
    const alert = await createAlert(iamEventOf(record(), undefined));
    const email = formatEmailText(alert);
    const slack = JSON.stringify(formatSlackMessage(alert));
    const jira = JSON.stringify(
      formatJiraIssue(alert, { projectKey: 'SEC', issueType: 'Task' }).fields.description,
    );
    expect(alert.policy?.findings.length).toBeGreaterThan(0);
    for (const reason of alert.reasons) {
      expect(occurrences(email, reason.text)).toBe(1);
      expect(occurrences(slack, JSON.stringify(reason.text).slice(1, -1))).toBe(1);
      expect(occurrences(jira, JSON.stringify(reason.text).slice(1, -1))).toBe(1);
    }
  });
});

describe('summaries read as one sentence', () => {
  const scpDenied = (): Promise<Alert> =>
    createAlert(
      iamEventOf(
        cloudTrailRecord({
          eventName: 'CreateUser',
          requestParameters: { userName: 'backdoor' },
          errorCode: 'AccessDenied',
          errorMessage:
            'User: arn:aws:iam::123456789012:user/alice is not authorized to perform: iam:CreateUser on resource: arn:aws:iam::123456789012:user/backdoor with an explicit deny in a service control policy',
        }),
        undefined,
      ),
    );

  it('words an SCP denial without a second "by", in the Jira summary and the subject', async () => {
    const alert = await scpDenied();
    expect(formatJiraSummary(alert)).toBe(
      '[HIGH] iam:CreateUser on IAM user backdoor denied (service control policy) by alice (123456789012)',
    );
    for (const line of [formatJiraSummary(alert), formatSubject(alert)])
      expect(line.split(' by ')).toHaveLength(2);
  });
});
