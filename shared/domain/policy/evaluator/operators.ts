// How each condition operator compares one request value with one policy value.
import { globMatches, type PatternPart, toText } from './patterns.js';

/** Compares a request value with a policy value (already substituted); false when either cannot be read. */
export type Comparator = (requestValue: string, policy: readonly PatternPart[]) => boolean;

/** One base operator: its comparator and whether it is a negated ("Not") operator. */
export interface OperatorSpec {
  compare: Comparator;
  negated: boolean;
}

const number = (text: string): number | undefined => {
  if (text.trim() === '') return undefined;
  const value = Number(text);
  return Number.isFinite(value) ? value : undefined;
};

// Dates are ISO 8601 or epoch seconds, per the Date condition operators.
const date = (text: string): number | undefined => {
  if (/^\d+$/.test(text.trim())) return Number(text.trim()) * 1000;
  const value = Date.parse(text);
  return Number.isNaN(value) ? undefined : value;
};

const numeric =
  (test: (a: number, b: number) => boolean, parse: (text: string) => number | undefined): Comparator =>
  (requestValue, policy) => {
    const a = parse(requestValue);
    const b = parse(toText(policy));
    return a !== undefined && b !== undefined && test(a, b);
  };

const stringEquals: Comparator = (value, policy) => value === toText(policy);
const stringEqualsIgnoreCase: Comparator = (value, policy) =>
  value.toLowerCase() === toText(policy).toLowerCase();
const stringLike: Comparator = (value, policy) => globMatches(policy, value, false);

// ArnLike/ArnEquals check each of the six colon-separated parts of the ARN on its own, with wildcards.
const arnLike: Comparator = (value, policy) => {
  const split = (arn: string): string[] => {
    const parts = arn.split(':');
    return parts.length < 6 ? parts : [...parts.slice(0, 5), parts.slice(5).join(':')];
  };
  const requestParts = split(value);
  if (requestParts.length !== 6) return false;
  // Re-split the policy value while keeping which characters came from variables (literal) or the policy.
  const policyParts: PatternPart[][] = [[]];
  for (const part of policy) {
    for (const char of part.text) {
      const current = policyParts[policyParts.length - 1] ?? [];
      if (char === ':' && policyParts.length < 6 && !part.literal) policyParts.push([]);
      else current.push({ text: char, literal: part.literal });
    }
  }
  if (policyParts.length !== 6) return false;
  return policyParts.every((part, index) => globMatches(part, requestParts[index] ?? '', false));
};

const ipAddress: Comparator = (value, policy) => cidrContains(toText(policy), value);

const table: Array<[string, Comparator, boolean]> = [
  ['StringEquals', stringEquals, false],
  ['StringNotEquals', stringEquals, true],
  ['StringEqualsIgnoreCase', stringEqualsIgnoreCase, false],
  ['StringNotEqualsIgnoreCase', stringEqualsIgnoreCase, true],
  ['StringLike', stringLike, false],
  ['StringNotLike', stringLike, true],
  ['NumericEquals', numeric((a, b) => a === b, number), false],
  ['NumericNotEquals', numeric((a, b) => a === b, number), true],
  ['NumericLessThan', numeric((a, b) => a < b, number), false],
  ['NumericLessThanEquals', numeric((a, b) => a <= b, number), false],
  ['NumericGreaterThan', numeric((a, b) => a > b, number), false],
  ['NumericGreaterThanEquals', numeric((a, b) => a >= b, number), false],
  ['DateEquals', numeric((a, b) => a === b, date), false],
  ['DateNotEquals', numeric((a, b) => a === b, date), true],
  ['DateLessThan', numeric((a, b) => a < b, date), false],
  ['DateLessThanEquals', numeric((a, b) => a <= b, date), false],
  ['DateGreaterThan', numeric((a, b) => a > b, date), false],
  ['DateGreaterThanEquals', numeric((a, b) => a >= b, date), false],
  ['Bool', stringEqualsIgnoreCase, false],
  ['BinaryEquals', stringEquals, false],
  ['IpAddress', ipAddress, false],
  ['NotIpAddress', ipAddress, true],
  ['ArnEquals', arnLike, false],
  ['ArnLike', arnLike, false],
  ['ArnNotEquals', arnLike, true],
  ['ArnNotLike', arnLike, true],
];

/**
 * Base condition operators by lower-case name (operator names are matched case-insensitively here so that a
 * miscased operator is evaluated rather than silently skipped).
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
 */
export const OPERATORS: ReadonlyMap<string, OperatorSpec> = new Map(
  table.map(([name, compare, negated]) => [name.toLowerCase(), { compare, negated }]),
);

const ipv4 = (text: string): bigint | undefined => {
  const parts = text.split('.');
  if (parts.length !== 4 || parts.some((part) => !/^\d{1,3}$/.test(part) || Number(part) > 255))
    return undefined;
  return parts.reduce((acc, part) => (acc << 8n) | BigInt(part), 0n);
};

const ipv6 = (text: string): bigint | undefined => {
  let address = text.toLowerCase();
  const embedded = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(address);
  if (embedded) {
    const v4 = ipv4(embedded[2] ?? '');
    if (v4 === undefined) return undefined;
    address = `${embedded[1]}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const halves = address.split('::');
  if (halves.length > 2) return undefined;
  const head = halves[0] ? halves[0].split(':') : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const groups = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail];
  if (groups.some((group) => !/^[0-9a-f]{1,4}$/.test(group))) return undefined;
  return groups.reduce((acc, group) => (acc << 16n) | BigInt(Number.parseInt(group, 16)), 0n);
};

/**
 * True when `address` lies in `cidr` (IPv4 or IPv6; a bare address is a /32 or /128). Different families never
 * match.
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_IPAddress
 */
export const cidrContains = (cidr: string, address: string): boolean => {
  const [base = '', prefixText] = cidr.trim().split('/');
  const v6 = base.includes(':');
  const bits = v6 ? 128 : 32;
  const network = v6 ? ipv6(base) : ipv4(base);
  const host = v6 ? ipv6(address.trim()) : ipv4(address.trim());
  const prefix = prefixText === undefined ? bits : Number(prefixText);
  if (
    network === undefined ||
    host === undefined ||
    !Number.isInteger(prefix) ||
    prefix < 0 ||
    prefix > bits
  ) {
    return false;
  }
  const shift = BigInt(bits - prefix);
  return network >> shift === host >> shift;
};
