// One rule for every command's output streams (README, "The CLI's output streams"): stdout holds only the result asked
// for (alerts, the summary or report, JSON lines, the pattern); every problem with the input, warning, note and the
// progress bar go to stderr, in every output mode; a text summary or report says how many inputs it skipped. So
// `iam-alerts … > out` leaves exactly the result in `out`, and in the JSON modes every line of it parses.
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../../cli/main.js';
import { memoryIo } from '../../helpers/cli.js';
import { FIXTURES_DIR } from '../../helpers/fixtures.js';

const EVENTS_DIR = join(FIXTURES_DIR, '..', '..', 'events');

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cli-streams-'));
  // Good input: an IAM write (an alert for render and replay) and instance-credential calls (rows for scp-impact).
  copyFileSync(join(EVENTS_DIR, 'create-role.json'), join(dir, 'create-role.json'));
  copyFileSync(join(FIXTURES_DIR, 'scp-impact', 'instance-calls.jsonl'), join(dir, 'instance-calls.jsonl'));
  // Bad input: a file whose second line is malformed (its first is blank), and a broken gzip.
  writeFileSync(join(dir, 'bad.jsonl'), '\nnot json\n');
  writeFileSync(join(dir, 'broken.json.gz'), Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x01]));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const INPUTS = ['create-role.json', 'instance-calls.jsonl', 'bad.jsonl', 'broken.json.gz'];
const run = async (args: string[]) => {
  const { io, stdout, stderr } = memoryIo(dir);
  const code = await main(args, io);
  return { code, stdout: stdout(), stderr: stderr() };
};

/** Whether every non-empty line of `text` is one JSON value. */
const isJsonLines = (text: string): boolean =>
  text
    .split('\n')
    .filter(Boolean)
    .every((line) => {
      try {
        JSON.parse(line);
        return true;
      } catch {
        return false;
      }
    });

/** Each command and output mode, with its documented exit code for this input and what its stdout must be. */
const MODES: { args: string[]; exit: number; stdout: 'text' | 'json' | 'jsonl' }[] = [
  { args: ['render'], exit: 1, stdout: 'text' },
  ...['json', 'sns', 'slack', 'jira'].map((format) => ({
    args: ['render', '--format', format],
    exit: 1,
    stdout: 'jsonl' as const,
  })),
  { args: ['replay'], exit: 0, stdout: 'text' },
  { args: ['replay', '--strict'], exit: 1, stdout: 'text' },
  { args: ['replay', '--format', 'json'], exit: 0, stdout: 'json' },
  { args: ['replay', '--jsonl'], exit: 0, stdout: 'jsonl' },
  // scp-impact: 1 when a call would be denied or an input was unreadable.
  { args: ['scp-impact'], exit: 1, stdout: 'text' },
  { args: ['scp-impact', '--jsonl'], exit: 1, stdout: 'jsonl' },
];

describe('output streams: the result on stdout, problems on stderr', () => {
  it.each(MODES.map((mode) => [mode.args.join(' '), mode] as const))(
    '%s: stdout is the result only, every problem is on stderr, exit code as documented',
    async (_name, mode) => {
      // Act
      const { code, stdout, stderr } = await run([...mode.args, ...INPUTS]);
      // Assert
      expect(code).toBe(mode.exit);
      expect(stdout.length).toBeGreaterThan(0);
      // The JSON summary carries its problems as data (`problems`); no other result names them.
      if (mode.stdout !== 'json') {
        for (const bad of ['bad.jsonl', 'broken.json.gz', 'malformed JSON', 'broken gzip']) {
          expect(stdout).not.toContain(bad);
        }
      }
      expect(stderr).toMatch(/bad\.jsonl(:2)?: malformed JSON[^\n]*/);
      expect(stderr).toMatch(/broken\.json\.gz: broken gzip/);
      if (mode.stdout === 'json') expect(() => JSON.parse(stdout)).not.toThrow();
      if (mode.stdout === 'jsonl') expect(isJsonLines(stdout)).toBe(true);
      // A text report says it covers part of the input, and where the rest is told.
      if (mode.stdout === 'text' && mode.args[0] !== 'render') {
        expect(stdout).toMatch(/\b2 input(s|\(s\)) skipped \(unreadable or malformed: listed on stderr\)/);
      }
    },
  );

  it('replay reports the same problems on stderr whatever its output mode, and the JSON summary keeps them as data', async () => {
    const text = await run(['replay', ...INPUTS]);
    const json = await run(['replay', '--format', 'json', ...INPUTS]);
    const jsonl = await run(['replay', '--jsonl', ...INPUTS]);
    expect(text.stderr).toMatch(/^Problems: 2 inputs skipped\n/);
    expect(json.stderr).toBe(text.stderr);
    expect(jsonl.stderr).toBe(text.stderr);
    expect(JSON.parse(json.stdout).problems).toMatchObject({ count: 2 });
  });

  it('scp-impact reports the same problems on stderr in both modes, and its text no longer calls the history clean', async () => {
    const text = await run(['scp-impact', ...INPUTS]);
    const jsonl = await run(['scp-impact', '--jsonl', ...INPUTS]);
    expect(jsonl.stderr).toContain(text.stderr);
    const clean = await run(['scp-impact', 'create-role.json', 'bad.jsonl']);
    expect(clean.stdout).not.toContain('Nothing in this history would be denied.');
    expect(clean.stdout).toContain('part of the history could not be read');
  });

  it.each([
    [['patterns']],
    [['patterns', '--rule', 'guard-rails']],
    [['patterns', '--preset', 'writes', '--sql', 'athena']],
    [['patterns', '--preset', 'all', '--sql', 'lake']],
  ])('%j: the pattern or SQL on stdout, nothing on stderr, exit 0', async (args) => {
    const { code, stdout, stderr } = await run(args);
    expect(code).toBe(0);
    expect(stderr).toBe('');
    if (!args.includes('--sql')) expect(() => JSON.parse(stdout)).not.toThrow();
    else expect(stdout).toMatch(/^-- iam-change-alerts preset/);
  });

  it.each([
    [['render', '--format', 'pdf']],
    [['replay']],
    [['scp-impact', '--ec2-infrastructure-exception', 'maybe', '.']],
    [['patterns', '--sql', 'oracle']],
  ])('%j: a usage error is on stderr only, exit 2', async (args) => {
    const { code, stdout, stderr } = await run(args);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain(`usage: iam-alerts ${args[0]}`);
  });
});
