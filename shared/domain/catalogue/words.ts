// parse → [classify] → enrich → format → publish
// Small pieces of wording the catalogue's headlines and summaries share. Pure; no I/O.
import type { Params, Title } from './operation.js';

/** A non-empty string, or a number as text; else `undefined` (request parameters are of unknown shape). */
export const str = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : typeof value === 'number' ? String(value) : undefined;

/** `arn:aws:iam::aws:policy/AdministratorAccess` → `AdministratorAccess`; other values unchanged. */
export const nameFromArn = (value: string): string => {
  const slash = value.lastIndexOf('/');
  if (slash >= 0) return value.slice(slash + 1) || value;
  const colon = value.lastIndexOf(':');
  return value.startsWith('arn:') && colon >= 0 ? value.slice(colon + 1) : value;
};

/** `bob` → `Bob`. */
export const capitalise = (text: string): string => text.charAt(0).toUpperCase() + text.slice(1);

/** The tags of a `Tag*` or `Create*` request (`tags: [{ key, value }]`; some services write `Key`/`Value`). */
export const tagList = (params: Params): Array<{ key: string; value: string }> => {
  const tags = params.tags;
  if (!Array.isArray(tags)) return [];
  return tags.flatMap((tag) => {
    if (typeof tag !== 'object' || tag === null) return [];
    const key = str((tag as Params).key) ?? str((tag as Params).Key);
    const value = str((tag as Params).value) ?? str((tag as Params).Value) ?? '';
    return key ? [{ key, value }] : [];
  });
};

/** `AdministratorAccess attached to IAM user bob`. */
export const attach: Title = ({ t, policy }) => `${policy} attached to ${t}`;
/** `ReadOnlyAccess detached from role deploy`. */
export const detach: Title = ({ t, policy }) => `${policy} detached from ${t}`;
/** `Inline policy p written on role deploy`. */
export const putInline: Title = ({ t, p }) => `Inline policy ${str(p.policyName) ?? '?'} written on ${t}`;
/** `Inline policy p deleted from role deploy`. */
export const deleteInline: Title = ({ t, p }) =>
  `Inline policy ${str(p.policyName) ?? '?'} deleted from ${t}`;
/** `deactivated` for `status: Inactive`, else `activated`. */
export const statusVerb = (p: Params): string => (str(p.status) === 'Inactive' ? 'deactivated' : 'activated');
/** `Role deploy tagged team=a, env=b`. */
export const tagged: Title = ({ t, p }) => {
  const tags = tagList(p).map(({ key, value }) => `${key}=${value}`);
  return `${capitalise(t)} tagged ${tags.length > 0 ? tags.join(', ') : '(no tags named)'}`;
};
/** `Tags team, env removed from role deploy`. */
export const untagged: Title = ({ t, p }) => {
  const keys = Array.isArray(p.tagKeys) ? p.tagKeys.filter((key) => typeof key === 'string') : [];
  return `${keys.length > 0 ? `Tags ${keys.join(', ')}` : 'Tags'} removed from ${t}`;
};

/** Service names `CreateServiceSpecificCredential` accepts, in words. */
const SERVICE_SPECIFIC_SERVICES: ReadonlyMap<string, string> = new Map([
  ['codecommit.amazonaws.com', 'CodeCommit'],
  ['cassandra.amazonaws.com', 'Amazon Keyspaces'],
  ['bedrock.amazonaws.com', 'Amazon Bedrock'],
]);

/** The service of a service-specific credential, in words. */
export const serviceSpecific = (p: Params): string => {
  const service = str(p.serviceName);
  return service ? (SERVICE_SPECIFIC_SERVICES.get(service) ?? service) : 'its service';
};

/** What an access key gives. */
export const accessKeyEffect = (user: string): string => `whoever holds it can call AWS APIs as ${user}`;
/** What a console password gives. */
export const passwordEffect = (user: string): string =>
  `whoever knows the password can sign in to the console as ${user} (an MFA device of ${user}, if any, is still asked for)`;
// IAM SSH public keys authenticate to CodeCommit only; service-specific credentials to one service only.
// @see https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_ssh-keys.html
// @see https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_service-specific-creds.html
/** What an SSH public key gives. */
export const sshKeyEffect = (user: string): string =>
  `whoever holds the private key can use CodeCommit repositories over SSH as ${user}, with ${user}'s CodeCommit permissions; the key gives no other access`;
/** What a service-specific credential gives. */
export const serviceSpecificEffect = (user: string, p: Params): string =>
  `whoever holds it can use ${serviceSpecific(p)} as ${user}, with ${user}'s permissions there; it works for no other service`;
/** What an X.509 signing certificate gives. */
export const signingCertificateEffect = (user: string): string =>
  `whoever holds the certificate's private key can sign requests as ${user} to the few AWS services that accept X.509 signing certificates`;
