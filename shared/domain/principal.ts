// parse → [classify: who made the call] → enrich → format → publish
// Who made a call, from the CloudTrail record alone: no API calls, no I/O.
import type { AccessMethod, CloudTrailRecord, Principal, UserIdentity } from './types.js';
import { shorten } from './values.js';

const isString = (value: unknown): value is string => typeof value === 'string' && value !== '';

/** The last path segment of an ARN: `arn:aws:iam::1:user/path/bob` → `bob`. */
const lastSegment = (arn: string): string => arn.slice(arn.lastIndexOf('/') + 1) || arn;

/** `arn:aws:sts::1:assumed-role/Role/session` → `{ role: 'Role', session: 'session' }`. */
const parseSessionArn = (arn: string | undefined): { role?: string; session?: string } => {
  const match = arn ? /:(?:assumed-role|federated-user)\/(.+)$/.exec(arn) : null;
  if (!match?.[1]) return {};
  const parts = match[1].split('/');
  if (parts.length === 1) return { session: parts[0] };
  return { role: parts.slice(0, -1).join('/'), session: parts.at(-1) };
};

/** CloudTrail writes the string `"true"`/`"false"`; accept a boolean from replays that converted it. */
const parseFlag = (value: unknown): boolean | undefined => {
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  return undefined;
};

// EC2 instance ids: `i-` and 8 or 17 hex digits. Case-insensitive: Stratus Red Team's anonymised ids mix cases.
const INSTANCE_ID = /^i-(?:[0-9a-f]{8}|[0-9a-f]{17})$/i;

/** Whether a text is an EC2 instance id (`i-` and 8 or 17 hex digits), as EC2 names instance-role sessions. */
export const isEc2InstanceId = (text: string | undefined): text is string =>
  text !== undefined && INSTANCE_ID.test(text);

interface Agent {
  via: AccessMethod;
  viaLabel: string;
}

const CONSOLE: Agent = { via: 'console', viaLabel: 'AWS console' };

// Console front ends that call APIs on the user's behalf name themselves in the agent:
// `S3Console/0.4, aws-internal/3 …`, `RDS Console, aws-internal/3 …`, `EC2ConsoleFrontend, …`, `AWSConsole`.
const CONSOLE_AGENT = /^(?:AWSConsole|[A-Za-z0-9]*\s?Console[A-Za-z]*\b)/;

// Keyed by text from the user agent: a Map, so `aws-sdk-constructor/1` finds nothing.
const SDK_NAMES: ReadonlyMap<string, string> = new Map([
  ['js', 'AWS SDK for JavaScript'],
  ['nodejs', 'AWS SDK for JavaScript'],
  ['go', 'AWS SDK for Go'],
  ['go-v2', 'AWS SDK for Go v2'],
  ['java', 'AWS SDK for Java'],
  ['java-v2', 'AWS SDK for Java v2'],
  ['dotnet', 'AWS SDK for .NET'],
  ['dotnet-coreclr', 'AWS SDK for .NET'],
  ['ruby', 'AWS SDK for Ruby'],
  ['ruby2', 'AWS SDK for Ruby'],
  ['ruby3', 'AWS SDK for Ruby'],
  ['php', 'AWS SDK for PHP'],
  ['rust', 'AWS SDK for Rust'],
  ['cpp', 'AWS SDK for C++'],
  ['kotlin', 'AWS SDK for Kotlin'],
  ['swift', 'AWS SDK for Swift'],
]);

/** How long a user agent may be where it names the client. */
const AGENT_LABEL_MAX = 60;

/**
 * Classifies a user agent string. Order matters: Terraform's agent also names the Go SDK, the CLI's names
 * botocore, and console back ends name the Java SDK.
 */
const classifyAgent = (userAgent: string): Agent | undefined => {
  // CloudTrail wraps some agents in brackets: `[aws-cli/1.18.136 Python/3.8.5 …]`.
  const ua = userAgent.replace(/^\[(.*)\]$/s, '$1').trim();
  const terraform = /\bTerraform\/([\w.+-]+)/.exec(ua);
  if (terraform) {
    const provider = /terraform-provider-aws\/([\w.+-]+)/.exec(ua);
    return {
      via: 'terraform',
      viaLabel: `Terraform ${terraform[1]}${provider ? ` (AWS provider ${provider[1]})` : ''}`,
    };
  }
  if (/cloudformation\.amazonaws\.com|\bAWS ?CloudFormation\b/i.test(ua)) {
    return { via: 'cloudformation', viaLabel: 'CloudFormation' };
  }
  if (
    ua === 'AWS Internal' ||
    ua === 'signin.amazonaws.com' ||
    /^console(?:\.[a-z0-9-]+)?\.amazonaws\.com$/.test(ua) ||
    CONSOLE_AGENT.test(ua) ||
    /^Mozilla\//.test(ua)
  ) {
    return CONSOLE;
  }
  const cli = /\baws-cli\/([\w.]+)/.exec(ua);
  if (cli) return { via: 'cli', viaLabel: `AWS CLI ${cli[1]}` };
  if (/^(?:ec2-api-tools|AWSPowerShell)\b/.test(ua)) {
    return { via: 'cli', viaLabel: shorten(ua.split(/[\s,]/)[0] ?? ua, AGENT_LABEL_MAX) };
  }
  const boto3 = /\bBoto3\/([\w.]+)/i.exec(ua);
  if (boto3) return { via: 'sdk', viaLabel: `Boto3 ${boto3[1]}` };
  const sdk = /\baws-sdk-([a-z0-9-]+?)\/([\w.]+)/i.exec(ua);
  if (sdk?.[1] && sdk[2]) {
    const lang = sdk[1].toLowerCase();
    // aws-sdk-js v3 writes `aws-sdk-js/3.x`; the major version tells it from v2.
    const name = SDK_NAMES.get(lang) ?? `AWS SDK (${lang})`;
    const app = /\b(amazon-ssm-agent|aws-chalice|aws-sam-cli|copilot|cdk)\b/i.exec(ua);
    return { via: 'sdk', viaLabel: `${name} ${sdk[2]}${app ? ` (${app[1]})` : ''}` };
  }
  const botocore = /\bBotocore\/([\w.]+)/i.exec(ua);
  if (botocore) return { via: 'sdk', viaLabel: `botocore ${botocore[1]}` };
  if (/^[a-z0-9-]+\.amazonaws\.com$/.test(ua)) return { via: 'aws-service', viaLabel: `AWS service ${ua}` };
  // `[AWSCloudTrail, aws-internal/3 aws-sdk-java/…]`: an AWS service's own back end.
  if (/\baws-internal\//.test(ua)) {
    return { via: 'aws-service', viaLabel: `AWS service ${shorten(ua.split(',')[0] ?? ua, 40)}` };
  }
  return undefined;
};

const describeAccess = (record: CloudTrailRecord, identity: UserIdentity, type: string): Agent => {
  const invokedBy = identity.invokedBy;
  // A service acting for a principal (`invokedBy: cloudformation.amazonaws.com`) says more than the agent.
  if (isString(invokedBy) && invokedBy !== 'AWS Internal' && invokedBy !== 'signin.amazonaws.com') {
    if (invokedBy === 'cloudformation.amazonaws.com')
      return { via: 'cloudformation', viaLabel: 'CloudFormation' };
    return { via: 'aws-service', viaLabel: `AWS service ${invokedBy}` };
  }
  if (type === 'AWSService') return { via: 'aws-service', viaLabel: 'AWS service' };
  const ua = record.userAgent ?? '';
  // Service events (`AwsServiceEvent`, no identity type) carry `AWS Internal` too: that is AWS, not a person.
  if (!identity.type && (ua === 'AWS Internal' || invokedBy === 'AWS Internal')) {
    return { via: 'aws-service', viaLabel: 'AWS (internal)' };
  }
  const agent = ua ? classifyAgent(ua) : undefined;
  if (agent) return agent;
  if (invokedBy === 'signin.amazonaws.com' || record.sessionCredentialFromConsole === 'true') return CONSOLE;
  return { via: 'unknown', viaLabel: ua ? shorten(ua, AGENT_LABEL_MAX) : 'unknown client' };
};

// IAM Identity Center names the role of a permission set `AWSReservedSSO_<permission set>_<suffix>` (under the path
// `/aws-reserved/sso.amazonaws.com/`); the session name is the person's Identity Center user name.
const IDENTITY_CENTER_ROLE = /^AWSReservedSSO_(.+)_[0-9A-Za-z]+$/;

/** The permission set of an IAM Identity Center role session, from the issuing role's name. */
const describePermissionSet = (roleName: string | undefined): string | undefined =>
  roleName ? IDENTITY_CENTER_ROLE.exec(roleName)?.[1] : undefined;

/** Identity types that authenticated outside IAM: CloudTrail's MFA flag says nothing about them. */
const SIGNED_IN_ELSEWHERE = new Set(['IdentityCenterUser', 'SAMLUser', 'WebIdentityUser']);

/**
 * The MFA flag: `mfaAuthenticated` for API calls, `MFAUsed` for console sign-ins. `undefined` where the person
 * authenticated outside IAM: IAM Identity Center, SAML or web identity federation, and `sts:AssumeRoot` sessions
 * (opened from the management account). Their sessions carry `mfaAuthenticated: "false"` and federated console
 * sign-ins `MFAUsed: "No"` even when the identity provider required MFA, so `false` would be a false statement.
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-user-identity.html
 */
const describeMfa = (
  record: CloudTrailRecord,
  identity: UserIdentity,
  type: string,
  signedInElsewhere: boolean,
): boolean | undefined => {
  if (signedInElsewhere || SIGNED_IN_ELSEWHERE.has(type)) return undefined;
  const fromSession = parseFlag(identity.sessionContext?.attributes?.mfaAuthenticated);
  if (fromSession !== undefined) return fromSession;
  // Only IAM users and root sign in with a password; a role's console sign-in is a federation sign-in.
  const used = record.additionalEventData?.MFAUsed;
  if (typeof used === 'string' && (type === 'IAMUser' || type === 'Root'))
    return used.toLowerCase() === 'yes';
  return undefined;
};

/**
 * Describes who made a call, from the CloudTrail record alone: identity type, ARN and account; for sessions the
 * role (or user) that issued them and the session name; federated users (`GetFederationToken`, named
 * `federated user <name>` so they are not mistaken for the IAM user of that name); Identity Center users and
 * Identity Center role sessions (`AWSReservedSSO_<permission set>_…`, named by the person); MFA, where CloudTrail
 * can know it; source IP; how the call was
 * made (console, CLI, SDK, Terraform, CloudFormation, AWS service, from the user agent and `invokedBy`); EC2
 * instance credentials (`sessionContext.ec2RoleDelivery`, instance id as session name); the VPC endpoint.
 *
 * Never throws: every field of `userIdentity` is optional in practice (service events carry only `accountId`).
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-user-identity.html
 */
export const describePrincipal = (record: CloudTrailRecord): Principal => {
  const identity: UserIdentity = record.userIdentity ?? {};
  const session = identity.sessionContext;
  const issuer = session?.sessionIssuer;
  const invokedBy = isString(identity.invokedBy) ? identity.invokedBy : undefined;
  const type = identity.type ?? (invokedBy ? 'AWSService' : 'Unknown');
  const arn = isString(identity.arn) ? identity.arn : undefined;
  const fromArn = parseSessionArn(arn);
  const issuerName = isString(issuer?.userName)
    ? issuer.userName
    : isString(issuer?.arn)
      ? lastSegment(issuer.arn)
      : undefined;
  const issuerArn = isString(issuer?.arn) ? issuer.arn : undefined;
  const sessionName =
    type === 'AssumedRole' || type === 'FederatedUser'
      ? (fromArn.session ?? identity.principalId?.split(':')[1])
      : undefined;
  const isRoot = type === 'Root';
  const assumedRoot = parseFlag(session?.assumedRoot) === true;
  const onBehalfOf = identity.onBehalfOf;
  const issuerType = isString(issuer?.type) ? issuer.type : undefined;
  const permissionSet =
    type === 'AssumedRole' ? describePermissionSet(issuerName ?? fromArn.role) : undefined;
  const federatedProvider = session?.webIdFederationData?.federatedProvider ?? identity.identityProvider;

  const name = ((): string => {
    switch (type) {
      case 'Root':
        return 'root';
      case 'IAMUser':
        return identity.userName ?? (arn ? lastSegment(arn) : (identity.principalId ?? 'IAM user'));
      case 'AssumedRole': {
        // An Identity Center session is a person: their user name says more than the generated role name.
        if (permissionSet && sessionName) return `Identity Center user ${sessionName}`;
        const role = issuerName ?? fromArn.role;
        return role && sessionName
          ? `${role}/${sessionName}`
          : (role ?? sessionName ?? arn ?? 'assumed role');
      }
      case 'FederatedUser':
        // Not the IAM user of the same name: a GetFederationToken session named by whoever minted it.
        return sessionName ? `federated user ${sessionName}` : (arn ?? 'federated user');
      case 'AWSService':
        return invokedBy ?? 'AWS service';
      case 'AWSAccount':
        return `account ${identity.accountId ?? identity.principalId ?? 'unknown'}`;
      case 'IdentityCenterUser':
        return `Identity Center user ${onBehalfOf?.userId ?? identity.principalId ?? 'unknown'}`;
      default:
        return identity.userName ?? (arn ? lastSegment(arn) : (invokedBy ?? identity.principalId ?? type));
    }
  })();

  const roleDelivery = session?.ec2RoleDelivery;
  const ec2Instance = isString(roleDelivery)
    ? {
        roleDelivery,
        ...(sessionName && INSTANCE_ID.test(sessionName) ? { instanceId: sessionName } : {}),
      }
    : undefined;
  const access = describeAccess(record, identity, type);
  const mfa = describeMfa(
    record,
    identity,
    type,
    permissionSet !== undefined || assumedRoot || isString(session?.webIdFederationData?.federatedProvider),
  );

  const principal: Principal = {
    type,
    name,
    via: access.via,
    viaLabel: access.viaLabel,
    isRoot,
  };
  // Optional fields are set only when known, so the JSON alert carries no empty keys.
  if (arn) principal.arn = arn;
  if (isString(identity.accountId)) principal.accountId = identity.accountId;
  if (issuerArn) principal.issuerArn = issuerArn;
  if (issuerName && type !== 'Root') principal.issuerName = issuerName;
  if (issuerType && type !== 'Root') principal.issuerType = issuerType;
  if (sessionName) principal.sessionName = sessionName;
  if (permissionSet) principal.permissionSet = permissionSet;
  if (mfa !== undefined) principal.mfa = mfa;
  if (isString(record.sourceIPAddress)) principal.sourceIp = record.sourceIPAddress;
  if (isString(record.userAgent)) principal.userAgent = record.userAgent;
  if (assumedRoot) principal.assumedRoot = true;
  if (ec2Instance) principal.ec2Instance = ec2Instance;
  if (isString(record.vpcEndpointId)) principal.vpcEndpointId = record.vpcEndpointId;
  if (invokedBy) principal.invokedBy = invokedBy;
  if (isString(onBehalfOf?.userId)) principal.identityCenterUserId = onBehalfOf.userId;
  if (isString(onBehalfOf?.identityStoreArn)) principal.identityStoreArn = onBehalfOf.identityStoreArn;
  if (isString(session?.sourceIdentity)) principal.sourceIdentity = session.sourceIdentity;
  if (isString(federatedProvider)) principal.federatedProvider = federatedProvider;
  return principal;
};

/** The IAM user whose permissions the caller uses: itself, or the user that minted a federation token. */
export const actingUser = (principal: Principal): string | undefined => {
  if (principal.type === 'IAMUser') return principal.name;
  const issuedByUser = principal.issuerType === 'IAMUser' || principal.issuerArn?.includes(':user/') === true;
  return principal.type === 'FederatedUser' && issuedByUser ? principal.issuerName : undefined;
};

/** The role whose permissions a role session uses. */
export const actingRole = (principal: Principal): string | undefined =>
  principal.type === 'AssumedRole' ? principal.issuerName : undefined;
