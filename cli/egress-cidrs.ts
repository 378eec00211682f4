// `--egress-cidrs`, as `replay` and `scp-impact` read it: the stack parameter InstanceEgressCidrs, offline.
import { parseCidr } from '../shared/domain/classify/addresses.js';
import { UsageError } from './io.js';

/**
 * Parses `--egress-cidrs a,b`: IPv4 or IPv6 addresses or CIDRs, comma-separated, trimmed. An empty item or a
 * malformed one is a usage error: the deployment refuses both (an empty item would make Organizations reject the SCP).
 */
export const parseEgressCidrs = (text: string): string[] =>
  text.split(',').map((raw) => {
    const cidr = raw.trim();
    if (cidr === '')
      throw new UsageError('--egress-cidrs has an empty item (Organizations would reject the policy)');
    if (!parseCidr(cidr)) throw new UsageError(`--egress-cidrs: '${cidr}' is not an IP address or CIDR`);
    return cidr;
  });
