// IAM operations of the catalogue. Credentials: passwords, login profiles, access keys, MFA, SSH keys, certificates,
// service-specific credentials.
// Add an IAM operation here (or in the file of its category); tests check it against the SDK's operation list.
import type { OperationSpecs } from '../operation.js';
import { op } from '../spec.js';
import { findCredentialTarget } from '../targets.js';
import {
  accessKeyEffect,
  capitalise,
  passwordEffect,
  serviceSpecific,
  serviceSpecificEffect,
  signingCertificateEffect,
  sshKeyEffect,
  statusVerb,
  str,
} from '../words.js';

/** IAM operations: Credentials. Keyed by `eventName` of `iam.amazonaws.com`. */
export const IAM_CREDENTIALS: OperationSpecs = {
  ChangePassword: op('credentials', 'low', 'an IAM user changes their own console password', {
    title: ({ t }) => `${capitalise(t)} changed their console password`,
    target: findCredentialTarget,
  }),
  CreateAccessKey: op('credentials', 'medium', 'creates an access key, a long-lived credential', {
    title: ({ t }) => `Access key created for ${t}`,
    grants: { what: () => 'an access key', done: 'created', verb: 'create', effect: accessKeyEffect },
    target: findCredentialTarget,
  }),
  DeleteAccessKey: op('credentials', 'low', 'deletes an access key', {
    title: ({ t, p }) => `Access key ${str(p.accessKeyId) ?? '?'} deleted from ${t}`,
    target: findCredentialTarget,
  }),
  UpdateAccessKey: op('credentials', 'low', 'activates or deactivates an access key', {
    title: ({ t, p }) => `Access key ${str(p.accessKeyId) ?? '?'} of ${t} ${statusVerb(p)}`,
    grants: {
      what: (p) => `access key ${str(p.accessKeyId) ?? '?'}`,
      done: 'activated',
      verb: 'activate',
      effect: accessKeyEffect,
    },
    target: findCredentialTarget,
  }),
  CreateLoginProfile: op('credentials', 'medium', 'gives an IAM user a console password', {
    title: ({ t }) => `Console password created for ${t}`,
    grants: {
      what: () => 'a console password',
      done: 'created',
      verb: 'create',
      effect: passwordEffect,
    },
    target: findCredentialTarget,
  }),
  UpdateLoginProfile: op('credentials', 'medium', "changes an IAM user's console password", {
    title: ({ t }) => `Console password changed for ${t}`,
    grants: {
      what: () => 'the console password',
      done: 'changed',
      verb: 'change',
      effect: passwordEffect,
    },
    target: findCredentialTarget,
  }),
  DeleteLoginProfile: op('credentials', 'low', "removes an IAM user's console password", {
    title: ({ t }) => `Console password removed from ${t}`,
    target: findCredentialTarget,
  }),
  CreateServiceSpecificCredential: op(
    'credentials',
    'medium',
    'creates a service-specific credential (CodeCommit, Keyspaces, Bedrock)',
    {
      title: ({ t, p }) =>
        `Service-specific credential for ${str(p.serviceName) ?? 'a service'} created for ${t}`,
      grants: {
        what: (p) => {
          const service = serviceSpecific(p);
          return `${/^[AEIOU]/i.test(service) ? 'an' : 'a'} ${service} service-specific credential`;
        },
        done: 'created',
        verb: 'create',
        effect: serviceSpecificEffect,
      },
      target: findCredentialTarget,
    },
  ),
  ResetServiceSpecificCredential: op(
    'credentials',
    'medium',
    'resets the password of a service-specific credential',
    {
      title: ({ t }) => `Service-specific credential of ${t} reset`,
      grants: {
        what: () =>
          'the password of a service-specific credential (CodeCommit, Amazon Keyspaces or Amazon Bedrock)',
        done: 'reset',
        verb: 'reset',
        effect: serviceSpecificEffect,
      },
      target: findCredentialTarget,
    },
  ),
  UpdateServiceSpecificCredential: op(
    'credentials',
    'low',
    'activates or deactivates a service-specific credential',
    {
      title: ({ t, p }) => `Service-specific credential of ${t} ${statusVerb(p)}`,
      grants: {
        what: () => 'a service-specific credential (CodeCommit, Amazon Keyspaces or Amazon Bedrock)',
        done: 'activated',
        verb: 'activate',
        effect: serviceSpecificEffect,
      },
      target: findCredentialTarget,
    },
  ),
  DeleteServiceSpecificCredential: op('credentials', 'low', 'deletes a service-specific credential', {
    title: ({ t }) => `Service-specific credential deleted from ${t}`,
    target: findCredentialTarget,
  }),
  CreateVirtualMFADevice: op('credentials', 'low', 'creates a virtual MFA device', {
    title: ({ p }) => `Virtual MFA device ${str(p.virtualMFADeviceName) ?? '?'} created`,
  }),
  EnableMFADevice: op('credentials', 'low', 'enables an MFA device for an IAM user', {
    title: ({ t }) => `MFA device enabled for ${t}`,
    target: findCredentialTarget,
  }),
  ResyncMFADevice: op('credentials', 'low', 'resynchronises an MFA device', {
    title: ({ t }) => `MFA device resynchronised for ${t}`,
    target: findCredentialTarget,
  }),
  DeactivateMFADevice: op('credentials', 'high', 'deactivates an MFA device', {
    title: ({ t }) => `MFA device deactivated for ${t}`,
    target: findCredentialTarget,
  }),
  // IAM deletes only a virtual MFA device that is not enabled for a user: deactivating it is DeactivateMFADevice.
  DeleteVirtualMFADevice: op(
    'credentials',
    'low',
    'deletes a virtual MFA device (one no longer enabled for any user: deactivation is a separate call)',
    { title: ({ t }) => `Virtual ${t} deleted` },
  ),
  UploadSSHPublicKey: op('credentials', 'medium', 'uploads an SSH public key (CodeCommit access)', {
    title: ({ t }) => `SSH public key uploaded for ${t}`,
    grants: {
      what: () => 'an SSH public key',
      done: 'uploaded',
      verb: 'upload',
      effect: sshKeyEffect,
    },
    target: findCredentialTarget,
  }),
  UpdateSSHPublicKey: op('credentials', 'low', 'activates or deactivates an SSH public key', {
    title: ({ t, p }) => `SSH public key of ${t} ${statusVerb(p)}`,
    grants: {
      what: () => 'an SSH public key',
      done: 'activated',
      verb: 'activate',
      effect: sshKeyEffect,
    },
    target: findCredentialTarget,
  }),
  DeleteSSHPublicKey: op('credentials', 'low', 'deletes an SSH public key', {
    title: ({ t }) => `SSH public key deleted from ${t}`,
    target: findCredentialTarget,
  }),
  UploadSigningCertificate: op(
    'credentials',
    'medium',
    'uploads an X.509 signing certificate for an IAM user',
    {
      title: ({ t }) => `Signing certificate uploaded for ${t}`,
      grants: {
        what: () => 'an X.509 signing certificate',
        done: 'uploaded',
        verb: 'upload',
        effect: signingCertificateEffect,
      },
      target: findCredentialTarget,
    },
  ),
  UpdateSigningCertificate: op('credentials', 'low', 'activates or deactivates a signing certificate', {
    title: ({ t, p }) => `Signing certificate of ${t} ${statusVerb(p)}`,
    grants: {
      what: () => 'an X.509 signing certificate',
      done: 'activated',
      verb: 'activate',
      effect: signingCertificateEffect,
    },
    target: findCredentialTarget,
  }),
  DeleteSigningCertificate: op('credentials', 'low', 'deletes a signing certificate', {
    title: ({ t }) => `Signing certificate deleted from ${t}`,
    target: findCredentialTarget,
  }),
  UploadServerCertificate: op('credentials', 'low', 'uploads a TLS server certificate', {
    title: ({ t }) => `${capitalise(t)} uploaded`,
  }),
  UpdateServerCertificate: op('credentials', 'low', 'renames or moves a TLS server certificate', {
    title: ({ t }) => `${capitalise(t)} updated`,
  }),
  DeleteServerCertificate: op('credentials', 'low', 'deletes a TLS server certificate', {
    title: ({ t }) => `${capitalise(t)} deleted`,
  }),
};
