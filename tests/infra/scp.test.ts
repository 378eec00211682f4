// The EC2-credential SCP as compiled by osls: every combination of the Scp* parameters resolves to a complete
// document of shared/domain/scp.ts, within Organizations' size limit, and does to each request of the table
// what it is meant to; the README's table is the rendering of these evaluations.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ALL_SCP_VARIANTS,
  buildScpDocument,
  EXAMPLE_EGRESS_CIDRS,
  SCP_MAX_CHARACTERS,
  SCP_REQUESTS,
  type ScpVariant,
} from '../../shared/domain/scp.js';
import { outcomeOf } from '../../shared/domain/scp-outcome.js';
import { isObject } from '../../shared/domain/values.js';
import { renderScpTable, SCP_TABLE_END, SCP_TABLE_START } from '../helpers/scp-table.js';
import { deployedResources, packageService, scenario, type Template } from '../helpers/template.js';

let template: Template;

beforeAll(async () => {
  ({ template } = await packageService());
}, 300_000);

/** Stack parameters of a deployment with this variant. */
const parametersOf = (variant: ScpVariant): Record<string, string> => ({
  InManagementAccount: 'true',
  ScpTargetIds: 'ou-abcd-11111111',
  ScpTagExemption: String(variant.tagExemption),
  ScpExemptIam: String(variant.exemptIam),
  ScpEc2InfrastructureException: String(variant.ec2InfrastructureException),
  ScpDenyPublicEndpoints: String(variant.denyPublicEndpoints),
  InstanceEgressCidrs: variant.hasEgressCidrs ? EXAMPLE_EGRESS_CIDRS.join(',') : '',
});

/** The SCP's Content as CloudFormation would send it to Organizations for these parameters. */
const contentFor = (parameters: Record<string, string>): unknown => {
  const scp = deployedResources(template, scenario(template, parameters)).Ec2CredentialScp;
  if (!scp) throw new Error('Ec2CredentialScp not deployed');
  return scp.Properties?.Content;
};

const name = (variant: ScpVariant) =>
  Object.entries(variant)
    .filter(([, on]) => on)
    .map(([flag]) => flag)
    .join('+') || 'none';

describe('the SCP in the compiled template', () => {
  it('selects among complete documents: Fn::If at the top only, no AWS::NoValue inside the JSON', () => {
    // Arrange
    const content = template.Resources.Ec2CredentialScp?.Properties?.Content;
    const leaves: unknown[] = [];
    const walk = (node: unknown): void => {
      if (isObject(node) && 'Fn::If' in node) {
        const [, whenTrue, whenFalse] = node['Fn::If'] as unknown[];
        walk(whenTrue);
        walk(whenFalse);
      } else leaves.push(node);
    };
    // Act
    walk(content);
    // Assert
    // 8 combinations of the three exemptions × (reference design, public endpoints denied with or without CIDRs).
    expect(leaves).toHaveLength(24);
    for (const leaf of leaves) {
      expect(leaf).toMatchObject({ Version: '2012-10-17', Statement: expect.any(Array) });
      expect(JSON.stringify(leaf)).not.toContain('AWS::NoValue');
      expect(JSON.stringify(leaf)).not.toContain('Fn::If');
    }
  });

  it.each(ALL_SCP_VARIANTS.map((variant) => [name(variant), variant] as const))(
    'resolves to the module’s document, fully, within 5,120 characters (%s)',
    (_name, variant) => {
      // Act
      const content = contentFor(parametersOf(variant));
      // Assert
      expect(content).toEqual(
        buildScpDocument(variant, {
          ec2InfrastructureArn: 'arn:aws:iam::*:role/aws:ec2-infrastructure',
          egressCidrs: [...EXAMPLE_EGRESS_CIDRS],
        }),
      );
      const text = JSON.stringify(content);
      expect(text).not.toMatch(/"(Ref|Fn::[A-Za-z]+)"/);
      // Organizations counts every character of the content as sent; minified JSON is what CloudFormation sends
      // for a JSON property. https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_syntax.html
      expect(text.length).toBeLessThanOrEqual(SCP_MAX_CHARACTERS);
    },
  );

  it('leaves room for at least 150 egress CIDRs in the largest variant', () => {
    // Arrange: every option on, and /32s of the longest IPv4 spelling.
    const cidrs = Array.from({ length: 150 }, (_, index) => `203.0.113.${100 + (index % 100)}/32`);
    const parameters = parametersOf({
      tagExemption: true,
      exemptIam: true,
      ec2InfrastructureException: true,
      denyPublicEndpoints: true,
      hasEgressCidrs: true,
    });
    // Act
    const content = contentFor({ ...parameters, InstanceEgressCidrs: cidrs.join(',') });
    // Assert
    expect(JSON.stringify(content)).toContain('"203.0.113.149/32"');
    expect(JSON.stringify(content).length).toBeLessThanOrEqual(SCP_MAX_CHARACTERS);
  });

  it('checks each item of InstanceEgressCidrs with AllowedPattern (CloudFormation applies it per item)', () => {
    // https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/parameters-section-structure.html
    const parameter = template.Parameters.InstanceEgressCidrs as { Type: string; AllowedPattern?: string };
    expect(parameter.Type).toBe('CommaDelimitedList');
    const pattern = new RegExp(parameter.AllowedPattern ?? '');
    for (const good of [...EXAMPLE_EGRESS_CIDRS, '203.0.113.9', '2001:db8::/32', '']) {
      expect(pattern.test(good)).toBe(true);
    }
    for (const bad of ['nat-gateway', '198.51.100.0/24 ', '198.51.100.0/24;x', '10.0.0.0/8/8']) {
      expect(pattern.test(bad)).toBe(false);
    }
  });

  it('never puts an empty CIDR in the document when InstanceEgressCidrs is empty', () => {
    // Act
    const content = contentFor({ InManagementAccount: 'true', ScpDenyPublicEndpoints: 'true' });
    // Assert
    expect(JSON.stringify(content)).not.toContain('aws:SourceIp');
    expect(JSON.stringify(content)).not.toContain('""');
  });
});

describe('what each variant denies', () => {
  it.each(ALL_SCP_VARIANTS.map((variant) => [name(variant), variant] as const))(
    'every request as intended (%s)',
    (_name, variant) => {
      // Act
      const document = contentFor(parametersOf(variant));
      const outcomes = SCP_REQUESTS.map((request) => [request.id, outcomeOf(document, request)]);
      // Assert
      expect(outcomes).toEqual(SCP_REQUESTS.map((request) => [request.id, request.intended(variant)]));
    },
  );

  it('denies stolen instance credentials used from the internet in every variant with public endpoints denied', () => {
    const stolen = SCP_REQUESTS.find((request) => request.id === 'public-from-elsewhere');
    if (!stolen) throw new Error('row missing');
    for (const variant of ALL_SCP_VARIANTS.filter((candidate) => candidate.denyPublicEndpoints)) {
      expect(outcomeOf(contentFor(parametersOf(variant)), stolen)).toBe('denied');
    }
  });
});

describe('the README', () => {
  it('shows the evaluated table (regenerate it from this test’s output when the SCP changes)', () => {
    // Arrange
    const readme = readFileSync(join(import.meta.dirname, '..', '..', 'README.md'), 'utf8');
    const from = readme.indexOf(SCP_TABLE_START);
    const to = readme.indexOf(SCP_TABLE_END);
    // Act
    const expected = renderScpTable((variant) => contentFor(parametersOf(variant)));
    // Assert
    expect(from).toBeGreaterThanOrEqual(0);
    expect(readme.slice(from, to + SCP_TABLE_END.length)).toBe(expected);
  });
});
