// The enrichment's result, and the small steps every analysis shares: reading a document from the event,
// choosing reasons among findings, keeping the policy section short.
import type { Frame, Headline, PolicyDiff, PolicyFinding, StatedFinding, TrustEntry } from '../findings.js';
import { stated } from '../findings.js';
import { type PolicyDocument, type PolicyParseResult, parsePolicyDocument } from '../policy/document.js';
import type { PolicyInsight, Severity } from '../types.js';
import { severityRank } from '../types.js';

/** The policy section before it is worded: the insight, with findings, trusted principals and diff as data. */
export interface PolicyReport extends Omit<PolicyInsight, 'findings' | 'diff' | 'trustedPrincipals'> {
  findings: StatedFinding[];
  trustedPrincipals?: TrustEntry[];
  diff?: PolicyDiff;
}

/** What the enrichment stage adds to a classification. */
export interface Enrichment {
  policy?: PolicyReport;
  /** Severity-raising findings; the alert takes the highest of these and the classifier's reasons. */
  reasons: StatedFinding[];
  /** Gaps: documents not fetched, truncated, unreadable; never fatal. */
  notes: string[];
  /**
   * A headline naming the key finding, without severity (`Role deploy can now be assumed by anyone`), for the
   * alert title when the top reason outranks the classifier's. Absent when the classifier's title already says
   * it (AdministratorAccess attached) and for failed calls, which granted nothing.
   */
  headline?: Headline;
}

/** An enrichment that found nothing to say. */
export const noEnrichment = (notes: string[] = []): Enrichment => ({ reasons: [], notes });

/** Findings at or above this severity become reasons. */
export const REASON_FLOOR: Severity = 'medium';
/** At most this many reasons from one document, the most severe first; the policy section lists the rest. */
const MAX_REASONS_PER_DOCUMENT = 5;
/** At most this many findings in the policy section; the last line says how many more there were. */
const MAX_FINDINGS = 12;

/** The most severe first; equal severities keep their order. */
export const sortFindings = <T extends { severity: Severity }>(findings: T[]): T[] =>
  [...findings].sort((a, b) => severityRank(b.severity) - severityRank(a.severity));

/** Reasons from one document's findings: at or above the floor, the most severe first, at most five. */
export const reasonsOf = (
  findings: PolicyFinding[],
  source: string,
  options: { cap?: Severity; frame?: Frame } = {},
): StatedFinding[] => {
  const { cap, frame = 'granted' } = options;
  return sortFindings(findings)
    .filter((finding) => severityRank(finding.severity) >= severityRank(REASON_FLOOR))
    .slice(0, MAX_REASONS_PER_DOCUMENT)
    .map((finding) => ({
      ...stated(finding, source),
      severity: cap && severityRank(finding.severity) > severityRank(cap) ? cap : finding.severity,
      frame,
    }));
};

/** Keeps the policy section short: the most severe findings, then how many more there were. */
const capFindings = (findings: StatedFinding[]): StatedFinding[] =>
  findings.length <= MAX_FINDINGS
    ? findings
    : [
        ...findings.slice(0, MAX_FINDINGS - 1),
        stated({
          severity: 'info',
          code: 'more-findings',
          kind: 'more',
          count: findings.length - (MAX_FINDINGS - 1),
        }),
      ];

/**
 * A policy section's findings with more added: the `…more` line of a capped list set aside, all of them sorted by
 * severity (the most severe first; among equals the added ones first, then those already there, each in order),
 * capped again, the count
 * on the `…more` line including the findings left out before. Findings added in front without a re-sort could push
 * the section's own, more severe ones past what a format shows.
 */
export const mergeFindings = (existing: StatedFinding[], added: StatedFinding[]): StatedFinding[] => {
  const hidden = existing.reduce(
    (count, line) => count + (line.finding.kind === 'more' ? line.finding.count : 0),
    0,
  );
  const merged = sortFindings([...added, ...existing.filter((line) => line.finding.kind !== 'more')]);
  const total = merged.length + hidden;
  if (total <= MAX_FINDINGS) return merged;
  const kept = merged.slice(0, MAX_FINDINGS - 1);
  return [
    ...kept,
    stated({ severity: 'info', code: 'more-findings', kind: 'more', count: total - kept.length }),
  ];
};

/** The policy section: what the document is, where it came from, its findings (at most twelve lines). */
export const reportFor = (
  source: PolicyInsight['source'],
  label: string,
  text: string | undefined,
  findings: (PolicyFinding | StatedFinding)[],
  extra: Partial<Omit<PolicyReport, 'findings'>> = {},
): PolicyReport => {
  const statedFindings = findings.map((finding) => ('finding' in finding ? finding : stated(finding)));
  const report: PolicyReport = { source, label, findings: capFindings(statedFindings), ...extra };
  if (text !== undefined) report.document = text;
  return report;
};

/** The note for a document that could not be parsed. */
export const failureNote = (result: PolicyParseResult, what: string): string =>
  result.ok ? '' : `${what} not analysed: ${result.failure.detail}`;

/** Reads a document from the request, falling back to the URL-encoded copy in the response. */
export const readDocument = (
  request: unknown,
  response: unknown,
): { result: PolicyParseResult; source: 'request' | 'response' } => {
  const fromRequest = parsePolicyDocument(request);
  if (fromRequest.ok || response === undefined) return { result: fromRequest, source: 'request' };
  const fromResponse = parsePolicyDocument(response);
  return fromResponse.ok
    ? { result: fromResponse, source: 'response' }
    : { result: fromRequest, source: 'request' };
};

/** Notes on what of a parsed document was not analysed: malformed parts, and parts beyond the size caps. */
export const documentNotes = (document: PolicyDocument): string[] => [
  ...(document.warnings.length > 0
    ? [`policy document partly malformed: ${document.warnings.slice(0, 3).join('; ')}`]
    : []),
  ...(document.limits.length > 0
    ? [`policy document is large: ${document.limits.slice(0, 3).join('; ')}`]
    : []),
];

const statementKey = (statement: StatedFinding): string =>
  JSON.stringify([statement.finding, statement.frame, statement.source ?? '']);

/** Drops repeated reasons (the same finding, framed and sourced alike), sorts them, and drops empty notes. */
export const finish = (enrichment: Enrichment): Enrichment => {
  const seen = new Set<string>();
  const reasons = enrichment.reasons.filter((reason) => {
    const key = statementKey(reason);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return {
    ...enrichment,
    reasons: sortFindings(reasons),
    notes: [...new Set(enrichment.notes.filter(Boolean))],
  };
};
