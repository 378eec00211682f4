// The functions' zips from `serverless package` (real osls CLI) with esbuild code splitting: each zip holds its
// handler and the chunks it can load, the notifier's policy analysis, IAM and Organizations clients are loaded
// only by `import()`, and the packaged notifier still publishes an alert, the minimal one, when a chunk is corrupt.
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, normalize } from 'node:path';
import { promisify } from 'node:util';
import { type FakeSns, startFakeSns } from '../helpers/sns-server.js';
import { listZip, type PackagedService, packageService } from '../helpers/template.js';

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '..', '..');
const FUNCTIONS = ['notifier', 'forwarder', 'digest'];

let packaged: PackagedService;
let unpacked: string;

beforeAll(async () => {
  packaged = await packageService();
  unpacked = mkdtempSync(join(tmpdir(), 'iam-alerts-chunks-'));
  for (const name of FUNCTIONS) {
    await run('unzip', ['-q', join(packaged.artifactDir, `${name}.zip`), '-d', join(unpacked, name)]);
  }
}, 300_000);
afterAll(() => rmSync(unpacked, { recursive: true, force: true }));

/** The relative imports of a bundle file: static (`from"./x.mjs"`, `import"./x.mjs"`) and dynamic (`import("./x.mjs")`). */
const importsOf = (file: string): { statics: string[]; dynamics: string[] } => {
  const code = readFileSync(file, 'utf8');
  const resolve = (specifier: string) => normalize(join(dirname(file), specifier));
  const statics = [...code.matchAll(/(?:\bfrom|\bimport)\s*"(\.\.?\/[^"]+)"/g)].map((m) =>
    resolve(m[1] ?? ''),
  );
  const dynamics = [...code.matchAll(/\bimport\(\s*"(\.\.?\/[^"]+)"\s*\)/g)].map((m) => resolve(m[1] ?? ''));
  return { statics, dynamics };
};

/** Every file reached from `entry`, following static imports only, or static and dynamic ones. */
const closure = (entry: string, withDynamic: boolean): Set<string> => {
  const seen = new Set<string>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    const { statics, dynamics } = importsOf(file);
    for (const next of withDynamic ? [...statics, ...dynamics] : statics) visit(next);
  };
  visit(entry);
  return seen;
};

describe('serverless package with code splitting', () => {
  it.each(FUNCTIONS)('zips the %s handler with every chunk it can load and nothing else', async (name) => {
    const files = await listZip(join(packaged.artifactDir, `${name}.zip`));
    expect(files).toContain(`functions/${name}/handler.mjs`);
    // No other function's bundle or chunks (serverless-esbuild drops `<other bundle>.*`: handler.chunks/ included).
    expect(files.filter((file) => !file.startsWith(`functions/${name}/`))).toEqual([]);
    const dir = join(unpacked, name);
    const reachable = closure(join(dir, `functions/${name}/handler.mjs`), true);
    // Every import, static or dynamic, resolves to a file of the zip. (The zip may hold a chunk nothing imports:
    // esbuild still emits the target of an `import()` it tree-shook away, such as the SDK's browser user-agent parser.)
    const inZip = [...reachable].map((file) => file.slice(dir.length + 1));
    expect(files).toEqual(expect.arrayContaining(inZip));
    expect(inZip.length).toBeGreaterThan(1);
  });

  it('loads the policy analysis, the IAM client and the Organizations client only by import(), never at cold start', async () => {
    const dir = join(unpacked, 'notifier');
    const chunks = readdirSync(join(dir, 'functions/notifier/handler.chunks'));
    const policy = chunks.filter((file) => file.startsWith('enrich-'));
    const organizations = chunks.filter((file) => file.startsWith('organizations-sdk-'));
    const iam = chunks.filter((file) => file.startsWith('iam-sdk-'));
    expect(policy).toHaveLength(1);
    expect(organizations).toHaveLength(1);
    expect(iam).toHaveLength(1);
    const atColdStart = closure(join(dir, 'functions/notifier/handler.mjs'), false);
    const coldNames = [...atColdStart].map((file) => file.slice(file.lastIndexOf('/') + 1));
    for (const deferred of [...policy, ...organizations, ...iam]) expect(coldNames).not.toContain(deferred);
    // The policy evaluator's resource-type table lives in the deferred chunk, not in what every cold start reads.
    const coldCode = [...atColdStart].map((file) => readFileSync(file, 'utf8')).join('\n');
    expect(coldCode).not.toContain('arn:*:iam::*:role/');
    expect(readFileSync(join(dir, 'functions/notifier/handler.chunks', policy[0] ?? ''), 'utf8')).toContain(
      'arn:*:iam::*:role/',
    );
  });

  describe('the packaged notifier, run from its zip', () => {
    let sns: FakeSns;
    beforeAll(async () => {
      sns = await startFakeSns();
    });
    afterAll(() => sns.close());
    beforeEach(() => {
      sns.received.length = 0;
    });

    /** Imports the unzipped handler in a fresh Node process and hands it one sample of events/. */
    const invoke = async (dir: string, sample: string): Promise<void> => {
      const event = JSON.parse(readFileSync(join(ROOT, 'events', `${sample}.json`), 'utf8')) as {
        detail: { eventID: string };
      };
      event.detail.eventID = `${sample}-${dir}`;
      const script = `const {handler}=await import(${JSON.stringify(join(dir, 'functions/notifier/handler.mjs'))});
await handler(JSON.parse(process.env.EVENT),{functionName:'notifier',awsRequestId:'r',getRemainingTimeInMillis:()=>30000});`;
      await run(process.execPath, ['--input-type=module', '-e', script], {
        env: {
          PATH: process.env.PATH,
          EVENT: JSON.stringify(event),
          AWS_REGION: 'us-east-1',
          AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
          AWS_SECRET_ACCESS_KEY: 'x',
          AWS_ENDPOINT_URL_SNS: sns.endpoint,
          ALERT_TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:iam-change-alerts-chunks',
          IAM_ENRICHMENT: 'off',
          POWERTOOLS_LOG_LEVEL: 'ERROR',
        },
        timeout: 60_000,
      });
    };
    const published = (): { title: string; notes: string[]; policy?: unknown } => {
      // Machine subscribers read the alert from its `alert` attribute.
      const text = sns.received[0]?.attributes.alert?.value ?? '{}';
      return JSON.parse(text) as { title: string; notes: string[]; policy?: unknown };
    };

    it('publishes the full alert, policy analysis included, from the chunks as packaged', async () => {
      const dir = join(unpacked, 'notifier');
      await invoke(dir, 'put-role-policy');
      expect(sns.received).toHaveLength(1);
      expect(published().title).not.toContain('alert incomplete');
      expect(published().policy).toBeDefined();
    }, 90_000);

    it('still publishes the minimal alert for a policy event when the policy chunk is corrupt', async () => {
      const dir = mkdtempSync(join(unpacked, 'corrupt-'));
      await run('unzip', ['-q', join(packaged.artifactDir, 'notifier.zip'), '-d', dir]);
      const chunks = join(dir, 'functions/notifier/handler.chunks');
      const policy = readdirSync(chunks).find((file) => file.startsWith('enrich-')) ?? '';
      const code = readFileSync(join(chunks, policy), 'utf8');
      // A truncated file, as a damaged package would hold: a syntax error when the chunk is loaded.
      writeFileSync(join(chunks, policy), code.slice(0, Math.floor(code.length / 2)));

      await invoke(dir, 'put-role-policy');
      expect(sns.received).toHaveLength(1);
      expect(published().title).toBe('PutRolePolicy (iam.amazonaws.com): alert incomplete');
      expect(published().notes[0]).toMatch(/^alert incomplete: the build stage failed: /);

      // An event that names no policy never loads that chunk: its full alert goes out.
      sns.received.length = 0;
      await invoke(dir, 'create-access-key-other-user');
      expect(sns.received).toHaveLength(1);
      expect(published().title).not.toContain('alert incomplete');
    }, 120_000);
  });
});
