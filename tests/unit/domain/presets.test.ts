// The deployed presets against the local EventBridge matcher, over all 176 IAM operations and the real corpus.

import { compileEventPattern } from '../../../cli/patterns/event-pattern.js';
import { toEventBridgeEvent } from '../../../shared/domain/cloudtrail.js';
import { PRESET_NAMES, PRESETS, type PresetName } from '../../../shared/domain/patterns.js';
import type { CloudTrailRecord } from '../../../shared/domain/types.js';
import { loadCorpus, loadIamOperations } from '../../helpers/fixtures.js';

// The reference design's lists, restated here (not imported) so the test checks the presets against the spec.
const CHANGES = /^(Add|Attach|Change|Create|Deactivate|Delete|Detach|Enable|Put|Remove|Set|Update|Upload)/;
const AUTH =
  /^(Put.*Policy$|Attach|Detach|Create|Update|Upload|Delete|Remove|Set)|^(ChangePassword|EnableMFADevice|DeactivateMFADevice)$/;

const isIamApiCall = (record: CloudTrailRecord): boolean =>
  record.eventSource === 'iam.amazonaws.com' && (record.eventType ?? 'AwsApiCall') === 'AwsApiCall';

/** What each preset should match, stated from the spec. */
const SHOULD_MATCH: Record<PresetName, (record: CloudTrailRecord) => boolean> = {
  all: isIamApiCall,
  writes: (record) => isIamApiCall(record) && record.readOnly === false,
  changes: (record) => isIamApiCall(record) && CHANGES.test(record.eventName),
  auth: (record) => isIamApiCall(record) && AUTH.test(record.eventName),
};

const matchers = Object.fromEntries(
  PRESET_NAMES.map((name) => [name, compileEventPattern(PRESETS[name])]),
) as Record<PresetName, ReturnType<typeof compileEventPattern>>;

const recordFor = (eventName: string, overrides: Partial<CloudTrailRecord> = {}): CloudTrailRecord => ({
  eventVersion: '1.08',
  userIdentity: { type: 'IAMUser', accountId: '111122223333' },
  eventTime: '2024-01-01T00:00:00Z',
  eventSource: 'iam.amazonaws.com',
  eventName,
  awsRegion: 'us-east-1',
  requestParameters: null,
  responseElements: null,
  eventType: 'AwsApiCall',
  readOnly: /^(Get|List|Generate|Simulate)/.test(eventName),
  ...overrides,
});

const operations = loadIamOperations();

describe('presets over the 176 IAM operations', () => {
  it('covers the whole service model', () => {
    expect(operations).toHaveLength(176);
  });

  it.each(PRESET_NAMES.map((name) => [name]))('%s matches exactly what the spec says', (name) => {
    const matcher = matchers[name as PresetName];
    const decisions = operations.flatMap((op) =>
      [true, false].map((readOnly) => {
        const record = recordFor(op, { readOnly });
        return {
          op,
          readOnly,
          got: matcher.matches(toEventBridgeEvent(record)),
          want: SHOULD_MATCH[name as PresetName](record),
        };
      }),
    );
    expect(decisions.filter((d) => d.got !== d.want)).toEqual([]);
    // Each preset matches some operations and rejects others: no vacuous pass.
    expect(decisions.some((d) => d.got)).toBe(true);
    expect(name === 'all' || decisions.some((d) => !d.got)).toBe(true);
  });

  it('keeps the spec lists apart: tagging is no change, a read is no write', () => {
    const matches = (name: PresetName, op: string, readOnly = false) =>
      matchers[name].matches(toEventBridgeEvent(recordFor(op, { readOnly })));
    expect([
      matches('changes', 'TagRole'),
      matches('changes', 'CreateRole'),
      matches('changes', 'GetRole'),
    ]).toEqual([false, true, false]);
    expect([matches('auth', 'PutRolePolicy'), matches('auth', 'PutRolePermissionsBoundary')]).toEqual([
      true,
      false,
    ]);
    expect([
      matches('auth', 'ChangePassword'),
      matches('auth', 'EnableMFADevice'),
      matches('auth', 'AddUserToGroup'),
    ]).toEqual([true, true, false]);
    expect([matches('writes', 'GetUser', true), matches('writes', 'TagRole', false)]).toEqual([false, true]);
  });

  it.each(PRESET_NAMES.map((name) => [name]))(
    '%s rejects the same operations from other services and event types',
    (name) => {
      const matcher = matchers[name as PresetName];
      const foreign = operations.flatMap((op) => [
        recordFor(op, { eventSource: 'sts.amazonaws.com', readOnly: false }),
        recordFor(op, { eventSource: 'iam.amazon.com', readOnly: false }),
        recordFor(op, { eventType: 'AwsServiceEvent', readOnly: false }),
      ]);
      expect(
        foreign.filter((record) => matcher.matches(toEventBridgeEvent(record))).map((r) => r.eventName),
      ).toEqual([]);
    },
  );
});

describe('presets over the real corpus', () => {
  const corpus = loadCorpus();

  it.each(PRESET_NAMES.map((name) => [name]))('%s matches exactly the corpus records it should', (name) => {
    const preset = name as PresetName;
    const wrong = corpus.filter(
      ({ record }) => matchers[preset].matches(toEventBridgeEvent(record)) !== SHOULD_MATCH[preset](record),
    );
    expect(wrong.map(({ file, line, record }) => `${file}:${line} ${record.eventName}`)).toEqual([]);
    expect(corpus.filter(({ record }) => SHOULD_MATCH[preset](record)).length).toBeGreaterThan(10);
  });
});

describe('the reference design written literally', () => {
  it('matches nothing: "Add*" as a pattern value is an exact string, not a glob', () => {
    const naive = compileEventPattern({
      source: ['aws.iam'],
      'detail-type': ['AWS API Call via CloudTrail'],
      detail: {
        eventSource: ['iam.amazonaws.com'],
        eventName: ['Add*', 'Attach*', 'Create*', 'Delete*', 'Put*Policy'],
      },
    });
    const records = [
      ...operations.map((op) => recordFor(op, { readOnly: false })),
      ...loadCorpus().map((e) => e.record),
    ];
    expect(records.filter((record) => naive.matches(toEventBridgeEvent(record)))).toEqual([]);
  });
});
