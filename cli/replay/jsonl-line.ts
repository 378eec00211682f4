// One `iam-alerts replay --jsonl` line per would-be alert.
import type { Alert } from '../../shared/domain/types.js';
import type { InputLocation } from '../input/read-inputs.js';
import type { RulesOutcome } from './rules-config.js';
import { formatLocation } from './summary.js';

/**
 * One `--jsonl` line: the alert's key facts, flat enough for `jq` and spreadsheets. With `--config` (an `outcome`),
 * three more fields at the end: `suppressedBy` (rule id or null), `group` (group key or null), `routes` (names);
 * without it the line is exactly as before, so existing consumers see no change.
 */
export const toJsonlLine = (alert: Alert, location: InputLocation, outcome?: RulesOutcome): string =>
  JSON.stringify({
    eventID: alert.eventId ?? null,
    eventName: alert.eventName,
    eventSource: alert.eventSource,
    eventTime: alert.eventTime ?? null,
    awsRegion: alert.awsRegion ?? null,
    account: alert.account ?? null,
    family: alert.family,
    category: alert.category,
    severity: alert.severity,
    reasons: alert.reasons.map((reason) => reason.text),
    title: alert.title,
    principal: { arn: alert.principal.arn ?? null, type: alert.principal.type, name: alert.principal.name },
    errorCode: alert.errorCode ?? null,
    input: formatLocation(location),
    ...(outcome ? { suppressedBy: outcome.suppressedBy, group: outcome.group, routes: outcome.routes } : {}),
  });
