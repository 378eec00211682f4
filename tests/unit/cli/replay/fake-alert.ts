// A stand-in for the notifier's createAlert: deterministic, derived from the record, enough for replay tests.
import type { Alert, IamEvent, Severity } from '../../../../shared/domain/types.js';

export const fakeCreateAlert = (event: IamEvent): Alert => {
  const { record } = event;
  const severity: Severity = record.eventName.startsWith('Create')
    ? 'high'
    : record.readOnly
      ? 'info'
      : 'medium';
  return {
    schema: 'iam-change-alerts/alert@1',
    eventId: record.eventID,
    eventName: record.eventName,
    eventSource: record.eventSource,
    eventTime: record.eventTime,
    awsRegion: record.awsRegion,
    account: record.recipientAccountId,
    family: record.eventName.replace(/^(Create|Delete|Put|Attach|Detach|Update)/, ''),
    category: record.eventName.includes('AccessKey') ? 'credentials' : 'identity',
    severity,
    reasons: [{ severity, code: 'fake', text: `fake reason for ${record.eventName}` }],
    title: `${record.eventName} by ${record.userIdentity.userName ?? 'someone'}`,
    principal: {
      type: record.userIdentity.type ?? 'Unknown',
      name: record.userIdentity.userName ?? 'unknown',
      ...(record.userIdentity.arn ? { arn: record.userIdentity.arn } : {}),
      via: 'unknown',
      viaLabel: 'unknown',
      isRoot: record.userIdentity.type === 'Root',
    },
    parameters: {},
    ...(record.errorCode ? { errorCode: record.errorCode } : {}),
    links: {},
    notes: [],
  };
};
