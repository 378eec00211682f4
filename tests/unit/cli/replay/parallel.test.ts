// The worker-thread replay against the one-thread replay: same summary, same --jsonl lines in the same order.
// The worker is bundled with esbuild for the test, as `npm ci` bundles it for the bin.
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { expandInputs, type InputFile, readInputs } from '../../../../cli/input/read-inputs.js';
import { createPrefilter } from '../../../../cli/patterns/prefilter.js';
import { toJsonlLine } from '../../../../cli/replay/jsonl-line.js';
import { replayInWorkers } from '../../../../cli/replay/parallel.js';
import { replayInto } from '../../../../cli/replay/replay.js';
import { ReplayAggregator } from '../../../../cli/replay/summary.js';
import { createAlert } from '../../../../shared/domain/alert.js';
import { PRESET_NAMES, PRESETS } from '../../../../shared/domain/patterns.js';
import { CORPUS_FILES, FIXTURES_DIR } from '../../../helpers/fixtures.js';

const ROOT = join(FIXTURES_DIR, '..', '..');

describe('replayInWorkers', () => {
  let dir: string;
  let workerUrl: URL;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'replay-workers-'));
    await build({
      absWorkingDir: ROOT,
      entryPoints: ['cli/replay/worker.ts'],
      outfile: join(dir, 'worker.mjs'),
      bundle: true,
      format: 'esm',
      platform: 'node',
      logLevel: 'silent',
    });
    workerUrl = pathToFileURL(join(dir, 'worker.mjs'));
    // The corpus files, one EventBridge event, and a file with bad lines (problems merge in order too).
    for (const file of CORPUS_FILES)
      copyFileSync(join(FIXTURES_DIR, 'cloudtrail', `${file}.jsonl`), join(dir, `${file}.jsonl`));
    copyFileSync(join(ROOT, 'events', 'create-role.json'), join(dir, 'z-event.json'));
    writeFileSync(join(dir, 'bad.jsonl'), 'not json\n{"eventSource": 1}\n[1]\n');
  }, 60_000);

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each(PRESET_NAMES.map((preset) => [preset]))(
    'preset %s: 1 thread and 3 workers give the same summary and the same lines in the same order',
    async (preset) => {
      const { files } = await expandInputs(['.'], dir);
      const onDisk = files.filter((file): file is InputFile => file !== '-');
      expect(onDisk.length).toBeGreaterThan(3);

      const sequential = new ReplayAggregator(preset);
      const sequentialLines: string[] = [];
      const raw = createPrefilter(PRESETS[preset])?.raw;
      await replayInto(
        readInputs(files, { cwd: dir, stdin: Readable.from([]), ...(raw ? { prefilter: raw } : {}) }),
        sequential,
        {
          preset,
          createAlert,
          onAlert: (alert, location) => void sequentialLines.push(toJsonlLine(alert, location)),
        },
      );

      const parallel = new ReplayAggregator(preset);
      const parallelLines: string[] = [];
      await replayInWorkers({
        files: onDisk,
        preset,
        cwd: dir,
        jsonl: true,
        jobs: 3,
        workerUrl,
        aggregator: parallel,
        onLines: async (lines) => {
          parallelLines.push(...lines);
        },
      });

      expect(sequentialLines.length).toBeGreaterThan(0);
      expect(parallelLines).toEqual(sequentialLines);
      expect(parallel.toSummary()).toEqual(sequential.toSummary());
      expect(parallel.toSummary().problems.count).toBe(3);
    },
    60_000,
  );
});
