// The Principal and NotPrincipal elements of resource policies (a role's trust policy is one).
import type { RequestPrincipal } from './types.js';

const ACCOUNT_ID = /^\d{12}$/;
const ROOT_ARN = /^arn:[a-z-]+:iam::(\d{12}):root$/;

// An assumed-role session `arn:aws:sts::111122223333:assumed-role/Name/session` is its role's session.
const roleOfSession = (arn: string): string | undefined => {
  const match = /^arn:([a-z-]+):sts::(\d{12}):assumed-role\/([^/]+)\/[^/]+$/.exec(arn);
  return match ? `arn:${match[1]}:iam::${match[2]}:role/${match[3]}` : undefined;
};

// Roles may carry a path; a policy names them with it, the session ARN without it.
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
  const sessionRole = roleOfSession(arn);
  if (sessionRole === undefined) return entry === arn;
  // A role ARN names every session of that role; a session ARN names only that session.
  const sameAccount = entry.split(':')[4] === principal.account;
  return sameAccount && entry.includes(':role/') && roleName(entry) === roleName(sessionRole);
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
