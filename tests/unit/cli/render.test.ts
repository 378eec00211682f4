import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { BINARY_INPUT } from '../../../cli/input/read-inputs.js';
import { main } from '../../../cli/main.js';
import type { Alert } from '../../../shared/domain/types.js';
import type { SnsMessage } from '../../../shared/format/sns-message.js';
import { memoryIo } from '../../helpers/cli.js';
import { FIXTURES_DIR } from '../../helpers/fixtures.js';

const ROOT = join(FIXTURES_DIR, '..', '..');
const CORPUS = ['stratus-red-team', 'invictus-ir-aws-dataset', 'otrf-security-datasets', 'awsdocs-examples'];

describe('iam-alerts render', () => {
  it('renders every record of the fixtures corpus as a JSON alert, one per line', async () => {
    const { io, stdout, stderr } = memoryIo(ROOT);
    const files = CORPUS.map((name) => `tests/fixtures/cloudtrail/${name}.jsonl`);
    expect(await main(['render', '--format', 'json', ...files], io)).toBe(0);
    expect(stderr()).toBe('');
    const alerts = stdout()
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Alert);
    expect(alerts).toHaveLength(3336);
    expect(alerts.every((a) => a.schema === 'iam-change-alerts/alert@1' && a.title.length > 0)).toBe(true);
  });

  it('renders the e-mail with its subject by default', async () => {
    const { io, stdout } = memoryIo(ROOT);
    expect(await main(['render', 'events/attach-user-policy-admin.json'], io)).toBe(0);
    const text = stdout();
    expect(text).toMatch(
      /^Subject: \[HIGH\] AdministratorAccess attached to IAM user malicious-iam-user by christophe/,
    );
    expect(text).toContain('\nHIGH  AdministratorAccess attached to IAM user malicious-iam-user\n');
    expect(text).toContain(
      '  - grants every action on every resource (AWS managed policy AdministratorAccess)',
    );
  });

  it('prints exactly the input of PublishCommand with --format sns', async () => {
    const { io, stdout } = memoryIo(ROOT);
    expect(await main(['render', '--format', 'sns', 'events/create-role.json'], io)).toBe(0);
    const message = JSON.parse(stdout()) as SnsMessage;
    expect(Object.keys(message).sort()).toEqual(['Message', 'MessageAttributes', 'Subject']);
    expect(message.MessageAttributes.eventName).toEqual({ DataType: 'String', StringValue: 'CreateRole' });
  });

  it('reads a CloudTrail log file from stdin and prints Slack and Jira payloads', async () => {
    const event = JSON.parse(readFileSync(join(ROOT, 'events/create-access-key-other-user.json'), 'utf8'));
    const logFile = JSON.stringify({ Records: [event.detail, event.detail] });
    for (const format of ['slack', 'jira']) {
      const { io, stdout } = memoryIo(ROOT, Readable.from([logFile]));
      expect(await main(['render', '--format', format, '-'], io)).toBe(0);
      const lines = stdout().trim().split('\n');
      expect(lines).toHaveLength(2);
      const payload = JSON.parse(lines[0] ?? '{}');
      if (format === 'slack') expect(payload.blocks[0].type).toBe('header');
      else
        expect(payload.fields.summary).toMatch(
          /^\[HIGH\] Access key created for IAM user malicious-iam-user/,
        );
    }
  });

  it('rejects what is not a CloudTrail record, naming file and line, renders the rest and exits 1', async () => {
    const good = readFileSync(join(ROOT, 'events/create-role.json'), 'utf8').replace(/\n\s*/g, '');
    const input = [good, '{"eventSource":"iam.amazonaws.com"}', 'not json', good].join('\n');
    const { io, stdout, stderr } = memoryIo(ROOT, Readable.from([input]));
    expect(await main(['render', '--format', 'json', '-'], io)).toBe(1);
    expect(stdout().trim().split('\n')).toHaveLength(2);
    expect(stderr()).toContain(
      '<stdin>:2: rejected: InvalidEventError: not a CloudTrail record: eventName: missing',
    );
    expect(stderr()).toContain('<stdin>:3: malformed JSON');
  });

  it('exits 2 on a usage error and names a missing file', async () => {
    const usage = memoryIo(ROOT);
    expect(await main(['render', '--format', 'pdf'], usage.io)).toBe(2);
    expect(usage.stderr()).toContain("unknown format 'pdf'");
    const missing = memoryIo(ROOT);
    expect(await main(['render', 'no-such-file.json'], missing.io)).toBe(1);
    expect(missing.stderr()).toContain('no-such-file.json: cannot read: ENOENT');
  });

  it('reads a gzipped log file, and refuses binary input in one line instead of printing it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'render-'));
    try {
      const event = JSON.parse(readFileSync(join(ROOT, 'events/create-role.json'), 'utf8'));
      writeFileSync(join(dir, 'log.json.gz'), gzipSync(JSON.stringify({ Records: [event.detail] })));
      const gz = memoryIo(dir);
      expect(await main(['render', '--format', 'json', 'log.json.gz'], gz.io)).toBe(0);
      expect((JSON.parse(gz.stdout()) as Alert).eventName).toBe('CreateRole');

      writeFileSync(
        join(dir, 'photo.jpg'),
        Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0x4a, 0x46, 0x49, 0x46, 0]),
      );
      const binary = memoryIo(dir);
      expect(await main(['render', 'photo.jpg'], binary.io)).toBe(1);
      expect(binary.stdout()).toBe('');
      expect(binary.stderr()).toBe(`photo.jpg: ${BINARY_INPUT}\n`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  describe('SSM writes and the forwarder’s delivery parameters (--delivery-parameters, --config routes)', () => {
    const records = join(FIXTURES_DIR, 'ssm-guard-rails', 'records.jsonl');
    const render = async (args: string[]) => {
      const { io, stdout, stderr } = memoryIo(ROOT);
      expect(await main(['render', '--format', 'json', ...args, records], io)).toBe(0);
      expect(stderr()).toBe('');
      return stdout()
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as Alert)
        .map((alert) => [String(alert.eventId).slice(0, 8), alert.severity, alert.title]);
    };

    it('without names, calls no write a delivery-secret tampering: low, its reason a condition', async () => {
      const alerts = await render([]);
      expect(alerts.filter(([, severity]) => severity === 'critical')).toEqual([]);
      expect(alerts.filter(([, , title]) => String(title).includes('Slack or Jira'))).toEqual([]);
      const { io, stdout } = memoryIo(ROOT);
      expect(await main(['render', records], io)).toBe(0);
      expect(stdout()).toMatch(/^Subject: \[LOW\] ssm:PutParameter by /);
      expect(stdout()).toContain(
        'SSM parameter /iam-alerts/slack-webhook-url written; if it is a parameter the forwarder reads its Slack or Jira secrets from, this is a critical guard-rail event (the delivery parameter names were not given)',
      );
    });

    it('with names, alerts the writes to them as the guard rail, in every spelling, and no other', async () => {
      const alerts = await render(['--delivery-parameters', '/iam-alerts/slack-webhook-url,slack-bot-token']);
      expect(alerts.filter(([, severity]) => severity === 'critical' || severity === 'high')).toEqual([
        [
          '00000001',
          'critical',
          'SSM parameter /iam-alerts/slack-webhook-url overwritten: Slack or Jira alerts may go elsewhere',
        ],
        [
          '00000003',
          'critical',
          'SSM parameter slack-bot-token overwritten: Slack or Jira alerts may go elsewhere',
        ],
        [
          '00000004',
          'critical',
          'SSM parameter  /iam-alerts/slack-webhook-url overwritten: Slack or Jira alerts may go elsewhere',
        ],
        ['00000006', 'high', 'ssm:PutParameter denied (AccessDeniedException)'],
        [
          '00000007',
          'critical',
          'SSM parameter /iam-alerts/slack-webhook-url deleted: Slack or Jira alerts will fail',
        ],
      ]);
    });

    it('takes the routes’ webhooks of --config as delivery parameters too', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'render-routes-'));
      try {
        writeFileSync(
          join(dir, 'routes.yml'),
          'routes:\n  - name: prod\n    match: { minSeverity: high }\n    slack: /iam-alerts/slack/prod\n',
        );
        const alerts = await render(['--config', join(dir, 'routes.yml')]);
        expect(alerts.filter(([, severity]) => severity === 'critical')).toEqual([
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
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('refuses a malformed name as replay does', async () => {
      const { io } = memoryIo(ROOT);
      await expect(main(['render', '--delivery-parameters', '/a b', records], io)).resolves.toBe(2);
    });
  });
  describe('KMS key calls and the topic keys (--own-keys)', () => {
    const records = join(FIXTURES_DIR, 'kms-guard-rails', 'records.jsonl');
    const ALERT_KEY = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    const OPERATIONS_KEY = 'arn:aws:kms:us-east-1:111122223333:key/0987dcba-09fe-87dc-65ba-ab0987654321';
    const render = async (args: string[]) => {
      const { io, stdout, stderr } = memoryIo(ROOT);
      expect(await main(['render', '--format', 'json', ...args, records], io)).toBe(0);
      expect(stderr()).toBe('');
      return stdout()
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as Alert)
        .map((alert) => [String(alert.eventId).slice(0, 8), alert.severity, alert.title]);
    };

    it('without keys, claims no topic key: a non-root call is low, its reason a condition', async () => {
      const alerts = await render([]);
      expect(alerts.filter(([, , title]) => String(title).includes('rejects every alert'))).toEqual([]);
      // Root calls stay critical for the root-activity rule alone.
      expect(alerts.filter(([, severity]) => severity === 'critical').map(([id]) => id)).toEqual([
        '00000007',
        '00000008',
        '00000009',
        '00000010',
      ]);
      const { io, stdout } = memoryIo(ROOT);
      expect(await main(['render', records], io)).toBe(0);
      expect(stdout()).toMatch(/^Subject: \[LOW\] kms:DisableKey by /);
      expect(stdout()).toContain(
        'KMS key 1234abcd-12ab-34cd-56ef-1234567890ab disabled; if it is one of this stack’s topic keys, this is a critical guard-rail event (the topic keys were not given)',
      );
    });

    it('with keys, alerts the calls on them, by key ID or key ARN, as the guard rail, and no other', async () => {
      const alerts = await render(['--own-keys', `${ALERT_KEY},${OPERATIONS_KEY}`]);
      expect(
        alerts.filter(([, , title]) => /rejects every alert|may no longer be published/.test(String(title))),
      ).toEqual([
        [
          '00000001',
          'critical',
          'KMS key 1234abcd-12ab-34cd-56ef-1234567890ab disabled: the topic it encrypts rejects every alert',
        ],
        [
          '00000002',
          'critical',
          'KMS key 1234abcd-12ab-34cd-56ef-1234567890ab disabled: the topic it encrypts rejects every alert',
        ],
        [
          '00000003',
          'critical',
          'KMS key 0987dcba-09fe-87dc-65ba-ab0987654321 scheduled for deletion: the topic it encrypts rejects every alert',
        ],
        [
          '00000004',
          'critical',
          'KMS key 0987dcba-09fe-87dc-65ba-ab0987654321 scheduled for deletion: the topic it encrypts rejects every alert',
        ],
        [
          '00000005',
          'critical',
          'Key policy of KMS key 1234abcd-12ab-34cd-56ef-1234567890ab replaced: alerts and alarms may no longer be published',
        ],
        [
          '00000006',
          'critical',
          'Key policy of KMS key 0987dcba-09fe-87dc-65ba-ab0987654321 replaced: alerts and alarms may no longer be published',
        ],
        [
          '00000010',
          'critical',
          'KMS key 1234abcd-12ab-34cd-56ef-1234567890ab disabled: the topic it encrypts rejects every alert',
        ],
      ]);
      // The root DisableKey on an unrelated key: critical for root activity, not a topic key.
      expect(alerts).toContainEqual(['00000007', 'critical', 'kms:DisableKey']);
    });

    it('refuses what is not a key ARN (a key ID, an alias)', async () => {
      for (const wrong of [
        '1234abcd-12ab-34cd-56ef-1234567890ab',
        'arn:aws:kms:us-east-1:111122223333:alias/a',
      ]) {
        const { io, stderr } = memoryIo(ROOT);
        await expect(main(['render', '--own-keys', wrong, records], io)).resolves.toBe(2);
        expect(stderr()).toContain(`--own-keys takes KMS key ARNs, comma-separated, not '${wrong}'`);
      }
    });
  });
});
