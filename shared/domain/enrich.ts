// parse → classify → [enrich] → format → publish
// Policy intelligence: gather the documents an event touched (enrich/gather.ts, through the IamDirectory port),
// then analyze them (enrich/analyze.ts, pure). Best effort: every IAM failure becomes a note; nothing here throws.
import { describeError } from '../errors.js';
import type { IamDirectory } from '../ports.js';
import { analyzeEvent } from './enrich/analyze.js';
import type { Enrichment } from './enrich/enrichment.js';
import { type GatherOptions, gatherDocuments } from './enrich/gather.js';
import type { IamEvent } from './types.js';

export type { Enrichment, PolicyReport } from './enrich/enrichment.js';

/**
 * Gathers what one event's policy analysis needs, then analyzes it (see `analyzeEvent`). With `iam` undefined
 * (offline CLI) it still analyses what the event carries and well-known AWS policies, and notes what it could not
 * fetch. A failed call (`errorCode` set) changed nothing, so it makes no IAM call. Never throws: IAM failures,
 * and a bug in the analysis, become notes.
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/cloudtrail-integration.html
 */
export const enrichPolicy = async (
  event: IamEvent,
  iam: IamDirectory | undefined,
  options: GatherOptions = {},
): Promise<Enrichment> => {
  try {
    const failed = event.record.errorCode !== undefined && event.record.errorCode !== '';
    const gathered = await gatherDocuments(event, failed ? undefined : iam, options);
    return analyzeEvent(event, gathered);
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
