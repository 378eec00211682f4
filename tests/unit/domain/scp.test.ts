// The SCP documents of shared/domain/scp.ts, before any template: shape per variant and outcome per request.
import {
  ALL_SCP_VARIANTS,
  buildScpDocument,
  EXAMPLE_EGRESS_CIDRS,
  SCP_COLUMNS,
  SCP_MAX_CHARACTERS,
  SCP_REQUESTS,
  type ScpVariant,
} from '../../../shared/domain/scp.js';
import { decideScp, outcomeOf } from '../../../shared/domain/scp-outcome.js';

const values = {
  ec2InfrastructureArn: 'arn:aws:iam::*:role/aws:ec2-infrastructure',
  egressCidrs: [...EXAMPLE_EGRESS_CIDRS],
};
const none: ScpVariant = {
  tagExemption: false,
  exemptIam: false,
  ec2InfrastructureException: false,
  denyPublicEndpoints: false,
  hasEgressCidrs: false,
};

describe('buildScpDocument', () => {
  it('is, with every option off, the SCP AWS publishes for aws:Ec2InstanceSourcePrivateIPv4', () => {
    // Arrange: the example of https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-ec2instancesourceprivateip4
    const published = [
      ['aws:Ec2InstanceSourceVpc', 'aws:SourceVpc'],
      ['aws:Ec2InstanceSourcePrivateIPv4', 'aws:VpcSourceIp'],
    ].map(([key, variable]) => ({
      Effect: 'Deny',
      Action: '*',
      Resource: '*',
      Condition: {
        StringNotEquals: { [key as string]: `\${${variable}}` },
        Null: { 'ec2:SourceInstanceARN': 'false' },
        BoolIfExists: { 'aws:ViaAWSService': 'false' },
      },
    }));
    // Act
    const document = buildScpDocument(none, values);
    // Assert: key names compare case-insensitively in IAM; the published example spells one of them differently.
    const normalised = JSON.parse(
      JSON.stringify(document.Statement.map(({ Sid: _sid, ...rest }) => rest)).toLowerCase(),
    );
    expect(normalised).toEqual(JSON.parse(JSON.stringify(published).toLowerCase()));
  });

  it('adds a third statement for public endpoints, and limits the first two to requests through a VPC endpoint', () => {
    // Act
    const document = buildScpDocument({ ...none, denyPublicEndpoints: true, hasEgressCidrs: true }, values);
    // Assert
    const [vpc, ip, publicEndpoints] = document.Statement;
    expect(vpc?.Condition.Null).toEqual({ 'ec2:SourceInstanceARN': 'false', 'aws:SourceVpc': 'false' });
    expect(ip?.Condition.Null).toEqual({ 'ec2:SourceInstanceARN': 'false', 'aws:VpcSourceIp': 'false' });
    expect(publicEndpoints).toEqual({
      Sid: 'DenyEc2CredentialsOnPublicEndpoints',
      Effect: 'Deny',
      Action: '*',
      Resource: '*',
      Condition: {
        NotIpAddressIfExists: { 'aws:SourceIp': [...EXAMPLE_EGRESS_CIDRS] },
        Null: { 'ec2:SourceInstanceARN': 'false', 'aws:SourceVpc': 'true' },
        BoolIfExists: { 'aws:ViaAWSService': 'false' },
      },
    });
  });

  it('carries every exemption into every statement', () => {
    // Act
    const document = buildScpDocument(
      {
        tagExemption: true,
        exemptIam: true,
        ec2InfrastructureException: true,
        denyPublicEndpoints: true,
        hasEgressCidrs: false,
      },
      values,
    );
    // Assert
    expect(document.Statement).toHaveLength(3);
    for (const statement of document.Statement) {
      expect(statement.NotAction).toBe('iam:*');
      expect(statement.Action).toBeUndefined();
      expect(statement.Condition.StringNotEquals).toMatchObject({
        'aws:PrincipalTag/exception-to-vpc-ip': 'true',
      });
      expect(statement.Condition.ArnNotLike).toEqual({ 'aws:PrincipalArn': values.ec2InfrastructureArn });
      expect(statement.Condition.NotIpAddressIfExists).toBeUndefined();
    }
  });

  it.each(ALL_SCP_VARIANTS.map((variant) => [JSON.stringify(variant), variant] as const))(
    'fits Organizations’ limit (%s)',
    (_name, variant) => {
      expect(JSON.stringify(buildScpDocument(variant, values)).length).toBeLessThanOrEqual(
        SCP_MAX_CHARACTERS,
      );
    },
  );
});

describe('the request table', () => {
  it('has unique ids and labels, and columns that are distinct variants', () => {
    expect(new Set(SCP_REQUESTS.map((request) => request.id)).size).toBe(SCP_REQUESTS.length);
    expect(new Set(SCP_REQUESTS.map((request) => request.label)).size).toBe(SCP_REQUESTS.length);
    expect(new Set(SCP_COLUMNS.map((column) => JSON.stringify(column.variant))).size).toBe(
      SCP_COLUMNS.length,
    );
  });

  it.each(ALL_SCP_VARIANTS.map((variant) => [JSON.stringify(variant), variant] as const))(
    'each request gets its intended outcome (%s)',
    (_name, variant) => {
      const document = buildScpDocument(variant, values);
      const outcomes = SCP_REQUESTS.map((request) => [request.id, outcomeOf(document, request)]);
      expect(outcomes).toEqual(SCP_REQUESTS.map((request) => [request.id, request.intended(variant)]));
    },
  );
});

describe('outcomeOf and decideScp (the project evaluator, asked for the table)', () => {
  const document = buildScpDocument(none, values);
  const row = (id: string) => {
    const found = SCP_REQUESTS.find((request) => request.id === id);
    if (!found) throw new Error(`no row ${id}`);
    return found;
  };

  it('takes the keys a request does not carry as absent, not unknown', () => {
    // The public-endpoint row carries no aws:SourceVpc: absent, so each reading gives a verdict.
    const stolen = row('public-from-elsewhere');
    expect(decideScp(document, stolen, 'null')).toEqual({
      kind: 'denied',
      deniedBy: [
        { policy: 'SCP', statement: 'DenyEc2CredentialsOutsideTheirVpc' },
        { policy: 'SCP', statement: 'DenyEc2CredentialsOutsideTheirPrivateIp' },
      ],
    });
    expect(decideScp(document, stolen, 'invalid').kind).toBe('allowed');
    expect(outcomeOf(document, stolen)).toBe('ambiguous');
  });

  it('refuses to decide rather than guess: an operator the evaluator does not know, or a document read in part', () => {
    const unknownOperator = {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Deny', Action: '*', Resource: '*', Condition: { MadeUpOperator: { 'aws:x': 'y' } } },
      ],
    };
    expect(() => outcomeOf(unknownOperator, row('own-vpc-endpoint'))).toThrow(
      /cannot decide: MadeUpOperator/,
    );
    const malformed = { Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: 7, Resource: '*' }] };
    expect(() => decideScp(malformed, row('own-vpc-endpoint'))).toThrow(/read only in part/);
  });
});
