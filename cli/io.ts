import { type ParseArgsConfig, parseArgs } from 'node:util';
import { KEY_ARN } from '../shared/domain/catalogue/key-names.js';
import { PARAMETER_NAME } from '../shared/domain/catalogue/parameter-names.js';
// What a CLI command needs from the process, so tests can run commands in memory.

/** Streams and terminal facts a command uses; `process` in production, buffers in tests. */
export interface CliIo {
  stdin: NodeJS.ReadableStream;
  stdout: { write(chunk: string): unknown };
  stderr: { write(chunk: string): unknown; isTTY?: boolean };
  /** Working directory for relative paths. */
  cwd: string;
  /**
   * The replay worker's script (the bundle's `replay-worker.js`), given by the bin when it runs the bundle; without
   * it `replay` runs in one thread (tests, the TypeScript sources through tsx).
   */
  workerUrl?: URL;
}

/** Exit codes shared by every command: 0 success, 1 some input rejected, 2 usage error. */
export const EXIT = { ok: 0, rejected: 1, usage: 2 } as const;

/** A usage error: the command line itself is wrong (exit 2). */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** One subcommand of `iam-alerts`. */
export interface Command {
  name: string;
  summary: string;
  usage: string;
  run(args: string[], io: CliIo): Promise<number>;
}

/**
 * `parseArgs` of node:util, whose errors (an unknown option, a missing value) become a {@link UsageError}: the
 * command's one line and usage, exit 2.
 */
export const parseCliArgs = <const T extends ParseArgsConfig>(config: T): ReturnType<typeof parseArgs<T>> => {
  try {
    return parseArgs(config);
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
};

/**
 * The `--delivery-parameters NAME,...` option of `replay` and `render` (one spelling and parser for both): the
 * values of the stack parameters `SlackWebhookUrlParameter`, `SlackBotTokenParameter` and `JiraApiTokenParameter`.
 */
export const DELIVERY_PARAMETERS_OPTION = { 'delivery-parameters': { type: 'string' } } as const;

/** A comma-separated option whose every item passes `valid`; else a usage error naming the item. */
const parseList = (option: string, valid: RegExp, what: string, text: string | undefined): string[] => {
  if (text === undefined) return [];
  const items = text.split(',').map((item) => item.trim());
  const wrong = items.find((item) => !valid.test(item));
  if (wrong !== undefined) throw new UsageError(`--${option} takes ${what}, comma-separated, not '${wrong}'`);
  return items;
};

/** `--delivery-parameters /a,/b`: SSM parameter names, comma-separated (a slash may lead or not). */
export const parseDeliveryParameters = (text: string | undefined): string[] =>
  parseList('delivery-parameters', PARAMETER_NAME, 'SSM parameter names', text);

/**
 * The `--own-keys ARN,...` option of `replay` and `render`: the key ARNs of `AlertTopicKey` and `OperationsTopicKey`
 * (the notifier's `OWN_KEYS`).
 */
export const OWN_KEYS_OPTION = { 'own-keys': { type: 'string' } } as const;

/**
 * `--own-keys arn:aws:kms:…:key/…,…`: KMS key ARNs, comma-separated. Not given: `undefined` (not known), so that
 * classification says so rather than guessing.
 */
export const parseOwnKeys = (text: string | undefined): string[] | undefined =>
  text === undefined ? undefined : parseList('own-keys', KEY_ARN, 'KMS key ARNs', text);

/**
 * The delivery parameters a command knows: `--delivery-parameters` and the routes' `slack` webhooks of `--config`,
 * each once. Neither given: `undefined` (not known), so that classification says so rather than guessing.
 */
export const knownDeliveryParameters = (
  given: string | undefined,
  routes: readonly { slack?: string | undefined }[] | undefined,
): string[] | undefined => {
  const routeNames = (routes ?? []).flatMap((route) => (route.slack ? [route.slack] : []));
  const names = [...new Set([...parseDeliveryParameters(given), ...routeNames])];
  return names.length > 0 ? names : undefined;
};
