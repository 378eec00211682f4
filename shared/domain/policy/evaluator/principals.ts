// The Principal and NotPrincipal elements of resource policies (a role's trust policy is one).
import type { RequestPrincipal } from './types.js';

const ACCOUNT_ID = /^\d{12}$/;
const ROOT_ARN = /^arn:[a-z-]+:iam::(\d{12}):root$/;

// An assumed-role session `arn:aws:sts::111122223333:assumed-role/Name/session` is a session of role `Name`;
// role names are unique in an account, and a policy may name the role with its path.
const sessionRoleName = (arn: string): string | undefined =>
  /^arn:[a-z-]+:sts::\d{12}:assumed-role\/([^/]+)\/[^/]+$/.exec(arn)?.[1];

const roleName = (arn: string): string | undefined =>
  /^arn:[a-z-]+:iam::\d{12}:role\/(?:.*\/)?([^/]+)$/.exec(arn)?.[1];

const matchesAws = (entry: string, principal: Extract<RequestPrincipal, { type: 'AWS' }>): boolean => {
  if (entry === '*') return true;
  if (ACCOUNT_ID.test(entry)) return entry === principal.account;
  const root = ROOT_ARN.exec(entry);
  if (root) return root[1] === principal.account;
  const arn = principal.arn;
  if (arn === undefined) return false;
  if (entry === arn) return true;
  const session = sessionRoleName(arn);
  if (session === undefined) return false;
  // A role ARN names every session of that role; a session ARN names only that session.
  return entry.split(':')[4] === principal.account && roleName(entry) === session;
};

/**
 * True when one Principal/NotPrincipal block names the requester: `"*"` names everyone; `AWS` entries are `*`,
 * account ids or root ARNs (every principal of that account), or user, role and session ARNs; `Service`,
 * `Federated` and `CanonicalUser` entries are compared exactly (service names ignoring case). Wildcards other than
 * a lone `*` match nothing, as in IAM.
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
 */
export const principalMatches = (block: Record<string, string[]>, principal: RequestPrincipal): boolean => {
  for (const [type, entries] of Object.entries(block)) {
    if (type === '*') return true;
    if (type !== principal.type) continue;
    for (const entry of entries) {
      if (principal.type === 'AWS' && matchesAws(entry, principal)) return true;
      if (
        principal.type === 'Service' &&
        (entry === '*' || entry.toLowerCase() === principal.id.toLowerCase())
      ) {
        return true;
      }
      if ((principal.type === 'Federated' || principal.type === 'CanonicalUser') && entry === principal.id) {
        return true;
      }
    }
  }
  return false;
};
