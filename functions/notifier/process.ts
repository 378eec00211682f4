// The notifier's pipeline: parse → [once per eventID: classify → enrich → rules (suppress, route, group) → format →
// publish], and the fail-safe around it.
import { createHash } from 'node:crypto';
import { buildAlert } from '../../shared/domain/alert.js';
import type { ClassifyOptions } from '../../shared/domain/classify/index.js';
import { parseIamEvent } from '../../shared/domain/cloudtrail.js';
import { type AlertFailure, buildMinimalAlert } from '../../shared/domain/minimal-alert.js';
import { decideSuppression, groupKeyOf, matchRoutes } from '../../shared/domain/rules/match.js';
import { EMPTY_RULES, type RulesConfig } from '../../shared/domain/rules/model.js';
import { ruleSubjectOf } from '../../shared/domain/rules/subject.js';
import type { Alert, IamEvent } from '../../shared/domain/types.js';
import { describeError } from '../../shared/errors.js';
import {
  formatSnsMessage,
  SNS_MAX_BYTES,
  type SnsMessage,
  snsMessageBytes,
} from '../../shared/format/sns-message.js';
import type { OnceGuard } from '../../shared/idempotency.js';
import type { IamDirectory } from '../../shared/ports.js';
import type { AccountNames, OrganizationalUnits } from './adapters/account-names.js';
import type { AlertPublisher } from './adapters/sns-publisher.js';
import { DEFAULT_ENRICHMENT_RESERVE_MS } from './config.js';

export type { AlertFailure } from '../../shared/domain/minimal-alert.js';

/** What the pipeline needs from outside. */
export interface NotifierDeps {
  /** IAM read access for policy details; `undefined` when enrichment is off. */
  iam?: IamDirectory;
  publisher: AlertPublisher;
  /** One publish per CloudTrail eventID (Powertools idempotency and attempt marks; in memory locally). */
  guard: OnceGuard;
  /** Time left in the invocation (Lambda context). */
  remainingMs: () => number;
  /** Time kept for what follows policy enrichment (config.ts `enrichmentReserveMs`); the rest is its budget. */
  enrichmentReserveMs?: number;
  /** Account names from Organizations (best effort); absent: alerts name accounts by id only. */
  accountNames?: AccountNames;
  /** The OUs above the changed account, when a route names `organizationalUnit`; absent: such routes match nothing. */
  organizationalUnits?: OrganizationalUnits;
  /** The compiled `alerts.yml`; absent: {@link EMPTY_RULES} (nothing hidden, every alert on the default route). */
  rules?: RulesConfig;
  /** Today's UTC date (`YYYY-MM-DD`), against which rules expire. */
  today?: () => string;
  /** What classification needs from the deployment (`InstanceEgressCidrs`). */
  classify?: ClassifyOptions;
}

/** An alert published; `failure` is set when the full alert failed and the minimal one went out instead. */
export interface PublishedResult {
  kind: 'published';
  alert: Alert;
  messageId?: string;
  possibleRepeat: boolean;
  failure?: AlertFailure;
}

/** An alert a suppress rule hid: not published; the handler logs it and counts it (`AlertsSuppressed`). */
export interface SuppressedResult {
  kind: 'suppressed';
  alert: Alert;
  /** The rule that hid it, and the rule's reason. */
  ruleId: string;
  reason: string;
}

/**
 * What one invocation did, for the log: an alert published, an alert hidden by a rule, or a duplicate delivery that
 * did neither (a hidden alert delivered twice is counted once: the first delivery's outcome is remembered).
 */
export type NotifierResult =
  | PublishedResult
  | SuppressedResult
  | { kind: 'duplicate'; eventId: string; messageId?: string };

/** What the rules do to a built alert: hide it (the rule), or give it its routes and burst. */
type RulesOutcome = { hiddenBy: { ruleId: string; reason: string } } | { alert: Alert };

/**
 * Applies `alerts.yml` to a built alert. The engine keeps its guarantees (guard-rail alerts never hidden nor grouped,
 * critical only with `includeCritical`, expired rules hide nothing: `decideSuppression`, `groupKeyOf`).
 */
const applyRules = (
  alert: Alert,
  rules: RulesConfig,
  today: string,
  organizationalUnits: readonly string[] | undefined,
): RulesOutcome => {
  const subject = ruleSubjectOf(alert, organizationalUnits);
  const decision = decideSuppression(subject, rules, today);
  if (decision.suppressedBy !== null) {
    return { hiddenBy: { ruleId: decision.suppressedBy, reason: decision.reason ?? '' } };
  }
  return {
    alert: {
      ...alert,
      routes: matchRoutes(subject, rules),
      group: boundedGroupKey(groupKeyOf(subject, rules.grouping)),
    },
  };
};

/** Longest group key sent as it is; a caller ARN is the caller's text and may be long. */
const MAX_GROUP_KEY_CHARS = 256;

/**
 * The group key within the message budget: a longer one becomes its account and a SHA-256 of the whole key, the
 * same for every alert of the burst and distinct for distinct keys.
 */
const boundedGroupKey = (key: string | null): string | null => {
  if (key === null || key.length <= MAX_GROUP_KEY_CHARS) return key;
  const account = key.slice(0, key.indexOf(' '));
  return `${account} sha256:${createHash('sha256').update(key).digest('hex')}`;
};

/** The alert with the changed account's name, or a note saying why it has none. Never throws. */
const withAccountName = async (alert: Alert, names: AccountNames | undefined): Promise<Alert> => {
  if (!names || !alert.account) return alert;
  const result = await names.nameOf(alert.account);
  return 'name' in result
    ? { ...alert, accountName: result.name }
    : { ...alert, notes: [...alert.notes, result.note] };
};

const utcToday = (): string => new Date().toISOString().slice(0, 10);

/** `describeError`, for any thrown value: one whose message or conversion to text throws too is "unprintable". */
const describeSafely = (error: unknown): string => {
  try {
    return describeError(error);
  } catch {
    return 'an error that cannot be described (its message threw)';
  }
};

/** The full alert and its SNS message, or, when building or rendering it throws or overflows, the minimal one. */
const renderAlert = async (
  raw: unknown,
  event: IamEvent,
  ignored: string[],
  deps: NotifierDeps,
): Promise<
  | { alert: Alert; message: SnsMessage; failure?: AlertFailure }
  | { alert: Alert; hiddenBy: { ruleId: string; reason: string } }
> => {
  const minimal = (failure: AlertFailure, alert?: Alert) => {
    // The fail-safe alert is never hidden: a rule cannot be trusted to have judged an alert that failed to build.
    const fallback: Alert = {
      ...buildMinimalAlert(raw, failure, alert?.severity),
      routes: ['default'],
      group: null,
    };
    return { alert: fallback, message: formatSnsMessage(fallback), failure };
  };
  let alert: Alert;
  try {
    const built = await buildAlert(event, deps.iam, deps.classify, {
      budgetMs: deps.remainingMs() - (deps.enrichmentReserveMs ?? DEFAULT_ENRICHMENT_RESERVE_MS),
    });
    const noted = await withAccountName(
      ignored.length > 0 ? { ...built, notes: [...built.notes, ...ignored.slice(0, 5)] } : built,
      deps.accountNames,
    );
    const units =
      deps.organizationalUnits && noted.account
        ? await deps.organizationalUnits.of(noted.account)
        : undefined;
    const outcome = applyRules(noted, deps.rules ?? EMPTY_RULES, deps.today?.() ?? utcToday(), units);
    if ('hiddenBy' in outcome) return { alert: noted, hiddenBy: outcome.hiddenBy };
    alert = outcome.alert;
  } catch (error) {
    return minimal({ stage: 'build', reason: describeSafely(error) });
  }
  try {
    const message = formatSnsMessage(alert);
    const bytes = snsMessageBytes(message);
    if (bytes > SNS_MAX_BYTES) throw new RangeError(`the SNS message is ${bytes} bytes, over 256 KB`);
    return { alert, message };
  } catch (error) {
    return minimal({ stage: 'format', reason: describeSafely(error) }, alert);
  }
};

/**
 * Turns one EventBridge event (or bare CloudTrail record) into an alert and publishes it, once per CloudTrail
 * eventID: a duplicate delivery publishes nothing (and calls no IAM API). When an earlier attempt may already
 * have published it (its answer was lost), the alert is published again marked as a possible repeat, never
 * dropped. Whatever throws or overflows while classifying, enriching or formatting, it publishes the minimal alert
 * instead (`buildMinimalAlert`) and returns the failure, so that no record keeps its change from being alerted. A
 * field of the wrong type is ignored, with a note in the alert (at most five such notes). The rules of `alerts.yml`
 * (`deps.rules`) then apply: an alert a suppress rule hides is not published (`kind: 'suppressed'`); every other
 * alert carries its `routes` and `group`, in the JSON alert and the SNS attributes.
 * @throws InvalidEventError when the input is not a CloudTrail record at all (Lambda retries, then the
 *   on-failure destination keeps it); PublishError when SNS fails after the publisher's retries.
 */
export const processIamEvent = async (raw: unknown, deps: NotifierDeps): Promise<NotifierResult> => {
  const ignored: string[] = [];
  const event = parseIamEvent(raw, ignored);
  const publish = async (possibleRepeat: boolean): Promise<PublishedResult | SuppressedResult> => {
    const rendered = await renderAlert(raw, event, ignored, deps);
    if ('hiddenBy' in rendered) {
      return { kind: 'suppressed', alert: rendered.alert, ...rendered.hiddenBy };
    }
    const { alert, message, failure } = rendered;
    const result = await deps.publisher.publish(message, { possibleRepeat, remainingMs: deps.remainingMs });
    return {
      kind: 'published',
      alert,
      ...(result.messageId ? { messageId: result.messageId } : {}),
      possibleRepeat: result.possibleRepeat === true,
      ...(failure ? { failure } : {}),
    };
  };
  const eventId = event.record.eventID;
  // A record without an eventID cannot be recognised again: published as it comes.
  if (!eventId) return publish(false);
  const ran: { result?: PublishedResult | SuppressedResult } = {};
  // A hidden alert is remembered like a published one (no message id): a duplicate delivery is not counted again.
  const stored = await deps.guard.once('sns', eventId, async ({ suspectRepeat }) => {
    ran.result = await publish(suspectRepeat);
    return { messageId: ran.result.kind === 'published' ? (ran.result.messageId ?? '') : '' };
  });
  return (
    ran.result ?? { kind: 'duplicate', eventId, ...(stored.messageId ? { messageId: stored.messageId } : {}) }
  );
};
