// parse → classify → [enrich] → format → publish
// Policy intelligence: gather the documents an event touched (enrich/gather.ts, through the IamDirectory port),
// then analyze them (enrich/analyze.ts, pure). Best effort: every IAM failure becomes a note; nothing here throws.
import { describeError } from '../errors.js';
import type { IamDirectory } from '../ports.js';
import { analyzeEvent } from './enrich/analyze.js';
import { judgePolicySet, setSubjectOf } from './enrich/analyze-set.js';
import { CUT_SHORT, withDeadline } from './enrich/deadline.js';
import type { Enrichment } from './enrich/enrichment.js';
import { type GatherOptions, gatherDocuments } from './enrich/gather.js';
import { type GatherSetOptions, gatherOtherPolicies } from './enrich/gather-set.js';
import type { IamEvent } from './types.js';

export type { Enrichment, PolicyReport } from './enrich/enrichment.js';

/** Tuning for {@link enrichPolicy}: the call caps, and a time budget. */
export interface EnrichOptions extends GatherOptions, GatherSetOptions {
  /**
   * Milliseconds the IAM calls of this event may take in all; past them gathering stops, the alert says
   * `policy analysis cut short: …` and goes out with what was read. Absent: no time budget (the call caps and the
   * directory's per-call timeout still bound it).
   */
  budgetMs?: number;
  /** The clock the budget is measured with (milliseconds). Default `Date.now`. */
  now?: () => number;
}

/**
 * Gathers what one event's policy analysis needs, then analyzes it (see `analyzeEvent`). With `iam` undefined
 * (offline CLI) it still analyses what the event carries and well-known AWS policies, and notes what it could not
 * fetch. A policy put on or attached to a user, group or role is also judged together with the owner's other
 * policies (enrich/gather-set.ts, enrich/analyze-set.ts); offline the alert says they were not read. A failed call
 * (`errorCode` set) changed nothing, so it makes no IAM call. With `options.budgetMs`, the IAM calls end within
 * that time: past it gathering stops, a call in flight is given up, and the alert says `policy analysis cut short`
 * (enrich/deadline.ts). Never throws: IAM failures, and a bug in the analysis, become notes.
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/cloudtrail-integration.html
 */
export const enrichPolicy = async (
  event: IamEvent,
  iam: IamDirectory | undefined,
  options: EnrichOptions = {},
): Promise<Enrichment> => {
  try {
    const timed =
      iam && options.budgetMs !== undefined ? withDeadline(iam, options.budgetMs, options.now) : undefined;
    const directory = timed?.iam ?? iam;
    const failed = event.record.errorCode !== undefined && event.record.errorCode !== '';
    const gathered = await gatherDocuments(event, failed ? undefined : directory, options);
    const enrichment = withCutNote(analyzeEvent(event, gathered), timed?.cut() ?? false, options.budgetMs);
    // A policy put or attached is judged with the owner's other policies too (a failed call granted nothing).
    const subject = failed ? undefined : setSubjectOf(event, gathered);
    if (!subject) return enrichment;
    const outOfTime = timed !== undefined && timed.remainingMs() <= 0;
    const others = outOfTime
      ? ({ status: 'failed', error: `${CUT_SHORT}: no time left to read them` } as const)
      : await gatherOtherPolicies(subject.owner, subject.ref, directory, options);
    const cut = outOfTime || (timed?.cut() ?? false);
    return withCutNote(judgePolicySet(enrichment, subject, others), cut, options.budgetMs);
  } catch (error) {
    // Defensive: a bug here must cost the alert its policy section, never the alert.
    return { reasons: [], notes: [`policy analysis failed: ${describeError(error, { withName: false })}`] };
  }
};

/** The enrichment with, once, the note that its time budget stopped IAM calls. */
const withCutNote = (enrichment: Enrichment, cut: boolean, budgetMs: number | undefined): Enrichment => {
  const note = `${CUT_SHORT}: IAM calls stopped after the ${Math.max(0, Math.round(budgetMs ?? 0))} ms budget so that the alert goes out in time; what they would have read is not judged`;
  if (!cut || enrichment.notes.includes(note)) return enrichment;
  return { ...enrichment, notes: [note, ...enrichment.notes] };
};

/**
 * The part of policy enrichment that needs no IAM call: inline documents, trust policies, new managed policies.
 * Synchronous and pure; events whose documents live in IAM get nothing. A failed call's findings are framed as
 * attempts, as in {@link enrichPolicy}.
 */
export const analyzeEventPolicies = (event: IamEvent): Enrichment => analyzeEvent(event, { kind: 'nothing' });
