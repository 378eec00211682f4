import { shorten } from './domain/values.js';

/**
 * The project's error hierarchy. `name` is set as a string literal because a literal
 * survives esbuild minification; every wrapper passes `{ cause }`.
 */
export class AppError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'AppError';
  }
}

/** Configuration that is missing or malformed: fails the cold start loudly. */
export class ConfigError extends AppError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ConfigError';
  }
}

/** Input that is not a CloudTrail record (or EventBridge event around one). `field` names the JSON path at fault. */
export class InvalidEventError extends AppError {
  constructor(
    readonly field: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'InvalidEventError';
  }
}

/** Publishing to SNS failed after the SDK's own retries. */
export class PublishError extends AppError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'PublishError';
  }
}

/** A webhook destination (Slack, Jira) rejected or failed a delivery. */
export class WebhookError extends AppError {
  constructor(
    readonly destination: string,
    readonly status: number,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'WebhookError';
  }
}

/** At most this many characters of an error in a log line or an alert note. */
const MAX_ERROR_TEXT = 300;

/**
 * A short, single-line description of any thrown value, for logs and alert notes: `Name: message`, or the message
 * alone with `withName: false` (alert notes, whose IAM errors already say what failed). Whitespace runs become one
 * space; at most 300 characters.
 */
export const describeError = (error: unknown, options: { withName?: boolean } = {}): string => {
  const { withName = true } = options;
  const text =
    error instanceof Error ? (withName ? `${error.name}: ${error.message}` : error.message) : String(error);
  return shorten(text.replace(/\s+/g, ' ').trim(), MAX_ERROR_TEXT);
};
