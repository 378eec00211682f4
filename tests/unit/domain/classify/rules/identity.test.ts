// Identity rules: root user activity, console sign-ins, EC2 instance credentials denied by an SCP or used from
// outside the egress addresses. Real corpus records where they exist, hand-written ones (tests/fixtures/identity/).
// CloudTrail's sign-in fields (`responseElements.ConsoleLogin`, `additionalEventData.MFAUsed`):
// https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-aws-console-sign-in-events.html
// Root activity as CIS AWS Foundations 4.3 filters it (`userIdentity.type = Root`, no `invokedBy`,
// `eventType != AwsServiceEvent`); `eventType` values:
// https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { classifyEvent } from '../../../../../shared/domain/classify/index.js';
import { parseIamEvent } from '../../../../../shared/domain/cloudtrail.js';
import { describePrincipal } from '../../../../../shared/domain/principal.js';
import type { Classification, CloudTrailRecord } from '../../../../../shared/domain/types.js';
import { FIXTURES_DIR, findRecord } from '../../../../helpers/fixtures.js';
import { classify, codes } from '../classify-helpers.js';

const lines = (file: string): CloudTrailRecord[] =>
  readFileSync(join(FIXTURES_DIR, 'identity', file), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as CloudTrailRecord);

const IDENTITY = lines('identity-rules.jsonl');
/** Line `n` (1-based) of tests/fixtures/identity/identity-rules.jsonl, as its README lists them. */
const line = (n: number): CloudTrailRecord => structuredClone(IDENTITY[n - 1] as CloudTrailRecord);

const EGRESS = ['198.51.100.7/32', '192.0.2.0/24'];

const classifyWith = (raw: CloudTrailRecord, instanceEgressCidrs: readonly string[]): Classification => {
  const event = parseIamEvent(raw);
  return classifyEvent(event, describePrincipal(event.record), { instanceEgressCidrs });
};

describe('identity rules: root user activity', () => {
  it('rates a root console sign-in in eu-west-1 critical even with MFA', () => {
    const result = classify(line(6));

    expect([result.severity, result.title, codes(result)]).toEqual([
      'critical',
      'The root user signed in to the console',
      ['root-sign-in'],
    ]);
  });

  it('rates a root read high: CIS alerts every root use, a read changes nothing', () => {
    const result = classify(line(7));

    expect([result.severity, result.category, codes(result)]).toEqual(['high', 'read', ['root-activity']]);
    expect(result.reasons[0]?.text).toBe('the root user was used (CIS: any root use is alerted)');
  });

  it('does not call a call an AWS service made for root (invokedBy) root activity', () => {
    const result = classify(line(4));

    expect(codes(result)).not.toContain('root-activity');
    expect(result.severity).toBe('low');
  });

  it('does not call a service event AWS wrote about root (AwsServiceEvent) root activity', () => {
    const result = classify(line(5));

    expect(codes(result).filter((code) => code.startsWith('root'))).toEqual([]);
    expect(result.severity).toBe('low');
  });

  it('rates a failed root sign-in medium, and says what it means', () => {
    const result = classify(
      findRecord(
        (r) =>
          r.eventName === 'ConsoleLogin' &&
          r.userIdentity.type === 'Root' &&
          r.responseElements?.ConsoleLogin === 'Failure',
      ),
    );

    expect(result.severity).toBe('medium');
    expect(result.reasons[0]).toEqual({
      severity: 'medium',
      code: 'root-sign-in-failed',
      text: "a console sign-in as the root user failed (Failed authentication): whoever tried knows the account's root e-mail address; one is a typo, several are an attack",
    });
  });
});

describe('identity rules: console sign-ins', () => {
  it.each([
    ['the AWS documentation', 'Mary_Major'],
    ['Stratus Red Team', 'stratus-red-team-nmfalu-jfzdtsvchl'],
    ['Invictus', 'stratus-red-team-nmfalu-gfjyeaypjt'],
  ])('rates an IAM user sign-in without MFA high (%s)', (_source, userName) => {
    const result = classify(
      findRecord((r) => r.eventName === 'ConsoleLogin' && r.userIdentity.userName === userName),
    );

    expect([result.severity, result.family, result.category]).toEqual(['high', 'Console', 'credentials']);
    expect(result.reasons[0]).toMatchObject({ severity: 'high', code: 'console-login-without-mfa' });
  });

  it('says nothing of MFA for an IAM user who signed in with it', () => {
    const result = classify(
      findRecord((r) => r.eventName === 'ConsoleLogin' && r.userIdentity.userName === 'bert-jan'),
    );

    expect([result.severity, codes(result)]).toEqual(['low', ['operation']]);
  });

  it('does not call a federated or Identity Center sign-in "without MFA": the identity provider did the MFA', () => {
    const federated = classify(lines('aws-cli-examples.jsonl')[0] as CloudTrailRecord);
    const identityCenter = classify(line(12));

    for (const result of [federated, identityCenter]) {
      expect([result.severity, codes(result)]).toEqual(['low', ['operation']]);
    }
    expect(identityCenter.title).toBe(
      'Identity Center user jane@example.com (permission set AdministratorAccess) signed in to the console',
    );
  });

  it('rates each failed IAM user sign-in low: bursts are grouped by the rules engine, not paged one by one', () => {
    const result = classify(
      findRecord((r) => r.eventName === 'ConsoleLogin' && r.userIdentity.userName === 'JaneDoe'),
    );

    expect([result.severity, codes(result)]).toEqual(['low', ['sign-in-failed']]);
  });
});

describe('identity rules: EC2 instance credentials denied by an SCP', () => {
  it('rates stolen credentials denied from a public address critical, naming role, instance, source, path, call', () => {
    const result = classify(line(1));

    expect([result.severity, result.family, result.category]).toEqual([
      'critical',
      'Describe',
      'credentials',
    ]);
    expect(result.title).toBe(
      'SCP denied ec2:DescribeInstances from 203.0.113.9 (public endpoint) with instance credentials of role stratus-red-team-ec2-steal-credentials-role (i-786a3A8B5C0d92eF4)',
    );
    expect(result.reasons[0]).toEqual({
      severity: 'critical',
      code: 'instance-credentials-denied',
      text: 'the EC2 instance credentials of role stratus-red-team-ec2-steal-credentials-role (instance i-786a3A8B5C0d92eF4) were denied by a service control policy calling ec2:DescribeInstances in eu-west-1 from 203.0.113.9 (a public address) through a public endpoint: the credentials were used away from their instance, so they are most likely stolen (for example read from the instance metadata service through SSRF), and used from the internet',
      instanceCredentials: {
        role: 'stratus-red-team-ec2-steal-credentials-role',
        instanceId: 'i-786a3A8B5C0d92eF4',
        sourceIp: '203.0.113.9',
        sourceScope: 'public',
        network: 'public-endpoint',
        service: 'ec2',
        operation: 'DescribeInstances',
        region: 'eu-west-1',
      },
    });
    expect(codes(result)).not.toContain('scp-denied');
  });

  it('rates a denial through another VPC endpoint from a private address high, naming the endpoint', () => {
    const result = classify(line(2));

    expect(result.severity).toBe('high');
    expect(result.title).toBe(
      'SCP denied secretsmanager:GetSecretValue from 10.20.30.40 (VPC endpoint vpce-0fedcba9876543210) with instance credentials of role web-role (i-0abc1234def567890)',
    );
    expect(result.reasons[0]).toMatchObject({
      code: 'instance-credentials-denied',
      instanceCredentials: {
        sourceScope: 'private',
        network: 'vpc-endpoint',
        vpcEndpointId: 'vpce-0fedcba9876543210',
        region: 'eu-west-1',
      },
    });
    expect(result.reasons[0]?.text).toContain(
      'from 10.20.30.40 (a private address) through VPC endpoint vpce-0fedcba9876543210',
    );
  });

  it('treats a denial by an identity policy as an ordinary denied read, not stolen credentials', () => {
    const result = classify(line(3));

    expect(codes(result)).not.toContain('instance-credentials-denied');
    expect([result.severity, codes(result)]).toEqual(['low', ['access-denied-read']]);
  });

  it('keeps scp-denied for callers that are not instance credentials', () => {
    const raw = line(2);
    delete raw.userIdentity.sessionContext?.ec2RoleDelivery;
    const result = classify(raw);

    expect(codes(result)).toEqual(['scp-denied']);
  });
});

describe('identity rules: instance credentials outside the egress addresses (issue 16, item 5)', () => {
  it('raises nothing without egress CIDRs', () => {
    const stolen = findRecord(
      (r) => r.eventName === 'DescribeInstances' && r.sourceIPAddress === '18.236.253.47',
    );

    expect(codes(classifyWith(stolen, []))).not.toContain('instance-credentials-outside-egress');
  });

  it("rates Stratus Red Team's stolen credentials used from 18.236.253.47 high when egress CIDRs are set", () => {
    const stolen = findRecord(
      (r) => r.eventName === 'DescribeInstances' && r.sourceIPAddress === '18.236.253.47',
    );

    const result = classifyWith(stolen, EGRESS);

    expect([result.severity, result.category]).toEqual(['high', 'credentials']);
    expect(classifyWith(stolen, []).category).toBe('read');
    expect(result.title).toBe(
      'Instance credentials of role stratus-red-team-ec2-steal-credentials-role (i-786a3A8B5C0d92eF4) used outside your egress addresses: ec2:DescribeInstances from 18.236.253.47',
    );
    expect(result.reasons[0]).toMatchObject({
      severity: 'high',
      code: 'instance-credentials-outside-egress',
      instanceCredentials: { sourceIp: '18.236.253.47', network: 'public-endpoint', service: 'ec2' },
    });
    expect(result.reasons[0]?.text).toMatch(
      /^the EC2 instance credentials of role stratus-red-team-ec2-steal-credentials-role \(instance i-786a3A8B5C0d92eF4\) were used from 18\.236\.253\.47, outside your egress addresses/,
    );
  });

  it.each([
    ['through the VPC endpoint', 8],
    ['from the NAT address in the list', 9],
    ['by an AWS service for the instance (sourceIPAddress is a name)', 11],
    ['when the call failed', 3],
  ])('raises nothing %s', (_case, n) => {
    expect(codes(classifyWith(line(n), EGRESS))).not.toContain('instance-credentials-outside-egress');
  });

  it('raises it from an IPv6 address outside an IPv4-only list (list your IPv6 egress prefixes too)', () => {
    expect(codes(classifyWith(line(10), EGRESS))).toContain('instance-credentials-outside-egress');
    expect(codes(classifyWith(line(10), [...EGRESS, '2001:db8:85a3::/48']))).not.toContain(
      'instance-credentials-outside-egress',
    );
  });

  it('ignores malformed egress entries rather than failing the alert', () => {
    expect(() => classifyWith(line(9), ['not-a-cidr', '198.51.100.7/33'])).not.toThrow();
    expect(codes(classifyWith(line(9), ['not-a-cidr']))).not.toContain('instance-credentials-outside-egress');
  });
});
