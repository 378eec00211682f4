// Replay: each record as CloudTrail delivers it to EventBridge → the deployed pattern → the notifier's alert.
import { parseIamEvent, toEventBridgeEvent } from '../../shared/domain/cloudtrail.js';
import type { PresetName } from '../../shared/domain/patterns.js';
import type { Alert, CloudTrailRecord, IamEvent } from '../../shared/domain/types.js';
import { isObject } from '../../shared/domain/values.js';
import { describeError } from '../../shared/errors.js';
import { type InputItem, type InputLocation, UnparsedRecord } from '../input/read-inputs.js';
import { isAthenaRow, recordFromAthenaRow } from './athena-row.js';
import {
  type CompiledRules,
  compileDeployedRules,
  defaultRuleOptions,
  type ReplayRuleOptions,
} from './deployed.js';
import { applyRules, type ReplayRules, type RulesOutcome } from './rules-config.js';
import { ReplayAggregator, type ReplaySummary } from './summary.js';

/** What a replay needs: the deployed rules' parameters, the notifier's (pure) alert factory, the rules file. */
export interface ReplayOptions {
  preset: PresetName;
  /**
   * The rest of the stack parameters that decide the rules (identity rules, egress CIDRs); default: a default
   * deployment with `preset`, i.e. the preset, the guard rails and the identity rules.
   */
  rules?: ReplayRuleOptions;
  /** Compiled rules, when the caller already has them (workers compile once per thread). */
  compiled?: CompiledRules;
  /** Turns a matched event into the alert the notifier would send (`createAlert` in production). */
  createAlert: (event: IamEvent) => Alert | Promise<Alert>;
  /** `--config`: the rules file, applied to each alert and tallied per suppress rule. */
  config?: ReplayRules;
  /** Called for each alert, in input order (for `--jsonl`), with what the rules file does to it under `config`. */
  onAlert?: (alert: Alert, location: InputLocation, outcome?: RulesOutcome) => void | Promise<void>;
}

/** The rules a replay evaluates: given, or compiled from its options. */
export const rulesOf = (options: Pick<ReplayOptions, 'preset' | 'rules' | 'compiled'>): CompiledRules =>
  options.compiled ?? compileDeployedRules(options.rules ?? defaultRuleOptions(options.preset));

/** Whether an input value is already an EventBridge event (it has an envelope around `detail`). */
const isEnvelope = (value: Record<string, unknown>): boolean =>
  'detail' in value && ('detail-type' in value || 'source' in value);

/**
 * Replays input items through the deployed rules' patterns (the preset, the guard rails, the identity rules, as
 * `deployedRules` lists them) and the alert factory, and aggregates the result. A record is wrapped with
 * `toEventBridgeEvent` unless it already is an EventBridge event. A rule in state `ENABLED` (every preset but
 * `all`, the guard rails) is not delivered read-only management events: a read-only record only such rules match
 * is counted apart, as the deployment would never see it. A record several rules match is one alert.
 * Records are parsed with the notifier's parser only once they match, so non-IAM noise costs one match.
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-service-event-cloudtrail.html
 */
export const replayItems = async (
  items: AsyncIterable<InputItem>,
  options: ReplayOptions,
): Promise<ReplaySummary> => {
  const aggregator = new ReplayAggregator(options.preset, rulesOf(options).names, options.config?.config);
  await replayInto(items, aggregator, options);
  return aggregator.toSummary();
};

/** `replayItems` into a given aggregator (a worker's, whose state the main thread merges). */
export const replayInto = async (
  items: AsyncIterable<InputItem>,
  aggregator: ReplayAggregator,
  options: ReplayOptions,
): Promise<void> => {
  const rules = rulesOf(options);
  const { fieldPrefilter } = rules;
  const { config } = options;
  let outcome: RulesOutcome | undefined;

  /**
   * Replays one value; returns the alert when it matched (and leaves what the rules file does to it in `outcome`).
   * Locations are built only when needed.
   */
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
    if (fieldPrefilter && !fieldPrefilter(record)) return undefined;
    const event = envelope ? value : toEventBridgeEvent(record as unknown as CloudTrailRecord);
    const verdict = rules.verdict(event as Record<string, unknown>, record.readOnly === true);
    if (verdict === 'no-match') return undefined;
    if (verdict === 'read-only-not-delivered') {
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
    if (config) {
      outcome = applyRules(alert, config);
      aggregator.addRulesOutcome(outcome, alert.severity);
    }
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
          await options.onAlert(alert, { source: item.source, line: item.line, index: item.index }, outcome);
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
            await options.onAlert(alert, { source: item.source, line: item.line, index }, outcome);
        }
        break;
    }
  }
};
