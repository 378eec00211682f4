// Operations of other services that the catalogue does not name.
import { severityRank } from '../../../../shared/domain/types.js';
import { findRecord } from '../../../helpers/fixtures.js';
import { classify } from './classify-helpers.js';

describe('classifyEvent: other services', () => {
  it('classifies a read of another service read/info', () => {
    const result = classify(
      findRecord(
        (r) =>
          r.eventName === 'DescribeInstances' &&
          !r.errorCode &&
          !r.userIdentity.sessionContext?.ec2RoleDelivery,
      ),
    );

    expect(result).toMatchObject({
      family: 'Describe',
      category: 'read',
      severity: 'info',
      title: 'ec2:DescribeInstances',
    });
  });

  it('classifies a write of another service at least low, with a sensible category', () => {
    const vpc = classify(findRecord((r) => r.eventName === 'CreateVpc' && !r.errorCode));
    const bucketPolicy = classify(findRecord((r) => r.eventName === 'PutBucketPolicy' && !r.errorCode));
    const tags = classify(findRecord((r) => r.eventName === 'CreateTags' && !r.errorCode));

    expect([vpc.category, severityRank(vpc.severity) >= severityRank('low')]).toEqual(['other', true]);
    expect(bucketPolicy.category).toBe('permissions');
    expect(tags.category).toBe('tagging');
  });
});
