// What every classification test uses: parse → describe → classify, as the notifier does.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type ClassifyOptions, classifyEvent } from '../../../../shared/domain/classify/index.js';
import { parseIamEvent } from '../../../../shared/domain/cloudtrail.js';
import { describePrincipal } from '../../../../shared/domain/principal.js';
import type { Classification, CloudTrailRecord, UserIdentity } from '../../../../shared/domain/types.js';
import { FIXTURES_DIR } from '../../../helpers/fixtures.js';
import { cloudTrailRecord } from '../../../helpers/records.js';

/** Parse → describe → classify, as the notifier does (with what the deployment knows, `options`). */
export const classify = (raw: CloudTrailRecord, options?: ClassifyOptions): Classification => {
  const event = parseIamEvent(raw);
  return classifyEvent(event, describePrincipal(event.record), options);
};

/** The codes of a classification's reasons, highest first. */
export const codes = (classification: Classification): string[] => classification.reasons.map((r) => r.code);

/** A hand-written record in CloudTrail's format, for cases the corpus lacks. */
export const record = cloudTrailRecord;

/** A record of the repository's sample events (`events/*.json`, EventBridge envelopes). */
export const sampleEvent = (name: string): CloudTrailRecord =>
  (
    JSON.parse(readFileSync(join(FIXTURES_DIR, '..', '..', 'events', name), 'utf8')) as {
      detail: CloudTrailRecord;
    }
  ).detail;

/** Every reason's text, one per line. */
export const texts = (classification: Classification): string =>
  classification.reasons.map((r) => r.text).join('\n');

/** A role session with EC2 instance credentials (IMDSv2). */
export const EC2_WEB_ROLE: UserIdentity = {
  type: 'AssumedRole',
  principalId: 'AROAEXAMPLE:i-0abc1234def567890',
  arn: 'arn:aws:sts::123456789012:assumed-role/web-role/i-0abc1234def567890',
  accountId: '123456789012',
  sessionContext: {
    sessionIssuer: {
      type: 'Role',
      arn: 'arn:aws:iam::123456789012:role/web-role',
      userName: 'web-role',
      accountId: '123456789012',
    },
    attributes: { mfaAuthenticated: 'false', creationDate: '2026-11-01T09:00:00Z' },
    ec2RoleDelivery: '2.0',
  },
};

/** The root user, signed in with MFA. */
export const ROOT: UserIdentity = {
  type: 'Root',
  principalId: '123456789012',
  arn: 'arn:aws:iam::123456789012:root',
  accountId: '123456789012',
};
