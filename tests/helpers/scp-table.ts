// The README's table of what each SCP variant does to each kind of request, rendered from evaluations.
import { SCP_COLUMNS, SCP_REQUESTS, type ScpVariant } from '../../shared/domain/scp.js';
import { outcomeOf } from '../../shared/domain/scp-outcome.js';

/** First line of the README's generated block. */
export const SCP_TABLE_START =
  '<!-- scp-table:start: generated from shared/domain/scp.ts, checked by tests/infra/scp.test.ts -->';
/** Last line of the README's generated block. */
export const SCP_TABLE_END = '<!-- scp-table:end -->';

const word = (outcome: string) => (outcome === 'ambiguous' ? 'denied or allowed¹' : outcome);

/**
 * The README's block: one row per request of `SCP_REQUESTS`, one column per variant of `SCP_COLUMNS`, each cell
 * the evaluation of `documentFor(variant)` (the compiled template's document, in the test).
 */
export const renderScpTable = (documentFor: (variant: ScpVariant) => unknown): string => {
  const documents = SCP_COLUMNS.map((column) => documentFor(column.variant));
  const header = `| Request | ${SCP_COLUMNS.map((column) => column.label).join(' | ')} | Decided by |`;
  const rule = `| --- | ${SCP_COLUMNS.map(() => '---').join(' | ')} | --- |`;
  const rows = SCP_REQUESTS.map((request) => {
    const cells = documents.map((document) => word(outcomeOf(document, request)));
    return `| ${request.label} | ${cells.join(' | ')} | ${request.why} |`;
  });
  return [SCP_TABLE_START, header, rule, ...rows, SCP_TABLE_END].join('\n');
};
