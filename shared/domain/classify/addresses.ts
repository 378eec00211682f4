// parse → [classify] → enrich → format → publish
// Source addresses: is `sourceIPAddress` an IP address, a private one, inside a list of CIDRs; and the complement of
// a CIDR list as CIDR blocks (EventBridge's `anything-but` takes no `cidr`, so "outside the list" is written as the
// blocks that cover everything else).

/** An IP address as a number, with its family. */
export interface IpAddress {
  version: 4 | 6;
  value: bigint;
}

/** A CIDR block: its first address and prefix length. */
export interface CidrBlock {
  version: 4 | 6;
  base: bigint;
  bits: number;
}

const WIDTH = { 4: 32, 6: 128 } as const;

const parseIpv4 = (text: string): bigint | undefined => {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0n;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part) || Number(part) > 255) return undefined;
    value = (value << 8n) | BigInt(Number(part));
  }
  return value;
};

const parseIpv6 = (text: string): bigint | undefined => {
  let body = text;
  let tail: bigint | undefined;
  // An embedded IPv4 tail (`::ffff:192.0.2.1`) stands for the last two groups.
  if (body.includes('.')) {
    const cut = body.lastIndexOf(':');
    tail = parseIpv4(body.slice(cut + 1));
    if (tail === undefined) return undefined;
    body = body.slice(0, cut + 1);
    if (!body.endsWith('::')) body = body.slice(0, -1);
  }
  const halves = body.split('::');
  if (halves.length > 2) return undefined;
  const head = halves[0] ? halves[0].split(':') : [];
  const rest = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  const wanted = tail === undefined ? 8 : 6;
  const missing = wanted - head.length - rest.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  let value = 0n;
  for (const group of [...head, ...Array<string>(missing).fill('0'), ...rest]) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(group)) return undefined;
    value = (value << 16n) | BigInt(Number.parseInt(group, 16));
  }
  return tail === undefined ? value : (value << 32n) | tail;
};

/** Parses an IPv4 or IPv6 address; `undefined` for anything else (an AWS service name, `AWS Internal`). */
export const parseIpAddress = (text: string | undefined): IpAddress | undefined => {
  if (!text) return undefined;
  if (text.includes(':')) {
    const value = parseIpv6(text);
    return value === undefined ? undefined : { version: 6, value };
  }
  const value = parseIpv4(text);
  return value === undefined ? undefined : { version: 4, value };
};

/** Parses `a.b.c.d/n` or an IPv6 CIDR (a bare address is a single-address block); `undefined` if malformed. */
export const parseCidr = (text: string): CidrBlock | undefined => {
  const [address = '', bitsText, extra] = text.trim().split('/');
  if (extra !== undefined) return undefined;
  const ip = parseIpAddress(address);
  if (!ip) return undefined;
  const width = WIDTH[ip.version];
  if (bitsText !== undefined && !/^\d{1,3}$/.test(bitsText)) return undefined;
  const bits = bitsText === undefined ? width : Number(bitsText);
  if (bits > width) return undefined;
  const hostBits = BigInt(width - bits);
  return { version: ip.version, base: (ip.value >> hostBits) << hostBits, bits };
};

const lastOf = (block: CidrBlock): bigint =>
  block.base + (1n << BigInt(WIDTH[block.version] - block.bits)) - 1n;

/** Whether an address lies in a block of the same family. */
export const inCidr = (ip: IpAddress, block: CidrBlock): boolean =>
  ip.version === block.version && ip.value >= block.base && ip.value <= lastOf(block);

const block = (text: string): CidrBlock => {
  const parsed = parseCidr(text);
  if (!parsed) throw new Error(`bad built-in CIDR ${text}`);
  return parsed;
};

/**
 * Addresses that are not on the internet: RFC 1918 private networks, shared address space (CGNAT, RFC 6598),
 * loopback, link-local (IPv4 and IPv6, including the instance metadata address) and IPv6 unique local addresses.
 * @see https://www.rfc-editor.org/rfc/rfc1918 (private), https://www.rfc-editor.org/rfc/rfc6598 (CGNAT)
 * @see https://www.rfc-editor.org/rfc/rfc3927 (IPv4 link-local), https://www.rfc-editor.org/rfc/rfc4193 (IPv6 ULA)
 */
export const NON_PUBLIC_CIDRS: readonly string[] = [
  '10.0.0.0/8',
  '172.16.0.0/12',
  '192.168.0.0/16',
  '100.64.0.0/10',
  '127.0.0.0/8',
  '169.254.0.0/16',
  '::1/128',
  'fc00::/7',
  'fe80::/10',
];
const NON_PUBLIC_BLOCKS = NON_PUBLIC_CIDRS.map(block);

/**
 * Where a call's `sourceIPAddress` comes from: `public` (an IP address outside every range of `NON_PUBLIC_CIDRS`),
 * `private` (inside one), `aws-service` (not an address: CloudTrail writes the service's name, e.g.
 * `ec2.amazonaws.com`, or `AWS Internal`, when a service made the call), `unknown` (absent).
 * AWS's own public ranges (ip-ranges.json) are not known offline: an address of an AWS region counts as `public`.
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html
 */
export type SourceScope = 'public' | 'private' | 'aws-service' | 'unknown';

/** The scope of a `sourceIPAddress` (see `SourceScope`). */
export const describeSourceScope = (sourceIp: string | undefined): SourceScope => {
  if (!sourceIp) return 'unknown';
  const ip = parseIpAddress(sourceIp);
  if (!ip) return 'aws-service';
  return NON_PUBLIC_BLOCKS.some((range) => inCidr(ip, range)) ? 'private' : 'public';
};

/** A block as CIDR text: `a.b.c.d/n`, or IPv6 groups with the longest run of zero groups written `::`. */
export const formatCidr = ({ version, base, bits }: CidrBlock): string => {
  if (version === 4) {
    const octets = [24n, 16n, 8n, 0n].map((shift) => String((base >> shift) & 255n));
    return `${octets.join('.')}/${bits}`;
  }
  const groups = Array.from({ length: 8 }, (_, i) => ((base >> BigInt(112 - 16 * i)) & 0xffffn).toString(16));
  // Compress the longest run of zero groups (RFC 5952) so the pattern stays short.
  let bestStart = -1;
  let bestLength = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > bestLength) [bestStart, bestLength] = [i, j - i];
    i = j;
  }
  const text =
    bestLength > 1
      ? `${groups.slice(0, bestStart).join(':')}::${groups.slice(bestStart + bestLength).join(':')}`
      : groups.join(':');
  return `${text}/${bits}`;
};

/**
 * The CIDR blocks that cover every address of one family outside `blocks`, in address order.
 * No block is wider than half the address space (`0.0.0.0/1`, `128.0.0.0/1`), so that no pattern says `/0`.
 */
export const complementCidrs = (blocks: readonly CidrBlock[], version: 4 | 6): CidrBlock[] => {
  const width = WIDTH[version];
  const top = (1n << BigInt(width)) - 1n;
  const ranges = blocks
    .filter((b) => b.version === version)
    .map((b) => [b.base, lastOf(b)] as const)
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const gaps: Array<readonly [bigint, bigint]> = [];
  let next = 0n;
  for (const [start, end] of ranges) {
    if (start > next) gaps.push([next, start - 1n]);
    if (end + 1n > next) next = end + 1n;
  }
  if (next <= top) gaps.push([next, top]);
  const out: CidrBlock[] = [];
  for (const [start, end] of gaps) {
    let from = start;
    while (from <= end) {
      // The widest aligned block that starts at `from` and ends by `end`, at most half the space.
      let bits = 1;
      while (bits < width) {
        const size = 1n << BigInt(width - bits);
        if (from % size === 0n && from + size - 1n <= end) break;
        bits++;
      }
      out.push({ version, base: from, bits });
      from += 1n << BigInt(width - bits);
    }
  }
  return out;
};
