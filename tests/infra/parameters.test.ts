// Stack parameter values with the real osls CLI: `--param` and `params:` keys must be stack parameters and
// their values acceptable to CloudFormation and to the stack (no empty list item, us-east-1 forwarded, a Jira
// priority map the forwarder can read), or `serverless package` stops at once with one line naming the key
// (resources/derived.cjs, stackParameters). A rejection costs ~1.5 s; the one valid run checks every accepted value.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeWorkCopy, runServerless } from '../helpers/template.js';

let workDir: string;
beforeAll(() => {
  workDir = makeWorkCopy(join(mkdtempSync(join(tmpdir(), 'iam-alerts-params-')), 'project'));
  // A stage whose `params:` hold a key that is not a stack parameter.
  const config = readFileSync(join(workDir, 'serverless.yml'), 'utf8');
  writeFileSync(
    join(workDir, 'serverless.yml'),
    config.replace(
      'params:\n  default: {}\n',
      'params:\n  default: {}\n  typo:\n    alertEmail: a@example.com\n',
    ),
  );
});
afterAll(() => rmSync(join(workDir, '..'), { recursive: true, force: true }));

const sls = (args: string[]) => runServerless(workDir, args);

/** The line of the output that carries the parameter error. */
const errorLine = (output: string) => output.split('\n').filter((line) => line.includes('ParameterError'));

describe('serverless package --param', () => {
  it.each([
    ['preset=auth', '--param preset: not a stack parameter (did you mean Preset?)'],
    ['Presets=auth', '--param Presets: not a stack parameter;'],
    ['Preset=everything', '--param Preset=everything: must be one of all, writes, changes, auth'],
    [
      'EmailMinimumSeverity=HIGH',
      '--param EmailMinimumSeverity=HIGH: must be one of info, low, medium, high',
    ],
    ['ForwarderReservedConcurrency=500', '--param ForwarderReservedConcurrency=500: must be at most 100'],
    ['ForwarderReservedConcurrency=one', '--param ForwarderReservedConcurrency=one: must be a number'],
    ['AlertEmail=not-an-address', '--param AlertEmail=not-an-address: must match'],
    ['Preset', '--param "Preset" is not Key=Value'],
    // Values CloudFormation would take but that break the deployment or the forwarder.
    [
      'InstanceEgressCidrs=1.2.3.4/32,',
      '--param InstanceEgressCidrs=1.2.3.4/32,: an empty item in the comma-separated list',
    ],
    [
      'InstanceEgressCidrs=300.1.2.3/32',
      '--param InstanceEgressCidrs=300.1.2.3/32: not a CIDR: "300.1.2.3/32"',
    ],
    [
      'InstanceEgressCidrs=1.2.3.4/32,10.0.0.0/99x',
      '--param InstanceEgressCidrs=1.2.3.4/32,10.0.0.0/99x: "10.0.0.0/99x" must match',
    ],
    [
      'JiraPriorityMap={bad',
      '--param JiraPriorityMap={bad: must be JSON like {"critical":"Highest","high":"High"}',
    ],
    ['JiraPriorityMap=["High"]', '--param JiraPriorityMap=["High"]: must be a JSON object'],
    [
      'JiraPriorityMap={"urgent":"High"}',
      '--param JiraPriorityMap={"urgent":"High"}: unknown severity "urgent"',
    ],
    [
      'JiraPriorityMap={"high":""}',
      '--param JiraPriorityMap={"high":""}: the priority for high must be a non-empty string',
    ],
    ['ForwardingRegions=us-east-1,mars-1', '--param ForwardingRegions=us-east-1,mars-1: "mars-1" must match'],
    [
      'ForwardingRegions=eu-west-1,eu-west-2',
      '--param ForwardingRegions=eu-west-1,eu-west-2: must include us-east-1',
    ],
  ])(
    'rejects %s in one line naming the key',
    async (param, message) => {
      const { code, output } = await sls(['package', '--package', join(workDir, 'out'), '--param', param]);
      expect(code).toBe(1);
      const lines = errorLine(output);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(message);
      // No stack trace from the resolver.
      expect(output).not.toMatch(/\n\s+at /);
    },
    130_000,
  );

  it('rejects a key in params.<stage> of serverless.yml that is not a stack parameter', async () => {
    const { code, output } = await sls(['package', '--stage', 'typo', '--package', join(workDir, 'out')]);
    expect(code).toBe(1);
    expect(errorLine(output)[0]).toContain(
      'params.typo alertEmail: not a stack parameter (did you mean AlertEmail?)',
    );
  }, 130_000);

  it('passes valid values on as stack parameters, the command line last', async () => {
    const { code, output } = await sls([
      'print',
      '--path',
      'provider.stackParameters',
      '--format',
      'json',
      '--param',
      'Preset=auth',
      '--param',
      'ForwarderReservedConcurrency=0',
      '--param',
      'MemberOrganizationalUnitIds=ou-abcd-11111111,ou-abcd-22222222',
      '--param',
      'Preset=changes',
      '--param',
      'InstanceEgressCidrs=1.2.3.4/32, 2001:db8::/32',
      '--param',
      'ForwardingRegions=eu-west-1,us-east-1',
      '--param',
      'JiraPriorityMap={"critical":"Highest","high":"High"}',
    ]);
    expect(code).toBe(0);
    expect(JSON.parse(output.slice(output.indexOf('[')))).toEqual([
      { ParameterKey: 'Preset', ParameterValue: 'changes' },
      { ParameterKey: 'ForwarderReservedConcurrency', ParameterValue: '0' },
      { ParameterKey: 'MemberOrganizationalUnitIds', ParameterValue: 'ou-abcd-11111111,ou-abcd-22222222' },
      { ParameterKey: 'InstanceEgressCidrs', ParameterValue: '1.2.3.4/32, 2001:db8::/32' },
      { ParameterKey: 'ForwardingRegions', ParameterValue: 'eu-west-1,us-east-1' },
      { ParameterKey: 'JiraPriorityMap', ParameterValue: '{"critical":"Highest","high":"High"}' },
    ]);
  }, 130_000);
});
