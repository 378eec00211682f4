// examples/alerts.example.yml, the rules file the README's and docs/replay.md's commands run: it must load as the
// package step loads a rules file (mode `package`: an expired rule would be an error), and do on the sample history
// what its comments and the docs say, counted independently from the plain --jsonl replay.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../../../cli/main.js';
import { loadRulesYaml } from '../../../shared/domain/rules/load-yaml.js';
import { memoryIo } from '../../helpers/cli.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const EXAMPLE = 'examples/alerts.example.yml';

interface Line {
  eventName: string;
  severity: string;
  account: string | null;
  suppressedBy?: string | null;
  routes?: string[];
}

const run = async (args: string[]) => {
  const { io, stdout, stderr } = memoryIo(ROOT);
  const code = await main(args, io);
  return { code, stdout: stdout(), stderr: stderr() };
};
const jsonl = (text: string): Line[] =>
  text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Line);

describe(EXAMPLE, () => {
  it('loads with no error or warning, as serverless package would load it', () => {
    const loaded = loadRulesYaml(readFileSync(join(ROOT, EXAMPLE), 'utf8'), {
      fileName: EXAMPLE,
      mode: 'package',
      today: new Date().toISOString().slice(0, 10),
    });
    expect(loaded.errors).toEqual([]);
    expect(loaded.warnings).toEqual([]);
    expect(loaded.config?.suppress.map((rule) => rule.id)).toEqual(['quiet-gets', 'cfn-deployments']);
  });

  it('hides the info reads and routes one account’s high and critical alerts to prod, on the sample history', async () => {
    const args = ['replay', '--preset', 'all', '--jsonl', 'tests/fixtures/cloudtrail'];
    const plain = await run(args);
    const withRules = await run([...args.slice(0, -1), '--config', EXAMPLE, 'tests/fixtures/cloudtrail']);
    expect(plain.code).toBe(0);
    expect(withRules).toMatchObject({ code: 0, stderr: '' });
    const before = jsonl(plain.stdout);
    const after = jsonl(withRules.stdout);
    expect(after).toHaveLength(before.length);

    const read = (line: Line) => /^(Get|List)/.test(line.eventName) && line.severity === 'info';
    const hidden = after.filter((line) => line.suppressedBy === 'quiet-gets');
    expect(hidden.length).toBe(before.filter(read).length);
    expect(hidden.length).toBeGreaterThan(0);
    expect(after.filter((line) => line.suppressedBy === 'cfn-deployments')).toEqual([]);

    const prod = (line: Line) =>
      line.account === '123837392027' && (line.severity === 'high' || line.severity === 'critical');
    const routedProd = after.filter((line) => line.routes?.includes('prod'));
    expect(routedProd.length).toBe(before.filter(prod).length);
    expect(routedProd.length).toBeGreaterThan(0);
  });

  it('gives the summary docs/replay.md shows', async () => {
    const { code, stdout } = await run([
      'replay',
      '--preset',
      'all',
      '--config',
      EXAMPLE,
      'tests/fixtures/cloudtrail',
    ]);
    expect(code).toBe(0);
    const doc = readFileSync(join(ROOT, 'docs', 'replay.md'), 'utf8');
    const shown = doc.slice(doc.indexOf(`$ iam-alerts replay --preset all --config ${EXAMPLE}`));
    const summary = stdout.slice(stdout.indexOf('suppress rules:'), stdout.indexOf('\n\nBy severity'));
    expect(summary).toMatch(/^suppress rules: \d+ of \d+ alerts would be hidden\n {2}quiet-gets: hides/);
    expect(shown).toContain(summary);
  });
});
