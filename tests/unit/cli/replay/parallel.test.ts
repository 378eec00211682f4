// The worker-thread replay against the one-thread replay: same summary, same --jsonl lines in the same order, on
// workers alone and on the main thread beside workers.
// The worker is bundled with esbuild for the test, as `npm ci` bundles it for the bin.
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { expandInputs, type InputFile, readInputs } from '../../../../cli/input/read-inputs.js';
import { compileDeployedRules, type ReplayRuleOptions } from '../../../../cli/replay/deployed.js';
import { toJsonlLine } from '../../../../cli/replay/jsonl-line.js';
import { replayInWorkers } from '../../../../cli/replay/parallel.js';
import { replayInto } from '../../../../cli/replay/replay.js';
import { createFileReplayer } from '../../../../cli/replay/replay-file.js';
import type { ReplayRules } from '../../../../cli/replay/rules-config.js';
import { ReplayAggregator } from '../../../../cli/replay/summary.js';
import { createAlert } from '../../../../shared/domain/alert.js';
import { PRESET_NAMES, type PresetName } from '../../../../shared/domain/patterns.js';
import { loadRulesYaml } from '../../../../shared/domain/rules/load-yaml.js';
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

  /** Replays the directory in one thread and on 3 workers, and compares the summaries and the lines. */
  const compare = async (rules: ReplayRuleOptions, config?: ReplayRules) => {
    const { preset } = rules;
    const { files } = await expandInputs(['.'], dir);
    const onDisk = files.filter((file): file is InputFile => file !== '-');
    expect(onDisk.length).toBeGreaterThan(3);
    const compiled = compileDeployedRules(rules);

    const sequential = new ReplayAggregator(preset, compiled.names, config?.config);
    const sequentialLines: string[] = [];
    const raw = compiled.raw;
    await replayInto(
      readInputs(files, { cwd: dir, stdin: Readable.from([]), ...(raw ? { prefilter: raw } : {}) }),
      sequential,
      {
        preset,
        compiled,
        // As `iam-alerts replay` does: the alerts are classified with the egress CIDRs the rules were compiled with.
        createAlert: (event) => createAlert(event, { instanceEgressCidrs: rules.egressCidrs }),
        ...(config ? { config } : {}),
        onAlert: (alert, location, outcome) =>
          void sequentialLines.push(toJsonlLine(alert, location, outcome)),
      },
    );

    // On 3 workers, and on the main thread beside 2 workers (as `iam-alerts replay` runs by default).
    const runs = [];
    for (const replayHere of [undefined, createFileReplayer(createAlert)]) {
      const parallel = new ReplayAggregator(preset, compiled.names, config?.config);
      const parallelLines: string[] = [];
      await replayInWorkers({
        files: onDisk,
        preset,
        rules,
        ...(config ? { config } : {}),
        cwd: dir,
        jsonl: true,
        jobs: 3,
        workerUrl,
        ...(replayHere ? { replayHere } : {}),
        aggregator: parallel,
        onLines: async (lines) => {
          parallelLines.push(...lines);
        },
      });
      expect(sequentialLines.length).toBeGreaterThan(0);
      expect(parallelLines).toEqual(sequentialLines);
      expect(parallel.toSummary()).toEqual(sequential.toSummary());
      expect(parallel.toSummary().problems.count).toBe(3);
      runs.push({ parallel, parallelLines });
    }
    const [{ parallel, parallelLines }] = runs as [(typeof runs)[number]];
    return { summary: parallel.toSummary(), lines: parallelLines.map((line) => JSON.parse(line)) };
  };

  it.each(PRESET_NAMES.map((preset) => [preset]))(
    'preset %s: 1 thread and 3 workers give the same summary and the same lines in the same order',
    async (preset) => {
      await compare({ preset: preset as PresetName, identityRules: true, egressCidrs: [] });
    },
    60_000,
  );

  it('applies the identity rules, the egress rule and the rules file in the workers as in one thread', async () => {
    const yaml = [
      'suppress:',
      '  - id: quiet-gets',
      '    reason: reads are expected',
      '    match: { eventName: ["Get*", "List*"], maxSeverity: medium }',
      'routes:',
      '  - name: high-only',
      '    match: { minSeverity: high }',
      '    email: [secops@example.com]',
    ].join('\n');
    const loaded = loadRulesYaml(yaml, { fileName: 'alerts.yml', mode: 'cli', today: '2026-01-01' });
    expect(loaded.errors).toEqual([]);
    const config = { config: loaded.config as NonNullable<typeof loaded.config>, today: '2026-01-01' };
    const { summary, lines } = await compare(
      { preset: 'all', identityRules: true, egressCidrs: ['10.0.0.0/8'] },
      config,
    );
    const hidden = lines.filter((line) => line.suppressedBy === 'quiet-gets').length;
    expect(hidden).toBeGreaterThan(0);
    expect(summary.suppression?.rules[0]?.hidden).toBe(hidden);
    expect(summary.rules).toEqual(['preset', 'guard-rails', 'identity', 'instance-egress-1']);
  }, 60_000);
});
