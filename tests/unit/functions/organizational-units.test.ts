// Routes by organizational unit (issue 12, item 4): the OUs above the changed account, walked up with ListParents,
// decide which routes an alert takes. Organizations is faked at the port (ListParent); the SDK call is one line.
// @see https://docs.aws.amazon.com/organizations/latest/APIReference/API_ListParents.html
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  createOrganizationalUnits,
  type ListParent,
} from '../../../functions/notifier/adapters/account-names.js';
import type { AlertPublisher } from '../../../functions/notifier/adapters/sns-publisher.js';
import { processIamEvent } from '../../../functions/notifier/process.js';
import { validateRules } from '../../../shared/domain/rules/schema.js';
import type { Alert } from '../../../shared/domain/types.js';
import { passThroughGuard } from '../../../shared/idempotency.js';
import type { SnsMessage } from '../../../shared/ports.js';

const ROOT = 'r-ab12';
const PROD_OU = 'ou-ab12-prod0001';
const PAYMENTS_OU = 'ou-ab12-paym0001';
const ACCOUNT = '229654561268';

/** An organization: the account in payments, payments in prod, prod under the root. */
const TREE = new Map([
  [ACCOUNT, { id: PAYMENTS_OU, isRoot: false }],
  [PAYMENTS_OU, { id: PROD_OU, isRoot: false }],
  [PROD_OU, { id: ROOT, isRoot: true }],
]);

const fakeOrganizations = (fail = false) => {
  const calls: string[] = [];
  const listParent: ListParent = async (childId) => {
    calls.push(childId);
    if (fail) throw new Error('AccessDeniedException: not a delegated administrator');
    return TREE.get(childId);
  };
  return { calls, listParent };
};

const OPTIONS = { timeoutMs: 1_000, cacheTtlMs: 60_000, maxEntries: 10 };

describe('createOrganizationalUnits', () => {
  it('walks up from the account to the root, nearest OU first, and caches the answer', async () => {
    const organizations = fakeOrganizations();
    const units = createOrganizationalUnits(organizations.listParent, OPTIONS);
    expect(await units.of(ACCOUNT)).toEqual([PAYMENTS_OU, PROD_OU, ROOT]);
    expect(await units.of(ACCOUNT)).toEqual([PAYMENTS_OU, PROD_OU, ROOT]);
    expect(organizations.calls).toEqual([ACCOUNT, PAYMENTS_OU, PROD_OU]);
  });

  it('answers undefined when Organizations fails, and asks again only after a tenth of the TTL', async () => {
    let now = 0;
    const organizations = fakeOrganizations(true);
    const units = createOrganizationalUnits(organizations.listParent, { ...OPTIONS, now: () => now });
    expect(await units.of(ACCOUNT)).toBeUndefined();
    now = 5_000;
    expect(await units.of(ACCOUNT)).toBeUndefined();
    expect(organizations.calls).toHaveLength(1);
    now = 6_001;
    await units.of(ACCOUNT);
    expect(organizations.calls).toHaveLength(2);
  });
});

describe('an alert routed by organizational unit', () => {
  const rules = validateRules(
    {
      routes: [
        { name: 'prod', match: { organizationalUnit: [PROD_OU] }, email: ['prod@example.com'] },
        { name: 'sandbox', match: { organizationalUnit: ['ou-ab12-sand0001'] }, email: ['sb@example.com'] },
      ],
    },
    { mode: 'cli', today: '2026-11-30' },
  ).config;

  const publishOnce = async (listParent: ListParent | undefined): Promise<Alert> => {
    const sent: SnsMessage[] = [];
    const publisher: AlertPublisher = {
      publish: async (message) => {
        sent.push(message);
        return { messageId: `m-${sent.length}` };
      },
    };
    const event = JSON.parse(
      readFileSync(join(import.meta.dirname, '../../../events/create-role.json'), 'utf8'),
    );
    await processIamEvent(
      { ...event, detail: { ...event.detail, recipientAccountId: ACCOUNT } },
      {
        publisher,
        guard: passThroughGuard,
        remainingMs: () => 30_000,
        ...(rules ? { rules } : {}),
        ...(listParent ? { organizationalUnits: createOrganizationalUnits(listParent, OPTIONS) } : {}),
      },
    );
    expect(sent).toHaveLength(1);
    return JSON.parse(sent[0]?.MessageAttributes.alert?.StringValue ?? '{}') as Alert;
  };

  it('takes the route of an OU anywhere above the account, not the others', async () => {
    expect((await publishOnce(fakeOrganizations().listParent)).routes).toEqual(['prod']);
  });

  it('stays on the default route when the OUs are unknown (Organizations failed or not configured)', async () => {
    expect((await publishOnce(fakeOrganizations(true).listParent)).routes).toEqual(['default']);
    expect((await publishOnce(undefined)).routes).toEqual(['default']);
  });
});
