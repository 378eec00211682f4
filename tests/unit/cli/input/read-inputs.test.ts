import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { expandInputs, type InputItem, readInputs } from '../../../../cli/input/read-inputs.js';

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
});
