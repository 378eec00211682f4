// `--config FILE` of `replay` and `render` (cli/rules-file.ts): a file that is not YAML text (an executable, an image,
// UTF-16) is one line and exit 2, not one parser error per line of noise; a YAML text file is read as before.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../../cli/main.js';
import { yamlText } from '../../../cli/rules-file.js';
import { memoryIo } from '../../helpers/cli.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'iam-alerts-rules-file-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const run = async (args: string[]) => {
  const { io, stdout, stderr } = memoryIo(dir);
  const code = await main(args, io);
  return { code, stdout: stdout(), stderr: stderr() };
};

// An ELF header and the kind of text an executable holds: many lines of what a YAML parser would try to read.
const EXECUTABLE = Buffer.concat([
  Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
  Buffer.from(Array.from({ length: 50 }, (_, i) => `usage: %s [OPTION]... ${i}: <%s>\n`).join('\0')),
]);

describe('replay --config with a file that is not YAML text', () => {
  it.each([
    ['an executable', EXECUTABLE],
    ['UTF-16 text', Buffer.from('\ufeffsuppress: []\n', 'utf16le')],
    ['bytes that are not UTF-8', Buffer.from([0x73, 0x75, 0xff, 0xfe, 0x3a, 0x0a])],
  ])('prints one line for %s and exits 2', async (_kind, bytes) => {
    const file = join(dir, 'rules.bin');
    writeFileSync(file, bytes);
    for (const command of ['replay', 'render']) {
      const result = await run([command, '--config', 'rules.bin', 'none.json']);
      expect(result).toEqual({
        code: 2,
        stdout: '',
        stderr: `iam-alerts ${command}: --config rules.bin: not a YAML text file\n`,
      });
    }
  });

  it('still reads a YAML text file, a BOM and non-ASCII text included', async () => {
    writeFileSync(join(dir, 'empty.yml'), '\ufeff# règles: aucune\nsuppress: []\n');
    const { code, stdout, stderr } = await run(['replay', '--config', 'empty.yml', 'none.json']);
    // The rules were accepted: what fails is the missing event file, not the rules file.
    expect(stderr).not.toContain('empty.yml');
    expect(stdout).toContain('suppress rules: 0 of 0 alerts would be hidden');
    expect(stderr).toContain('none.json: cannot read');
    expect(code).toBe(1);
  });
});

describe('yamlText', () => {
  it('gives the text of UTF-8 YAML, tabs and CRLF included, without the BOM', () => {
    expect(yamlText(Buffer.from('\ufeffa:\tb\r\nc: é\n'))).toBe('a:\tb\r\nc: é\n');
  });

  it.each([
    ['a NUL byte', 'a: b\0'],
    ['an escape character', 'a: \u001b[31m'],
    ['a C1 control', 'a: \u0090'],
  ])('refuses text holding %s (not in the YAML character set)', (_kind, text) => {
    expect(yamlText(Buffer.from(text))).toBeUndefined();
  });
});
