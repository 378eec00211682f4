import { Readable } from 'node:stream';
import type { CliIo } from '../../../cli/io.js';
import { main } from '../../../cli/main.js';
import {
  deliveryParameterRule,
  deployedRules,
  GUARD_RAIL_PATTERN,
  IDENTITY_RULES,
  IDENTITY_RULES_PATTERN,
  PRESET_NAMES,
  PRESETS,
} from '../../../shared/domain/patterns.js';

const run = async (args: string[]) => {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = {
    stdin: Readable.from([]),
    stdout: { write: (chunk: string) => out.push(chunk) },
    stderr: { write: (chunk: string) => err.push(chunk) },
    cwd: process.cwd(),
  };
  const code = await main(args, io);
  return { code, stdout: out.join(''), stderr: err.join('') };
};

describe('iam-alerts patterns', () => {
  it.each(PRESET_NAMES.map((n) => [n]))('prints the deployed %s pattern as JSON', async (name) => {
    const { code, stdout } = await run(['patterns', '--preset', name]);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual(PRESETS[name as keyof typeof PRESETS]);
  });

  it('defaults to the deployed default preset', async () => {
    expect(JSON.parse((await run(['patterns'])).stdout)).toEqual(PRESETS.writes);
  });

  it('prints Athena and CloudTrail Lake SQL', async () => {
    const athena = await run(['patterns', '--preset', 'changes', '--sql', 'athena']);
    expect(athena.code).toBe(0);
    expect(athena.stdout).toMatch(/FROM cloudtrail_logs\nWHERE eventsource = 'iam\.amazonaws\.com'/);
    expect(athena.stdout).toContain("eventname LIKE 'Upload%'");
    expect(athena.stdout).toContain("(readonly IS NULL OR readonly <> 'true')");
    expect(athena.stdout).toMatch(/\nUNLOAD \(\nSELECT eventversion, [^\n]*\nFROM cloudtrail_logs\n/);
    expect(athena.stdout).toContain("WITH (format = 'JSON', compression = 'GZIP');");
    const lake = await run(['patterns', '--preset', 'auth', '--sql', 'lake', '--table', 'eds-0123']);
    expect(lake.stdout).toContain('FROM eds-0123\n');
    expect(lake.stdout).toContain("eventName LIKE 'Put%Policy'");
    expect(lake.stdout).toContain('(readOnly IS NULL OR readOnly <> true)');
    expect(lake.stdout).not.toContain('UNLOAD');
    const all = await run(['patterns', '--preset', 'all', '--sql', 'lake']);
    expect(all.stdout).not.toMatch(/WHERE [^;]*readOnly/);
  });

  it.each([
    [['patterns', '--preset', 'everything']],
    [['patterns', '--sql', 'bigquery']],
    [['patterns', '--table', 'x']],
    [['patterns', '--bogus']],
    [['patterns', 'extra']],
    [['patterns', '--sql', 'athena', '--table', 'logs; DROP TABLE logs']],
    [['patterns', '--sql', 'athena', '--table', 'a.b.c']],
    [['patterns', '--sql', 'lake', '--table', "eds' OR 1=1"]],
    [['patterns', '--sql', 'lake', '--unload', 's3://amzn-s3-demo-bucket/x/']],
    [['patterns', '--sql', 'athena', '--unload', "s3://bucket/x' --"]],
    [['patterns', '--unload', 's3://amzn-s3-demo-bucket/x/']],
  ])('exits 2 on usage error %j', async (args) => {
    const { code, stderr, stdout } = await run(args);
    expect([code, stdout]).toEqual([2, '']);
    expect(stderr).toContain('usage: iam-alerts patterns');
  });
});

describe('iam-alerts patterns --rule', () => {
  it.each([
    ['guard-rails', GUARD_RAIL_PATTERN],
    ['identity', IDENTITY_RULES_PATTERN],
    ['preset', PRESETS.writes],
    ['root-activity', IDENTITY_RULES.get('root-activity')],
    ['console-sign-in', IDENTITY_RULES.get('console-sign-in')],
    ['instance-credentials-denied', IDENTITY_RULES.get('instance-credentials-denied')],
  ])('prints the %s pattern exactly as deployed', async (rule, pattern) => {
    const { code, stdout } = await run(['patterns', '--rule', rule]);
    expect(code).toBe(0);
    expect(pattern).toBeDefined();
    expect(JSON.parse(stdout)).toEqual(pattern);
  });

  it('is the deployed rules of a default deployment, in order', () => {
    expect(deployedRules().map((rule) => rule.pattern)).toEqual([
      PRESETS.writes,
      GUARD_RAIL_PATTERN,
      IDENTITY_RULES_PATTERN,
    ]);
  });

  it.each([
    [['patterns', '--rule', 'nope']],
    [['patterns', '--rule', 'identity', '--preset', 'all']],
    [['patterns', '--rule', 'identity', '--sql', 'athena']],
    [['patterns', '--rule', 'guard-rails', '--table', 'x']],
  ])('exits 2 on %j', async (args) => {
    const { code, stderr } = await run(args);
    expect(code).toBe(2);
    expect(stderr).toContain('usage: iam-alerts patterns');
  });

  it('prints the delivery-parameter guard rail on the names given, as the template resolves it', async () => {
    const { code, stdout } = await run([
      'patterns',
      '--rule',
      'delivery-parameters',
      '--delivery-parameters',
      '/iam-alerts/slack-webhook-url, /slack-bot-token',
    ]);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual(
      deliveryParameterRule(['/iam-alerts/slack-webhook-url', '/slack-bot-token']).pattern,
    );
    expect(JSON.stringify(JSON.parse(stdout))).toContain('"slack-bot-token"');
    const unnamed = await run(['patterns', '--rule', 'delivery-parameters']);
    expect(JSON.parse(unnamed.stdout)).toEqual(deliveryParameterRule([]).pattern);
    const elsewhere = await run(['patterns', '--rule', 'guard-rails', '--delivery-parameters', '/a']);
    expect(elsewhere.code).toBe(2);
  });

  it('keeps --preset working with --rule preset', async () => {
    expect(JSON.parse((await run(['patterns', '--rule', 'preset', '--preset', 'auth'])).stdout)).toEqual(
      PRESETS.auth,
    );
  });
});
