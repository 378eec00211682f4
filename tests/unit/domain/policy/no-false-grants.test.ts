// biome-ignore-all lint/suspicious/noTemplateCurlyInString: IAM policy variables are written ${…} inside policy text.
// No finding says a policy allows what its own Deny or condition forbids: on random policies, whenever a finding
// claims an action is allowed on every resource with no condition, the evaluator agrees.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import type { PolicyFinding } from '../../../../shared/domain/findings.js';
import { analyzePermissionsPolicy } from '../../../../shared/domain/policy/analyze.js';
import {
  identityPolicies,
  PROBE_ACTION,
  PROBE_CALLER,
  probeActionOf,
} from '../../../../shared/domain/policy/ask.js';
import { normalisePolicy, type PolicyDocument } from '../../../../shared/domain/policy/document.js';
import { ESCALATION_PATHS } from '../../../../shared/domain/policy/escalation.js';
import { evaluate, resourceTypesOf } from '../../../../shared/domain/policy/evaluator/index.js';

/** A concrete resource of each type an action acts on, or `*` for an action of no known type. */
const everyResourceOf = (action: string): string[] => {
  const formats = [...(resourceTypesOf(action)?.types.values() ?? [])];
  return formats.length === 0
    ? ['*']
    : formats.map((format) => format.replace(/^arn:\*:/, 'arn:aws:').replace(/\*/g, 'zz-probe'));
};

const ACTIONS = [
  '*',
  'iam:*',
  'iam:PassRole',
  'iam:CreateAccessKey',
  'iam:AttachUserPolicy',
  'iam:Put*',
  'iam:CreatePolicyVersion',
  'lambda:CreateFunction',
  'lambda:InvokeFunction',
  'lambda:*',
  'ec2:RunInstances',
  's3:GetObject',
  'sts:*',
];
const RESOURCES = [
  '*',
  'arn:aws:iam::*:role/x',
  'arn:aws:iam::*:user/${aws:username}',
  'arn:aws:iam::*:policy/*',
  'arn:aws:s3:::b/*',
  'arn:aws:*:*:111122223333:*',
];
const CONDITIONS = [
  undefined,
  { Bool: { 'aws:MultiFactorAuthPresent': 'true' } },
  { StringEquals: { 'iam:PassedToService': 'lambda.amazonaws.com' } },
  { StringEquals: { 'iam:PassedToService': 'dax.amazonaws.com' } },
  { StringNotEquals: { 'aws:PrincipalOrgID': 'o-1' } },
];

const statement = fc.record({
  effect: fc.constantFrom('Allow', 'Deny'),
  notAction: fc.boolean(),
  actions: fc.subarray(ACTIONS, { minLength: 1, maxLength: 3 }),
  notResource: fc.boolean(),
  resources: fc.subarray(RESOURCES, { minLength: 1, maxLength: 2 }),
  condition: fc.constantFrom(...CONDITIONS),
});

const documentOf = (statements: unknown[]): PolicyDocument => {
  const result = normalisePolicy({ Version: '2012-10-17', Statement: statements });
  if (!('statements' in result)) throw new Error(result.detail);
  return result;
};

/** The requests a finding claims are allowed outright on every resource (none for scoped or conditional ones). */
const claims = (finding: PolicyFinding): { action: string; context: Record<string, string> }[] => {
  if (finding.kind === 'grant') {
    if (finding.conditions.length > 0 || finding.limits || !finding.resources.every) return [];
    if (finding.resources.except.length > 0) return [];
    if (finding.actions.kind === 'all') return [{ action: PROBE_ACTION, context: {} }];
    if (finding.actions.kind === 'service')
      return [{ action: probeActionOf(finding.actions.service), context: {} }];
    if (finding.actions.kind === 'listed')
      return finding.actions.actions.map((action) => ({ action, context: {} }));
    return [{ action: PROBE_ACTION, context: {} }];
  }
  if (finding.kind === 'ability') {
    if (finding.conditions.length > 0 || !finding.resources.every || finding.resources.except.length > 0)
      return [];
    const path = ESCALATION_PATHS.find((candidate) => candidate.code === finding.code);
    return (path?.actions ?? []).map((action) => ({ action, context: { ...path?.context } }));
  }
  return [];
};

describe('findings never claim more than the evaluator allows', () => {
  it('an unconditional grant on every resource is allowed on every resource', () => {
    fc.assert(
      fc.property(fc.array(statement, { minLength: 1, maxLength: 4 }), (generated) => {
        const document = documentOf(
          generated.map((entry) => ({
            Effect: entry.effect,
            [entry.notAction ? 'NotAction' : 'Action']: entry.actions,
            [entry.notResource ? 'NotResource' : 'Resource']: entry.resources,
            ...(entry.condition ? { Condition: entry.condition } : {}),
          })),
        );
        const policies = identityPolicies(document);
        for (const finding of analyzePermissionsPolicy(document)) {
          for (const { action, context } of claims(finding)) {
            // Asked as the analysis asks: the caller is a known IAM user, every other key unknown; "every
            // resource" is a resource of each type the action acts on (or `*` for an action of no known type).
            for (const resource of everyResourceOf(action)) {
              const decision = evaluate(
                { action, resource, context: { ...PROBE_CALLER, ...context } },
                policies,
              );
              expect({ finding: finding.code, action, resource, decision: decision.kind }).toEqual({
                finding: finding.code,
                action,
                resource,
                decision: 'allowed',
              });
            }
          }
        }
      }),
      { numRuns: 500 },
    );
  });
});
