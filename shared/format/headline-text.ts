// parse → classify → enrich → [format] → publish: the headline of a policy change, in words.
import type { GrantLevel, Headline } from '../domain/findings.js';
import { wordExposure } from './trust-text.js';

const GRANT_LEVELS = new Map<GrantLevel, string>([
  ['full-admin', 'full administrator access'],
  ['effective-admin', 'effective administrator access'],
  ['account-admin', 'administrator access to one account'],
  ['every-iam-action', 'every IAM action'],
  ['nearly-every-action', 'nearly every action (NotAction)'],
]);

const grantLevelText = (level: GrantLevel): string => GRANT_LEVELS.get(level) ?? level;

/** The headline of a policy change: `Inline policy p on role r grants full administrator access`. */
export const wordHeadline = (headline: Headline): string => {
  switch (headline.kind) {
    case 'inline-policy':
      return `Inline policy ${headline.policyName} on ${headline.ownerKind} ${headline.owner} grants ${grantLevelText(headline.grants)}`;
    case 'attached-policy':
      return `Policy ${headline.policyName} attached to ${headline.target} grants ${grantLevelText(headline.grants)}`;
    case 'new-default-version':
      return `New default ${headline.version} of policy ${headline.policyName} grants ${grantLevelText(headline.grants)}`;
    case 'switched-version':
      return `Policy ${headline.policyName} switched to ${headline.version}, which grants ${grantLevelText(headline.grants)}`;
    case 'role-trust':
      return `Role ${headline.roleName} ${wordExposure(headline.exposure)}`;
    case 'admin-group':
      return `User ${headline.userName} added to group ${headline.groupName}, which grants administrator-level access`;
  }
};
