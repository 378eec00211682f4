// parse → classify → [enrich] → format → publish
// Policy intelligence: gather the documents an event touched (enrich/gather.ts, through the IamDirectory port),
// then analyze them (enrich/analyze.ts, pure). Best effort: every IAM failure becomes a note; nothing here throws.
import { describeError } from '../errors.js';
import type { IamDirectory } from '../ports.js';
import { analyzeEvent } from './enrich/analyze.js';
import { judgePolicySet, setSubjectOf } from './enrich/analyze-set.js';
import type { Enrichment } from './enrich/enrichment.js';
import { type GatherOptions, gatherDocuments } from './enrich/gather.js';
import { type GatherSetOptions, gatherOtherPolicies } from './enrich/gather-set.js';
import type { IamEvent } from './types.js';

export type { Enrichment, PolicyReport } from './enrich/enrichment.js';

/**
 * Gathers what one event's policy analysis needs, then analyzes it (see `analyzeEvent`). With `iam` undefined
 * (offline CLI) it still analyses what the event carries and well-known AWS policies, and notes what it could not
 * fetch. A policy put on or attached to a user, group or role is also judged together with the owner's other
 * policies (enrich/gather-set.ts, enrich/analyze-set.ts); offline the alert says they were not read. A failed call
 * (`errorCode` set) changed nothing, so it makes no IAM call. Never throws: IAM failures, and a bug in the
 * analysis, become notes.
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/cloudtrail-integration.html
 */
export const enrichPolicy = async (
  event: IamEvent,
  iam: IamDirectory | undefined,
  options: GatherOptions & GatherSetOptions = {},
): Promise<Enrichment> => {
  try {
    const failed = event.record.errorCode !== undefined && event.record.errorCode !== '';
    const gathered = await gatherDocuments(event, failed ? undefined : iam, options);
    const enrichment = analyzeEvent(event, gathered);
    // A policy put or attached is judged with the owner's other policies too (a failed call granted nothing).
    const subject = failed ? undefined : setSubjectOf(event, gathered);
    if (!subject) return enrichment;
    return judgePolicySet(
      enrichment,
      subject,
      await gatherOtherPolicies(subject.owner, subject.ref, iam, options),
    );
  } catch (error) {
    // Defensive: a bug here must cost the alert its policy section, never the alert.
    return { reasons: [], notes: [`policy analysis failed: ${describeError(error, { withName: false })}`] };
  }
};

/**
 * The part of policy enrichment that needs no IAM call: inline documents, trust policies, new managed policies.
 * Synchronous and pure; events whose documents live in IAM get nothing. A failed call's findings are framed as
 * attempts, as in {@link enrichPolicy}.
 */
export const analyzeEventPolicies = (event: IamEvent): Enrichment => analyzeEvent(event, { kind: 'nothing' });
