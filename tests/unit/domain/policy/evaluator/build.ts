// Builders for evaluator tests: policy documents from JSON statements, and a decision's kind.
import { normalisePolicy, type PolicyDocument } from '../../../../../shared/domain/policy/document.js';
import type {
  Decision,
  EvaluatedPolicy,
  PolicyKind,
} from '../../../../../shared/domain/policy/evaluator/index.js';

/** A parsed document from statements written as in a policy's JSON. */
export const doc = (...statements: unknown[]): PolicyDocument => {
  const result = normalisePolicy({ Version: '2012-10-17', Statement: statements });
  if (!('statements' in result)) throw new Error(result.detail);
  return result;
};

/** A policy of one kind from statements. */
export const pol = (kind: PolicyKind, ...statements: unknown[]): EvaluatedPolicy => ({
  kind,
  document: doc(...statements),
});

/** An identity policy from statements. */
export const identity = (...statements: unknown[]): EvaluatedPolicy => pol('identity', ...statements);

/** The decision's kind, the part most table rows check. */
export const kindOf = (decision: Decision): Decision['kind'] => decision.kind;
