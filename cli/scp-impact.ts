// `iam-alerts scp-impact`: what would the EC2-credential SCP, with these parameters, deny over CloudTrail history?
import type { ScpVariant } from '../shared/domain/scp.js';
import {
  decideScpImpact,
  ScpImpactAggregator,
  type ScpImpactCall,
  type ScpImpactSummary,
  scpDocumentFor,
} from '../shared/domain/scp-impact.js';
import { parseEgressCidrs } from './egress-cidrs.js';
import { expandInputs, type InputLocation, readInputs } from './input/read-inputs.js';
import { type CliIo, type Command, EXIT, parseCliArgs, UsageError } from './io.js';
import { PROGRESS_MIN_BYTES, progressFor } from './progress.js';

/** Exit code when nothing is certainly denied but some calls cannot be decided from history. */
export const EXIT_UNKNOWN = 3;

const usage = `usage: iam-alerts scp-impact [variant options] [--jsonl] PATH...

Reads CloudTrail history and reports the calls made with EC2 instance credentials that the SCP of this stack
(shared/domain/scp.ts), with the variant chosen below, would deny: by role, instance, service, region and network
path (no vpcEndpointId: a public endpoint). Calls made by AWS services on an instance's behalf stay allowed and are
counted.
  PATH                files or directories (recursive): .json / .json.gz, .jsonl / .jsonl.gz; - for stdin
variant options (the stack parameters; defaults as deployed):
  --tag-exemption                          ScpTagExemption=true
  --tagged-roles NAME|ARN[,...]            roles tagged exception-to-vpc-ip=true (CloudTrail records no tags;
                                           without this list every role is taken as untagged)
  --exempt-iam                             ScpExemptIam=true
  --ec2-infrastructure-exception true|false  ScpEc2InfrastructureException (default true)
  --deny-public-endpoints                  ScpDenyPublicEndpoints=true
  --egress-cidrs CIDR[,CIDR...]            InstanceEgressCidrs (IPv4 or IPv6; read with --deny-public-endpoints)
output:
  --jsonl     one JSON line per call that would be denied, or might be ("status": "denied" | "unknown")
exit codes:
  0 nothing would be denied and nothing is unknown; 1 some call would be denied, or an input was unreadable;
  2 usage error; ${EXIT_UNKNOWN} nothing is certainly denied, but some calls cannot be decided from history (calls
  through VPC endpoints: CloudTrail does not record the instance's VPC; public endpoints under the reference design,
  which AWS documents both ways)`;

const parse = (args: string[]) =>
  parseCliArgs({
    args,
    strict: true,
    allowPositionals: true,
    options: {
      'tag-exemption': { type: 'boolean', default: false },
      'tagged-roles': { type: 'string' },
      'exempt-iam': { type: 'boolean', default: false },
      'ec2-infrastructure-exception': { type: 'string', default: 'true' },
      'deny-public-endpoints': { type: 'boolean', default: false },
      'egress-cidrs': { type: 'string' },
      jsonl: { type: 'boolean', default: false },
    },
  });

const list = (text: string | undefined): string[] =>
  text === undefined
    ? []
    : text
        .split(',')
        .map((item) => item.trim())
        .filter(Boolean);

/** An item of the input: a record with where it is, or a problem. */
type RecordItem = { kind: 'record'; value: unknown } | ({ kind: 'problem'; message: string } & InputLocation);

/**
 * The records of the given paths, in order. The only place this command reads input, so a new reader replaces
 * it here alone.
 */
async function* readRecords(
  paths: string[],
  io: CliIo,
  progressMinBytes: number,
): AsyncGenerator<RecordItem> {
  const { files, problems } = await expandInputs(paths, io.cwd);
  for (const problem of problems) yield { kind: 'problem', ...problem };
  const totalBytes = files.reduce((sum, file) => sum + (file === '-' ? 0 : file.size), 0);
  const progress = progressFor(io.stderr, totalBytes, progressMinBytes);
  for await (const item of readInputs(files, { cwd: io.cwd, stdin: io.stdin, onBytes: progress?.add })) {
    if (item.kind === 'record') yield { kind: 'record', value: item.value };
    else if (item.kind === 'records') for (const value of item.values) yield { kind: 'record', value };
    else if (item.kind === 'problem') yield item;
  }
  progress?.end();
}

/** An EventBridge event carries the CloudTrail record in `detail`. */
const recordOf = (value: unknown): unknown => {
  if (typeof value !== 'object' || value === null) return value;
  const event = value as Record<string, unknown>;
  return 'detail' in event && ('detail-type' in event || 'source' in event) ? event.detail : value;
};

/** One `--jsonl` line: the call, with the statement that denies it. */
export const toScpImpactLine = (call: ScpImpactCall): string =>
  JSON.stringify({
    eventID: call.eventID,
    eventTime: call.eventTime,
    eventSource: call.eventSource,
    eventName: call.eventName,
    awsRegion: call.awsRegion,
    role: call.role,
    instanceId: call.instanceId,
    sourceIPAddress: call.sourceIPAddress,
    vpcEndpointId: call.vpcEndpointId,
    statement: call.statement,
    status: call.status,
    reason: call.reason ?? null,
  });

const number = (n: number): string => n.toLocaleString('en-US');

const REASON_WORDS = {
  'endpoint-vpc':
    'through a VPC endpoint: allowed only if that endpoint is in the instance’s VPC and the call came from the instance’s own private IP; CloudTrail records neither',
  'unresolved-variable':
    'public endpoint: the reference design compares with the aws:SourceVpc variable, whose key such requests lack; AWS documents both outcomes (README, "The service control policy")',
  'not-evaluable': 'the policy evaluator cannot decide (a condition it does not implement)',
} as const;

const variantWords = (variant: ScpVariant, egressCidrs: readonly string[], tagged: number): string =>
  [
    `tag exemption ${variant.tagExemption ? `on (${tagged} role(s) given as tagged)` : 'off'}`,
    `IAM exempt ${variant.exemptIam ? 'on' : 'off'}`,
    `aws:ec2-infrastructure exception ${variant.ec2InfrastructureException ? 'on' : 'off'}`,
    `public endpoints ${
      variant.denyPublicEndpoints
        ? `denied${egressCidrs.length ? ` except from ${egressCidrs.join(', ')}` : ' (no egress CIDRs)'}`
        : 'not denied explicitly'
    }`,
  ].join('; ');

/**
 * The text report, for stdout: totals (with the count of unreadable or malformed inputs, listed apart on stderr),
 * then one line per role, instance, service, region and path.
 */
export const formatScpImpactText = (
  summary: ScpImpactSummary,
  variantLine: string,
  problemCount = 0,
): string => {
  const lines = [
    'SCP impact',
    `  variant: ${variantLine}`,
    `  ${number(summary.records)} records, ${number(summary.instanceCalls)} made with EC2 instance credentials${
      summary.notRecords
        ? ` (${number(summary.notRecords)} values that are not CloudTrail records skipped)`
        : ''
    }`,
    ...(problemCount > 0
      ? [`  ${number(problemCount)} input(s) skipped (unreadable or malformed: listed on stderr)`]
      : []),
    `  ${number(summary.denied)} would be denied`,
    `  ${number(summary.unknown)} cannot be decided from history${summary.unknown ? ':' : ''}`,
  ];
  for (const [reason, count] of Object.entries(summary.unknownByReason)) {
    if (count > 0) lines.push(`    ${number(count)} ${REASON_WORDS[reason as keyof typeof REASON_WORDS]}`);
  }
  lines.push(`  ${number(summary.allowed)} allowed`);
  const via = Object.entries(summary.viaAwsServiceBy)
    .map(([service, count]) => `${service} ${number(count)}`)
    .join(', ');
  lines.push(
    `  ${number(summary.viaAwsService)} made by AWS services on the instances' behalf: allowed${via ? ` (${via})` : ''}`,
  );
  if (summary.rows.length > 0) {
    const header = ['denied', 'unknown', 'role', 'instance', 'service', 'region', 'path', 'statement'];
    const cells = summary.rows.map((row) => [
      number(row.denied),
      number(row.unknown),
      row.role,
      row.instanceId ?? '-',
      row.eventSource.replace(/\.amazonaws\.com$/, ''),
      row.awsRegion ?? '-',
      row.path,
      row.statements.join(', '),
    ]);
    const widths = header.map((title, i) =>
      Math.max(title.length, ...cells.map((row) => row[i]?.length ?? 0)),
    );
    const render = (row: string[]) =>
      `  ${row
        .map((cell, i) => (i < 2 ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0)))
        .join('  ')
        .trimEnd()}`;
    lines.push('', render(header), ...cells.map(render));
  }
  if (summary.denied === 0 && summary.unknown === 0 && problemCount > 0)
    lines.push('', 'Nothing in the records read would be denied, but part of the history could not be read.');
  else if (summary.denied === 0 && summary.unknown === 0)
    lines.push('', 'Nothing in this history would be denied.');
  else if (summary.denied === 0)
    lines.push('', 'Nothing is certainly denied, but the calls counted as unknown may be: check them.');
  return `${lines.join('\n')}\n`;
};

/** Builds the command; tests lower the progress threshold to see the bar. */
export const createScpImpactCommand = (progressMinBytes = PROGRESS_MIN_BYTES): Command => ({
  name: 'scp-impact',
  summary: 'report the calls with EC2 instance credentials that the SCP (with a variant) would deny',
  usage,
  async run(args: string[], io: CliIo): Promise<number> {
    const { values, positionals } = parse(args);
    const infrastructure = values['ec2-infrastructure-exception'];
    if (infrastructure !== 'true' && infrastructure !== 'false') {
      throw new UsageError(`--ec2-infrastructure-exception takes true or false, not '${infrastructure}'`);
    }
    const egressCidrs = values['egress-cidrs'] === undefined ? [] : parseEgressCidrs(values['egress-cidrs']);
    const taggedRoles = list(values['tagged-roles']);
    if (taggedRoles.length > 0 && !values['tag-exemption'])
      throw new UsageError('--tagged-roles needs --tag-exemption');
    if (positionals.length === 0)
      throw new UsageError('give at least one PATH (a file, a directory, or - for stdin)');
    if (positionals.filter((p) => p === '-').length > 1)
      throw new UsageError('stdin (-) can be read only once');
    if (egressCidrs.length > 0 && !values['deny-public-endpoints']) {
      io.stderr.write(
        'iam-alerts scp-impact: --egress-cidrs has no effect without --deny-public-endpoints\n',
      );
    }

    const variant: ScpVariant = {
      tagExemption: values['tag-exemption'],
      exemptIam: values['exempt-iam'],
      ec2InfrastructureException: infrastructure === 'true',
      denyPublicEndpoints: values['deny-public-endpoints'],
      hasEgressCidrs: egressCidrs.length > 0,
    };
    const document = scpDocumentFor(variant, egressCidrs);
    const options = { taggedRoles: new Set(taggedRoles) };
    const aggregator = new ScpImpactAggregator();
    // The first problems are listed; all are counted.
    const problems: string[] = [];
    let problemCount = 0;
    let out = '';
    for await (const item of readRecords(positionals, io, progressMinBytes)) {
      if (item.kind === 'problem') {
        problemCount++;
        if (problems.length < 20)
          problems.push(`${item.source}${item.line !== undefined ? `:${item.line}` : ''}: ${item.message}`);
        continue;
      }
      const decision = decideScpImpact(recordOf(item.value), document, options);
      aggregator.add(decision);
      if (values.jsonl && decision.kind === 'affected') {
        out += `${toScpImpactLine(decision.call)}\n`;
        if (out.length >= 64 * 1024) {
          io.stdout.write(out);
          out = '';
        }
      }
    }
    const summary = aggregator.toSummary();
    // stdout holds the result asked for (the lines, or the report); notes about the run and problems go to stderr.
    if (values.jsonl) {
      io.stdout.write(out);
      if (summary.unknown > 0) {
        io.stderr.write(
          `iam-alerts scp-impact: ${summary.unknown} call(s) cannot be decided from history (lines with "status":"unknown")\n`,
        );
      }
      if (summary.notRecords > 0) {
        io.stderr.write(
          `iam-alerts scp-impact: ${summary.notRecords} value(s) that are not CloudTrail records skipped\n`,
        );
      }
    } else {
      io.stdout.write(
        formatScpImpactText(summary, variantWords(variant, egressCidrs, taggedRoles.length), problemCount),
      );
    }
    if (problemCount > 0) {
      io.stderr.write(
        `Problems: ${problemCount} input(s) unreadable or malformed\n${problems.map((p) => `  ${p}\n`).join('')}${
          problemCount > problems.length ? `  … ${problemCount - problems.length} more\n` : ''
        }`,
      );
    }
    if (summary.denied > 0 || problemCount > 0) return EXIT.rejected;
    return summary.unknown > 0 ? EXIT_UNKNOWN : EXIT.ok;
  },
});

/** `iam-alerts scp-impact`. */
export const scpImpactCommand: Command = createScpImpactCommand();
