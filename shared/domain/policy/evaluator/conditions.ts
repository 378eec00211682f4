// The Condition element: operators with their IfExists and ForAnyValue/ForAllValues forms, keys ANDed, values
// ORed (NORed for negated operators), and three-valued when the request context leaves a key unknown.
import type { PolicyStatement } from '../document.js';
import { type Context, lookup } from './context.js';
import { OPERATORS } from './operators.js';
import { type PatternPart, substitute } from './patterns.js';
import {
  allOf,
  type ConditionTest,
  FALSE,
  TRUE,
  type Truth,
  type UnresolvedVariableReading,
} from './types.js';

interface ParsedOperator {
  base: string;
  set: 'any' | 'all' | undefined;
  ifExists: boolean;
}

const parseOperator = (operator: string): ParsedOperator => {
  let rest = operator.trim();
  let set: ParsedOperator['set'];
  const prefix = /^(ForAnyValue|ForAllValues):/i.exec(rest);
  if (prefix) {
    set = prefix[1]?.toLowerCase() === 'foranyvalue' ? 'any' : 'all';
    rest = rest.slice(prefix[0].length);
  }
  const ifExists = /IfExists$/i.test(rest);
  if (ifExists) rest = rest.slice(0, -'IfExists'.length);
  return { base: rest.toLowerCase(), set, ifExists };
};

const truthOf = (value: boolean): Truth => (value ? TRUE : FALSE);

// Policy values after substitution: those whose variable is absent match nothing and are dropped.
type Values = { kind: 'ok'; values: PatternPart[][] } | { kind: 'unknown' };

const substituteAll = (values: readonly string[], context: Context, variables: boolean): Values => {
  const out: PatternPart[][] = [];
  for (const value of values) {
    const result = substitute(value, context, variables);
    if (result.kind === 'unknown') return { kind: 'unknown' };
    if (result.kind === 'ok') out.push(result.parts);
  }
  return { kind: 'ok', values: out };
};

// Under the `invalid` reading, a value whose variable's key is absent makes the whole statement not apply.
const hasAbsentVariable = (values: readonly string[], context: Context, variables: boolean): boolean =>
  variables && values.some((value) => substitute(value, context, variables).kind === 'absent');

const nullTest = (test: ConditionTest, context: Context): Truth => {
  const found = lookup(context, test.key);
  if (found.kind === 'unknown') return { kind: 'unknown', tests: [test] };
  const isAbsent = found.kind === 'absent';
  return truthOf(test.values.some((value) => (value.toLowerCase() === 'true') === isAbsent));
};

/**
 * Evaluates one operator on one key. Without a set prefix the key's values are compared as a single-valued key
 * (any value matching is a match); `ForAnyValue` is false and `ForAllValues` true for an absent or empty key; a
 * negated operator is true for an absent key; `…IfExists` is true for an absent key. An unknown key, an unknown
 * variable or an operator this evaluator does not know gives `unknown`, never false. A variable whose key is
 * absent is read as `reading` says (`null` by default: the value matches nothing; `invalid`: the test is false, so
 * the statement does not apply).
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-logic-multiple-context-keys-or-values.html
 */
export const evaluateConditionTest = (
  test: ConditionTest,
  context: Context,
  variables = true,
  reading: UnresolvedVariableReading = 'null',
): Truth => {
  const unknown: Truth = { kind: 'unknown', tests: [test] };
  if (reading === 'invalid' && hasAbsentVariable(test.values, context, variables)) return FALSE;
  const parsed = parseOperator(test.operator);
  if (parsed.base === 'null' && parsed.set === undefined && !parsed.ifExists) return nullTest(test, context);
  const spec = OPERATORS.get(parsed.base);
  if (!spec) return unknown;
  const found = lookup(context, test.key);
  if (found.kind === 'unknown') return unknown;
  if (found.kind === 'absent') {
    if (parsed.ifExists) return TRUE;
    if (parsed.set === 'any') return FALSE;
    if (parsed.set === 'all') return TRUE;
    return truthOf(spec.negated);
  }
  const policyValues = substituteAll(test.values, context, variables);
  if (policyValues.kind === 'unknown') return unknown;
  // One request value against the list: OR of the values, or NOR for a negated operator.
  const holdsFor = (requestValue: string): boolean => {
    const matched = policyValues.values.some((policy) => spec.compare(requestValue, policy));
    return spec.negated ? !matched : matched;
  };
  if (parsed.set === 'all') return truthOf(found.values.every(holdsFor));
  if (parsed.set === 'any') return truthOf(found.values.some(holdsFor));
  // A single-valued operator given several values: positive operators match when any value matches, negated ones
  // only when no value matches (never narrower than AWS).
  return spec.negated ? truthOf(found.values.every(holdsFor)) : truthOf(found.values.some(holdsFor));
};

/** The tests of a statement's Condition element, in document order. */
export const conditionTests = (statement: PolicyStatement): ConditionTest[] =>
  Object.entries(statement.conditions).flatMap(([operator, block]) =>
    Object.entries(block).map(([key, values]) => ({ operator, key, values })),
  );

/**
 * Evaluates a statement's whole Condition element: every operator and every key must hold (AND).
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-logic-multiple-context-keys-or-values.html
 */
export const evaluateConditions = (
  statement: PolicyStatement,
  context: Context,
  variables = true,
  reading: UnresolvedVariableReading = 'null',
): Truth =>
  allOf(conditionTests(statement).map((test) => evaluateConditionTest(test, context, variables, reading)));
