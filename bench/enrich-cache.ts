// Benchmark: what the enrichment cache saves. Runs the real IAMClient against the fake IAM on 127.0.0.1
// and counts the requests the server receives.
// Run: node --import tsx/esm bench/enrich-cache.ts
import { IAMClient } from '@aws-sdk/client-iam';
import { createIamSdkDirectory } from '../functions/notifier/adapters/iam-directory.js';
import { enrichPolicy } from '../shared/domain/enrich.js';
import type { IamEvent } from '../shared/domain/types.js';
import { startFakeIam } from '../tests/helpers/iam-server.js';

const ACCOUNT = '123456789012';
const POLICY_ARN = `arn:aws:iam::${ACCOUNT}:policy/ci-deploy`;
const REPEATS = 200;

const server = await startFakeIam();
server.policies.set(POLICY_ARN, {
  name: 'ci-deploy',
  defaultVersionId: 'v1',
  versions: {
    v1: {
      document:
        '{"Statement":[{"Effect":"Allow","Action":["iam:PassRole","ec2:RunInstances"],"Resource":"*"}]}',
    },
  },
});
const client = new IAMClient({
  endpoint: server.endpoint,
  region: 'us-east-1',
  credentials: { accessKeyId: 'AKIAFAKEFAKEFAKE', secretAccessKey: 'fake' },
  maxAttempts: 3,
});
const iam = createIamSdkDirectory(client, { timeoutMs: 2000, cacheTtlMs: 300_000, maxEntries: 500 });
const event: IamEvent = {
  account: ACCOUNT,
  record: {
    eventSource: 'iam.amazonaws.com',
    eventName: 'AttachUserPolicy',
    recipientAccountId: ACCOUNT,
    userIdentity: { type: 'IAMUser', accountId: ACCOUNT },
    requestParameters: { userName: 'deploy-bot', policyArn: POLICY_ARN },
    responseElements: null,
  },
};

const time = async (fn: () => Promise<unknown>): Promise<number> => {
  const start = performance.now();
  await fn();
  return performance.now() - start;
};

const firstMs = await time(() => enrichPolicy(event, iam));
const firstCalls = server.requests.length;
const repeatTimes: number[] = [];
for (let i = 0; i < REPEATS; i += 1) repeatTimes.push(await time(() => enrichPolicy(event, iam)));
const repeatCalls = server.requests.length - firstCalls;
repeatTimes.sort((a, b) => a - b);
const p = (q: number): string => (repeatTimes[Math.floor(q * (repeatTimes.length - 1))] ?? 0).toFixed(3);
const wellKnown = await time(() =>
  enrichPolicy(
    {
      ...event,
      record: {
        ...event.record,
        requestParameters: { userName: 'u', policyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' },
      },
    },
    iam,
  ),
);

console.log('Policy enrichment cache (AttachUserPolicy, customer managed policy, fake IAM on loopback)');
console.log(
  `  first enrichment     ${firstCalls} IAM calls (${server.requests
    .slice(0, firstCalls)
    .map((r) => r.action)
    .join(' + ')}), ${firstMs.toFixed(1)} ms (includes SDK warm-up)`,
);
// The policy itself is cached; the owner's lists are read afresh on every event, which has just changed them (the
// policy set analysis judges the new policy with the owner's others: shared/domain/enrich/gather-set.ts).
const repeated = new Map<string, number>();
for (const request of server.requests.slice(firstCalls))
  repeated.set(request.action, (repeated.get(request.action) ?? 0) + 1);
const OWNER_LISTS = ['ListAttachedUserPolicies', 'ListUserPolicies'];
console.log(
  `  ${REPEATS} repeats in TTL  ${repeatCalls} IAM calls (${[...repeated].map(([action, count]) => `${action} ×${count}`).join(', ') || 'none'}), median ${p(0.5)} ms, p99 ${p(0.99)} ms`,
);
console.log(
  `  well-known AWS policy ${server.requests.length - firstCalls - repeatCalls} IAM calls, ${wellKnown.toFixed(3)} ms`,
);
client.destroy();
await server.close();
// Only the owner's two lists, once per repeat: the policy's own lookups (GetPolicy, GetPolicyVersion) never repeat.
const cachedWell =
  [...repeated.keys()].every((action) => OWNER_LISTS.includes(action)) &&
  OWNER_LISTS.every((action) => repeated.get(action) === REPEATS);
if (!cachedWell) {
  console.error(
    "FAIL: a cached policy lookup was repeated, or the owner's lists were not read once per event",
  );
  process.exitCode = 1;
}
