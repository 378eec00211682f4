// IAM operations of the catalogue. Tagging. Tags drive attribute-based access control and SCP exemptions, so a tag
// change is a change. Headlines: `tagged`/`untagged` unless an entry says otherwise.
// Add an IAM operation here (or in the file of its category); tests check it against the SDK's operation list.
import type { OperationSpecs } from '../operation.js';
import { op } from '../spec.js';

/**
 * IAM operations: tagging. Keyed by `eventName` of `iam.amazonaws.com`; headlines come from `defaultIamTitle`
 * (`Role deploy tagged team=a`, `Tags team removed from role deploy`).
 */
export const IAM_TAGGING: OperationSpecs = {
  TagUser: op('tagging', 'low', 'tags an IAM user'),
  UntagUser: op('tagging', 'low', 'removes tags from an IAM user'),
  TagRole: op('tagging', 'low', 'tags a role'),
  UntagRole: op('tagging', 'low', 'removes tags from a role'),
  TagPolicy: op('tagging', 'low', 'tags a managed policy'),
  UntagPolicy: op('tagging', 'low', 'removes tags from a managed policy'),
  TagInstanceProfile: op('tagging', 'low', 'tags an instance profile'),
  UntagInstanceProfile: op('tagging', 'low', 'removes tags from an instance profile'),
  TagMFADevice: op('tagging', 'low', 'tags an MFA device'),
  UntagMFADevice: op('tagging', 'low', 'removes tags from an MFA device'),
  TagOpenIDConnectProvider: op('tagging', 'low', 'tags an OIDC provider'),
  UntagOpenIDConnectProvider: op('tagging', 'low', 'removes tags from an OIDC provider'),
  TagSAMLProvider: op('tagging', 'low', 'tags a SAML provider'),
  UntagSAMLProvider: op('tagging', 'low', 'removes tags from a SAML provider'),
  TagServerCertificate: op('tagging', 'low', 'tags a server certificate'),
  UntagServerCertificate: op('tagging', 'low', 'removes tags from a server certificate'),
};
