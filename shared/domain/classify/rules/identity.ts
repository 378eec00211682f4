// parse → [classify] → enrich → format → publish
// Identity rules about EC2 instance credentials used away from their instance: denied by the service control
// policy that pins them to their instance, or used from outside the instances' egress addresses.
import type { InstanceCredentialUse } from '../../types.js';
import { describeSourceScope, inCidr, parseCidr, parseIpAddress } from '../addresses.js';
import type { Facts, Rule } from '../facts.js';

/** The facts of a call made with EC2 instance credentials; `undefined` for any other caller. */
export const describeInstanceUse = (facts: Facts): InstanceCredentialUse | undefined => {
  const { principal, record, service, name } = facts;
  const ec2 = principal.ec2Instance;
  if (!ec2) return undefined;
  return {
    ...(principal.issuerName ? { role: principal.issuerName } : {}),
    ...(ec2.instanceId ? { instanceId: ec2.instanceId } : {}),
    ...(principal.sourceIp ? { sourceIp: principal.sourceIp } : {}),
    sourceScope: describeSourceScope(principal.sourceIp),
    network: principal.vpcEndpointId ? 'vpc-endpoint' : 'public-endpoint',
    ...(principal.vpcEndpointId ? { vpcEndpointId: principal.vpcEndpointId } : {}),
    service,
    operation: name,
    ...(record.awsRegion ? { region: record.awsRegion } : {}),
  };
};

/** `role web-role (instance i-0abc…)`. */
export const instanceCredentialsOf = (use: InstanceCredentialUse): string =>
  `role ${use.role ?? 'unknown'}${use.instanceId ? ` (instance ${use.instanceId})` : ''}`;

/** `s3:ListBuckets in eu-west-1`. */
const callOf = (use: InstanceCredentialUse): string =>
  `${use.service}:${use.operation}${use.region ? ` in ${use.region}` : ''}`;

/** `from 203.0.113.9 (a public address) through a public endpoint`, `… through VPC endpoint vpce-1`. */
const pathOf = (use: InstanceCredentialUse): string => {
  const scope =
    use.sourceScope === 'public'
      ? ' (a public address)'
      : use.sourceScope === 'private'
        ? ' (a private address)'
        : '';
  const from = use.sourceIp ? `from ${use.sourceIp}${scope}` : 'from an unknown address';
  return `${from} through ${use.network === 'vpc-endpoint' ? `VPC endpoint ${use.vpcEndpointId}` : 'a public endpoint'}`;
};

/**
 * EC2 instance credentials denied by a service control policy: the deployed SCP denies them away from their
 * instance, so they were most likely stolen. `critical` from a public address (the SCP denies public-endpoint use
 * only in its `ScpDenyPublicEndpoints` variant, from outside the egress list: someone on the internet holds the
 * credentials); `high` otherwise (another VPC's endpoint or another private address). Repetition is left to the
 * rules engine's grouping: one record cannot show it.
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-ec2instancesourcevpc
 */
export const instanceCredentialsDeniedRule: Rule = (facts) => {
  if (!facts.outcome.scpDenied) return undefined;
  const use = describeInstanceUse(facts);
  if (!use) return undefined;
  const isPublic = use.sourceScope === 'public';
  return {
    severity: isPublic ? 'critical' : 'high',
    code: 'instance-credentials-denied',
    text: `the EC2 instance credentials of ${instanceCredentialsOf(use)} were denied by a service control policy calling ${callOf(use)} ${pathOf(use)}: the credentials were used away from their instance, so they are most likely stolen (for example read from the instance metadata service through SSRF)${isPublic ? ', and used from the internet' : ''}`,
    instanceCredentials: use,
  };
};

/** Whether the call, made with instance credentials from an IP address, is outside the egress list. */
export const isOutsideEgress = (facts: Facts, use: InstanceCredentialUse): boolean => {
  const blocks = (facts.options.instanceEgressCidrs ?? []).flatMap((cidr) => parseCidr(cidr) ?? []);
  if (blocks.length === 0 || use.network === 'vpc-endpoint') return false;
  const ip = parseIpAddress(use.sourceIp);
  return ip !== undefined && !blocks.some((block) => inCidr(ip, block));
};

/**
 * A successful call with instance credentials from an address outside the configured egress addresses, not through
 * a VPC endpoint: the detection counterpart of the SCP's public-endpoint variant, for teams that cannot attach it.
 * Only when `instanceEgressCidrs` is set; AWS service names (a service calling for the instance) are not addresses.
 */
export const instanceOutsideEgressRule: Rule = (facts) => {
  if (facts.outcome.failed) return undefined;
  const use = describeInstanceUse(facts);
  if (!use || !isOutsideEgress(facts, use)) return undefined;
  return {
    severity: 'high',
    code: 'instance-credentials-outside-egress',
    text: `the EC2 instance credentials of ${instanceCredentialsOf(use)} were used from ${use.sourceIp}, outside your egress addresses (InstanceEgressCidrs), through a public endpoint, and ${callOf(use)} succeeded: the credentials are likely used away from their instance (stolen)`,
    instanceCredentials: use,
  };
};
