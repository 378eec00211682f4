// parse → [classify] → enrich → format → publish
// What the operation is on its own, before the caller and the outcome: from the catalogue, else from its name.
import { findOperation } from '../catalogue/index.js';
import type { Deployment, GuardRail, Operation, Params } from '../catalogue/operation.js';
import type { Category, CloudTrailRecord, Severity } from '../types.js';
import { describeUnknownOperation } from './other-services.js';

/** The operation's own category, base severity and summary, with its catalogue entry when it has one. */
export interface Base {
  category: Category;
  severity: Severity;
  summary: string;
  isRead: boolean;
  /** Set when the call is a guard-rail event (the entry is a guard rail and applies to these parameters). */
  guardRail?: GuardRail;
  /** Whether the product knows the operation (an unknown IAM operation raises `unclassified-operation`). */
  known: boolean;
  operation?: Operation;
}

/**
 * The base of a call: its catalogue entry (a guard rail that applies is `critical`; whether it applies may depend on
 * the `deployment`, e.g. its delivery parameters), else a guess from its name.
 */
export const describeBase = (
  record: CloudTrailRecord,
  service: string,
  name: string,
  params: Params,
  deployment: Deployment = {},
): Base => {
  const operation = findOperation(record.eventSource, name);
  if (!operation) return describeUnknownOperation(record, service, name);
  const rail = operation.guardRail;
  if (rail && (rail.applies?.(params, deployment) ?? true)) {
    return {
      category: operation.category,
      severity: 'critical',
      summary: rail.text(params, deployment),
      isRead: false,
      guardRail: rail,
      known: true,
      operation,
    };
  }
  return {
    category: operation.category,
    severity: operation.severity,
    summary: operation.summary(params, deployment),
    isRead: operation.isRead,
    known: true,
    operation,
  };
};
