import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import {
  BINARY_INPUT,
  expandInputs,
  type InputItem,
  readInputs,
  readTextItems,
} from '../../../../cli/input/read-inputs.js';

const record = (eventName: string) => ({ eventSource: 'iam.amazonaws.com', eventName, userIdentity: {} });

const collect = async (paths: string[], cwd: string, stdin: NodeJS.ReadableStream = Readable.from([])) => {
  const { files, problems } = await expandInputs(paths, cwd);
  const items: InputItem[] = [];
  for await (const item of readInputs(files, { cwd, stdin })) items.push(item);
  return { items, problems };
};

const names = (items: InputItem[]) =>
  items.flatMap((item) => {
    const values = item.kind === 'record' ? [item.value] : item.kind === 'records' ? item.values : [];
    return values.map((value) => {
      const v = value as { eventName?: string; detail?: { eventName: string } };
      return v.eventName ?? `event:${v.detail?.eventName}`;
    });
  });

describe('readInputs', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'replay-inputs-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads every supported format, recursing into directories in name order', async () => {
    mkdirSync(join(dir, 'logs', 'nested'), { recursive: true });
    writeFileSync(join(dir, 'logs', 'a.json'), JSON.stringify({ Records: [record('A1'), record('A2')] }));
    writeFileSync(join(dir, 'logs', 'b.json.gz'), gzipSync(JSON.stringify({ Records: [record('B1')] })));
    writeFileSync(
      join(dir, 'logs', 'c.jsonl'),
      `${JSON.stringify(record('C1'))}\n\n${JSON.stringify(record('C2'))}\n`,
    );
    writeFileSync(join(dir, 'logs', 'nested', 'd.jsonl.gz'), gzipSync(`${JSON.stringify(record('D1'))}\r\n`));
    writeFileSync(
      join(dir, 'logs', 'nested', 'e.json'),
      JSON.stringify({ detail: record('E1'), 'detail-type': 'x' }),
    );
    writeFileSync(join(dir, 'logs', 'notes.txt'), 'ignored in directories');
    const { items, problems } = await collect(['logs'], dir);
    expect(problems).toEqual([]);
    expect(names(items)).toEqual(['A1', 'A2', 'B1', 'C1', 'C2', 'D1', 'event:E1']);
    const event = items.find((i) => i.kind === 'record' && (i.value as { detail?: unknown }).detail);
    expect(event).toMatchObject({ source: 'logs/nested/e.json' });
    expect(items.filter((i) => i.kind === 'file')).toHaveLength(5);
    expect(items.find((i) => i.kind === 'records' && i.source === 'logs/a.json')).toMatchObject({
      values: [record('A1'), record('A2')],
    });
    expect(
      items.find((i) => i.kind === 'record' && i.source === 'logs/c.jsonl' && i.line === 3),
    ).toBeDefined();
  });

  it('reports bad input with file and line and keeps going', async () => {
    writeFileSync(
      join(dir, 'bad.jsonl'),
      `${JSON.stringify(record('OK1'))}\n{not json\n${JSON.stringify(record('OK2'))}\n`,
    );
    writeFileSync(
      join(dir, 'broken.json.gz'),
      gzipSync(JSON.stringify({ Records: [record('X')] })).subarray(0, 20),
    );
    writeFileSync(join(dir, 'broken.jsonl.gz'), gzipSync(JSON.stringify(record('Y'))).subarray(0, 15));
    writeFileSync(join(dir, 'truncated.json'), '{"Records": [');
    writeFileSync(join(dir, 'last.json'), JSON.stringify(record('LAST')));
    const { items, problems } = await collect(
      ['bad.jsonl', 'broken.json.gz', 'broken.jsonl.gz', 'missing.json', 'truncated.json', 'last.json'],
      dir,
    );
    expect(names(items)).toEqual(['OK1', 'OK2', 'LAST']);
    const reported = items.filter((i) => i.kind === 'problem').map((i) => `${i.source}:${i.line ?? '-'}`);
    expect(reported).toEqual(['bad.jsonl:2', 'broken.json.gz:-', 'broken.jsonl.gz:-', 'truncated.json:-']);
    expect(problems).toEqual([{ source: 'missing.json', message: expect.stringContaining('ENOENT') }]);
  });

  it('reads stdin as JSON lines, as a pretty-printed document, or gzipped', async () => {
    const lines = `${JSON.stringify(record('S1'))}\n${JSON.stringify(record('S2'))}\n`;
    expect(names((await collect(['-'], dir, Readable.from([lines]))).items)).toEqual(['S1', 'S2']);
    const pretty = JSON.stringify({ Records: [record('P1'), record('P2')] }, null, 2);
    expect(names((await collect(['-'], dir, Readable.from([pretty]))).items)).toEqual(['P1', 'P2']);
    const gz = gzipSync(pretty);
    expect(
      names((await collect(['-'], dir, Readable.from([gz.subarray(0, 10), gz.subarray(10)]))).items),
    ).toEqual(['P1', 'P2']);
  });

  it('expands a line holding a whole log file', async () => {
    writeFileSync(join(dir, 'files.jsonl'), `${JSON.stringify({ Records: [record('L1'), record('L2')] })}\n`);
    const { items } = await collect(['files.jsonl'], dir);
    expect(items.filter((i) => i.kind === 'records').map((i) => [names([i]), i.line])).toEqual([
      [['L1', 'L2'], 1],
    ]);
  });

  it('refuses a binary file in one problem, plain or gzipped, and reads on', async () => {
    writeFileSync(
      join(dir, 'image.json'),
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d]),
    );
    writeFileSync(join(dir, 'blob.jsonl.gz'), gzipSync(Buffer.from([0xff, 0xfe, 0x00, 0x41, 0x00])));
    writeFileSync(join(dir, 'ok.json'), JSON.stringify(record('OK')));
    const { items } = await collect(['image.json', 'blob.jsonl.gz', 'ok.json'], dir);
    expect(items.filter((i) => i.kind === 'problem')).toEqual([
      { kind: 'problem', source: 'image.json', message: BINARY_INPUT },
      { kind: 'problem', source: 'blob.jsonl.gz', message: BINARY_INPUT },
    ]);
    expect(names(items)).toEqual(['OK']);
  });

  it('skips a bad first line on stdin, counts it, and streams the rest without waiting for the end', async () => {
    const stdin = new PassThrough();
    const items = readInputs(['-'], { cwd: dir, stdin });
    stdin.write(`{"eventSource": broken\n${JSON.stringify(record('S1'))}\n`);
    const seen: InputItem[] = [];
    for (;;) {
      const next = await items.next();
      if (next.done) break;
      seen.push(next.value);
      // S1 arrives while stdin is still open: nothing is buffered until the end.
      if (next.value.kind === 'record') break;
    }
    expect(seen.map((i) => [i.kind, 'line' in i ? i.line : undefined])).toEqual([
      ['file', undefined],
      ['problem', 1],
      ['record', 2],
    ]);
    stdin.end(`${JSON.stringify(record('S2'))}\n`);
    const rest: InputItem[] = [];
    for await (const item of items) rest.push(item);
    expect(names(rest)).toEqual(['S2']);
  });

  it('reads the lines of a pretty-printed document that does not parse as JSON Lines after all', async () => {
    const text = `{\n${JSON.stringify(record('A'))}\n${JSON.stringify(record('B'))}\n`;
    const { items } = await collect(['-'], dir, Readable.from([text]));
    expect(names(items)).toEqual(['A', 'B']);
    expect(items.filter((i) => i.kind === 'problem').map((i) => 'line' in i && i.line)).toEqual([1]);
  });
});

describe('readTextItems', () => {
  it('reads a text in memory as readInputs reads a file of that name', () => {
    const lines = `${JSON.stringify(record('A'))}\r\n\nnot json\n${JSON.stringify({ Records: [record('B')] })}\n`;
    expect(readTextItems(lines, 'x.jsonl').map((i) => [i.kind, 'line' in i ? i.line : undefined])).toEqual([
      ['record', 1],
      ['problem', 3],
      ['records', 4],
    ]);
    expect(readTextItems(JSON.stringify({ Records: [record('C')] }, null, 2), 'y.json')).toEqual([
      { kind: 'records', source: 'y.json', container: 'Records', values: [record('C')] },
    ]);
  });
});
