// Reading a Lambda's environment: the helpers both functions' config.ts use, and the one rule for what a bad
// configuration does at cold start. Only config modules import this file (env names live there).
import { ConfigError, describeError } from './errors.js';

/** Environment as Lambda gives it. */
export type Env = Readonly<Record<string, string | undefined>>;

/** A variable's trimmed value; `undefined` when it is unset or blank. */
export const optionalVar = (env: Env, key: string): string | undefined => {
  const value = env[key]?.trim();
  return value ? value : undefined;
};

/**
 * An integer variable within `[min, max]`, or `fallback` when it is unset.
 * @throws ConfigError naming the variable and the allowed range.
 */
export const integerVar = (env: Env, key: string, fallback: number, min: number, max: number): number => {
  const raw = optionalVar(env, key);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${key} must be an integer between ${min} and ${max}, got ${JSON.stringify(raw)}`);
  }
  return value;
};

/**
 * Runs a function's config reader at cold start. In Lambda a `ConfigError` is thrown on, so the cold start fails
 * with the error's name and message. Under `serverless invoke local` (osls sets `IS_LOCAL=true`), it is printed as
 * one line and the process exits 1: thrown from a module being loaded, osls prints the stack and then never exits
 * (the bundler it started keeps the process alive).
 * @see https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html (Init phase errors)
 */
export const readAtColdStart = <T>(read: (env: Env) => T, env: Env): T => {
  try {
    return read(env);
  } catch (error) {
    if (error instanceof ConfigError && env.IS_LOCAL === 'true') {
      process.stderr.write(`${describeError(error)}\n`);
      process.exit(1);
    }
    throw error;
  }
};
