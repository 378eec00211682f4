// `iam-alerts replay --config` and `render --config` (issue #12 item 5), and replay of what a default deployment
// sends, identity rules included (issue #13 item 3). Counts are checked against independent counts: a plain filter
// over the --jsonl output without --config, and the README's table of the identity fixtures.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../../cli/main.js';
import { compileEventPattern } from '../../../cli/patterns/event-pattern.js';
import { toEventBridgeEvent } from '../../../shared/domain/cloudtrail.js';
import { GUARD_RAIL_PATTERN } from '../../../shared/domain/patterns.js';
import { SEVERITIES, type Severity, severityRank } from '../../../shared/domain/types.js';
import { memoryIo } from '../../helpers/cli.js';
import { FIXTURES_DIR, loadCorpus } from '../../helpers/fixtures.js';

const guardRails = compileEventPattern(GUARD_RAIL_PATTERN);

const corpusDir = join(FIXTURES_DIR, 'cloudtrail');
const identityDir = join(FIXTURES_DIR, 'identity');

interface Line {
  eventID: string | null;
  eventName: string;
  severity: Severity;
  account: string | null;
  reasons: string[];
  principal: { arn: string | null };
  input: string;
  suppressedBy?: string | null;
  group?: string | null;
  routes?: string[];
}

const run = async (args: string[], cwd = corpusDir) => {
  const { io, stdout, stderr } = memoryIo(cwd);
  const code = await main(args, io);
  return { code, stdout: stdout(), stderr: stderr() };
};

const jsonl = (text: string): Line[] =>
  text
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Line);

/** The fields of a --jsonl line as documented (docs/replay.md), without --config. */
const JSONL_FIELDS = [
  'eventID',
  'eventName',
  'eventSource',
  'eventTime',
  'awsRegion',
  'account',
  'family',
  'category',
  'severity',
  'reasons',
  'title',
  'principal',
  'errorCode',
  'input',
];

const RULES = `# hides reads below high; routes high and critical alerts apart
suppress:
  - id: quiet-reads
    reason: reads are expected here
    match:
      eventName: ["Get*"]
      maxSeverity: medium
routes:
  - name: high-only
    match: { minSeverity: high }
    email: [secops@example.com]
`;

const CORPUS = [
  'stratus-red-team.jsonl',
  'invictus-ir-aws-dataset.jsonl',
  'otrf-security-datasets.jsonl',
  'awsdocs-examples.jsonl',
];

describe('iam-alerts replay --config', () => {
  let dir: string;
  let config: string;
  /** The corpus replayed with every preset's reads delivered, without the rules file: the independent base. */
  let plain: Line[];
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'replay-config-'));
    config = join(dir, 'alerts.yml');
    writeFileSync(config, RULES);
    const result = await run(['replay', '--preset', 'all', '--jsonl', ...CORPUS]);
    expect(result.code).toBe(0);
    plain = jsonl(result.stdout);
  });

  /** A plain filter: `Get*` at most medium (no guard rail is a `Get*`: the guard rails are writes). */
  const hiddenByQuietReads = (line: Line): boolean =>
    line.eventName.startsWith('Get') && severityRank(line.severity) <= severityRank('medium');

  /** Guard-rail alerts, by the local matcher on the guard-rail pattern alone: they also take the default route. */
  const guardRailIds = new Set(
    loadCorpus()
      .filter((entry) => guardRails.matches(toEventBridgeEvent(entry.record)))
      .map((entry) => entry.record.eventID),
  );
  const routesOf = (line: Line): string[] => {
    const high = severityRank(line.severity) >= severityRank('high');
    if (guardRailIds.has(line.eventID ?? '')) return high ? ['default', 'high-only'] : ['default'];
    return high ? ['high-only'] : ['default'];
  };

  it('counts per rule what it would hide and the highest severity hidden, as a plain filter counts them', async () => {
    const expected = plain.filter(hiddenByQuietReads);
    expect(expected.length).toBeGreaterThan(10);
    const highest = expected.reduce<Severity>(
      (top, line) => (severityRank(line.severity) > severityRank(top) ? line.severity : top),
      'info',
    );
    const { code, stdout, stderr } = await run([
      'replay',
      '--preset',
      'all',
      '--config',
      config,
      '--format',
      'json',
      ...CORPUS,
    ]);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    const summary = JSON.parse(stdout);
    expect(summary.alerts).toBe(plain.length);
    expect(summary.suppression).toMatchObject({
      alerts: plain.length,
      suppressed: expected.length,
      rules: [{ ruleId: 'quiet-reads', hidden: expected.length, highestHidden: highest, shadowed: 0 }],
    });
    // Matched by eventName but above maxSeverity: kept visible, and counted as such.
    const above = plain.filter((l) => l.eventName.startsWith('Get') && !hiddenByQuietReads(l)).length;
    expect(summary.suppression.rules[0].kept['kept-severity']).toBe(above);
    // Routes of the alerts not hidden: high-only for high and critical, the default route for the rest.
    const visible = plain.filter((l) => !hiddenByQuietReads(l));
    expect(guardRailIds.size).toBeGreaterThan(0);
    const routeCount = (name: string) => visible.filter((l) => routesOf(l).includes(name)).length;
    expect(summary.byRoute).toEqual({ default: routeCount('default'), 'high-only': routeCount('high-only') });

    const text = await run(['replay', '--preset', 'all', '--config', config, ...CORPUS]);
    expect(text.stdout).toContain(
      `suppress rules: ${expected.length} of ${plain.length} alerts would be hidden\n`,
    );
    expect(text.stdout).toContain(`  quiet-reads: hides ${expected.length} (highest ${highest})`);
  });

  it('--jsonl adds suppressedBy, group and routes to each line with --config, and nothing without', async () => {
    expect(plain.every((line) => JSON.stringify(Object.keys(line)) === JSON.stringify(JSONL_FIELDS))).toBe(
      true,
    );
    const { code, stdout } = await run([
      'replay',
      '--preset',
      'all',
      '--config',
      config,
      '--jsonl',
      ...CORPUS,
    ]);
    expect(code).toBe(0);
    const lines = jsonl(stdout);
    expect(lines).toHaveLength(plain.length);
    lines.forEach((line, i) => {
      const before = plain[i] as Line;
      expect(Object.keys(line)).toEqual([...JSONL_FIELDS, 'suppressedBy', 'group', 'routes']);
      expect({ ...line, suppressedBy: undefined, group: undefined, routes: undefined }).toEqual({
        ...before,
        suppressedBy: undefined,
        group: undefined,
        routes: undefined,
      });
      expect(line.suppressedBy).toBe(hiddenByQuietReads(before) ? 'quiet-reads' : null);
      expect(line.routes).toEqual(routesOf(before));
      // Default grouping: below high, by changed account and caller ARN; guard rails never (none below high).
      const groupable =
        severityRank(before.severity) <= severityRank('medium') && before.principal.arn !== null;
      expect(line.group).toBe(
        groupable ? `${before.account ?? 'unknown-account'} ${before.principal.arn}` : null,
      );
    });
  });

  it('names each problem of the file with its line and field, and exits 2 before reading any input', async () => {
    const bad = join(dir, 'bad.yml');
    writeFileSync(
      bad,
      [
        'suppress:',
        '  - id: one',
        '    reason: r',
        '    expires: 2027-13-01',
        '    match:',
        '      eventNames: ["CreateRole"]',
        '',
      ].join('\n'),
    );
    const { code, stdout, stderr } = await run(['replay', '--config', bad, ...CORPUS]);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    const lines = stderr.trim().split('\n');
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          new RegExp(`^iam-alerts replay: ${bad}:4: suppress\\[0\\]\\.expires: '2027-13-01'`),
        ),
        expect.stringMatching(
          new RegExp(`^iam-alerts replay: ${bad}:6: suppress\\[0\\]\\.match\\.eventNames: unknown key`),
        ),
      ]),
    );
    // One line per problem, each naming the file, its line and the field.
    for (const line of lines)
      expect(line).toMatch(new RegExp(`^iam-alerts replay: ${bad}:\\d+: suppress\\[0\\]`));
    const missing = await run(['replay', '--config', 'nope.yml', ...CORPUS]);
    expect(missing).toMatchObject({
      code: 2,
      stdout: '',
      stderr: 'iam-alerts replay: --config nope.yml: no such file\n',
    });
  });

  it('warns of an expired rule and counts it as hiding nothing', async () => {
    const expired = join(dir, 'expired.yml');
    writeFileSync(
      expired,
      RULES.replace('    reason: reads are expected here\n', '    reason: r\n    expires: 2020-01-01\n'),
    );
    const { code, stdout, stderr } = await run([
      'replay',
      '--preset',
      'all',
      '--config',
      expired,
      '--format',
      'json',
      ...CORPUS,
    ]);
    expect(code).toBe(0);
    expect(stderr).toMatch(
      /^iam-alerts replay: warning: .*expired\.yml:\d+: suppress\[0\]\.expires: the rule expired on 2020-01-01/,
    );
    const summary = JSON.parse(stdout);
    expect(summary.suppression.suppressed).toBe(0);
    expect(summary.suppression.rules[0].kept['kept-expired']).toBe(
      plain.filter((l) => l.eventName.startsWith('Get')).length,
    );
  });
});

describe('iam-alerts render --config', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'render-config-'));
    writeFileSync(
      join(dir, 'alerts.yml'),
      'suppress:\n  - id: sso-roles\n    reason: Identity Center provisions roles\n    match:\n      eventName: ["CreateRole"]\n',
    );
    writeFileSync(
      join(dir, 'create-role.json'),
      readFileSync(join(FIXTURES_DIR, '..', '..', 'events', 'create-role.json')),
    );
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('shows the same outcome for one event: a line in text, the fields in json', async () => {
    const json = await run(['render', '--format', 'json', 'create-role.json'], dir);
    const plainAlert = JSON.parse(json.stdout);
    const withConfig = await run(
      ['render', '--format', 'json', '--config', 'alerts.yml', 'create-role.json'],
      dir,
    );
    expect(withConfig.code).toBe(0);
    const alert = JSON.parse(withConfig.stdout);
    const hides = severityRank(plainAlert.severity) <= severityRank('high');
    expect(alert).toEqual({
      ...plainAlert,
      suppressedBy: hides ? 'sso-roles' : null,
      group:
        severityRank(plainAlert.severity) <= severityRank('medium')
          ? `${plainAlert.account} ${plainAlert.principal.arn}`
          : null,
      routes: ['default'],
    });
    const text = await run(['render', '--config', 'alerts.yml', 'create-role.json'], dir);
    const before = await run(['render', 'create-role.json'], dir);
    expect(text.stdout).toContain(
      hides
        ? 'alerts.yml: hidden by suppress rule sso-roles (Identity Center provisions roles); '
        : 'alerts.yml: not hidden; ',
    );
    expect(text.stdout.replace(/\nalerts\.yml: [^\n]*\n/, '\n')).toBe(before.stdout);
  });

  it('refuses --config with a format that cannot show it, and a broken file with exit 2', async () => {
    expect(
      (await run(['render', '--format', 'slack', '--config', 'alerts.yml', 'create-role.json'], dir)).code,
    ).toBe(2);
    writeFileSync(join(dir, 'bad.yml'), 'suppress:\n  - id: Bad Id\n');
    const bad = await run(['render', '--config', 'bad.yml', 'create-role.json'], dir);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^iam-alerts render: bad\.yml:2: suppress\[0\]\.id: /m);
    expect(bad.stdout).toBe('');
  });
});

describe('iam-alerts replay: what a default deployment sends', () => {
  /**
   * The identity fixtures' lines (tests/fixtures/identity/README.md) a default deployment alerts on: 1 and 2 are
   * instance credentials denied by an SCP, 4 a root call made by a service, but an IAM write (the preset), 6 a root
   * console sign-in, 7 a root read from the console (the identity rule takes reads). Not 3 (denied by an
   * identity-based policy), 5 (a service event), 8 to 11 (instance credentials allowed, or used by a service), 12
   * (a federated session's sign-in: its MFA is the identity provider's).
   */
  const DEFAULT_LINES = [1, 2, 4, 6, 7];

  const inputs = async (args: string[]) => {
    const { code, stdout } = await run(
      ['replay', '--jsonl', ...args, 'identity-rules.jsonl', 'aws-cli-examples.jsonl'],
      identityDir,
    );
    expect(code).toBe(0);
    return jsonl(stdout).map((line) => line.input);
  };

  it('alerts on the root, sign-in and denied instance-credential records of the identity fixtures', async () => {
    expect(await inputs([])).toEqual(DEFAULT_LINES.map((n) => `identity-rules.jsonl:${n}`));
  });

  it('follows the stack parameters: --no-identity-rules, --egress-cidrs', async () => {
    expect(await inputs(['--no-identity-rules'])).toEqual(['identity-rules.jsonl:4']);
    // Lines 9 and 10: the instance's credentials through a public endpoint from outside 10.0.0.0/8.
    expect(await inputs(['--egress-cidrs', '10.0.0.0/8'])).toEqual(
      [1, 2, 4, 6, 7, 9, 10].map((n) => `identity-rules.jsonl:${n}`),
    );
    // … and classified with the same list, as the deployed notifier is (INSTANCE_EGRESS_CIDRS): high, outside egress.
    const { stdout } = await run(
      ['replay', '--jsonl', '--egress-cidrs', '10.0.0.0/8', 'identity-rules.jsonl'],
      identityDir,
    );
    const outside = jsonl(stdout).filter((line) =>
      ['identity-rules.jsonl:9', 'identity-rules.jsonl:10'].includes(String(line.input)),
    );
    expect(outside.map((line) => line.severity)).toEqual(['high', 'high']);
    expect(outside.every((line) => JSON.stringify(line.reasons).includes('outside'))).toBe(true);
    expect((await run(['replay', '--egress-cidrs', '10.0.0.0/33', 'x'])).code).toBe(2);
    expect((await run(['replay', '--egress-cidrs', '10.0.0.0/8,', 'x'])).code).toBe(2);
    expect((await run(['replay', '--preset-only', '--no-identity-rules', 'x'])).code).toBe(2);
  });

  it('names the rules it evaluated in the headline', async () => {
    const { stdout } = await run(['replay', 'identity-rules.jsonl'], identityDir);
    expect(stdout).toMatch(/^Replay with preset 'writes', the guard rails and the identity rules\n/);
    const only = await run(['replay', '--preset-only', 'identity-rules.jsonl'], identityDir);
    expect(only.stdout).toMatch(/^Replay with preset 'writes'\n/);
    expect(only.stdout).toContain('1 would-be alert from 1 principal\n');
  });

  it('keeps every severity a known one', async () => {
    const { stdout } = await run(['replay', '--jsonl', 'identity-rules.jsonl'], identityDir);
    expect(jsonl(stdout).every((line) => (SEVERITIES as readonly string[]).includes(line.severity))).toBe(
      true,
    );
  });
});
