// parse → classify → enrich → [assemble] → format → publish
// The identifiers a responder copies to find and disable a credential: read from the request and the response.
import type * as z from 'zod/mini';
import type { credentialSchema } from './alert-schema.js';
import { ROOT_USER_PLACEHOLDER } from './catalogue/targets.js';
import type { CloudTrailRecord, Principal } from './types.js';
import { asString, isObject } from './values.js';

/** A credential an event created, changed or deleted (shape: `credentialSchema`). */
export type Credential = z.output<typeof credentialSchema>;

type Fields = Readonly<Record<string, unknown>>;

/** What one credential operation reads: the credential's kind, what the call does, and where its fields are. */
interface CredentialRead {
  kind: Credential['kind'];
  action: Credential['action'];
  /** The `responseElements` key that holds the credential (`accessKey`, `sSHPublicKey`, …), if any. */
  response?: string;
  /** The field of that object, or of `requestParameters`, that holds the identifier. */
  idKey?: string;
}

// CloudTrail writes the request and response of IAM calls with the API's member names, first letter lower-cased
// (`SSHPublicKeyId` → `sSHPublicKeyId`); secrets (the secret access key, the password, the service password, the
// MFA codes) are never logged.
// @see https://docs.aws.amazon.com/IAM/latest/APIReference/API_Operations.html
// @see https://docs.aws.amazon.com/IAM/latest/UserGuide/cloudtrail-integration.html
const READS: ReadonlyMap<string, CredentialRead> = new Map<string, CredentialRead>([
  ['CreateAccessKey', { kind: 'access-key', action: 'created', response: 'accessKey', idKey: 'accessKeyId' }],
  ['UpdateAccessKey', { kind: 'access-key', action: 'updated', idKey: 'accessKeyId' }],
  ['DeleteAccessKey', { kind: 'access-key', action: 'deleted', idKey: 'accessKeyId' }],
  [
    'UploadSSHPublicKey',
    { kind: 'ssh-public-key', action: 'uploaded', response: 'sSHPublicKey', idKey: 'sSHPublicKeyId' },
  ],
  ['UpdateSSHPublicKey', { kind: 'ssh-public-key', action: 'updated', idKey: 'sSHPublicKeyId' }],
  ['DeleteSSHPublicKey', { kind: 'ssh-public-key', action: 'deleted', idKey: 'sSHPublicKeyId' }],
  [
    'CreateVirtualMFADevice',
    { kind: 'mfa-device', action: 'created', response: 'virtualMFADevice', idKey: 'serialNumber' },
  ],
  ['EnableMFADevice', { kind: 'mfa-device', action: 'enabled', idKey: 'serialNumber' }],
  ['DeactivateMFADevice', { kind: 'mfa-device', action: 'deactivated', idKey: 'serialNumber' }],
  ['ResyncMFADevice', { kind: 'mfa-device', action: 'resynced', idKey: 'serialNumber' }],
  ['DeleteVirtualMFADevice', { kind: 'mfa-device', action: 'deleted', idKey: 'serialNumber' }],
  [
    'UploadSigningCertificate',
    { kind: 'signing-certificate', action: 'uploaded', response: 'certificate', idKey: 'certificateId' },
  ],
  ['UpdateSigningCertificate', { kind: 'signing-certificate', action: 'updated', idKey: 'certificateId' }],
  ['DeleteSigningCertificate', { kind: 'signing-certificate', action: 'deleted', idKey: 'certificateId' }],
  [
    'CreateServiceSpecificCredential',
    {
      kind: 'service-specific-credential',
      action: 'created',
      response: 'serviceSpecificCredential',
      idKey: 'serviceSpecificCredentialId',
    },
  ],
  [
    'ResetServiceSpecificCredential',
    {
      kind: 'service-specific-credential',
      action: 'reset',
      response: 'serviceSpecificCredential',
      idKey: 'serviceSpecificCredentialId',
    },
  ],
  [
    'UpdateServiceSpecificCredential',
    { kind: 'service-specific-credential', action: 'updated', idKey: 'serviceSpecificCredentialId' },
  ],
  [
    'DeleteServiceSpecificCredential',
    { kind: 'service-specific-credential', action: 'deleted', idKey: 'serviceSpecificCredentialId' },
  ],
  ['CreateLoginProfile', { kind: 'login-profile', action: 'created', response: 'loginProfile' }],
  ['UpdateLoginProfile', { kind: 'login-profile', action: 'updated', response: 'loginProfile' }],
  ['DeleteLoginProfile', { kind: 'login-profile', action: 'deleted' }],
]);

const text = (fields: Fields, key: string): string | undefined => asString(fields[key]) || undefined;
const flag = (fields: Fields, key: string): boolean | undefined =>
  typeof fields[key] === 'boolean' ? (fields[key] as boolean) : undefined;

/**
 * Whose credential it is: the user the request or response names, else the caller when it is an IAM user or the
 * root user (IAM acts on the caller's own credentials when `userName` is omitted).
 * @see https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateAccessKey.html
 */
const ownerOf = (request: Fields, response: Fields, principal: Principal): string | undefined => {
  const named = text(request, 'userName') ?? text(response, 'userName');
  if (named === ROOT_USER_PLACEHOLDER || (!named && principal.isRoot)) return 'root';
  if (named) return named;
  return principal.type === 'IAMUser' ? principal.name : undefined;
};

/**
 * The credentials an IAM event created, changed or deleted, each with its identifier and status as the event states
 * them (the response's values first: they are what AWS made). Empty for every other event. A failed call is read the
 * same way (its request names what it tried to change); the alert's `errorCode` says it failed.
 */
export const extractCredentials = (record: CloudTrailRecord, principal: Principal): Credential[] => {
  if (record.eventSource !== 'iam.amazonaws.com') return [];
  const read = READS.get(record.eventName);
  if (!read) return [];
  const request: Fields = isObject(record.requestParameters) ? record.requestParameters : {};
  const inResponse = read.response ? record.responseElements?.[read.response] : undefined;
  const response: Fields = isObject(inResponse) ? inResponse : {};
  const pick = (key: string): string | undefined => text(response, key) ?? text(request, key);
  const id = read.idKey ? pick(read.idKey) : undefined;
  const user = ownerOf(request, response, principal);
  const status = pick('status');
  const fingerprint = text(response, 'fingerprint');
  const service = pick('serviceName');
  const serviceUserName = text(response, 'serviceUserName');
  const passwordResetRequired =
    flag(response, 'passwordResetRequired') ?? flag(request, 'passwordResetRequired');
  const credential: Credential = { kind: read.kind, action: read.action };
  if (id) credential.id = id;
  if (user) credential.user = user;
  if (status) credential.status = status;
  if (fingerprint) credential.fingerprint = fingerprint;
  if (service) credential.service = service;
  if (serviceUserName) credential.serviceUserName = serviceUserName;
  if (passwordResetRequired !== undefined) credential.passwordResetRequired = passwordResetRequired;
  return [credential];
};

/** The operations {@link extractCredentials} reads, for tests that tie them to the catalogue. */
export const CREDENTIAL_OPERATIONS: readonly string[] = [...READS.keys()];

/** The access key the caller signed with (`userIdentity.accessKeyId`), when CloudTrail records one. */
export const callerAccessKeyId = (record: CloudTrailRecord): string | undefined =>
  asString(record.userIdentity.accessKeyId) || undefined;
