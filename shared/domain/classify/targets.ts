// parse → [classify] → enrich → format → publish
// The entity a call acted on, found once (the catalogue says how), and named in words.
import type { Operation, TargetContext } from '../catalogue/operation.js';
import { findIamTarget, findStsTarget } from '../catalogue/targets.js';
import type { Target } from '../types.js';

const ENTITY_LABELS: Readonly<Record<Target['kind'], string>> = {
  user: 'IAM user',
  role: 'role',
  group: 'group',
  policy: 'policy',
  'instance-profile': 'instance profile',
  'saml-provider': 'SAML provider',
  'oidc-provider': 'OIDC provider',
  'server-certificate': 'server certificate',
  'mfa-device': 'MFA device',
  account: 'account',
  other: '',
};

/** The root user as a target: the account, with the root ARN (`arn:aws:iam::<account>:root`). */
const isRootTarget = (target: Target): boolean =>
  target.kind === 'account' && target.arn?.endsWith(':root') === true;

/** `IAM user bob`, `role deploy`, `the root user`, `an unnamed entity`. */
export const phrase = (target: Target | undefined): string => {
  if (!target) return 'an unnamed entity';
  if (isRootTarget(target)) return 'the root user';
  if (target.kind === 'other') return target.name;
  return `${ENTITY_LABELS[target.kind]} ${target.name}`;
};

/**
 * The entity a call acted on: as its catalogue entry says, else (an operation the catalogue does not know) as any
 * IAM or STS operation names it; other services' unknown operations name none.
 */
export const findTarget = (
  operation: Operation | undefined,
  service: string,
  context: TargetContext,
): Target | undefined => {
  const find =
    operation?.target ?? (service === 'iam' ? findIamTarget : service === 'sts' ? findStsTarget : undefined);
  return find?.(context);
};
