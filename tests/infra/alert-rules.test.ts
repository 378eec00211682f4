// alerts.yml at package time, with the real osls CLI (resources/derived.cjs, alertRules): the rules file is
// validated in mode `package` (an expired rule is an error), every problem is one line naming the line and field,
// and the compiled JSON lands in both functions' environment as ALERT_RULES, within Lambda's 4 KB.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeWorkCopy, runServerless } from '../helpers/template.js';

let workDir: string;
beforeAll(() => {
  workDir = makeWorkCopy(join(mkdtempSync(join(tmpdir(), 'iam-alerts-rules-')), 'project'));
});
afterAll(() => rmSync(join(workDir, '..'), { recursive: true, force: true }));

const sls = (args: string[]) => runServerless(workDir, args);

const GOOD = `suppress:
  - id: cfn-pipeline
    reason: the pipeline deploys roles
    match:
      account: ["111122223333"]
      via: [cloudformation]
      principal: ["arn:aws:iam::111122223333:role/cfn-exec-*"]
routes:
  - name: prod
    match: { account: ["111122223333"], minSeverity: high }
    email: [secops@example.com]
`;

const BAD = `suppress:
  - id: cfn-pipeline
    expires: 2020-01-31
    match:
      eventName: ["Attach[A-Z]*"]
`;

/** The functions' environments as `serverless print` resolves them (every variable, no AWS call). */
const environments = async (args: string[]) => {
  const { code, output } = await sls(['print', '--path', 'functions', '--format', 'json', ...args]);
  expect(code).toBe(0);
  const functions = JSON.parse(output.slice(output.indexOf('{'))) as Record<
    string,
    { environment: Record<string, unknown> }
  >;
  return functions;
};

describe('serverless package with alerts.yml', () => {
  it('puts the shipped alerts.yml, compiled, in both functions as ALERT_RULES', async () => {
    const functions = await environments([]);
    for (const name of ['notifier', 'forwarder']) {
      expect(JSON.parse(String(functions[name]?.environment.ALERT_RULES))).toEqual({
        suppress: [],
        routes: [],
        grouping: { windowSeconds: 300, maxSeverity: 'medium' },
      });
    }
  }, 130_000);

  it('reads another file named by the alertsConfig param, which is not passed on as a stack parameter', async () => {
    writeFileSync(join(workDir, 'team-rules.yml'), GOOD);
    const functions = await environments(['--param', 'alertsConfig=team-rules.yml']);
    const notifier = JSON.parse(String(functions.notifier?.environment.ALERT_RULES));
    expect(notifier.suppress[0]).toMatchObject({ id: 'cfn-pipeline', includeCritical: false });
    expect(notifier.suppress[0].match.maxSeverity).toBe('high');
    expect(notifier.routes.map((route: { name: string }) => route.name)).toEqual(['prod']);
    expect(functions.forwarder?.environment.ALERT_RULES).toBe(functions.notifier?.environment.ALERT_RULES);
    const { code, output } = await sls([
      'print',
      '--path',
      'provider.stackParameters',
      '--format',
      'json',
      '--param',
      'alertsConfig=team-rules.yml',
    ]);
    expect(code).toBe(0);
    expect(output).not.toContain('alertsConfig');
  }, 130_000);

  it('fails package with one line per problem, naming line and field; an expired rule is one', async () => {
    writeFileSync(join(workDir, 'bad-rules.yml'), BAD);
    const { code, output } = await sls([
      'package',
      '--package',
      join(workDir, 'out'),
      '--param',
      'alertsConfig=bad-rules.yml',
    ]);
    expect(code).toBe(1);
    const problems = output.split('\n').filter((line) => line.startsWith('bad-rules.yml:'));
    expect(problems).toEqual([
      'bad-rules.yml:2: suppress[0].reason: missing (required: why these alerts are expected)',
      expect.stringMatching(
        /^bad-rules\.yml:3: suppress\[0\]\.expires: the rule expired on 2020-01-31 \(today is /,
      ),
      expect.stringMatching(
        /^bad-rules\.yml:5: suppress\[0\]\.match\.eventName\[0\]: 'Attach\[A-Z\]\*' is not a valid glob/,
      ),
    ]);
    expect(output).not.toMatch(/\n\s+at /);
  }, 130_000);

  it('fails package when the compiled rules would not fit in Lambda 4 KB environment', async () => {
    const rules = Array.from(
      { length: 30 },
      (_, index) =>
        `  - id: rule-${index}\n    reason: ${'a long explanation '.repeat(6)}\n    match: { eventName: ["CreateRole"] }\n`,
    ).join('');
    writeFileSync(join(workDir, 'big-rules.yml'), `suppress:\n${rules}`);
    const { code, output } = await sls([
      'print',
      '--path',
      'functions',
      '--param',
      'alertsConfig=big-rules.yml',
    ]);
    expect(code).toBe(1);
    expect(output).toMatch(
      /big-rules\.yml compiles to \d+ bytes of JSON \(ALERT_RULES\); .* over Lambda's 4 KB environment limit/,
    );
  }, 130_000);

  it('names a missing rules file given by the param', async () => {
    const { code, output } = await sls(['print', '--path', 'functions', '--param', 'alertsConfig=nope.yml']);
    expect(code).toBe(1);
    expect(output).toContain('nope.yml: cannot read the rules file (ENOENT)');
  }, 130_000);
});
