// parse → classify → [enrich: gather → analyze] → format → publish
// Analyze: pure functions on the event and the documents gather fetched. Which analysis an event gets, what a
// failed call attempted, and the findings, as data (shared/format/finding-text.ts words them).
import type { Frame } from '../findings.js';
import type { IamEvent } from '../types.js';
import { analyzeCarried } from './analyze-carried.js';
import { analyzeAttach, analyzeGroup, analyzeVersion } from './analyze-managed.js';
import { type Enrichment, finish, noEnrichment } from './enrichment.js';
import type { Gathered } from './gather.js';

const isFailed = (event: IamEvent): boolean =>
  event.record.errorCode !== undefined && event.record.errorCode !== '';

/**
 * A failed call changed nothing. Its findings say what was attempted ("tried to let anyone (*) assume the
 * role; the call failed"), and at most one reason says so at low severity, which a failed change has anyway
 * from the classifier: an attempt never raises the alert as a grant would. No headline.
 */
const asAttempt = (enrichment: Enrichment, errorCode: string | undefined): Enrichment => {
  const top = enrichment.reasons[0];
  const notes = enrichment.notes.filter((note) => !note.includes('offline'));
  const attempted: Enrichment = {
    reasons: top ? [{ ...top, severity: 'low', code: `attempted-${top.code}` }] : [],
    notes,
  };
  if (enrichment.policy) {
    notes.push(
      `the call failed (${errorCode}): nothing was granted; the findings describe what was attempted`,
    );
    attempted.policy = {
      ...enrichment.policy,
      findings: enrichment.policy.findings.map((statement) => ({ ...statement, frame: 'attempted' })),
    };
  }
  return attempted;
};

const analyzeFramed = (event: IamEvent, gathered: Gathered, frame: Frame): Enrichment => {
  switch (gathered.kind) {
    case 'managed':
      return finish(analyzeAttach(event, gathered.policy, frame));
    case 'version':
      return finish(analyzeVersion(event, gathered, frame));
    case 'group':
      return finish(analyzeGroup(event, gathered.groupName, gathered.policies, frame));
    case 'nothing': {
      const carried = analyzeCarried(event, frame);
      return carried ? finish(carried) : noEnrichment();
    }
  }
};

/**
 * Policy intelligence for one event, from the event and what {@link gatherDocuments} fetched: finds the policy it
 * touched (inline document, managed policy by ARN, trust policy, group policies), judges it, and for new default
 * policy versions diffs it with the previous one. Pure. Reasons: at most five per document, the most severe
 * first; a broad grant (`*` or `NotAction` on every resource) stands for the narrower findings it implies, which
 * stay in `policy.findings`. Failed calls (`errorCode` set) changed nothing: their findings are framed as
 * attempts, they raise nothing above low and get no headline.
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/cloudtrail-integration.html
 */
export const analyzeEvent = (event: IamEvent, gathered: Gathered): Enrichment => {
  if (event.record.eventSource !== 'iam.amazonaws.com') return noEnrichment();
  if (!isFailed(event)) return analyzeFramed(event, gathered, 'granted');
  return asAttempt(analyzeFramed(event, gathered, 'attempted'), event.record.errorCode);
};
