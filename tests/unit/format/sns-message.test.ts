import type { Alert } from '../../../shared/domain/types.js';
import { formatSnsMessage, SNS_MAX_BYTES, snsMessageBytes } from '../../../shared/format/sns-message.js';
import { attachAdminAlert as sampleAlert } from '../../helpers/alerts.js';

describe('formatSnsMessage', () => {
  it('is String-structured: text body, filter keys and the JSON alert as attributes', () => {
    const alert = sampleAlert();
    const message = formatSnsMessage(alert);
    expect(message).not.toHaveProperty('MessageStructure');
    expect(message.Message.startsWith('HIGH  AdministratorAccess attached')).toBe(true);
    expect(message.MessageAttributes).toEqual({
      severity: { DataType: 'String', StringValue: 'high' },
      severityRank: { DataType: 'Number', StringValue: '3' },
      category: { DataType: 'String', StringValue: 'permissions' },
      family: { DataType: 'String', StringValue: 'Attach' },
      eventName: { DataType: 'String', StringValue: 'AttachUserPolicy' },
      account: { DataType: 'String', StringValue: '123456789012' },
      alert: { DataType: 'String', StringValue: JSON.stringify(alert) },
    });
  });

  it('never sends an empty attribute value (SNS rejects it)', () => {
    const message = formatSnsMessage(sampleAlert({ account: undefined }));
    expect(message.MessageAttributes.account?.StringValue).toBe('unknown');
  });

  it('truncates a huge policy document with a note instead of exceeding 256 KB', () => {
    const huge = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Action: 's3:GetObject',
          Resource: Array.from({ length: 9000 }, (_, i) => `arn:aws:s3:::bucket-${i}/"quoted"/*`),
        },
      ],
    });
    expect(Buffer.byteLength(huge)).toBeGreaterThan(262_144);
    const message = formatSnsMessage(
      sampleAlert({
        policy: { source: 'request', label: 'inline policy huge', document: huge, findings: [] },
      }),
    );
    expect(snsMessageBytes(message)).toBeLessThanOrEqual(SNS_MAX_BYTES);
    const alert = JSON.parse(message.MessageAttributes.alert?.StringValue ?? '{}') as Alert;
    expect(alert.policy?.document?.length).toBeGreaterThan(10_000);
    expect(alert.notes.join('\n')).toMatch(
      /policy document truncated from \d+ to \d+ bytes to fit SNS's 256 KB limit/,
    );
  });

  it('counts multi-byte characters as bytes', () => {
    const doc = '€'.repeat(120_000);
    const message = formatSnsMessage(
      sampleAlert({ policy: { source: 'request', label: 'p', document: doc, findings: [] } }),
    );
    expect(snsMessageBytes(message)).toBeLessThanOrEqual(SNS_MAX_BYTES);
  });
});
