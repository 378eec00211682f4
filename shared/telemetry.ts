// Logs and metrics of both Lambdas, built alike: Powertools Logger (JSON lines with the Lambda context) and
// Powertools Metrics (CloudWatch embedded metric format), and the one place where a failure is logged and counted.
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { MiddlewareObj } from '@middy/core';
import { AppError, describeError, InvalidEventError } from './errors.js';

/** CloudWatch namespace of the functions' own metrics. */
export const METRICS_NAMESPACE = 'IamChangeAlerts';

/** A function's logger and metrics, created once per container at module scope. */
export interface Telemetry {
  logger: Logger;
  metrics: Metrics;
}

/**
 * Creates the logger and metrics of one function. Both name the service `iam-change-alerts-<function>`;
 * metrics are written as EMF log lines, so they need no permission beyond writing logs, and they are off
 * when `POWERTOOLS_DEV` or `POWERTOOLS_METRICS_DISABLED` says so (local runs).
 * @see https://docs.powertools.aws.dev/lambda/typescript/latest/features/metrics/
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
 */
export const createTelemetry = (functionName: 'notifier' | 'forwarder' | 'digest'): Telemetry => {
  const serviceName = `iam-change-alerts-${functionName}`;
  const logger = new Logger({ serviceName });
  return { logger, metrics: new Metrics({ namespace: METRICS_NAMESPACE, serviceName, logger }) };
};

/**
 * Middy's plugin settings for both handlers. Middy races the handler against the Lambda deadline and, this long
 * before it, fails the invocation with a `TimeoutError` that goes through `onError`, so {@link logFailureOnce}
 * logs it like any other failure. Middy's default (5 ms) leaves too little time for that line and the metric to
 * be written before Lambda stops the sandbox; a second does. The calls themselves are bounded well inside this
 * (see {@link boundedAwsCalls}), so the early timeout is the last resort, not the usual path.
 * @see https://middy.js.org/docs/intro/early-interrupt
 */
export const MIDDY_PLUGIN = { timeoutEarlyInMillis: 1_000 } as const;

/**
 * AWS SDK client settings that bound every call: a connect timeout and a request timeout per attempt (the
 * Node HTTP handler only warns past `requestTimeout` unless `throwOnRequestTimeout` is set), and 3 attempts in
 * the SDK's standard retry mode. Worst case per call: about 3 × `timeoutMs` plus backoff, which both functions'
 * defaults keep well inside their Lambda timeouts (notifier 30 s, forwarder 60 s).
 * @see https://docs.aws.amazon.com/sdk-for-javascript/v3/developer-guide/node-configuring-maxsockets.html (the `requestHandler` shorthand)
 * @see https://github.com/smithy-lang/smithy-typescript/tree/main/packages/node-http-handler (`throwOnRequestTimeout`)
 */
export const boundedAwsCalls = (timeoutMs: number) => ({
  maxAttempts: 3,
  requestHandler: {
    connectionTimeout: Math.min(1_000, timeoutMs),
    requestTimeout: timeoutMs,
    throwOnRequestTimeout: true,
  },
});

/**
 * The kind of a failure, as the `kind` dimension of the `failures` metric and the log line: the name of one of
 * the project's errors (`InvalidEventError`, `PublishError`, `WebhookError`, `ConfigError`, `AppError`),
 * `TimeoutError` (the invocation ran out of time: middy's early timeout or an SDK request timeout), else
 * `UnexpectedError`. A closed set: a dimension value never comes from the event.
 */
export const failureKind = (error: unknown): string => {
  if (error instanceof AppError) return error.name;
  return error instanceof Error && error.name === 'TimeoutError' ? 'TimeoutError' : 'UnexpectedError';
};

/**
 * A failure in one line with its causes (`A: … ← B: …`, at most 3 deep), so that a wrapped timeout or a
 * DynamoDB error under the once-guard's `IdempotencyPersistenceLayerError` is visible in the log's `reason`.
 */
export const describeFailure = (error: unknown): string => {
  const parts: string[] = [];
  let current: unknown = error;
  while (current !== undefined && current !== null && parts.length < 3) {
    parts.push(describeError(current));
    current = typeof current === 'object' ? (current as { cause?: unknown }).cause : undefined;
    if (Array.isArray(current)) break;
  }
  return parts.join(' ← ');
};

/** How one function names its failures in the log. */
export interface FailureLogOptions<TEvent> {
  /** The log message of a failure that is not a rejected input, e.g. `alert not published`. */
  message: string;
  /** The CloudTrail eventID behind the event, when it can be read. */
  eventIdOf: (event: TEvent) => string | undefined;
}

/**
 * Middy middleware: the one place a failure is logged (one error line with `eventId`, `kind`, `reason`, and for
 * rejected input the `field`) and counted (`failures`, dimension `kind`). It leaves the error in place, so middy
 * rethrows it and Lambda retries the event, then hands it to the on-failure destination. Use it after
 * `logMetrics`, whose `onError` then flushes the count.
 * @see https://middy.js.org/docs/intro/handling-errors
 */
export const logFailureOnce = <TEvent>(
  { logger, metrics }: Telemetry,
  options: FailureLogOptions<TEvent>,
): MiddlewareObj<TEvent> => ({
  onError: (request) => {
    const { error } = request;
    const kind = failureKind(error);
    const rejected = error instanceof InvalidEventError;
    logger.error(rejected ? 'event rejected' : options.message, {
      eventId: options.eventIdOf(request.event),
      kind,
      field: rejected ? error.field : undefined,
      reason: describeFailure(error),
      error: error as Error,
    });
    metrics.addDimension('kind', kind);
    metrics.addMetric('failures', MetricUnit.Count, 1);
  },
});
