// Secrets for the forwarder: plain values (local runs) or SSM SecureString parameters through Powertools.
import type { SSMProvider } from '@aws-lambda-powertools/parameters/ssm';
import { ConfigError, describeError } from '../../../shared/errors.js';
import type { SecretRef } from '../config.js';

/** Resolves a secret on demand; cached by Powertools for `maxAge` seconds in a warm container. */
export type SecretSource = () => Promise<string>;

/**
 * Turns a {@link SecretRef} into a {@link SecretSource}. SSM values are fetched with `decrypt: true` on first
 * use (not at cold start, so a function that never delivers never calls SSM) and cached for `maxAgeSeconds`.
 * A missing, empty or unreadable parameter throws `ConfigError` naming the parameter, never its value.
 * @see https://docs.powertools.aws.dev/lambda/typescript/latest/features/parameters/
 */
export const createSecretSource = (
  ref: SecretRef,
  provider: Pick<SSMProvider, 'get'> | undefined,
  maxAgeSeconds: number,
): SecretSource => {
  if (ref.kind === 'value') return async () => ref.value;
  if (!provider) throw new ConfigError(`${ref.source} names an SSM parameter but no SSM provider was given`);
  return async () => {
    let value: unknown;
    try {
      value = await provider.get(ref.parameterName, { decrypt: true, maxAge: maxAgeSeconds });
    } catch (error) {
      throw new ConfigError(
        `cannot read SSM parameter ${ref.parameterName} (${ref.source}): ${describeError(error)}`,
        { cause: error },
      );
    }
    if (typeof value !== 'string' || value.trim() === '') {
      throw new ConfigError(`SSM parameter ${ref.parameterName} (${ref.source}) is missing or empty`);
    }
    return value.trim();
  };
};
