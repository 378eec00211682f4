// Replay: each record as CloudTrail delivers it to EventBridge → the deployed pattern → the notifier's alert.
import { parseIamEvent, toEventBridgeEvent } from '../../shared/domain/cloudtrail.js';
import { needsReadOnlyEvents, PRESETS, type PresetName } from '../../shared/domain/patterns.js';
import type { Alert, CloudTrailRecord, IamEvent } from '../../shared/domain/types.js';
import { isObject } from '../../shared/domain/values.js';
import { describeError } from '../../shared/errors.js';
import { type InputItem, type InputLocation, UnparsedRecord } from '../input/read-inputs.js';
import { compileEventPattern } from '../patterns/event-pattern.js';
import { createPrefilter } from '../patterns/prefilter.js';
import { isAthenaRow, recordFromAthenaRow } from './athena-row.js';
import { ReplayAggregator, type ReplaySummary } from './summary.js';

/** What a replay needs: the preset, and the notifier's (pure) alert factory. */
export interface ReplayOptions {
  preset: PresetName;
  /** Turns a matched event into the alert the notifier would send (`createAlert` in production). */
  createAlert: (event: IamEvent) => Alert | Promise<Alert>;
  /** Called for each alert, in input order (for `--jsonl`). */
  onAlert?: (alert: Alert, location: InputLocation) => void | Promise<void>;
}

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
  const aggregator = new ReplayAggregator(options.preset);
  await replayInto(items, aggregator, options);
  return aggregator.toSummary();
};

/** `replayItems` into a given aggregator (a worker's, whose state the main thread merges). */
export const replayInto = async (
  items: AsyncIterable<InputItem>,
  aggregator: ReplayAggregator,
  options: ReplayOptions,
): Promise<void> => {
  const matcher = compileEventPattern(PRESETS[options.preset]);
  const prefilter = createPrefilter(PRESETS[options.preset]);
  const deliversReadOnly = needsReadOnlyEvents(options.preset);

  /** Replays one value; returns the alert when it matched. Locations are built only when needed. */
  const replayValue = async (
    input: unknown,
    source: string,
    line?: number,
    index?: number,
  ): Promise<Alert | undefined> => {
    const problem = (message: string) => {
      aggregator.addProblem({ source, line, index, message });
      return undefined;
    };
    if (!isObject(input)) return problem('not a CloudTrail record: expected a JSON object');
    // A row of Athena's CloudTrail table (`UNLOAD` output) is turned back into the record it was read from.
    const value = isAthenaRow(input) ? recordFromAthenaRow(input) : input;
    const envelope = isEnvelope(value);
    const record = envelope ? value.detail : value;
    if (!isObject(record) || typeof record.eventSource !== 'string' || typeof record.eventName !== 'string') {
      return problem(
        `not a CloudTrail record: ${envelope ? 'detail.' : ''}eventSource and eventName must be strings`,
      );
    }
    aggregator.addRecord(record.eventTime);
    // A field every match must hold with one of a few values: a record with another string cannot match.
    if (prefilter) {
      const field = record[prefilter.field];
      if (typeof field === 'string' && !prefilter.values.has(field)) return undefined;
    }
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
      case 'skipped':
        aggregator.addRecord(item.eventTime);
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
          const value = item.values[index];
          if (value instanceof UnparsedRecord) {
            aggregator.addRecord(value.eventTime);
            continue;
          }
          const alert = await replayValue(value, item.source, item.line, index);
          if (alert && options.onAlert)
            await options.onAlert(alert, { source: item.source, line: item.line, index });
        }
        break;
    }
  }
};
