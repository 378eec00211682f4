// IAM operations of the catalogue. Federation: SAML and OIDC identity providers, outbound web identity federation.
// Add an IAM operation here (or in the file of its category); tests check it against the SDK's operation list.
import type { OperationSpecs } from '../operation.js';
import { op } from '../spec.js';
import { findSamlProviderTarget } from '../targets.js';
import { str } from '../words.js';

/** IAM operations: Federation. Keyed by `eventName` of `iam.amazonaws.com`. */
export const IAM_FEDERATION: OperationSpecs = {
  CreateSAMLProvider: op('federation', 'medium', 'creates a SAML identity provider', {
    title: ({ t }) => `${t} created`,
    target: findSamlProviderTarget,
  }),
  UpdateSAMLProvider: op(
    'federation',
    'high',
    "replaces a SAML provider's metadata (its signing keys: whoever holds them can sign in to roles that trust it)",
    { title: ({ t }) => `${t} metadata replaced` },
  ),
  DeleteSAMLProvider: op('federation', 'low', 'deletes a SAML identity provider', {
    title: ({ t }) => `${t} deleted`,
  }),
  CreateOpenIDConnectProvider: op('federation', 'medium', 'creates an OIDC identity provider', {
    title: ({ t }) => `${t} created`,
  }),
  AddClientIDToOpenIDConnectProvider: op('federation', 'medium', 'adds an audience to an OIDC provider', {
    title: ({ t, p }) => `Audience ${str(p.clientID) ?? '?'} added to ${t}`,
  }),
  RemoveClientIDFromOpenIDConnectProvider: op(
    'federation',
    'low',
    'removes an audience from an OIDC provider',
    { title: ({ t, p }) => `Audience ${str(p.clientID) ?? '?'} removed from ${t}` },
  ),
  UpdateOpenIDConnectProviderThumbprint: op(
    'federation',
    'medium',
    'replaces the certificate thumbprints of an OIDC provider',
    { title: ({ t }) => `${t} thumbprints replaced` },
  ),
  DeleteOpenIDConnectProvider: op('federation', 'low', 'deletes an OIDC identity provider', {
    title: ({ t }) => `${t} deleted`,
  }),
  EnableOutboundWebIdentityFederation: op(
    'federation',
    'medium',
    'lets principals of the account get web identity tokens for external services',
    { title: () => 'Outbound web identity federation enabled' },
  ),
  DisableOutboundWebIdentityFederation: op(
    'federation',
    'low',
    'turns off outbound web identity federation',
    { title: () => 'Outbound web identity federation disabled' },
  ),
};
