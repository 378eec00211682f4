// biome-ignore-all lint/suspicious/noTemplateCurlyInString: IAM policy variables are written ${…} inside policy text.
// The semantics the EC2-credential SCP (shared/domain/scp.ts) relies on, operator by operator, each against what AWS
// documents, asked of the evaluator as a Deny-list SCP beside FullAWSAccess. A key given as `null` is absent from
// the request; a key left out is unknown.
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import {
  type ContextInput,
  type Decision,
  type EvaluationOptions,
  evaluateScp,
} from '../../../../../shared/domain/policy/evaluator/index.js';
import { doc } from './build.js';

const deny = (condition: object, actions: object = { Action: '*' }) =>
  doc({ Effect: 'Deny', ...actions, Resource: '*', Condition: condition });

const kind = (
  document: ReturnType<typeof doc>,
  action: string,
  context: ContextInput,
  options?: EvaluationOptions,
) => evaluateScp(document, { action, resource: '*', context }, options).kind;

describe('evaluateScp: the operators of the EC2-credential SCP', () => {
  // "If the key that you specify in a policy condition is not present in the request context, the values do not
  // match and the condition is false. If the policy condition requires that the key is not matched, such as
  // StringNotLike or ArnNotLike, and the right key is not present, the condition is true."
  // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
  it('StringNotEquals: true on an absent key, case-sensitive, conditional on an unknown key', () => {
    const document = deny({ StringNotEquals: { 'aws:PrincipalTag/team': 'blue' } });
    expect(kind(document, 's3:GetObject', { 'aws:PrincipalTag/team': null })).toBe('denied');
    expect(kind(document, 's3:GetObject', { 'aws:PrincipalTag/team': 'blue' })).toBe('allowed');
    expect(kind(document, 's3:GetObject', { 'aws:PrincipalTag/team': 'Blue' })).toBe('denied');
    expect(kind(document, 's3:GetObject', {})).toBe('allowed-when');
  });

  it('ArnNotLike matches wildcards, and is true on an absent key', () => {
    const document = deny({
      ArnNotLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:role/aws:ec2-infrastructure' },
    });
    const principal = (arn: string | null) => ({ 'aws:PrincipalArn': arn });
    expect(
      kind(document, 'kms:Decrypt', principal('arn:aws:iam::111122223333:role/aws:ec2-infrastructure')),
    ).toBe('allowed');
    expect(kind(document, 'kms:Decrypt', principal('arn:aws:iam::111122223333:role/app'))).toBe('denied');
    expect(kind(document, 'kms:Decrypt', principal(null))).toBe('denied');
  });

  // "...IfExists: If the policy key is present in the context of the request, process the key as specified in the
  // policy. If the key is not present, evaluate the condition element as true." (same page, IfExists section)
  it('BoolIfExists: true when the key is absent, compared (case-insensitively) when present', () => {
    const document = deny({ BoolIfExists: { 'aws:ViaAWSService': 'false' } });
    expect(kind(document, 's3:GetObject', { 'aws:ViaAWSService': null })).toBe('denied');
    expect(kind(document, 's3:GetObject', { 'aws:ViaAWSService': 'false' })).toBe('denied');
    expect(kind(document, 's3:GetObject', { 'aws:ViaAWSService': 'FALSE' })).toBe('denied');
    expect(kind(document, 's3:GetObject', { 'aws:ViaAWSService': 'true' })).toBe('allowed');
  });

  it('NotIpAddressIfExists: outside every CIDR (values NORed), or no aws:SourceIp', () => {
    const document = deny({
      NotIpAddressIfExists: { 'aws:SourceIp': ['198.51.100.0/24', '192.0.2.7/32'] },
    });
    const from = (ip: string | null) => kind(document, 's3:GetObject', { 'aws:SourceIp': ip });
    expect(from('198.51.100.255')).toBe('allowed');
    expect(from('192.0.2.7')).toBe('allowed');
    expect(from('192.0.2.8')).toBe('denied');
    expect(from('198.51.101.0')).toBe('denied');
    expect(from(null)).toBe('denied');
    // "Since all IPv6 addresses are outside of the denied range, this statement does not explicitly deny … any IPv6
    // addresses": an IPv6 address is in no IPv4 range, so a NotIpAddress on IPv4 ranges holds for it.
    // https://docs.aws.amazon.com/privateca/latest/userguide/using-ipv6-iam.html
    expect(from('2001:db8::9')).toBe('denied');
  });

  // "Null: true (the key doesn't exist — it is null) or false (the key exists and its value is not null)"
  it('Null tests only whether the key is present', () => {
    const present = deny({ Null: { 'ec2:SourceInstanceARN': 'false' } });
    const absent = deny({ Null: { 'aws:SourceVpc': 'true' } });
    const instance = {
      'ec2:SourceInstanceARN': 'arn:aws:ec2:us-east-1:1:instance/i-1',
      'aws:SourceVpc': null,
    };
    expect(kind(present, 's3:GetObject', instance)).toBe('denied');
    expect(kind(present, 's3:GetObject', { 'ec2:SourceInstanceARN': null })).toBe('allowed');
    expect(kind(absent, 's3:GetObject', instance)).toBe('denied');
    expect(kind(absent, 's3:GetObject', { 'aws:SourceVpc': 'vpc-1' })).toBe('allowed');
  });

  // Several operators, and several keys of one operator, are ANDed.
  // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-logic-multiple-context-keys-or-values.html
  it('applies a statement only when every condition holds', () => {
    const document = deny({
      Null: { 'ec2:SourceInstanceARN': 'false' },
      BoolIfExists: { 'aws:ViaAWSService': 'false' },
    });
    const instance = { 'ec2:SourceInstanceARN': 'arn' };
    expect(kind(document, 's3:GetObject', { ...instance, 'aws:ViaAWSService': null })).toBe('denied');
    expect(kind(document, 's3:GetObject', { ...instance, 'aws:ViaAWSService': 'true' })).toBe('allowed');
  });

  // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notaction.html
  it('NotAction leaves the listed actions out (action names compare case-insensitively)', () => {
    const document = deny({}, { NotAction: 'iam:*' });
    expect(kind(document, 'iam:ListRoles', {})).toBe('allowed');
    expect(kind(document, 'IAM:ListRoles', {})).toBe('allowed');
    expect(kind(document, 's3:GetObject', {})).toBe('denied');
  });

  // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
  it('substitutes a policy variable from the request', () => {
    const document = deny({ StringNotEquals: { 'aws:ec2InstanceSourceVPC': '${aws:SourceVpc}' } });
    const instance = { 'aws:Ec2InstanceSourceVpc': 'vpc-1' };
    expect(kind(document, 's3:GetObject', { ...instance, 'aws:SourceVpc': 'vpc-1' })).toBe('allowed');
    expect(kind(document, 's3:GetObject', { ...instance, 'aws:SourceVpc': 'vpc-2' })).toBe('denied');
    expect(kind(document, 's3:GetObject', instance)).toBe('allowed-when');
  });

  // https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_evaluation.html
  it('ignores an SCP’s Allow statements (FullAWSAccess grants), and makes an unknown operator conditional', () => {
    expect(kind(doc({ Effect: 'Allow', Action: 's3:*', Resource: '*' }), 'ec2:RunInstances', {})).toBe(
      'allowed',
    );
    expect(kind(deny({ StringEqualsMadeUp: { 'aws:userid': 'x' } }), 's3:GetObject', {})).toBe(
      'allowed-when',
    );
  });
});

// A policy variable whose key is absent, both readings of
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
describe('evaluateScp: a policy variable whose key is absent', () => {
  const pin = deny({
    StringNotEquals: { 'aws:ec2InstanceSourceVPC': '${aws:SourceVpc}' },
    Null: { 'ec2:SourceInstanceARN': 'false' },
  });
  const publicEndpoint = {
    'aws:Ec2InstanceSourceVpc': 'vpc-1',
    'ec2:SourceInstanceARN': 'arn:aws:ec2:us-east-1:1:instance/i-1',
    'aws:SourceVpc': null,
  };

  it('reads it as null by default: "Inverted condition operators like StringNotEquals … do match against a null value"', () => {
    expect(kind(pin, 's3:GetObject', publicEndpoint)).toBe('denied');
    expect(kind(pin, 's3:GetObject', publicEndpoint, { unresolvedVariables: 'null' })).toBe('denied');
  });

  it('reads it, on request, as "If AWS cannot resolve a variable this might cause the entire statement to be invalid"', () => {
    expect(kind(pin, 's3:GetObject', publicEndpoint, { unresolvedVariables: 'invalid' })).toBe('allowed');
    // Only statements with such a variable: a statement without one still applies.
    const both = doc(
      {
        Effect: 'Deny',
        Action: '*',
        Resource: '*',
        Condition: { StringNotEquals: { 'aws:SourceVpc': '${aws:SourceVpc}' } },
      },
      {
        Sid: 'Plain',
        Effect: 'Deny',
        Action: '*',
        Resource: '*',
        Condition: { Null: { 'aws:SourceVpc': 'true' } },
      },
    );
    const decision = evaluateScp(
      both,
      { action: 's3:GetObject', resource: '*', context: { 'aws:SourceVpc': null } },
      { unresolvedVariables: 'invalid' },
    );
    expect(decision).toEqual({ kind: 'denied', deniedBy: [{ policy: 'SCP', statement: 'Plain' }] });
  });

  it('gives the same answer either way to a positive operator, a resolved variable, or a default', () => {
    const positive = deny({ StringEquals: { 'aws:ec2InstanceSourceVPC': '${aws:SourceVpc}' } });
    const withDefault = deny({
      StringNotEquals: { 'aws:ec2InstanceSourceVPC': "${aws:SourceVpc, 'vpc-1'}" },
    });
    for (const unresolvedVariables of ['null', 'invalid'] as const) {
      const options = { unresolvedVariables };
      expect(kind(positive, 's3:GetObject', publicEndpoint, options)).toBe('allowed');
      expect(kind(withDefault, 's3:GetObject', publicEndpoint, options)).toBe('allowed');
      expect(kind(pin, 's3:GetObject', { ...publicEndpoint, 'aws:SourceVpc': 'vpc-2' }, options)).toBe(
        'denied',
      );
      // An unknown key stays unknown under both readings.
      const { 'aws:SourceVpc': _absent, ...unknown } = publicEndpoint;
      expect(kind(pin, 's3:GetObject', unknown, options)).toBe('allowed-when');
    }
  });

  // "If a variable that has no value in the authorization context is used as part of the Resource or NotResource
  // element of a policy, the resource that includes a policy variable with no value will not match any resource."
  it('in NotResource: the entry matches nothing (null), or the statement does not apply (invalid)', () => {
    const document = doc({
      Effect: 'Deny',
      Action: '*',
      NotResource: 'arn:aws:s3:::${aws:PrincipalTag/bucket}/*',
    });
    const request = { 'aws:PrincipalTag/bucket': null };
    const ask = (reading: 'null' | 'invalid') =>
      evaluateScp(
        document,
        { action: 's3:GetObject', resource: 'arn:aws:s3:::b/k', context: request },
        { unresolvedVariables: reading },
      ).kind;
    expect(ask('null')).toBe('denied');
    expect(ask('invalid')).toBe('allowed');
  });
});

describe('evaluateScp: the two readings, on random SCPs', () => {
  const VALUES = ['vpc-1', '${aws:SourceVpc}', "${aws:SourceVpc, 'vpc-1'}", 'vpc-${aws:SourceVpc}'];
  const OPERATORS = [
    'StringEquals',
    'StringNotEquals',
    'StringNotEqualsIfExists',
    'StringLike',
    'StringNotLike',
  ];
  const statement = fc.record({
    operator: fc.constantFrom(...OPERATORS),
    key: fc.constantFrom('aws:ec2InstanceSourceVPC', 'aws:PrincipalTag/team'),
    values: fc.subarray(VALUES, { minLength: 1 }),
  });
  const scp = fc.array(statement, { minLength: 1, maxLength: 4 }).map((list) =>
    doc(
      ...list.map((entry, index) => ({
        Sid: `S${index}`,
        Effect: 'Deny',
        Action: '*',
        Resource: '*',
        Condition: { [entry.operator]: { [entry.key]: entry.values } },
      })),
    ),
  );
  const keyValue = fc.constantFrom<string | null | undefined>('vpc-1', 'vpc-2', null, undefined);
  const context = fc
    .record({ vpc: keyValue, instance: keyValue, team: keyValue })
    .map(({ vpc, instance, team }) => {
      const entries: Array<[string, string | null | undefined]> = [
        ['aws:SourceVpc', vpc],
        ['aws:ec2InstanceSourceVPC', instance],
        ['aws:PrincipalTag/team', team],
      ];
      // undefined: the key is left out (unknown).
      return Object.fromEntries(entries.filter(([, value]) => value !== undefined)) as ContextInput;
    });
  const rank = (decision: Decision) =>
    decision.kind === 'allowed' ? 2 : decision.kind === 'allowed-when' ? 1 : 0;
  const ask = (document: ReturnType<typeof doc>, request: ContextInput, reading: 'null' | 'invalid') =>
    evaluateScp(
      document,
      { action: 's3:GetObject', resource: '*', context: request },
      { unresolvedVariables: reading },
    );

  it('"invalid" never denies more than "null", and both agree unless a variable’s key is absent', () => {
    fc.assert(
      fc.property(scp, context, (document, request) => {
        const asNull = ask(document, request, 'null');
        const asInvalid = ask(document, request, 'invalid');
        expect(rank(asInvalid)).toBeGreaterThanOrEqual(rank(asNull));
        if (asNull.kind === 'denied' && asInvalid.kind === 'denied') {
          const invalidBy = asInvalid.deniedBy.map((ref) => ref.statement);
          expect(asNull.deniedBy.map((ref) => ref.statement)).toEqual(expect.arrayContaining(invalidBy));
        }
        if (request['aws:SourceVpc'] !== null) expect(asInvalid).toEqual(asNull);
      }),
      { numRuns: 500 },
    );
  });
});
