// Properties AWS's evaluation logic guarantees, checked on random policies and requests (fast-check).
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notaction.html
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import {
  type ContextInput,
  type Decision,
  type EvaluatedPolicy,
  type EvaluationRequest,
  evaluate,
} from '../../../../../shared/domain/policy/evaluator/index.js';
import { doc } from './build.js';

const ACTIONS = [
  's3:GetObject',
  's3:PutObject',
  'iam:CreateUser',
  'iam:GetUser',
  'ec2:RunInstances',
  'sts:AssumeRole',
];
const ACTION_PATTERNS = [
  '*',
  's3:*',
  'iam:Get*',
  'iam:*',
  'ec2:RunInstances',
  '*:Get*',
  's3:?etObject',
  'sts:*',
];
const RESOURCES = ['*', 'arn:aws:s3:::b/k', 'arn:aws:s3:::c/k', 'arn:aws:iam::111122223333:user/u'];
const RESOURCE_PATTERNS = [
  '*',
  'arn:aws:s3:::b/*',
  'arn:aws:s3:::*',
  'arn:aws:iam::*:user/*',
  'arn:aws:*:*:111122223333:*',
];
const KEY = 'aws:PrincipalTag/team';
const OPERATORS = [
  'StringEquals',
  'StringNotEquals',
  'StringLike',
  'StringEqualsIfExists',
  'ForAnyValue:StringEquals',
  'ForAllValues:StringEquals',
  'Null',
];

const condition = fc.option(
  fc.record({
    operator: fc.constantFrom(...OPERATORS),
    values: fc.subarray(['a', 'b', 'true', 'false'], { minLength: 1 }),
  }),
  { nil: undefined },
);

const statementBody = fc.record({
  notAction: fc.boolean(),
  actions: fc.subarray(ACTION_PATTERNS, { minLength: 1, maxLength: 3 }),
  notResource: fc.boolean(),
  resources: fc.subarray(RESOURCE_PATTERNS, { minLength: 1, maxLength: 2 }),
  condition,
});

type Body = typeof statementBody extends fc.Arbitrary<infer T> ? T : never;

const toStatement = (effect: 'Allow' | 'Deny', body: Body, sid: string) => ({
  Sid: sid,
  Effect: effect,
  [body.notAction ? 'NotAction' : 'Action']: body.actions,
  [body.notResource ? 'NotResource' : 'Resource']: body.resources,
  ...(body.condition ? { Condition: { [body.condition.operator]: { [KEY]: body.condition.values } } } : {}),
});

const statements = fc.array(fc.tuple(fc.constantFrom('Allow' as const, 'Deny' as const), statementBody), {
  maxLength: 5,
});

const context: fc.Arbitrary<ContextInput> = fc.oneof(
  fc.constant({}),
  fc.constant({ [KEY]: null }),
  fc.constantFrom('a', 'b').map((value) => ({ [KEY]: value })),
  fc.subarray(['a', 'b']).map((values) => ({ [KEY]: values })),
);

const request: fc.Arbitrary<EvaluationRequest> = fc.record({
  action: fc.constantFrom(...ACTIONS),
  resource: fc.constantFrom(...RESOURCES),
  context,
});

const policyFrom = (list: Array<['Allow' | 'Deny', Body]>, prefix = 'S'): EvaluatedPolicy => ({
  kind: 'identity',
  name: 'p',
  document: doc(...list.map(([effect, body], index) => toStatement(effect, body, `${prefix}${index}`))),
});

// How much a decision allows: allowed > allowed under conditions > nothing.
const rank = (decision: Decision): number =>
  decision.kind === 'allowed' ? 2 : decision.kind === 'allowed-when' ? 1 : 0;

// A decision with its statement references sorted, so that statement order does not show.
const canonical = (decision: Decision): unknown => {
  const sorted = <T extends { statement: string }>(list: T[]) =>
    [...list].map((item) => JSON.stringify(item)).sort();
  switch (decision.kind) {
    case 'allowed':
      return { kind: decision.kind, by: sorted(decision.allowedBy) };
    case 'denied':
      return { kind: decision.kind, by: sorted(decision.deniedBy) };
    case 'allowed-when':
      return { kind: decision.kind, allow: sorted(decision.allowWhen), deny: sorted(decision.denyWhen) };
    default:
      return decision;
  }
};

describe('evaluation properties', () => {
  it('adding a Deny never widens what is allowed', () => {
    fc.assert(
      fc.property(statements, statementBody, request, (list, denyBody, req) => {
        const before = evaluate(req, [policyFrom(list)]);
        const after = evaluate(req, [policyFrom([...list, ['Deny', denyBody]])]);
        expect(rank(after)).toBeLessThanOrEqual(rank(before));
      }),
      { numRuns: 500 },
    );
  });

  it('Allow NotAction X is Allow * with Deny X, on every probe', () => {
    fc.assert(
      fc.property(
        fc.subarray(ACTION_PATTERNS, { minLength: 1, maxLength: 3 }),
        condition,
        request,
        (excluded, when, req) => {
          const extra = when ? { Condition: { [when.operator]: { [KEY]: when.values } } } : {};
          const notAction = evaluate(req, [
            {
              kind: 'identity',
              document: doc({ Effect: 'Allow', NotAction: excluded, Resource: '*', ...extra }),
            },
          ]);
          const denied = evaluate(req, [
            {
              kind: 'identity',
              document: doc(
                { Effect: 'Allow', Action: '*', Resource: '*', ...extra },
                { Effect: 'Deny', Action: excluded, Resource: '*' },
              ),
            },
          ]);
          expect(rank(notAction)).toBe(rank(denied));
          if (notAction.kind === 'allowed-when' && denied.kind === 'allowed-when') {
            expect(notAction.allowWhen.map((entry) => entry.conditions)).toEqual(
              denied.allowWhen.map((entry) => entry.conditions),
            );
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  it('permuting statements changes nothing', () => {
    fc.assert(
      fc.property(
        statements.chain((list) =>
          fc.tuple(
            fc.constant(list),
            fc.shuffledSubarray(
              list.map((_, index) => index),
              { minLength: list.length },
            ),
          ),
        ),
        request,
        ([list, order], req) => {
          const named = list.map(([effect, body], index) => ({ effect, body, sid: `S${index}` }));
          const asDoc = (entries: typeof named): EvaluatedPolicy => ({
            kind: 'identity',
            name: 'p',
            document: doc(...entries.map((entry) => toStatement(entry.effect, entry.body, entry.sid))),
          });
          const shuffled = order.map((index) => named[index]).filter((entry) => entry !== undefined);
          expect(canonical(evaluate(req, [asDoc(shuffled)]))).toEqual(
            canonical(evaluate(req, [asDoc(named)])),
          );
        },
      ),
      { numRuns: 500 },
    );
  });
});
