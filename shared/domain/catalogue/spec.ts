// parse → [classify] → enrich → format → publish
// The two ways a catalogue file writes an entry.
import type { Category, Severity } from '../types.js';
import type { Deployment, OperationSpec, Params } from './operation.js';

/** A change (or any operation that is not a plain read): category, base severity, summary and the rest. */
export const op = (
  category: Category,
  severity: Severity,
  summary: string | ((p: Params, deployment?: Deployment) => string),
  more: Omit<OperationSpec, 'category' | 'severity' | 'summary'> = {},
): OperationSpec => ({
  category,
  severity,
  summary: typeof summary === 'string' ? () => summary : summary,
  ...more,
});

/** A read: category `read`, severity `info`, nothing changes. */
export const read = (summary: string): OperationSpec => op('read', 'info', summary, { isRead: true });
