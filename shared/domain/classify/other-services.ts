// parse → [classify] → enrich → format → publish
// Operations the catalogue does not name: rated from the verb of their name and CloudTrail's `readOnly`.
import { leadingVerb } from '../catalogue/index.js';
import type { Category, CloudTrailRecord } from '../types.js';
import type { Base } from './base.js';

// Verbs of operations that read; `Batch` only as `BatchGet`/`BatchDescribe`.
const READ_VERBS: ReadonlySet<string> = new Set([
  'Get',
  'List',
  'Describe',
  'Lookup',
  'Search',
  'Head',
  'Check',
  'Scan',
  'Query',
  'Select',
  'View',
  'Preview',
  'Estimate',
  'Simulate',
  'Batch',
  'Decrypt',
  'Encrypt',
  'Generate',
  'Validate',
]);

const isReadName = (name: string): boolean => {
  const verb = leadingVerb(name);
  if (verb === 'Batch') return /^BatchGet|^BatchDescribe/.test(name);
  return READ_VERBS.has(verb);
};

const otherCategory = (name: string, read: boolean): Category => {
  if (read) return 'read';
  if (/^(?:Tag|Untag)|^(?:Create|Delete|Add|Remove)Tags$|Tagging$/.test(name)) return 'tagging';
  if (
    /AccessKey|Password|LoginProfile|MFA|Mfa|KeyPair|SSHPublicKey|Secret|Credential|FederationToken/.test(
      name,
    )
  ) {
    return 'credentials';
  }
  if (/Polic(?:y|ies)|Permission|Grant|Acl$/.test(name)) return 'permissions';
  return 'other';
};

/**
 * What an operation missing from the catalogue is, from its name and CloudTrail's `readOnly`. An unknown IAM
 * operation is a `medium` change until it is classified; a console sign-in step is a `low` credentials event; any
 * other service's change is `low` and rated by caller and outcome.
 */
export const describeUnknownOperation = (record: CloudTrailRecord, service: string, name: string): Base => {
  if (service === 'iam') {
    const isRead = isReadName(name);
    return {
      category: isRead ? 'read' : otherCategory(name, false),
      severity: isRead ? 'info' : 'medium',
      summary: isRead ? 'an IAM read' : 'an IAM operation this version does not know yet',
      isRead,
      known: false,
    };
  }
  if (service === 'signin') {
    return {
      category: 'credentials',
      severity: 'low',
      summary: 'a console sign-in step',
      isRead: false,
      known: true,
    };
  }
  // CloudTrail's own readOnly flag wins; the verb decides only when CloudTrail does not say.
  const isRead = record.readOnly === true || (record.readOnly !== false && isReadName(name));
  return {
    category: otherCategory(name, isRead),
    severity: isRead ? 'info' : 'low',
    summary: isRead ? `a read (${service})` : `a change in ${service} (not IAM: rated by caller and outcome)`,
    isRead,
    known: false,
  };
};
