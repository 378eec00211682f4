import { createRequire } from 'node:module';
import { Readable } from 'node:stream';
import type { CliIo } from '../../../cli/io.js';
import { main } from '../../../cli/main.js';
import {
  deliveryParameterRule,
  deployedRules,
  GUARD_RAIL_PATTERN,
  IDENTITY_RULES,
  IDENTITY_RULES_PATTERN,
  ownKeyRule,
  PRESET_NAMES,
  PRESETS,
} from '../../../shared/domain/patterns.js';

const require = createRequire(import.meta.url);
const derived = require('../../../resources/derived.cjs') as { keyGuardRailPattern: () => unknown };

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

  it('prints the key guard rail on the keys given, as the template builds it once CloudFormation resolves the keys', async () => {
    // What CloudFormation resolves each topic key's `Ref` (the key ID) and `Fn::GetAtt …Arn` to.
    // https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-kms-key.html#aws-resource-kms-key-return-values
    const ids: Record<string, string> = {
      AlertTopicKey: '1234abcd-12ab-34cd-56ef-1234567890ab',
      OperationsTopicKey: 'mrk-0987dcba09fe87dc65baab0987654321',
    };
    const arnOf = (key: string) => `arn:aws:kms:us-east-1:111122223333:key/${ids[key]}`;
    const resolve = (node: unknown): unknown => {
      if (Array.isArray(node)) return node.map(resolve);
      if (typeof node !== 'object' || node === null) return node;
      const { Ref: ref, 'Fn::GetAtt': getAtt } = node as Record<string, unknown>;
      if (typeof ref === 'string' && ref in ids) return ids[ref];
      if (Array.isArray(getAtt) && getAtt[1] === 'Arn' && String(getAtt[0]) in ids)
        return arnOf(String(getAtt[0]));
      return Object.fromEntries(Object.entries(node).map(([key, value]) => [key, resolve(value)]));
    };
    const { code, stdout } = await run([
      'patterns',
      '--rule',
      'own-keys',
      '--own-keys',
      `${arnOf('AlertTopicKey')}, ${arnOf('OperationsTopicKey')}`,
    ]);
    expect(code).toBe(0);
    const printed = JSON.parse(stdout);
    expect(printed).toEqual(resolve(derived.keyGuardRailPattern()));
    expect(printed).toEqual(ownKeyRule([arnOf('AlertTopicKey'), arnOf('OperationsTopicKey')]).pattern);
    expect(stdout).toContain(`"${ids.OperationsTopicKey}"`);
    expect(stdout).toContain(`"${arnOf('AlertTopicKey')}"`);
  });

  it.each([
    [['patterns', '--rule', 'own-keys'], '--rule own-keys needs --own-keys'],
    [['patterns', '--rule', 'own-keys', '--own-keys', 'alias/iam-alerts'], "not 'alias/iam-alerts'"],
    [
      ['patterns', '--rule', 'own-keys', '--own-keys', 'arn:aws:kms:us-east-1:111122223333:alias/x'],
      "not 'arn:aws:kms:us-east-1:111122223333:alias/x'",
    ],
    [
      ['patterns', '--rule', 'guard-rails', '--own-keys', 'arn:aws:kms:us-east-1:111122223333:key/k'],
      '--own-keys only applies with --rule own-keys',
    ],
  ])('refuses %j: %s', async (args, message) => {
    const { code, stderr } = await run(args);
    expect(code).toBe(2);
    expect(stderr).toContain(message);
  });

  it('keeps --preset working with --rule preset', async () => {
    expect(JSON.parse((await run(['patterns', '--rule', 'preset', '--preset', 'auth'])).stdout)).toEqual(
      PRESETS.auth,
    );
  });
});
