import { createAlert } from '../../../shared/domain/alert.js';
import { parseIamEvent } from '../../../shared/domain/cloudtrail.js';
import { ruleSubjectOf } from '../../../shared/domain/rules/subject.js';
import { attachAdminAlert } from '../../helpers/alerts.js';
import { findRecord } from '../../helpers/fixtures.js';

describe('ruleSubjectOf', () => {
  it('takes the facts rules look at from an alert', () => {
    expect(ruleSubjectOf(attachAdminAlert())).toEqual({
      principalArn: 'arn:aws:iam::123456789012:user/alice',
      sessionRoleArn: undefined,
      eventName: 'AttachUserPolicy',
      eventSource: 'iam.amazonaws.com',
      account: '123456789012',
      via: 'console',
      category: 'permissions',
      severity: 'high',
      isGuardRail: false,
    });
  });

  it('gives a session both its own ARN and the ARN of the role that issued it', async () => {
    // An assumed-role session: userIdentity.arn is the sts assumed-role ARN, sessionContext.sessionIssuer.arn the
    // role's IAM ARN. https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-user-identity.html
    const record = findRecord(
      (r) =>
        r.userIdentity.type === 'AssumedRole' &&
        r.userIdentity.sessionContext?.sessionIssuer?.arn !== undefined,
    );
    const subject = ruleSubjectOf(await createAlert(parseIamEvent(record)));
    expect(subject.principalArn).toBe(record.userIdentity.arn);
    expect(subject.principalArn).toMatch(/^arn:aws:sts::\d{12}:assumed-role\//);
    expect(subject.sessionRoleArn).toBe(record.userIdentity.sessionContext?.sessionIssuer?.arn);
    expect(subject.sessionRoleArn).toMatch(/^arn:aws:iam::\d{12}:role\//);
  });

  it('calls an unknown access method other, and passes organizational units when given', () => {
    const alert = attachAdminAlert();
    const subject = ruleSubjectOf({ ...alert, principal: { ...alert.principal, via: 'unknown' } }, [
      'ou-ab12-34cd56ef',
      'r-ab12',
    ]);
    expect(subject.via).toBe('other');
    expect(subject.organizationalUnits).toEqual(['ou-ab12-34cd56ef', 'r-ab12']);
  });

  it('marks tampering with the alerting as guard rail, done or attempted', async () => {
    const stop = findRecord((r) => r.eventName === 'StopLogging' && r.errorCode === undefined);
    expect(ruleSubjectOf(await createAlert(parseIamEvent(stop))).isGuardRail).toBe(true);
    const alert = attachAdminAlert();
    const attempt = {
      ...alert,
      reasons: [{ severity: 'high' as const, code: 'guard-rail-attempt', text: 'tried' }],
    };
    expect(ruleSubjectOf(attempt).isGuardRail).toBe(true);
  });
});
