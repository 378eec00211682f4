// Replay: each record as CloudTrail delivers it to EventBridge → the deployed pattern → the notifier's alert.
import { parseIamEvent, toEventBridgeEvent } from '../domain/cloudtrail.js';
import { compileEventPattern } from '../domain/event-pattern.js';
import { needsReadOnlyEvents, PRESETS, type PresetName } from '../domain/patterns.js';
import type { Alert, CloudTrailRecord, IamEvent } from '../domain/types.js';
import { describeError } from '../errors.js';
import type { InputItem, InputLocation } from './read-inputs.js';
import { ReplayAggregator, type ReplaySummary } from './summary.js';

/** What a replay needs: the preset, and the notifier's (pure) alert factory. */
export interface ReplayOptions {
  preset: PresetName;
  /** Turns a matched event into the alert the notifier would send (`createAlert` in production). */
  createAlert: (event: IamEvent) => Alert | Promise<Alert>;
  /** Called for each alert, in input order (for `--jsonl`). */
  onAlert?: (alert: Alert, location: InputLocation) => void | Promise<void>;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Whether an input value is already an EventBridge event (it has an envelope around `detail`). */
const isEnvelope = (value: Record<string, unknown>): boolean =>
  'detail' in value && ('detail-type' in value || 'source' in value);

/**
 * Replays input items through the preset's pattern and the alert factory, and aggregates the result.
 * A record is wrapped with `toEventBridgeEvent` unless it already is an EventBridge event. With a preset
 * other than `all` the rule's state is `ENABLED`, under which EventBridge does not deliver read-only
 * management events: those are counted apart, as the deployed rule would never see them.
 * Records are parsed with the notifier's parser only once they match, so non-IAM noise costs one match.
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-service-event-cloudtrail.html
 */
export const replayItems = async (
  items: AsyncIterable<InputItem>,
  options: ReplayOptions,
): Promise<ReplaySummary> => {
  const matcher = compileEventPattern(PRESETS[options.preset]);
  const deliversReadOnly = needsReadOnlyEvents(options.preset);
  const aggregator = new ReplayAggregator(options.preset);

  /** Replays one value; returns the alert when it matched. Locations are built only when needed. */
  const replayValue = async (
    value: unknown,
    source: string,
    line?: number,
    index?: number,
  ): Promise<Alert | undefined> => {
    const problem = (message: string) => {
      aggregator.addProblem({ source, line, index, message });
      return undefined;
    };
    if (!isObject(value)) return problem('not a CloudTrail record: expected a JSON object');
    const envelope = isEnvelope(value);
    const record = envelope ? value.detail : value;
    if (!isObject(record) || typeof record.eventSource !== 'string' || typeof record.eventName !== 'string') {
      return problem(
        `not a CloudTrail record: ${envelope ? 'detail.' : ''}eventSource and eventName must be strings`,
      );
    }
    aggregator.addRecord(record.eventTime);
    const event = envelope ? value : toEventBridgeEvent(record as unknown as CloudTrailRecord);
    if (!matcher.matches(event)) return undefined;
    if (record.readOnly === true && !deliversReadOnly) {
      aggregator.readOnlyNotDelivered++;
      return undefined;
    }
    let alert: Alert;
    try {
      alert = await options.createAlert(parseIamEvent(value));
    } catch (error) {
      return problem(describeError(error));
    }
    aggregator.addAlert(alert);
    return alert;
  };

  for await (const item of items) {
    switch (item.kind) {
      case 'file':
        aggregator.files++;
        break;
      case 'problem':
        aggregator.addProblem({
          source: item.source,
          line: item.line,
          index: item.index,
          message: item.message,
        });
        break;
      case 'record': {
        const alert = await replayValue(item.value, item.source, item.line, item.index);
        // Awaited so a slow consumer (a pipe) applies back-pressure to reading.
        if (alert && options.onAlert)
          await options.onAlert(alert, { source: item.source, line: item.line, index: item.index });
        break;
      }
      case 'records':
        for (let index = 0; index < item.values.length; index++) {
          const alert = await replayValue(item.values[index], item.source, item.line, index);
          if (alert && options.onAlert)
            await options.onAlert(alert, { source: item.source, line: item.line, index });
        }
        break;
    }
  }
  return aggregator.toSummary();
};
