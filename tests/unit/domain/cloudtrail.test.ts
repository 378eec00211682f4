import { parseIamEvent, toEventBridgeEvent } from '../../../shared/domain/cloudtrail.js';
import { InvalidEventError } from '../../../shared/errors.js';
import { findRecord, loadCorpus } from '../../helpers/fixtures.js';

describe('parseIamEvent', () => {
  it('accepts every record of the corpus, bare and wrapped as EventBridge delivers it', () => {
    const corpus = loadCorpus();
    expect(corpus.length).toBe(3336);
    for (const { record } of corpus) {
      const bare = parseIamEvent(record);
      const wrapped = parseIamEvent(toEventBridgeEvent(bare.record));
      expect(wrapped.record.eventName).toBe(record.eventName);
      expect(wrapped.envelope?.source).toBe(`aws.${record.eventSource.split('.')[0]}`);
    }
  });

  it('keeps mfaAuthenticated as the string CloudTrail writes and unknown fields as they are', () => {
    const raw = findRecord((r) => r.userIdentity?.sessionContext?.attributes?.mfaAuthenticated === 'false');
    const { record } = parseIamEvent({ ...raw, someFieldFrom2030: { x: 1 } });
    expect(record.userIdentity.sessionContext?.attributes?.mfaAuthenticated).toBe('false');
    expect(record.someFieldFrom2030).toEqual({ x: 1 });
  });

  it('turns null requestParameters into null and drops other nulls', () => {
    const { record } = parseIamEvent({
      eventSource: 'iam.amazonaws.com',
      eventName: 'ListUsers',
      userIdentity: { type: 'IAMUser' },
      requestParameters: null,
      responseElements: null,
      errorCode: null,
    });
    expect(record.requestParameters).toBeNull();
    expect('errorCode' in record).toBe(false);
  });

  it('names the field at fault when the input is not a CloudTrail record', () => {
    const envelope = {
      id: '1',
      source: 'aws.iam',
      'detail-type': 'AWS API Call via CloudTrail',
      account: '123456789012',
      region: 'us-east-1',
      time: '2026-01-01T00:00:00Z',
      detail: { eventSource: 'iam.amazonaws.com', eventName: 42 },
    };
    expect(() => parseIamEvent(envelope)).toThrow(InvalidEventError);
    expect(() => parseIamEvent(envelope)).toThrow('detail.eventName: expected string');
    expect(() => parseIamEvent({ ...envelope, detail: undefined })).toThrow(/detail/);
    expect(() => parseIamEvent('text')).toThrow('expected a JSON object');
    const missingSource = (() => {
      try {
        parseIamEvent({ eventName: 'CreateUser' });
        return undefined;
      } catch (error) {
        return error;
      }
    })();
    expect(missingSource).toBeInstanceOf(InvalidEventError);
    expect((missingSource as InvalidEventError).field).toBe('eventSource');
  });
});
