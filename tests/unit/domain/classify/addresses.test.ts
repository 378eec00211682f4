// Source addresses: parsing, CIDR membership, scope (public/private/AWS service) and CIDR complements.
import {
  complementCidrs,
  describeSourceScope,
  formatCidr,
  inCidr,
  parseCidr,
  parseIpAddress,
} from '../../../../shared/domain/classify/addresses.js';

const cidr = (text: string) => {
  const block = parseCidr(text);
  if (!block) throw new Error(`bad CIDR in test: ${text}`);
  return block;
};

/** Every address of a small range, as numbers, for an independent check of a complement. */
const covers = (blocks: ReturnType<typeof complementCidrs>, value: bigint): boolean =>
  blocks.some((block) => inCidr({ version: block.version, value }, block));

describe('parseIpAddress and parseCidr', () => {
  it.each([
    ['192.0.2.1', 4, 0xc0000201n],
    ['2001:db8::1', 6, 0x20010db8000000000000000000000001n],
    ['::ffff:192.0.2.1', 6, 0xffffc0000201n],
    ['::', 6, 0n],
  ])('parses %s', (text, version, value) => {
    expect(parseIpAddress(text)).toEqual({ version, value });
  });

  it.each(['ec2.amazonaws.com', 'AWS Internal', '256.0.0.1', '1.2.3', '1::2::3', '', undefined])(
    'refuses %p',
    (text) => {
      expect(parseIpAddress(text)).toBeUndefined();
    },
  );

  it('normalises a CIDR to its network and refuses bad prefixes', () => {
    expect(formatCidr(cidr('198.51.100.77/24'))).toBe('198.51.100.0/24');
    expect(formatCidr(cidr('203.0.113.9'))).toBe('203.0.113.9/32');
    expect(formatCidr(cidr('2001:db8:85a3::8a2e:370:7334/48'))).toBe('2001:db8:85a3::/48');
    for (const bad of ['10.0.0.0/33', '10.0.0.0/x', '10.0.0.0/8/8', 'fc00::/129']) {
      expect(parseCidr(bad)).toBeUndefined();
    }
  });

  it('never puts an address in a block of the other family', () => {
    const v4 = parseIpAddress('0.0.0.1');
    expect(v4 && inCidr(v4, cidr('::/1'))).toBe(false);
  });
});

describe('describeSourceScope', () => {
  it.each([
    ['10.20.30.40', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.10.20', 'private'],
    ['100.64.0.1', 'private'],
    ['169.254.169.254', 'private'],
    ['fd00::1', 'private'],
    ['fe80::1', 'private'],
    ['172.32.0.1', 'public'],
    ['18.236.253.47', 'public'],
    ['2001:db8::1', 'public'],
    ['secretsmanager.amazonaws.com', 'aws-service'],
    ['AWS Internal', 'aws-service'],
    [undefined, 'unknown'],
  ])('%s is %s', (address, scope) => {
    expect(describeSourceScope(address)).toBe(scope);
  });
});

describe('complementCidrs', () => {
  it('covers exactly the addresses outside the list (checked address by address on the edges)', () => {
    const list = [cidr('198.51.100.0/24'), cidr('192.0.2.7/32')];
    const outside = complementCidrs(list, 4);
    const probes: Array<[string, boolean]> = [
      ['0.0.0.0', true],
      ['192.0.2.6', true],
      ['192.0.2.7', false],
      ['192.0.2.8', true],
      ['198.51.99.255', true],
      ['198.51.100.0', false],
      ['198.51.100.255', false],
      ['198.51.101.0', true],
      ['255.255.255.255', true],
    ];
    for (const [address, expected] of probes) {
      const ip = parseIpAddress(address);
      expect([address, ip !== undefined && covers(outside, ip.value)]).toEqual([address, expected]);
    }
    // A /24 and a /32 leave 24 + 32 blocks minus the shared prefix: far fewer than the addresses.
    expect(outside.length).toBeLessThanOrEqual(56);
  });

  it('merges overlapping blocks and never writes a /0', () => {
    const outside = complementCidrs([cidr('10.0.0.0/8'), cidr('10.1.0.0/16')], 4);
    expect(outside.map(formatCidr)).toEqual([
      '0.0.0.0/5',
      '8.0.0.0/7',
      '11.0.0.0/8',
      '12.0.0.0/6',
      '16.0.0.0/4',
      '32.0.0.0/3',
      '64.0.0.0/2',
      '128.0.0.0/1',
    ]);
    expect(complementCidrs([], 6).map(formatCidr)).toEqual(['::/1', '8000::/1']);
  });
});
