// The SCP evaluator's semantics, operator by operator, each against what AWS documents.
import { evaluateScp, outcomeOf } from '../../helpers/scp-evaluator.js';

const request = (action: string, entries: Record<string, string>) => ({
  action,
  context: new Map(Object.entries(entries).map(([key, value]) => [key.toLowerCase(), value])),
});

const deny = (
  condition: Record<string, Record<string, unknown>>,
  actions: Record<string, unknown> = { Action: '*' },
) => ({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Deny', ...actions, Resource: '*', Condition: condition }],
});

describe('evaluateScp', () => {
  // "If the key that you specify in a policy condition is not present in the request context, the values do not
  // match and the condition is false. If the policy condition requires that the key is not matched, such as
  // StringNotLike or ArnNotLike, and the right key is not present, the condition is true."
  // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
  it('treats a negated operator on an absent key as true', () => {
    const document = deny({ StringNotEquals: { 'aws:PrincipalTag/team': 'blue' } });
    expect(evaluateScp(document, request('s3:GetObject', {}))).toBe('denied');
    expect(evaluateScp(document, request('s3:GetObject', { 'aws:PrincipalTag/team': 'blue' }))).toBe(
      'allowed',
    );
    expect(evaluateScp(document, request('s3:GetObject', { 'aws:PrincipalTag/team': 'Blue' }))).toBe(
      'denied',
    );
  });

  it('ArnNotLike matches wildcards, and is true on an absent key', () => {
    const document = deny({
      ArnNotLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:role/aws:ec2-infrastructure' },
    });
    const ec2 = request('kms:Decrypt', {
      'aws:PrincipalArn': 'arn:aws:iam::111122223333:role/aws:ec2-infrastructure',
    });
    const app = request('kms:Decrypt', { 'aws:PrincipalArn': 'arn:aws:iam::111122223333:role/app' });
    expect(evaluateScp(document, ec2)).toBe('allowed');
    expect(evaluateScp(document, app)).toBe('denied');
    expect(evaluateScp(document, request('kms:Decrypt', {}))).toBe('denied');
  });

  // "...IfExists: If the policy key is present in the context of the request, process the key as specified in the
  // policy. If the key is not present, evaluate the condition element as true." (same page, IfExists section)
  it('…IfExists operators are true when the key is absent, and compare when present', () => {
    const document = deny({ BoolIfExists: { 'aws:ViaAWSService': 'false' } });
    expect(evaluateScp(document, request('s3:GetObject', {}))).toBe('denied');
    expect(evaluateScp(document, request('s3:GetObject', { 'aws:ViaAWSService': 'false' }))).toBe('denied');
    expect(evaluateScp(document, request('s3:GetObject', { 'aws:ViaAWSService': 'true' }))).toBe('allowed');
  });

  it('NotIpAddressIfExists: outside every CIDR (values NORed) or no aws:SourceIp', () => {
    const document = deny({ NotIpAddressIfExists: { 'aws:SourceIp': ['198.51.100.0/24', '192.0.2.7/32'] } });
    const from = (ip: string) => request('s3:GetObject', { 'aws:SourceIp': ip });
    expect(evaluateScp(document, from('198.51.100.255'))).toBe('allowed');
    expect(evaluateScp(document, from('192.0.2.7'))).toBe('allowed');
    expect(evaluateScp(document, from('192.0.2.8'))).toBe('denied');
    expect(evaluateScp(document, from('198.51.101.0'))).toBe('denied');
    expect(evaluateScp(document, request('s3:GetObject', {}))).toBe('denied');
  });

  // "Null: true (the key doesn't exist — it is null) or false (the key exists and its value is not null)"
  it('Null tests only whether the key is present', () => {
    const present = deny({ Null: { 'ec2:SourceInstanceARN': 'false' } });
    const absent = deny({ Null: { 'aws:SourceVpc': 'true' } });
    const instance = request('s3:GetObject', {
      'ec2:SourceInstanceARN': 'arn:aws:ec2:us-east-1:1:instance/i-1',
    });
    expect(evaluateScp(present, instance)).toBe('denied');
    expect(evaluateScp(present, request('s3:GetObject', {}))).toBe('allowed');
    expect(evaluateScp(absent, instance)).toBe('denied');
    expect(evaluateScp(absent, request('s3:GetObject', { 'aws:SourceVpc': 'vpc-1' }))).toBe('allowed');
  });

  // Several operators, and several keys of one operator, are ANDed.
  // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-logic-multiple-context-keys-or-values.html
  it('applies a statement only when every condition holds', () => {
    const document = deny({
      Null: { 'ec2:SourceInstanceARN': 'false' },
      BoolIfExists: { 'aws:ViaAWSService': 'false' },
    });
    expect(evaluateScp(document, request('s3:GetObject', { 'ec2:SourceInstanceARN': 'arn' }))).toBe('denied');
    expect(
      evaluateScp(
        document,
        request('s3:GetObject', { 'ec2:SourceInstanceARN': 'arn', 'aws:ViaAWSService': 'true' }),
      ),
    ).toBe('allowed');
  });

  it('NotAction leaves the listed actions out (action names compare case-insensitively)', () => {
    const document = deny({}, { NotAction: 'iam:*' });
    expect(evaluateScp(document, request('iam:ListRoles', {}))).toBe('allowed');
    expect(evaluateScp(document, request('IAM:ListRoles', {}))).toBe('allowed');
    expect(evaluateScp(document, request('s3:GetObject', {}))).toBe('denied');
  });

  // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
  it('substitutes a policy variable from the request', () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: an IAM policy variable
    const document = deny({ StringNotEquals: { 'aws:ec2InstanceSourceVPC': '${aws:SourceVpc}' } });
    const same = request('s3:GetObject', { 'aws:Ec2InstanceSourceVpc': 'vpc-1', 'aws:SourceVpc': 'vpc-1' });
    const other = request('s3:GetObject', { 'aws:Ec2InstanceSourceVpc': 'vpc-1', 'aws:SourceVpc': 'vpc-2' });
    expect(evaluateScp(document, same)).toBe('allowed');
    expect(evaluateScp(document, other)).toBe('denied');
  });

  it('reads a variable whose key is absent either way AWS documents it', () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: an IAM policy variable
    const document = deny({ StringNotEquals: { 'aws:ec2InstanceSourceVPC': '${aws:SourceVpc}' } });
    const publicEndpoint = request('s3:GetObject', { 'aws:Ec2InstanceSourceVpc': 'vpc-1' });
    // "Inverted condition operators like StringNotEquals … do match against a null value"
    expect(evaluateScp(document, publicEndpoint, 'null')).toBe('denied');
    // "If AWS cannot resolve a variable this might cause the entire statement to be invalid"
    expect(evaluateScp(document, publicEndpoint, 'void')).toBe('allowed');
    expect(outcomeOf(document, publicEndpoint)).toBe('ambiguous');
  });

  it('refuses what it does not implement rather than guess', () => {
    expect(() =>
      evaluateScp(deny({ StringLike: { 'aws:userid': 'x' } }), request('s3:GetObject', {})),
    ).toThrow(/not supported/);
    const allow = { Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };
    expect(() => evaluateScp(allow, request('s3:GetObject', {}))).toThrow(/unsupported statement/);
  });
});
