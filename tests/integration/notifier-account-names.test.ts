// Account names in alerts (issue 12, item 4): the notifier's pipeline with the real Organizations SDK client
// against a loopback fake of its JSON protocol (AWS JSON 1.1, `AWSOrganizationsV20161128.DescribeAccount`), one
// that answers and one that fails: a failure is a note, never a lost alert.
// @see https://docs.aws.amazon.com/organizations/latest/APIReference/API_DescribeAccount.html
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createAccountNames, sdkDescribeAccount } from '../../functions/notifier/adapters/account-names.js';
import type { AlertPublisher } from '../../functions/notifier/adapters/sns-publisher.js';
import { processIamEvent } from '../../functions/notifier/process.js';
import type { Alert } from '../../shared/domain/types.js';
import { createLocalGuard } from '../../shared/idempotency.js';
import type { SnsMessage } from '../../shared/ports.js';

const EVENT = JSON.parse(
  readFileSync(join(import.meta.dirname, '..', '..', 'events', 'attach-user-policy-admin.json'), 'utf8'),
) as { detail: Record<string, unknown> };
const ACCOUNT = '229654561268';

let server: Server;
let endpoint: string;
let mode: 'answer' | 'fail' = 'answer';
const calls: { target: string; body: Record<string, unknown> }[] = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    let text = '';
    request.on('data', (chunk) => {
      text += chunk;
    });
    request.on('end', () => {
      const target = String(request.headers['x-amz-target'] ?? '');
      const body = JSON.parse(text || '{}') as Record<string, unknown>;
      calls.push({ target, body });
      response.setHeader('content-type', 'application/x-amz-json-1.1');
      if (mode === 'fail' || target !== 'AWSOrganizationsV20161128.DescribeAccount') {
        response.statusCode = 400;
        response.end(
          JSON.stringify({ __type: 'AccessDeniedException', Message: 'You do not have permissions' }),
        );
        return;
      }
      response.end(
        JSON.stringify({
          Account: {
            Id: body.AccountId,
            Name: 'prod-payments',
            Arn: `arn:aws:organizations::1:account/o-x/${body.AccountId}`,
          },
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));
beforeEach(() => {
  calls.length = 0;
});

const capture = () => {
  const sent: SnsMessage[] = [];
  const publisher: AlertPublisher = {
    publish: async (message) => {
      sent.push(message);
      return { messageId: `m-${sent.length}` };
    },
  };
  return { sent, publisher };
};

const names = () =>
  createAccountNames(
    sdkDescribeAccount({
      endpoint,
      credentials: {
        accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
        secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
      },
      maxAttempts: 1,
    }),
    { timeoutMs: 1_000, cacheTtlMs: 60_000, maxEntries: 10 },
  );

const run = async (accountNames: ReturnType<typeof names>, eventID: string) => {
  const { sent, publisher } = capture();
  await processIamEvent(
    { ...EVENT, detail: { ...EVENT.detail, eventID } },
    { publisher, guard: createLocalGuard(), remainingMs: () => 30_000, accountNames },
  );
  const message = sent[0] as SnsMessage;
  return { message, alert: JSON.parse(message.MessageAttributes.alert?.StringValue ?? '{}') as Alert };
};

describe('account names from Organizations', () => {
  it('names the account in the alert and the "Where" line, and asks once per container', async () => {
    mode = 'answer';
    const accountNames = names();
    const first = await run(accountNames, 'names-1');
    expect(first.alert.accountName).toBe('prod-payments');
    expect(first.message.Message).toContain(`account ${ACCOUNT} (prod-payments)`);
    await run(accountNames, 'names-2');
    expect(calls).toEqual([
      { target: 'AWSOrganizationsV20161128.DescribeAccount', body: { AccountId: ACCOUNT } },
    ]);
  });

  it('publishes the alert with a note, by id only, when Organizations refuses', async () => {
    mode = 'fail';
    const { message, alert } = await run(names(), 'names-3');
    expect(alert.accountName).toBeUndefined();
    expect(alert.notes).toContainEqual(
      expect.stringMatching(
        new RegExp(`^account name of ${ACCOUNT} unknown: Organizations DescribeAccount failed`),
      ),
    );
    expect(message.Message).toContain(`account ${ACCOUNT}`);
    expect(message.Message).not.toContain('prod-payments');
  });
});
