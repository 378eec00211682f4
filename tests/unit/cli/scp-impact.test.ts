// `iam-alerts scp-impact` on the fixture corpus and on hand-written records. Expected counts are computed here from
// the raw records with plain filters, not with the command's aggregator.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { main } from '../../../cli/main.js';
import { createScpImpactCommand, EXIT_UNKNOWN, scpImpactCommand } from '../../../cli/scp-impact.js';
import type { CloudTrailRecord } from '../../../shared/domain/types.js';
import { memoryIo } from '../../helpers/cli.js';
import { FIXTURES_DIR, loadCorpus } from '../../helpers/fixtures.js';

const corpusDir = join(FIXTURES_DIR, 'cloudtrail');
const handDir = join(FIXTURES_DIR, 'scp-impact');

/** Instance credentials as the issue defines them, written out independently of describePrincipal. */
const isInstanceCall = (record: CloudTrailRecord): boolean => {
  const identity = record.userIdentity;
  if (identity?.type !== 'AssumedRole') return false;
  const session = String(identity.arn ?? '').split('/')[2] ?? '';
  return (
    typeof identity.sessionContext?.ec2RoleDelivery === 'string' ||
    /^i-([0-9a-f]{8}|[0-9a-f]{17})$/i.test(session)
  );
};
const corpusInstanceCalls = () =>
  loadCorpus()
    .map((entry) => entry.record)
    .filter(isInstanceCall);

const run = async (args: string[], stdin?: NodeJS.ReadableStream) => {
  const { io, stdout, stderr } = memoryIo(FIXTURES_DIR, stdin);
  const code = await scpImpactCommand.run(args, io);
  return { code, stdout: stdout(), stderr: stderr() };
};

const jsonLines = (text: string) =>
  text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);

describe('iam-alerts scp-impact on the fixture corpus', () => {
  it('denies every public-endpoint instance call not made by a service, with --deny-public-endpoints (exit 1)', async () => {
    const expected = corpusInstanceCalls().filter(
      (record) => !record.vpcEndpointId && !record.userIdentity?.invokedBy,
    );
    expect(expected.length).toBeGreaterThan(30);
    const { code, stdout } = await run(['--deny-public-endpoints', '--jsonl', corpusDir]);
    const lines = jsonLines(stdout);
    expect(code).toBe(1);
    expect(lines.map((line) => line.eventID).sort()).toEqual(expected.map((record) => record.eventID).sort());
    expect(new Set(lines.map((line) => line.status))).toEqual(new Set(['denied']));
    expect(new Set(lines.map((line) => line.statement))).toEqual(
      new Set(['DenyEc2CredentialsOnPublicEndpoints']),
    );
  });

  it('allows calls from an egress CIDR', async () => {
    const egress = '18.236.253.47';
    const fromEgress = corpusInstanceCalls().filter((record) => record.sourceIPAddress === egress);
    const all = corpusInstanceCalls().filter((record) => !record.vpcEndpointId);
    expect(fromEgress.length).toBeGreaterThan(0);
    const { code, stdout } = await run([
      '--deny-public-endpoints',
      '--egress-cidrs',
      `${egress}/32`,
      '--jsonl',
      corpusDir,
    ]);
    expect(code).toBe(1);
    const lines = jsonLines(stdout);
    expect(lines).toHaveLength(all.length - fromEgress.length);
    expect(lines.some((line) => line.sourceIPAddress === egress)).toBe(false);
  });

  it('reports the reference design on public endpoints as unknown, never as nothing denied (exit 3)', async () => {
    const expected = corpusInstanceCalls().length;
    const { code, stdout } = await run([corpusDir]);
    expect(code).toBe(EXIT_UNKNOWN);
    expect(stdout).toContain('  0 would be denied');
    expect(stdout).toContain(`  ${expected} cannot be decided from history:`);
    expect(stdout).not.toContain('Nothing in this history would be denied');
    expect(stdout).toMatch(/stratus-red-team-ec2-steal-credentials-role\s+i-786a3A8B5C0d92eF4\s+sts/);
  });

  it('exits 0 and says so when no instance credentials appear', async () => {
    const { code, stdout } = await run([
      '--deny-public-endpoints',
      join(corpusDir, 'awsdocs-examples.jsonl'),
    ]);
    const docs = loadCorpus().filter((entry) => entry.file === 'awsdocs-examples');
    expect(docs.length).toBeGreaterThan(0);
    expect(docs.filter((entry) => isInstanceCall(entry.record))).toHaveLength(0);
    expect(code).toBe(0);
    expect(stdout).toContain('Nothing in this history would be denied.');
  });
});

describe('iam-alerts scp-impact on hand-written records', () => {
  const records = readFileSync(join(handDir, 'instance-calls.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as CloudTrailRecord);

  it('prints one --jsonl line per affected call with the issue’s fields', async () => {
    const { code, stdout } = await run([
      '--deny-public-endpoints',
      '--egress-cidrs',
      '198.51.100.0/24',
      '--jsonl',
      handDir,
    ]);
    const lines = jsonLines(stdout);
    expect(code).toBe(1);
    for (const line of lines) {
      expect(Object.keys(line)).toEqual([
        'eventID',
        'eventTime',
        'eventSource',
        'eventName',
        'awsRegion',
        'role',
        'instanceId',
        'sourceIPAddress',
        'vpcEndpointId',
        'statement',
        'status',
        'reason',
      ]);
    }
    // Independently: instance calls, not invokedBy, not from the NAT range, not the ec2-infrastructure role.
    const affected = records.filter(
      (record) =>
        isInstanceCall(record) &&
        !record.userIdentity?.invokedBy &&
        !String(record.sourceIPAddress).startsWith('198.51.100.') &&
        !String(record.userIdentity?.arn).includes('role/aws:ec2-infrastructure/'),
    );
    expect(lines.map((line) => line.eventID)).toEqual(affected.map((record) => record.eventID));
    const endpoint = lines.filter((line) => line.vpcEndpointId !== null);
    expect(endpoint.map((line) => line.vpcEndpointId)).toEqual(
      records.filter((record) => record.vpcEndpointId).map((record) => record.vpcEndpointId),
    );
    expect(new Set(endpoint.map((line) => line.status))).toEqual(new Set(['unknown']));
    expect(lines.find((line) => line.sourceIPAddress === '203.0.113.9')).toMatchObject({
      role: 'arn:aws:iam::111122223333:role/app-instance-role',
      instanceId: 'i-0123456789abcdef0',
      vpcEndpointId: null,
      statement: 'DenyEc2CredentialsOnPublicEndpoints',
      status: 'denied',
      reason: null,
    });
  });

  it('counts calls made by AWS services on the instance’s behalf as allowed', async () => {
    const via = records.filter((record) => isInstanceCall(record) && record.userIdentity?.invokedBy).length;
    expect(via).toBe(2);
    const { stdout } = await run(['--deny-public-endpoints', handDir]);
    expect(stdout).toContain(
      `  ${via} made by AWS services on the instances' behalf: allowed (s3.amazonaws.com ${via})`,
    );
  });

  it('says what it assumes for calls through a VPC endpoint', async () => {
    const { stdout } = await run(['--deny-public-endpoints', '--egress-cidrs', '198.51.100.0/24', handDir]);
    expect(stdout).toContain(
      '2 through a VPC endpoint: allowed only if that endpoint is in the instance’s VPC and the call came from the instance’s own private IP',
    );
    expect(stdout).toMatch(
      /\n\s+0\s+1\s+arn:aws:iam::111122223333:role\/app-instance-role\s+i-0123456789abcdef0\s+kms\s+eu-west-1\s+vpce-0aaa1111bbbb2222c/,
    );
  });

  it('treats a role given with --tagged-roles as exempt under --tag-exemption', async () => {
    const { stdout } = await run([
      '--deny-public-endpoints',
      '--tag-exemption',
      '--tagged-roles',
      'app-instance-role',
      '--jsonl',
      handDir,
    ]);
    expect(jsonLines(stdout).map((line) => line.role)).toEqual([
      'arn:aws:iam::111122223333:role/legacy-role',
    ]);
  });

  it('reads stdin and EventBridge events', async () => {
    const event = {
      version: '0',
      'detail-type': 'AWS API Call via CloudTrail',
      source: 'aws.sts',
      detail: records[4],
    };
    const { code, stdout } = await run(
      ['--deny-public-endpoints', '--jsonl', '-'],
      Readable.from([`${JSON.stringify(event)}\n`]),
    );
    expect(code).toBe(1);
    expect(jsonLines(stdout).map((line) => line.eventID)).toEqual([records[4]?.eventID]);
  });
});

describe('iam-alerts scp-impact exit codes and usage', () => {
  it.each([
    [['--egress-cidrs', '10.0.0.0/33', 'x'], 'not an IP address or CIDR'],
    [['--egress-cidrs', '256.1.1.1', 'x'], 'not an IP address or CIDR'],
    [['--egress-cidrs', '2001:db8::/129', 'x'], 'not an IP address or CIDR'],
    [['--egress-cidrs', '1.2.3.4/32,', 'x'], 'empty item'],
    [['--no-such-option', 'x'], 'Unknown option'],
    [['--ec2-infrastructure-exception', 'maybe', 'x'], 'true or false'],
    [['--tagged-roles', 'a', 'x'], 'needs --tag-exemption'],
    [[], 'give at least one PATH'],
  ])('exits 2 for %j', async (args, message) => {
    const { io, stderr } = memoryIo(FIXTURES_DIR);
    expect(await main(['scp-impact', ...args], io)).toBe(2);
    expect(stderr()).toContain(message);
  });

  it('takes IPv6 egress CIDRs as the stack parameter does, and decides IPv4 callers against them', async () => {
    // An IPv4 caller lies in no IPv6 range, so NotIpAddressIfExists holds and the public-endpoint call is denied.
    const { code, stderr } = await run(['--deny-public-endpoints', '--egress-cidrs', '2001:db8::/32', '.']);
    expect(stderr).not.toContain('egress-cidrs');
    expect(code).toBe(1);
  });

  it('exits 1 for an unreadable path, and names it', async () => {
    const { code, stderr } = await run(['no-such-dir']);
    expect(code).toBe(1);
    expect(stderr).toContain('no-such-dir');
  });

  it('is listed by iam-alerts --help', async () => {
    const { io, stdout } = memoryIo(FIXTURES_DIR);
    expect(await main(['--help'], io)).toBe(0);
    expect(stdout()).toContain('scp-impact');
  });
});

describe('iam-alerts scp-impact progress', () => {
  const withTty = (isTTY: boolean) => {
    const { io, stdout, stderr } = memoryIo(FIXTURES_DIR);
    io.stderr.isTTY = isTTY;
    return { io, stdout, stderr };
  };

  it('draws a progress bar on a terminal', async () => {
    const { io, stderr } = withTty(true);
    await createScpImpactCommand(0).run([corpusDir], io);
    expect(stderr()).toContain('\r[');
  });

  it('never draws one on a pipe', async () => {
    const { io, stderr } = withTty(false);
    await createScpImpactCommand(0).run([corpusDir], io);
    expect(stderr()).not.toContain('\r');
  });
});
