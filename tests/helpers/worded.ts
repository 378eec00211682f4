// Findings and enrichments as the alert carries them (worded by shared/format/finding-text.ts), so that tests of
// the analyses can assert what a reviewer reads.
import type { Enrichment } from '../../shared/domain/enrich.js';
import type { PolicyFinding } from '../../shared/domain/findings.js';
import type { PolicyInsight, Reason, WordedFinding } from '../../shared/domain/types.js';
import { wordFinding, wordPolicyReport, wordStatedFinding } from '../../shared/format/finding-text.js';
import { wordHeadline } from '../../shared/format/headline-text.js';

/** A finding as `{ severity, code, text }`. */
export const worded = (finding: PolicyFinding): WordedFinding => ({
  severity: finding.severity,
  code: finding.code,
  text: wordFinding(finding),
});

/** An enrichment with its reasons, policy findings and headline worded. */
export interface WordedEnrichment {
  policy?: PolicyInsight;
  reasons: Reason[];
  notes: string[];
  headline?: string;
}

/** Words an enrichment's reasons, policy section and headline, keeping its shape. */
export const wordedEnrichment = (enrichment: Enrichment): WordedEnrichment => {
  const { policy, reasons, headline, ...rest } = enrichment;
  const result: WordedEnrichment = {
    ...rest,
    reasons: reasons.map((reason) => ({
      severity: reason.severity,
      code: reason.code,
      text: wordStatedFinding(reason),
    })),
  };
  if (policy) result.policy = wordPolicyReport(policy);
  if (headline) result.headline = wordHeadline(headline);
  return result;
};
