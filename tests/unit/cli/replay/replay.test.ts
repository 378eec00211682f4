import type { InputItem } from '../../../../cli/input/read-inputs.js';
import { replayItems } from '../../../../cli/replay/replay.js';
import { toEventBridgeEvent } from '../../../../shared/domain/cloudtrail.js';
import type { CloudTrailRecord } from '../../../../shared/domain/types.js';
import {
  defaultDeploymentDelivers,
  defaultDeploymentMatches,
  isIamWrite,
  loadCorpus,
} from '../../../helpers/fixtures.js';
import { fakeCreateAlert } from './fake-alert.js';

async function* itemsOf(values: unknown[], source = 'test.jsonl'): AsyncGenerator<InputItem> {
  yield { kind: 'file', source };
  for (const [i, value] of values.entries()) yield { kind: 'record', value, source, line: i + 1 };
}

const iam = (eventName: string, extra: Partial<CloudTrailRecord> = {}): CloudTrailRecord => ({
  eventVersion: '1.08',
  userIdentity: { type: 'IAMUser', userName: 'alice', arn: 'arn:aws:iam::111122223333:user/alice' },
  eventTime: '2024-05-01T10:00:00Z',
  eventSource: 'iam.amazonaws.com',
  eventName,
  awsRegion: 'us-east-1',
  requestParameters: null,
  responseElements: null,
  eventType: 'AwsApiCall',
  readOnly: false,
  eventID: `id-${eventName}`,
  ...extra,
});

describe('replayItems', () => {
  it('alerts on what the preset matches, records and EventBridge events alike', async () => {
    const seen: string[] = [];
    const summary = await replayItems(
      itemsOf([
        iam('CreateUser'),
        toEventBridgeEvent(iam('DeleteUser')),
        iam('GetUser', { readOnly: true }),
        iam('AssumeRole', { eventSource: 'sts.amazonaws.com' }),
      ]),
      {
        preset: 'writes',
        createAlert: fakeCreateAlert,
        onAlert: (alert, at) => void seen.push(`${alert.eventName}@${at.line}`),
      },
    );
    expect(seen).toEqual(['CreateUser@1', 'DeleteUser@2']);
    expect(summary).toMatchObject({ files: 1, records: 4, alerts: 2, readOnlyNotDelivered: 0 });
    expect(summary.byEventName).toEqual({ CreateUser: 1, DeleteUser: 1 });
  });

  it('does not deliver read-only events to rules in state ENABLED, but does for the all preset', async () => {
    const records = [
      iam('GetUser', { readOnly: true }),
      iam('ListRoles', { readOnly: true }),
      iam('CreateRole'),
    ];
    const all = await replayItems(itemsOf(records), { preset: 'all', createAlert: fakeCreateAlert });
    const changes = await replayItems(itemsOf([...records, iam('CreateFake', { readOnly: true })]), {
      preset: 'changes',
      createAlert: fakeCreateAlert,
    });
    expect([all.alerts, all.readOnlyNotDelivered]).toEqual([3, 0]);
    expect([changes.alerts, changes.readOnlyNotDelivered]).toEqual([1, 1]);
  });

  it('counts what cannot be used, with its location, and goes on', async () => {
    const summary = await replayItems(
      (async function* () {
        yield* itemsOf([
          'a string',
          { eventName: 'NoSource' },
          { detail: { eventSource: 1 }, source: 'x' },
          iam('CreateUser'),
        ]);
        yield { kind: 'problem', source: 'gone.json', message: 'cannot read: ENOENT' } as const;
      })(),
      {
        preset: 'writes',
        createAlert: (event) => {
          if (event.record.eventName === 'CreateUser') throw new Error('classifier bug');
          return fakeCreateAlert(event);
        },
      },
    );
    expect(summary.alerts).toBe(0);
    expect(summary.problems.count).toBe(5);
    expect(summary.problems.groups.map((g) => `${g.source} ${g.at.join('|')}: ${g.message}`)).toEqual([
      'test.jsonl line 1: not a CloudTrail record: expected a JSON object',
      'test.jsonl line 2: not a CloudTrail record: eventSource and eventName must be strings',
      'test.jsonl line 3: not a CloudTrail record: detail.eventSource and eventName must be strings',
      'test.jsonl line 4: Error: classifier bug',
      'gone.json : cannot read: ENOENT',
    ]);
  });

  it('over the corpus, alerts exactly on what the default deployment delivers: IAM writes, guard rails, identity', async () => {
    const corpus = loadCorpus().map((entry) => entry.record);
    const summary = await replayItems(itemsOf(corpus), { preset: 'writes', createAlert: fakeCreateAlert });
    const expected = corpus.filter(defaultDeploymentDelivers);
    const added = corpus.filter((r) => !isIamWrite(r) && defaultDeploymentDelivers(r));
    expect(summary.records).toBe(corpus.length);
    expect(summary.alerts).toBe(expected.length);
    expect(summary.alerts).toBe(corpus.filter(isIamWrite).length + added.length);
    // The identity rules and guard rails do add records to the corpus's count.
    expect(added.length).toBeGreaterThan(0);
    expect(summary.problems.count).toBe(0);
  });

  it('without the identity rules, alerts on the IAM writes and the guard rails only', async () => {
    const corpus = loadCorpus().map((entry) => entry.record);
    const summary = await replayItems(itemsOf(corpus), {
      preset: 'writes',
      rules: { preset: 'writes', identityRules: false, egressCidrs: [] },
      createAlert: fakeCreateAlert,
    });
    const expected = corpus.filter((r) => {
      const m = defaultDeploymentMatches(r);
      return m.preset || m.guardRail;
    });
    expect(summary.alerts).toBe(expected.length);
  });
});
