// What the EC2-credential SCP would deny, decided per record. Semantics cited:
// - keys present per network path: `aws:SourceVpc`, `aws:SourceVpce`, `aws:VpcSourceIp` only through a VPC endpoint,
//   `aws:SourceIp` only without one: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-sourcevpc
// - CloudTrail's `vpcEndpointId` names the endpoint, and `sourceIPAddress` is then the caller's private address:
//   https://docs.aws.amazon.com/kms/latest/developerguide/vpce-logging.html
// - `aws:ViaAWSService` is true for forward access sessions (a service on the principal's behalf):
//   https://docs.aws.amazon.com/IAM/latest/UserGuide/access_forward_access_sessions.html
// - a policy variable whose key is absent: both readings documented,
//   https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ScpVariant } from '../../../shared/domain/scp.js';
import {
  decideScpImpact,
  ScpImpactAggregator,
  type ScpImpactDecision,
  scpDocumentFor,
} from '../../../shared/domain/scp-impact.js';
import { FIXTURES_DIR, loadCorpus } from '../../helpers/fixtures.js';

const handWritten = readFileSync(join(FIXTURES_DIR, 'scp-impact', 'instance-calls.jsonl'), 'utf8')
  .split('\n')
  .filter((line) => line.trim() !== '')
  .map((line) => JSON.parse(line) as Record<string, unknown>);

const reference: ScpVariant = {
  tagExemption: false,
  exemptIam: false,
  ec2InfrastructureException: true,
  denyPublicEndpoints: false,
  hasEgressCidrs: false,
};
const publicDenied: ScpVariant = { ...reference, denyPublicEndpoints: true };

/** A short word for a decision, to compare with the table below. */
const word = (decision: ScpImpactDecision): string => {
  switch (decision.kind) {
    case 'affected':
      return `${decision.call.status}:${decision.call.statement}${decision.call.reason ? `:${decision.call.reason}` : ''}`;
    default:
      return decision.kind;
  }
};

const VPC = 'DenyEc2CredentialsOutsideTheirVpc';
const PUBLIC = 'DenyEc2CredentialsOnPublicEndpoints';
const ENDPOINT_UNKNOWN = `unknown:${VPC}:endpoint-vpc`;
const VARIABLE_UNKNOWN = `unknown:${VPC}:unresolved-variable`;

// One column per variant, one row per line of instance-calls.jsonl (see its README). Written by hand from the README's
// table of outcomes, not computed.
const columns: Array<[string, ScpVariant, string[], string[]]> = [
  ['reference design', reference, [], []],
  ['public endpoints denied, NAT CIDR', { ...publicDenied, hasEgressCidrs: true }, ['198.51.100.0/24'], []],
  ['public endpoints denied, no CIDR', publicDenied, [], []],
  ['public endpoints denied, IAM exempt', { ...publicDenied, exemptIam: true }, [], []],
  [
    'public endpoints denied, no ec2-infrastructure exception',
    { ...publicDenied, ec2InfrastructureException: false },
    [],
    [],
  ],
  [
    'public endpoints denied, tag exemption, app role tagged',
    { ...publicDenied, tagExemption: true },
    [],
    ['app-instance-role'],
  ],
];
const expected: Record<string, string[]> = {
  'reference design': [
    ENDPOINT_UNKNOWN,
    ENDPOINT_UNKNOWN,
    VARIABLE_UNKNOWN,
    VARIABLE_UNKNOWN,
    VARIABLE_UNKNOWN,
    VARIABLE_UNKNOWN,
    'via-aws-service',
    'via-aws-service',
    'allowed',
    VARIABLE_UNKNOWN,
    'not-instance',
  ],
  'public endpoints denied, NAT CIDR': [
    ENDPOINT_UNKNOWN,
    ENDPOINT_UNKNOWN,
    'allowed',
    'allowed',
    `denied:${PUBLIC}`,
    `denied:${PUBLIC}`,
    'via-aws-service',
    'via-aws-service',
    'allowed',
    `denied:${PUBLIC}`,
    'not-instance',
  ],
  'public endpoints denied, no CIDR': [
    ENDPOINT_UNKNOWN,
    ENDPOINT_UNKNOWN,
    `denied:${PUBLIC}`,
    `denied:${PUBLIC}`,
    `denied:${PUBLIC}`,
    `denied:${PUBLIC}`,
    'via-aws-service',
    'via-aws-service',
    'allowed',
    `denied:${PUBLIC}`,
    'not-instance',
  ],
  'public endpoints denied, IAM exempt': [
    ENDPOINT_UNKNOWN,
    ENDPOINT_UNKNOWN,
    `denied:${PUBLIC}`,
    `denied:${PUBLIC}`,
    `denied:${PUBLIC}`,
    'allowed',
    'via-aws-service',
    'via-aws-service',
    'allowed',
    `denied:${PUBLIC}`,
    'not-instance',
  ],
  'public endpoints denied, no ec2-infrastructure exception': [
    ENDPOINT_UNKNOWN,
    ENDPOINT_UNKNOWN,
    `denied:${PUBLIC}`,
    `denied:${PUBLIC}`,
    `denied:${PUBLIC}`,
    `denied:${PUBLIC}`,
    'via-aws-service',
    'via-aws-service',
    `denied:${PUBLIC}`,
    `denied:${PUBLIC}`,
    'not-instance',
  ],
  'public endpoints denied, tag exemption, app role tagged': [
    'allowed',
    'allowed',
    'allowed',
    'allowed',
    'allowed',
    'allowed',
    'via-aws-service',
    'via-aws-service',
    'allowed',
    `denied:${PUBLIC}`,
    'not-instance',
  ],
};

describe('decideScpImpact', () => {
  it.each(columns)('decides each hand-written call under %s', (label, variant, cidrs, tagged) => {
    const document = scpDocumentFor(variant, cidrs);
    const words = handWritten.map((record) =>
      word(decideScpImpact(record, document, { taggedRoles: new Set(tagged) })),
    );
    expect(words).toEqual(expected[label]);
  });

  it('names the network path, role and instance of a denied call, and null for a public endpoint', () => {
    const document = scpDocumentFor(publicDenied, []);
    const stolen = decideScpImpact(handWritten[4], document);
    expect(stolen).toEqual({
      kind: 'affected',
      call: {
        eventID: '00000000-0000-4000-8000-000000000005',
        eventTime: '2026-11-02T09:05:00Z',
        eventSource: 'sts.amazonaws.com',
        eventName: 'GetCallerIdentity',
        awsRegion: 'eu-west-1',
        role: 'arn:aws:iam::111122223333:role/app-instance-role',
        instanceId: 'i-0123456789abcdef0',
        sourceIPAddress: '203.0.113.9',
        vpcEndpointId: null,
        statement: PUBLIC,
        status: 'denied',
      },
    });
    const endpoint = decideScpImpact(handWritten[0], document);
    expect(endpoint.kind === 'affected' && endpoint.call.vpcEndpointId).toBe('vpce-0aaa1111bbbb2222c');
  });

  it('finds the Stratus Red Team ec2-steal-instance-credentials calls and denies them on public endpoints', () => {
    const stolen = loadCorpus().filter((entry) =>
      String(entry.record.userIdentity?.arn).includes('stratus-red-team-ec2-steal-credentials-role/i-'),
    );
    expect(stolen.length).toBeGreaterThan(0);
    const document = scpDocumentFor(publicDenied, []);
    for (const { record } of stolen) {
      expect(word(decideScpImpact(record, document))).toBe(`denied:${PUBLIC}`);
    }
  });

  it('names the first statement, in document order, that denies the call', () => {
    // Both pin statements deny a call through another VPC's endpoint from another private IP; the VPC one is first.
    const document = scpDocumentFor(publicDenied, []);
    const decision = decideScpImpact(handWritten[0], document);
    expect(word(decision)).toBe(ENDPOINT_UNKNOWN);
    const reordered = { ...document, Statement: [...document.Statement].reverse() };
    expect(word(decideScpImpact(handWritten[0], reordered))).toBe(
      'unknown:DenyEc2CredentialsOutsideTheirPrivateIp:endpoint-vpc',
    );
  });

  // An IPv6 address is outside every IPv4 range, so NotIpAddress holds: "Since all IPv6 addresses are outside of the
  // denied range, this statement does not explicitly deny … any IPv6 addresses" (and, negated, a NotIpAddress on
  // IPv4 ranges denies every IPv6 caller). https://docs.aws.amazon.com/privateca/latest/userguide/using-ipv6-iam.html
  it('denies an IPv6 source against IPv4-only egress CIDRs, and allows it when a CIDR of its family covers it', () => {
    const record = { ...handWritten[4], sourceIPAddress: '2001:db8::9' };
    const ipv4Only = scpDocumentFor({ ...publicDenied, hasEgressCidrs: true }, ['198.51.100.0/24']);
    const dualStack = scpDocumentFor({ ...publicDenied, hasEgressCidrs: true }, [
      '198.51.100.0/24',
      '2001:db8::/32',
    ]);
    expect(word(decideScpImpact(record, ipv4Only))).toBe(`denied:${PUBLIC}`);
    expect(word(decideScpImpact(record, dualStack))).toBe('allowed');
  });

  it('skips values that are not CloudTrail records', () => {
    const document = scpDocumentFor(reference, []);
    expect(decideScpImpact({ file: 'x.json' }, document).kind).toBe('not-a-record');
    expect(decideScpImpact('text', document).kind).toBe('not-a-record');
  });
});

describe('ScpImpactAggregator', () => {
  it('counts each kind of decision and groups affected calls by role, instance, service, region and path', () => {
    const document = scpDocumentFor(publicDenied, []);
    const aggregator = new ScpImpactAggregator();
    for (const record of handWritten) aggregator.add(decideScpImpact(record, document));
    aggregator.add(decideScpImpact({ not: 'a record' }, document));
    const summary = aggregator.toSummary();
    expect(summary).toMatchObject({
      records: 11,
      notRecords: 1,
      instanceCalls: 10,
      denied: 5,
      unknown: 2,
      unknownByReason: { 'endpoint-vpc': 2, 'unresolved-variable': 0, 'not-evaluable': 0 },
      allowed: 1,
      viaAwsService: 2,
      viaAwsServiceBy: { 's3.amazonaws.com': 2 },
    });
    // Lines 3 and 5 (sts, eu-west-1, public) share a row; 6 is iam in us-east-1; 4 is ssm.
    const sts = summary.rows.find((row) => row.eventSource === 'sts.amazonaws.com');
    expect(sts).toMatchObject({ denied: 2, unknown: 0, path: 'public endpoint', statements: [PUBLIC] });
    expect(summary.rows.map((row) => row.denied + row.unknown).reduce((a, b) => a + b, 0)).toBe(7);
  });
});
