// What the EC2-credential SCP decides for a request of the README's table or of CloudTrail history, asked of the
// project's policy evaluator (shared/domain/policy/evaluator/). The requests here list the keys they carry, and
// every other key the document reads is absent; the evaluator's `unresolvedVariables` option gives both readings
// AWS documents for a policy variable whose key is absent.
import { normalisePolicy, type PolicyDocument } from './policy/document.js';
import {
  type ContextValue,
  type Decision,
  evaluateScp,
  type UnresolvedVariableReading,
} from './policy/evaluator/index.js';
import type { ScpOutcome } from './scp.js';

/** A request as the SCP's tables write it: the action and the keys it carries (any case); other keys are absent. */
export interface ScpEvaluatedRequest {
  action: string;
  context: ReadonlyMap<string, string>;
}

const VARIABLE_KEY = /\$\{\s*([^},\s]+)/g;

// Every key a condition tests or a policy variable names.
const keysRead = (document: PolicyDocument): Set<string> => {
  const keys = new Set<string>();
  for (const statement of document.statements) {
    for (const block of Object.values(statement.conditions)) {
      for (const [key, values] of Object.entries(block)) {
        keys.add(key.toLowerCase());
        for (const value of values) {
          for (const match of value.matchAll(VARIABLE_KEY)) keys.add((match[1] ?? '').toLowerCase());
        }
      }
    }
  }
  return keys;
};

/**
 * The evaluator's decision on `request` under a Deny-list SCP beside `FullAWSAccess`, with `reading` for a
 * variable whose key is absent. `deniedBy` names the denying statements in document order. Throws on a document
 * the evaluator would read only in part (malformed or oversized parts), rather than decide on what is left.
 */
export const decideScp = (
  document: unknown,
  request: ScpEvaluatedRequest,
  reading: UnresolvedVariableReading = 'null',
): Decision => {
  const parsed = normalisePolicy(document);
  if (!('statements' in parsed)) throw new Error(`not a policy document: ${parsed.detail}`);
  const ignored = [...parsed.warnings, ...parsed.limits];
  if (ignored.length > 0) throw new Error(`SCP read only in part: ${ignored.join('; ')}`);
  const context: Record<string, ContextValue> = Object.create(null);
  for (const key of keysRead(parsed)) context[key] = null;
  for (const [key, value] of request.context) context[key.toLowerCase()] = value;
  return evaluateScp(
    parsed,
    { action: request.action, resource: '*', context },
    { unresolvedVariables: reading },
  );
};

const verdict = (decision: Decision): 'allowed' | 'denied' => {
  if (decision.kind === 'allowed-when') {
    const tests = decision.denyWhen.flatMap((entry) => entry.conditions.map((test) => test.operator));
    throw new Error(`the evaluator cannot decide: ${[...new Set(tests)].join(', ')}`);
  }
  return decision.kind === 'denied' ? 'denied' : 'allowed';
};

/** Both documented readings at once: the outcome when they agree, `ambiguous` when they do not. */
export const outcomeOf = (document: unknown, request: ScpEvaluatedRequest): ScpOutcome => {
  const asNull = verdict(decideScp(document, request, 'null'));
  return asNull === verdict(decideScp(document, request, 'invalid')) ? asNull : 'ambiguous';
};
