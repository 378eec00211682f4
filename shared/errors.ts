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

/** A short, single-line description of any thrown value, for logs and alert notes. */
export const describeError = (error: unknown): string => {
  if (error instanceof Error) return `${error.name}: ${error.message}`.split('\n')[0] ?? error.name;
  return String(error).split('\n')[0] ?? 'unknown error';
};
