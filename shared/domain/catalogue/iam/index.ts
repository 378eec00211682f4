// IAM's part of the catalogue: every operation of the IAM API, one file per category.
import type { OperationSpec, OperationSpecs, Title } from '../operation.js';
import { findAccountTarget, findIamTarget } from '../targets.js';
import { tagged, untagged } from '../words.js';
import { IAM_ACCOUNT } from './account.js';
import { IAM_CREDENTIALS } from './credentials.js';
import { IAM_FEDERATION } from './federation.js';
import { IAM_IDENTITY } from './identity.js';
import { IAM_PERMISSIONS } from './permissions.js';
import { IAM_READS } from './reads.js';
import { IAM_TAGGING } from './tagging.js';

/** The headline of an IAM operation whose entry writes none: `Tag*`/`Untag*` name the tags; others are generic. */
export const defaultIamTitle = (name: string): Title | undefined =>
  name.startsWith('Tag') ? tagged : name.startsWith('Untag') ? untagged : undefined;

// A headline is one line: whatever the parameters hold, runs of white space become one space.
const oneLine =
  (title: Title): Title =>
  (context) =>
    title(context).replace(/\s+/g, ' ').trim();

const withDefaults = (name: string, spec: OperationSpec): OperationSpec => {
  const title = spec.title ? oneLine(spec.title) : defaultIamTitle(name);
  return {
    ...spec,
    target: spec.target ?? (spec.category === 'account' ? findAccountTarget : findIamTarget),
    ...(title ? { title } : {}),
  };
};

/**
 * Every IAM API operation, keyed by the `eventName` CloudTrail writes for `iam.amazonaws.com`: the 176 operations of
 * the IAM service model in botocore 1.43.11 (`tests/fixtures/cloudtrail/iam-operations.txt`) plus those the
 * installed `@aws-sdk/client-iam` adds after it (marked in their files). A test derives the operation list from the
 * SDK's `*Command` exports, so an SDK upgrade that brings a new operation fails until it is classified here. Entries
 * without a target finder act on the entity their parameters name (`findIamTarget`), account settings on the
 * changed account.
 * @see https://docs.aws.amazon.com/IAM/latest/APIReference/API_Operations.html
 */
export const IAM_SPECS: ReadonlyArray<readonly [string, OperationSpec]> = [
  IAM_CREDENTIALS,
  IAM_PERMISSIONS,
  IAM_IDENTITY,
  IAM_FEDERATION,
  IAM_ACCOUNT,
  IAM_TAGGING,
  IAM_READS,
].flatMap((specs: OperationSpecs) =>
  Object.entries(specs).map(([name, spec]) => [name, withDefaults(name, spec)] as const),
);
