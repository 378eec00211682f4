// The IAM policy evaluator: pure, no I/O. See docs/policy-evaluation.md for what it implements and what not.
export { evaluateConditions, evaluateConditionTest } from './conditions.js';
export { evaluate, type StatementScope, statementApplies } from './evaluate.js';
export { cidrContains } from './operators.js';
export { patternsOverlap, wildcardMatches } from './patterns.js';
export {
  allows,
  evaluateScp,
  grantsEverything,
  grantsWholeService,
  mayBeAllowed,
  PROBE_SERVICE,
  policyOf,
  type SelfServiceProbe,
  selfServiceProbe,
} from './probes.js';
export { actsOnResource, patternFitsAction, resourceTypesOf } from './resource-types.js';
export { type AllowedScope, allowedScopes, conditionsOf } from './scope.js';
export type * from './types.js';
export {
  type AssumeProbe,
  type AssumeProbeResult,
  type TrustSetting,
  type WhoCanAssume,
  whoCanAssume,
} from './who-can-assume.js';
