// What the EC2-credential SCP would deny, decided per CloudTrail record and aggregated for `iam-alerts scp-impact`.
// Pure: a record goes in, a decision comes out; the command reads the files.
//
// A record carries the call's network path (`vpcEndpointId`, `sourceIPAddress`) but not the instance's own VPC or
// private IP, which are what the SCP compares them with. So each record is evaluated under the scenarios history
// cannot tell apart, against the chosen variant's own document (`buildScpDocument`), and a call whose outcome
// differs between them is reported `unknown`, never allowed.

import type { UnresolvedVariableReading } from './policy/evaluator/index.js';
import { describePrincipal, isEc2InstanceId } from './principal.js';
import { buildScpDocument, SCP_TAG_KEY, type ScpDocument, type ScpVariant } from './scp.js';
import { decideScp, type ScpEvaluatedRequest } from './scp-outcome.js';
import type { CloudTrailRecord } from './types.js';
import { asString, isObject } from './values.js';

/** What a request looks like to the evaluator: the IAM action and the request context (keys in lower case). */
export type ScpRequestContext = ScpEvaluatedRequest;

/** What CloudTrail cannot show about principals. */
export interface ScpImpactOptions {
  /**
   * Roles (names or ARNs) tagged `exception-to-vpc-ip=true`: CloudTrail records no principal tags, so without
   * this list every role is taken as untagged.
   */
  taggedRoles?: ReadonlySet<string>;
}

/**
 * Why a call's outcome cannot be known from history:
 * - `endpoint-vpc`: through a VPC endpoint; allowed only if the endpoint is in the instance's VPC and the call came
 *   from the instance's own private IP, neither of which a CloudTrail record shows;
 * - `unresolved-variable`: a public endpoint under a document that compares `${aws:SourceVpc}`, a key such requests
 *   lack; AWS documents both readings (see `UnresolvedVariableReading`);
 * - `not-evaluable`: the policy evaluator could not decide (a condition it does not implement).
 */
export type ScpUnknownReason = 'endpoint-vpc' | 'unresolved-variable' | 'not-evaluable';

/** A call made with EC2 instance credentials that the SCP would deny, or might. */
export interface ScpImpactCall {
  eventID: string | null;
  eventTime: string | null;
  eventSource: string;
  eventName: string;
  awsRegion: string | null;
  /** The instance role's ARN (its name when CloudTrail gives no ARN). */
  role: string;
  instanceId: string | null;
  sourceIPAddress: string | null;
  /** `null`: the call went through a public endpoint. */
  vpcEndpointId: string | null;
  /** Sid of the statement that denies it (for `unknown`: the one that denies it if the unknown goes wrong). */
  statement: string;
  status: 'denied' | 'unknown';
  reason?: ScpUnknownReason;
}

/** The decision on one record. */
export type ScpImpactDecision =
  /** Not a CloudTrail record (no `eventSource`/`eventName`). */
  | { kind: 'not-a-record' }
  /** Not made with EC2 instance credentials: the SCP does not apply. */
  | { kind: 'not-instance' }
  /** Instance credentials used by an AWS service on the instance's behalf (`invokedBy`): allowed. */
  | { kind: 'via-aws-service'; role: string; invokedBy: string }
  /** Instance credentials, allowed on every scenario. */
  | { kind: 'allowed'; role: string; vpcEndpointId: string | null }
  | { kind: 'affected'; call: ScpImpactCall };

/** The ARN pattern of the `aws:ec2-infrastructure` role, as the template writes it for any account. */
const EC2_INFRASTRUCTURE_ARN = 'arn:aws:iam::*:role/aws:ec2-infrastructure';

/** The document of a variant with literal values, for evaluation. */
export const scpDocumentFor = (variant: ScpVariant, egressCidrs: readonly string[]): ScpDocument =>
  buildScpDocument(
    { ...variant, hasEgressCidrs: variant.denyPublicEndpoints && egressCidrs.length > 0 },
    { ec2InfrastructureArn: EC2_INFRASTRUCTURE_ARN, egressCidrs: [...egressCidrs] },
  );

/** IAM action names are `service:Operation`; the service prefix is the event source's first label. */
const actionOf = (eventSource: string, eventName: string): string =>
  `${eventSource.replace(/\.amazonaws\.com$/, '').split('.')[0]}:${eventName}`;

// An address CloudTrail writes for a call an AWS service made (`s3.amazonaws.com`, `AWS Internal`), not an IP.
const isServiceAddress = (address: string): boolean =>
  address === 'AWS Internal' || /^[a-z0-9.-]+\.amazonaws\.com$/i.test(address);

// Placeholders for what history cannot show: the instance's VPC and private IP, and the endpoint's VPC.
const endpointVpc = (vpce: string) => `vpc-of-${vpce}`;
const OTHER_VPC = 'vpc-elsewhere';
const OTHER_IP = '0.0.0.0';

const contextOf = (entries: Record<string, string | undefined>): ReadonlyMap<string, string> =>
  new Map(
    Object.entries(entries).flatMap(([key, value]) =>
      value === undefined ? [] : [[key.toLowerCase(), value] as [string, string]],
    ),
  );

/** The Sid of the first statement that denies the request, or undefined; throws when the evaluator cannot decide. */
const denyingStatement = (
  document: ScpDocument,
  request: ScpRequestContext,
  reading: UnresolvedVariableReading,
): string | undefined => {
  const decision = decideScp(document, request, reading);
  if (decision.kind === 'allowed-when') throw new Error('the evaluator cannot decide');
  return decision.kind === 'denied' ? decision.deniedBy[0]?.statement : undefined;
};

/**
 * Decides what the SCP of `options.variant` would do with the call a CloudTrail record describes. Instance
 * credentials are an `AssumedRole` session with `sessionContext.ec2RoleDelivery` or an instance id as session
 * name (`describePrincipal`). The request context is built from the record: `ec2:SourceInstanceARN`,
 * `aws:PrincipalArn` (the role), `aws:ViaAWSService` (true when `invokedBy` names a service), and the network path:
 * through a VPC endpoint (`vpcEndpointId`) `aws:SourceVpce`, `aws:SourceVpc` and `aws:VpcSourceIp` (CloudTrail
 * then records the caller's private address as `sourceIPAddress`), else `aws:SourceIp`.
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html
 * @see https://docs.aws.amazon.com/kms/latest/developerguide/vpce-logging.html
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-sourcevpc
 */
export const decideScpImpact = (
  record: unknown,
  document: ScpDocument,
  options: ScpImpactOptions = {},
): ScpImpactDecision => {
  if (!isObject(record)) return { kind: 'not-a-record' };
  const eventSource = asString(record.eventSource);
  const eventName = asString(record.eventName);
  if (!eventSource || !eventName) return { kind: 'not-a-record' };
  const principal = describePrincipal(record as CloudTrailRecord);
  const instanceId =
    principal.ec2Instance?.instanceId ??
    (isEc2InstanceId(principal.sessionName) ? principal.sessionName : undefined);
  if (principal.type !== 'AssumedRole' || (!principal.ec2Instance && !instanceId)) {
    return { kind: 'not-instance' };
  }
  const role = principal.issuerArn ?? principal.issuerName ?? principal.arn ?? principal.name;
  const address = principal.sourceIp;
  const invokedBy = principal.invokedBy ?? (address && isServiceAddress(address) ? address : undefined);
  const vpce = principal.vpcEndpointId;
  const region = asString(record.awsRegion);
  const account = principal.accountId ?? asString(record.recipientAccountId) ?? '';
  const tagged =
    options.taggedRoles !== undefined &&
    [principal.issuerArn, principal.issuerName].some((name) => name && options.taggedRoles?.has(name));

  const requestFor = (instanceVpc: string, instanceIp: string): ScpRequestContext => ({
    action: actionOf(eventSource, eventName),
    context: contextOf({
      'aws:PrincipalArn': principal.issuerArn,
      'ec2:SourceInstanceARN': `arn:aws:ec2:${region ?? ''}:${account}:instance/${instanceId ?? 'unknown'}`,
      'aws:Ec2InstanceSourceVpc': instanceVpc,
      'aws:Ec2InstanceSourcePrivateIPv4': instanceIp,
      'aws:ViaAWSService': invokedBy ? 'true' : 'false',
      [SCP_TAG_KEY]: tagged ? 'true' : undefined,
      ...(vpce
        ? { 'aws:SourceVpce': vpce, 'aws:SourceVpc': endpointVpc(vpce), 'aws:VpcSourceIp': address }
        : { 'aws:SourceIp': invokedBy ? undefined : address }),
    }),
  });

  const call = (statement: string, status: ScpImpactCall['status'], reason?: ScpUnknownReason) => ({
    kind: 'affected' as const,
    call: {
      eventID: asString(record.eventID) ?? null,
      eventTime: asString(record.eventTime) ?? null,
      eventSource,
      eventName,
      awsRegion: region ?? null,
      role,
      instanceId: instanceId ?? null,
      sourceIPAddress: address ?? null,
      vpcEndpointId: vpce ?? null,
      statement,
      status,
      ...(reason ? { reason } : {}),
    },
  });

  // The scenarios history cannot tell apart; the first is the one where the call is legitimate.
  const scenarios: Array<[ScpRequestContext, UnresolvedVariableReading]> = vpce
    ? [
        [requestFor(endpointVpc(vpce), address ?? OTHER_IP), 'null'],
        [requestFor(OTHER_VPC, OTHER_IP), 'null'],
      ]
    : [
        [requestFor(OTHER_VPC, OTHER_IP), 'invalid'],
        [requestFor(OTHER_VPC, OTHER_IP), 'null'],
      ];
  let denials: Array<string | undefined>;
  try {
    denials = scenarios.map(([request, reading]) => denyingStatement(document, request, reading));
  } catch {
    const statement = document.Statement[document.Statement.length - 1]?.Sid ?? 'unknown';
    return call(statement, 'unknown', 'not-evaluable');
  }
  const [legitimate, other] = denials;
  if (legitimate) return call(legitimate, 'denied');
  if (other) return call(other, 'unknown', vpce ? 'endpoint-vpc' : 'unresolved-variable');
  if (invokedBy) return { kind: 'via-aws-service', role, invokedBy };
  return { kind: 'allowed', role, vpcEndpointId: vpce ?? null };
};

// ------------------------------------------------------------------ aggregation

/** One row of the report: calls of one role, instance, service, region and network path. */
export interface ScpImpactRow {
  role: string;
  instanceId: string | null;
  eventSource: string;
  awsRegion: string | null;
  /** `public endpoint` or the VPC endpoint id. */
  path: string;
  denied: number;
  unknown: number;
  /** Statements that deny (or may deny) these calls. */
  statements: string[];
  /** Why some of them are unknown. */
  reasons: ScpUnknownReason[];
  first: string | null;
  last: string | null;
}

/** The report: totals and rows, ready to print or serialise. */
export interface ScpImpactSummary {
  /** CloudTrail records read. */
  records: number;
  /** JSON values read that are not CloudTrail records (no `eventSource`/`eventName`), skipped. */
  notRecords: number;
  /** Calls made with EC2 instance credentials. */
  instanceCalls: number;
  denied: number;
  unknown: number;
  unknownByReason: Record<ScpUnknownReason, number>;
  /** Instance-credential calls the SCP allows on every scenario, AWS-service calls excluded. */
  allowed: number;
  /** Calls made by AWS services on the instances' behalf (`invokedBy`): allowed. */
  viaAwsService: number;
  viaAwsServiceBy: Record<string, number>;
  rows: ScpImpactRow[];
}

/** Accumulates decisions; `toSummary()` renders the totals. Memory grows with distinct rows, not records. */
export class ScpImpactAggregator {
  private records = 0;
  private notRecords = 0;
  private instanceCalls = 0;
  private allowed = 0;
  private viaAwsService = 0;
  private readonly via = new Map<string, number>();
  private readonly rows = new Map<string, ScpImpactRow>();
  private readonly reasons = new Map<ScpUnknownReason, number>();

  /** Counts one record's decision. */
  add(decision: ScpImpactDecision): void {
    if (decision.kind === 'not-a-record') {
      this.notRecords++;
      return;
    }
    this.records++;
    switch (decision.kind) {
      case 'not-instance':
        return;
      case 'via-aws-service':
        this.instanceCalls++;
        this.viaAwsService++;
        this.via.set(decision.invokedBy, (this.via.get(decision.invokedBy) ?? 0) + 1);
        return;
      case 'allowed':
        this.instanceCalls++;
        this.allowed++;
        return;
      case 'affected':
        this.instanceCalls++;
        this.addCall(decision.call);
    }
  }

  private addCall(call: ScpImpactCall): void {
    const path = call.vpcEndpointId ?? 'public endpoint';
    const key = [call.role, call.instanceId, call.eventSource, call.awsRegion, path].join('\u0000');
    let row = this.rows.get(key);
    if (!row) {
      row = {
        role: call.role,
        instanceId: call.instanceId,
        eventSource: call.eventSource,
        awsRegion: call.awsRegion,
        path,
        denied: 0,
        unknown: 0,
        statements: [],
        reasons: [],
        first: null,
        last: null,
      };
      this.rows.set(key, row);
    }
    if (call.status === 'denied') row.denied++;
    else row.unknown++;
    if (!row.statements.includes(call.statement)) row.statements.push(call.statement);
    if (call.reason) {
      this.reasons.set(call.reason, (this.reasons.get(call.reason) ?? 0) + 1);
      if (!row.reasons.includes(call.reason)) row.reasons.push(call.reason);
    }
    // ISO-8601 UTC strings order lexically.
    if (call.eventTime) {
      if (row.first === null || call.eventTime < row.first) row.first = call.eventTime;
      if (row.last === null || call.eventTime > row.last) row.last = call.eventTime;
    }
  }

  toSummary(): ScpImpactSummary {
    const rows = [...this.rows.values()].sort(
      (a, b) =>
        b.denied - a.denied ||
        b.unknown - a.unknown ||
        a.role.localeCompare(b.role) ||
        a.eventSource.localeCompare(b.eventSource) ||
        a.path.localeCompare(b.path),
    );
    return {
      records: this.records,
      notRecords: this.notRecords,
      instanceCalls: this.instanceCalls,
      denied: rows.reduce((sum, row) => sum + row.denied, 0),
      unknown: rows.reduce((sum, row) => sum + row.unknown, 0),
      unknownByReason: {
        'endpoint-vpc': this.reasons.get('endpoint-vpc') ?? 0,
        'unresolved-variable': this.reasons.get('unresolved-variable') ?? 0,
        'not-evaluable': this.reasons.get('not-evaluable') ?? 0,
      },
      allowed: this.allowed,
      viaAwsService: this.viaAwsService,
      viaAwsServiceBy: Object.fromEntries(
        [...this.via].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])),
      ),
      rows: rows.map((row) => ({ ...row, statements: [...row.statements], reasons: [...row.reasons] })),
    };
  }
}
