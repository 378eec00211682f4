import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { main } from '../../../cli/main.js';
import { createReplayCommand } from '../../../cli/replay.js';
import { createAlert } from '../../../shared/domain/alert.js';
import { parseIamEvent } from '../../../shared/domain/cloudtrail.js';
import { SEVERITIES } from '../../../shared/domain/types.js';
import { memoryIo } from '../../helpers/cli.js';
import { defaultDeploymentDelivers, FIXTURES_DIR, isIamWrite, loadCorpus } from '../../helpers/fixtures.js';
import { fakeCreateAlert } from './replay/fake-alert.js';

const command = createReplayCommand(async () => fakeCreateAlert);

const corpusDir = join(FIXTURES_DIR, 'cloudtrail');

describe('iam-alerts replay', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'replay-cli-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('summarises the corpus and the same records as gzipped CloudTrail log files identically', async () => {
    const corpus = loadCorpus().map((e) => e.record);
    for (let i = 0; i < corpus.length; i += 500) {
      writeFileSync(
        join(dir, `log-${i}.json.gz`),
        gzipSync(JSON.stringify({ Records: corpus.slice(i, i + 500) })),
      );
    }
    const files = [
      'stratus-red-team',
      'invictus-ir-aws-dataset',
      'otrf-security-datasets',
      'awsdocs-examples',
    ];
    const plain = memoryIo(corpusDir);
    expect(await command.run(['--format', 'json', ...files.map((f) => `${f}.jsonl`)], plain.io)).toBe(0);
    const gz = memoryIo(dir);
    expect(await command.run(['--format', 'json', '.'], gz.io)).toBe(0);
    const a = JSON.parse(plain.stdout());
    const b = JSON.parse(gz.stdout());
    expect(a.alerts).toBe(corpus.filter(defaultDeploymentDelivers).length);
    expect({ ...b, files: a.files }).toEqual(a);
  });

  it('prints a readable summary by default', async () => {
    const { io, stdout } = memoryIo(corpusDir);
    expect(await command.run(['--preset', 'changes', 'stratus-red-team.jsonl'], io)).toBe(0);
    expect(stdout()).toMatch(
      /^Replay with preset 'changes', the guard rails and the identity rules\n {2}309 records in 1 file, /,
    );
    expect(stdout()).toContain('By severity');
    expect(stdout()).toContain('Top principals');
  });

  it('evaluates the delivery-parameter guard rail only on the names it is given (--delivery-parameters, --config routes)', async () => {
    const ssmDir = join(FIXTURES_DIR, 'ssm-guard-rails');
    const alerted = async (args: string[]) => {
      const { io, stdout } = memoryIo(ssmDir);
      expect(await command.run(['--jsonl', ...args, 'records.jsonl'], io)).toBe(0);
      return stdout()
        .split('\n')
        .filter(Boolean)
        .map((line) => (JSON.parse(line) as { eventID: string }).eventID.slice(0, 8));
    };
    // A record names no stack parameter's value: without names, no SSM record reaches the notifier.
    expect(await alerted([])).toEqual([]);
    expect(
      await alerted(['--delivery-parameters', '/iam-alerts/slack-webhook-url,/slack-bot-token']),
    ).toEqual(['00000001', '00000003', '00000004', '00000006', '00000007']);
    writeFileSync(
      join(dir, 'routes.yml'),
      'routes:\n  - name: prod\n    match: { minSeverity: high }\n    slack: /iam-alerts/slack/prod\n',
    );
    expect(await alerted(['--config', join(dir, 'routes.yml')])).toEqual([
      '00000004',
      '00000005',
      '00000008',
    ]);
    const { io, stdout } = memoryIo(ssmDir);
    expect(
      await command.run(['--delivery-parameters', '/iam-alerts/jira-api-token', 'records.jsonl'], io),
    ).toBe(0);
    expect(stdout()).toMatch(
      /^Replay with preset 'writes', the guard rails, the identity rules and the delivery-parameter guard rail\n/,
    );
    const wrong = memoryIo(ssmDir);
    await expect(command.run(['--delivery-parameters', '/a b', 'records.jsonl'], wrong.io)).rejects.toThrow(
      "--delivery-parameters takes SSM parameter names, comma-separated, not '/a b'",
    );
  });

  it('classifies with the same names it evaluates the rule on: only a write to one of them is the guard rail', async () => {
    const real = createReplayCommand(async () => createAlert);
    const ssmDir = join(FIXTURES_DIR, 'ssm-guard-rails');
    const lines = async (args: string[]) => {
      const { io, stdout } = memoryIo(ssmDir);
      expect(await real.run(['--jsonl', ...args, 'records.jsonl'], io)).toBe(0);
      return stdout()
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as { eventID: string; severity: string; title: string })
        .map((line) => [line.eventID.slice(0, 8), line.severity, line.title]);
    };
    writeFileSync(
      join(dir, 'routes.yml'),
      'routes:\n  - name: prod\n    match: { minSeverity: high }\n    slack: /iam-alerts/slack/prod\n',
    );
    // The route's rule delivers the padded webhook name (every padded name matches): a write to a parameter the
    // forwarder does not read, so an ordinary low change; the DeleteParameters names only the route's webhook.
    expect(await lines(['--config', join(dir, 'routes.yml')])).toEqual([
      ['00000004', 'low', 'ssm:PutParameter'],
      [
        '00000005',
        'critical',
        'SSM parameter /iam-alerts/slack/prod overwritten: Slack or Jira alerts may go elsewhere (with an expiration policy)',
      ],
      [
        '00000008',
        'critical',
        'SSM parameters /iam-alerts/slack/prod deleted: Slack or Jira alerts may fail',
      ],
    ]);
    expect(
      await lines([
        '--delivery-parameters',
        '/iam-alerts/slack-webhook-url',
        '--config',
        join(dir, 'routes.yml'),
      ]),
    ).toContainEqual([
      '00000004',
      'critical',
      'SSM parameter  /iam-alerts/slack-webhook-url overwritten: Slack or Jira alerts may go elsewhere',
    ]);
  });

  it('evaluates the key rule and classifies with the keys of --own-keys: only a call on one of them is the guard rail', async () => {
    const real = createReplayCommand(async () => createAlert);
    const kmsDir = join(FIXTURES_DIR, 'kms-guard-rails');
    const lines = async (args: string[]) => {
      const { io, stdout } = memoryIo(kmsDir);
      expect(await real.run(['--jsonl', ...args, 'records.jsonl'], io)).toBe(0);
      return stdout()
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as { eventID: string; severity: string; title: string })
        .map((line) => [line.eventID.slice(0, 8), line.severity, line.title]);
    };
    // Without keys only the identity rules (root activity) deliver: the root calls, none called a topic key.
    expect(await lines([])).toEqual([
      ['00000007', 'critical', 'kms:DisableKey'],
      ['00000008', 'critical', 'kms:ScheduleKeyDeletion'],
      ['00000009', 'critical', 'kms:PutKeyPolicy'],
      ['00000010', 'critical', 'kms:DisableKey'],
    ]);
    const alertKey = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    const withKey = await lines(['--own-keys', alertKey]);
    // The alert topic's key, by ID and by ARN, now delivered by the key rule and alerted as the guard rail.
    expect(withKey.map(([id]) => id)).toEqual([
      '00000001',
      '00000002',
      '00000005',
      '00000007',
      '00000008',
      '00000009',
      '00000010',
    ]);
    expect(withKey.filter(([, , title]) => String(title).startsWith('kms:'))).toEqual([
      ['00000007', 'critical', 'kms:DisableKey'],
      ['00000008', 'critical', 'kms:ScheduleKeyDeletion'],
      ['00000009', 'critical', 'kms:PutKeyPolicy'],
    ]);
    const { io } = memoryIo(kmsDir);
    await expect(real.run(['--preset-only', '--own-keys', alertKey, 'records.jsonl'], io)).rejects.toThrow(
      '--preset-only evaluates the preset alone',
    );
  });

  it('--jsonl prints one classified line per match with the agreed fields', async () => {
    const { io, stdout } = memoryIo(corpusDir);
    expect(await command.run(['--jsonl', 'stratus-red-team.jsonl'], io)).toBe(0);
    const lines = stdout()
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    const expected = loadCorpus().filter(
      (e) => e.file === 'stratus-red-team' && defaultDeploymentDelivers(e.record),
    );
    expect(lines.map((l) => l.eventID)).toEqual(expected.map((e) => e.record.eventID));
    for (const line of lines) {
      expect(Object.keys(line)).toEqual(
        expect.arrayContaining([
          'eventID',
          'eventName',
          'eventSource',
          'eventTime',
          'family',
          'category',
          'severity',
        ]),
      );
      expect(line).toMatchObject({
        reasons: expect.any(Array),
        title: expect.any(String),
        principal: { type: expect.any(String) },
      });
      expect(line).toHaveProperty('errorCode');
      expect(line.principal).toHaveProperty('arn');
    }
  });

  it('reads stdin', async () => {
    const record = loadCorpus().find((e) => isIamWrite(e.record))?.record;
    const { io, stdout } = memoryIo(dir, Readable.from([`${JSON.stringify(record)}\n`]));
    expect(await command.run(['--format', 'json', '-'], io)).toBe(0);
    expect(JSON.parse(stdout())).toMatchObject({ files: 1, records: 1, alerts: 1 });
  });

  it('skips and counts a bad first line on stdin, and replays every valid record after it', async () => {
    const records = loadCorpus()
      .filter((e) => isIamWrite(e.record))
      .slice(0, 3)
      .map((e) => JSON.stringify(e.record));
    const input = `{"eventSource": "iam.amazonaws.com", broken\n${records.join('\n')}\n`;
    const { io, stdout } = memoryIo(dir, Readable.from([input]));
    expect(await command.run(['--format', 'json', '-'], io)).toBe(0);
    expect(JSON.parse(stdout())).toMatchObject({
      records: 3,
      alerts: 3,
      problems: { count: 1, groups: [{ source: '-', at: ['line 1'] }] },
    });
  });

  it('reports bad input at the end: exit 0, or 1 with --strict; a missing path exits 1', async () => {
    writeFileSync(
      join(dir, 'bad.jsonl'),
      '{"eventSource":"iam.amazonaws.com","eventName":"CreateUser","readOnly":false}\nnot json\n',
    );
    writeFileSync(join(dir, 'broken.json.gz'), Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x01]));
    const lenient = memoryIo(dir);
    expect(await command.run(['bad.jsonl', 'broken.json.gz', 'missing'], lenient.io)).toBe(1);
    // The summary on stdout counts them; stderr lists them (README, "The CLI's output streams").
    expect(lenient.stdout()).toContain('  3 inputs skipped (unreadable or malformed: listed on stderr)\n');
    expect(lenient.stdout()).not.toContain('bad.jsonl');
    expect(lenient.stderr()).toMatch(
      /Problems: 3 inputs skipped\n {2}missing: cannot read: ENOENT.*\n {2}bad\.jsonl: malformed JSON.* \(line 2\)\n {2}broken\.json\.gz: broken gzip: /,
    );
    const badOnly = memoryIo(dir);
    expect(await command.run(['bad.jsonl', 'broken.json.gz'], badOnly.io)).toBe(0);
    const strict = memoryIo(dir);
    expect(await command.run(['--strict', '--jsonl', 'bad.jsonl'], strict.io)).toBe(1);
    expect(strict.stdout().trim().split('\n')).toHaveLength(1);
    expect(strict.stderr()).toContain('bad.jsonl: malformed JSON');
  });

  it("with the notifier's own createAlert, --jsonl gives what the notifier would have sent", async () => {
    const { io, stdout } = memoryIo(corpusDir);
    expect(
      await main(['replay', '--jsonl', 'stratus-red-team.jsonl', 'invictus-ir-aws-dataset.jsonl'], io),
    ).toBe(0);
    const lines = stdout()
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    const corpusWrites = loadCorpus().filter(
      (e) =>
        ['stratus-red-team', 'invictus-ir-aws-dataset'].includes(e.file) &&
        defaultDeploymentDelivers(e.record),
    );
    const expected = await Promise.all(corpusWrites.map((e) => createAlert(parseIamEvent(e.record))));
    expect(lines.map((l) => [l.eventID, l.severity, l.title, l.reasons])).toEqual(
      expected.map((a) => [a.eventId, a.severity, a.title, a.reasons.map((r) => r.text)]),
    );
    expect(lines.every((l) => (SEVERITIES as readonly string[]).includes(l.severity))).toBe(true);
    // Known outcomes, pinned independently of createAlert: an access key for another user, admin attached.
    const keyForOther = lines.find(
      (l) => l.eventName === 'CreateAccessKey' && l.input?.startsWith('stratus-red-team.jsonl:295'),
    );
    expect(keyForOther).toMatchObject({
      severity: 'high',
      title: 'Access key created for IAM user malicious-iam-user',
    });
    const adminAttached = lines.find(
      (l) => l.eventName === 'AttachUserPolicy' && l.input?.startsWith('stratus-red-team.jsonl:294'),
    );
    expect(adminAttached).toMatchObject({
      severity: 'high',
      title: 'AdministratorAccess attached to IAM user malicious-iam-user',
    });
  });

  it.each([
    [['replay']],
    [['replay', '--preset', 'nope', 'x']],
    [['replay', '--format', 'yaml', 'x']],
    [['replay', '--jsonl', '--format', 'json', 'x']],
    [['replay', '--what', 'x']],
    [['replay', '-', '-']],
  ])('exits 2 on usage error %j', async (args) => {
    const { io, stderr } = memoryIo(dir);
    expect(await main(args, io)).toBe(2);
    expect(stderr()).toContain('usage: iam-alerts replay');
  });
});

describe('iam-alerts replay progress', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'replay-progress-'));
    const line = JSON.stringify({
      eventSource: 'iam.amazonaws.com',
      eventName: 'CreateUser',
      eventType: 'AwsApiCall',
      readOnly: false,
      userIdentity: { type: 'IAMUser', arn: 'arn:aws:iam::111122223333:user/alice' },
      requestParameters: { userName: `u-${'x'.repeat(900)}` },
      responseElements: null,
    });
    // Just over the 32 MB from which a terminal gets a progress bar.
    writeFileSync(
      join(dir, 'big.jsonl'),
      `${line}\n`.repeat(Math.ceil((33 * 1024 * 1024) / (line.length + 1))),
    );
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('draws a progress bar on a terminal for a large input, and clears it at the end', async () => {
    const run = memoryIo(dir);
    const io = { ...run.io, stderr: { ...run.io.stderr, isTTY: true } };
    expect(await command.run(['big.jsonl'], io)).toBe(0);
    expect(run.stderr()).toMatch(/\r\[#*\.*\] +\d+% \d+ MB \/ 33 MB/);
    expect(run.stderr().endsWith('\r')).toBe(true);
  });

  it('draws nothing when stderr is not a terminal', async () => {
    const run = memoryIo(dir);
    expect(await command.run(['big.jsonl'], run.io)).toBe(0);
    expect(run.stderr()).toBe('');
  });
});
