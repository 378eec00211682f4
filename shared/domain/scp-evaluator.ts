// A small, table-driven evaluation of exactly the condition operators the EC2-credential SCP uses, each
// semantic cited to AWS's documentation. It stands in for the project's IAM policy evaluator
// (shared/domain/policy/evaluator/, being written): swap it in inside `evaluateScp` and nothing else changes.
import { isObject } from './values.js';

/** A request as the evaluator sees it: the action and the request context (keys in lower case). */
export interface EvaluatedRequest {
  action: string;
  context: ReadonlyMap<string, string>;
}

/**
 * How a policy variable whose key is absent from the request is read. AWS documents both:
 * - `null`: "the value is effectively null … Inverted condition operators like StringNotEquals … do match
 *   against a null value" (section "Policy variables with no value");
 * - `void`: "If AWS cannot resolve a variable this might cause the entire statement to be invalid" (the note
 *   at the top of the same page).
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
 */
export type UnresolvedVariableReading = 'null' | 'void';

const UNRESOLVED = Symbol('unresolved');

const VARIABLE = /\$\{([^}]+)\}/g;

/** The policy value with its `${key}` variables replaced from the context; `UNRESOLVED` when a key is absent. */
const substitute = (value: string, context: ReadonlyMap<string, string>): string | typeof UNRESOLVED => {
  let unresolved = false;
  const replaced = value.replace(VARIABLE, (_whole, key: string) => {
    const found = context.get(key.trim().toLowerCase());
    if (found === undefined) unresolved = true;
    return found ?? '';
  });
  return unresolved ? UNRESOLVED : replaced;
};

const ipv4 = (text: string): number | undefined => {
  const parts = text.split('.');
  if (parts.length !== 4 || parts.some((part) => !/^\d{1,3}$/.test(part) || Number(part) > 255))
    return undefined;
  return parts.reduce((sum, part) => sum * 256 + Number(part), 0);
};

/** IPv4 address in CIDR (a bare address is a /32). IPv6 is not needed by the table and is refused. */
const inCidr = (address: string, cidr: string): boolean => {
  const [network = '', bitsText = '32'] = cidr.split('/');
  const bits = Number(bitsText);
  const ip = ipv4(address);
  const net = ipv4(network);
  if (ip === undefined || net === undefined || !Number.isInteger(bits) || bits < 0 || bits > 32) {
    throw new Error(`not an IPv4 address or CIDR: ${address} in ${cidr}`);
  }
  const size = 2 ** (32 - bits);
  return Math.floor(ip / size) === Math.floor(net / size);
};

/** `*` and `?` wildcards, as in ARN and action matching. */
const globMatches = (pattern: string, value: string, ignoreCase: boolean): boolean => {
  const source = pattern
    .split('')
    .map((char) => (char === '*' ? '.*' : char === '?' ? '.' : char.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`, ignoreCase ? 'i' : '').test(value);
};

type Values = (string | null)[];
/** One operator: given the request's value of the key (undefined when absent) and the policy's values. */
type Operator = (present: string | undefined, values: Values) => boolean;

/**
 * The operators the SCP uses. "If the key that you specify in a policy condition is not present in the request
 * context, the values do not match and the condition is false. If the policy condition requires that the key is
 * not matched, such as StringNotLike or ArnNotLike, and the right key is not present, the condition is true";
 * `…IfExists` is true when the key is absent; several values of one key are ORed, and negated operators NOR them.
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-logic-multiple-context-keys-or-values.html
 */
const OPERATORS: ReadonlyMap<string, Operator> = new Map<string, Operator>([
  // String operators compare case-sensitively.
  ['StringNotEquals', (present, values) => present === undefined || !values.includes(present)],
  ['StringNotEqualsIfExists', (present, values) => present === undefined || !values.includes(present)],
  // Null: "true" when the key must be absent, "false" when it must be present.
  ['Null', (present, values) => values.some((value) => (value === 'true') === (present === undefined))],
  [
    'BoolIfExists',
    (present, values) =>
      present === undefined || values.some((value) => value?.toLowerCase() === present.toLowerCase()),
  ],
  [
    'NotIpAddressIfExists',
    (present, values) =>
      present === undefined || !values.some((value) => value !== null && inCidr(present, value)),
  ],
  [
    'ArnNotLike',
    (present, values) =>
      present === undefined || !values.some((value) => value !== null && globMatches(value, present, false)),
  ],
]);

const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : [value]);

/** Whether the statement's Action/NotAction covers the action (action names compare case-insensitively). */
const coversAction = (statement: Record<string, unknown>, action: string): boolean => {
  const matches = (patterns: unknown) =>
    list(patterns).some((pattern) => globMatches(String(pattern), action, true));
  if ('NotAction' in statement) return !matches(statement.NotAction);
  return matches(statement.Action);
};

/** Whether every condition of the statement holds (conditions are ANDed); `void` makes the statement not apply. */
const conditionsHold = (
  condition: unknown,
  context: ReadonlyMap<string, string>,
  reading: UnresolvedVariableReading,
): boolean => {
  if (condition === undefined) return true;
  if (!isObject(condition)) throw new Error('Condition must be an object');
  return Object.entries(condition).every(([name, block]) => {
    const operator = OPERATORS.get(name);
    if (!operator) throw new Error(`operator not supported by this evaluator: ${name}`);
    if (!isObject(block)) throw new Error(`${name} must map keys to values`);
    return Object.entries(block).every(([key, raw]) => {
      const values: Values = [];
      for (const value of list(raw)) {
        if (typeof value !== 'string') throw new Error(`${name} ${key}: values must be strings`);
        const resolved = substitute(value, context);
        if (resolved === UNRESOLVED && reading === 'void') return false;
        values.push(resolved === UNRESOLVED ? null : resolved);
      }
      return operator(context.get(key.toLowerCase()), values);
    });
  });
};

/**
 * What an SCP decides for a request: `denied` when a Deny statement applies, else `allowed` (the SCP is
 * assumed attached beside AWS's `FullAWSAccess`, which allows everything the deny statements leave).
 * Statements must be Deny on `Resource: *` with the operators above; anything else throws.
 */
export const evaluateScp = (
  document: unknown,
  request: EvaluatedRequest,
  reading: UnresolvedVariableReading = 'null',
): 'allowed' | 'denied' => {
  if (!isObject(document)) throw new Error('document must be an object');
  const denied = list(document.Statement).some((statement) => {
    if (!isObject(statement) || statement.Effect !== 'Deny' || statement.Resource !== '*') {
      throw new Error(`unsupported statement: ${JSON.stringify(statement)}`);
    }
    return (
      coversAction(statement, request.action) && conditionsHold(statement.Condition, request.context, reading)
    );
  });
  return denied ? 'denied' : 'allowed';
};

/** Both documented readings at once: the outcome when they agree, `ambiguous` when they do not. */
export const outcomeOf = (
  document: unknown,
  request: EvaluatedRequest,
): 'allowed' | 'denied' | 'ambiguous' => {
  const asNull = evaluateScp(document, request, 'null');
  return asNull === evaluateScp(document, request, 'void') ? asNull : 'ambiguous';
};
