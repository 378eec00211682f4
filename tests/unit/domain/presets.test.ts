// The deployed presets against the local EventBridge matcher, over all 176 IAM operations and the real corpus.
import { compileEventPattern } from '../../../cli/patterns/event-pattern.js';
import { CATALOGUE } from '../../../shared/domain/catalogue/index.js';
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

describe('presets against the operation catalogue, operation by operation', () => {
  const iam = [...(CATALOGUE.get('iam.amazonaws.com')?.values() ?? [])];
  /** The catalogue's IAM changes a preset does not match, tagging apart (no reference list names `Tag`). */
  const changesLeftOut = (name: PresetName): string[] =>
    iam
      .filter(
        (operation) =>
          !operation.isRead &&
          operation.category !== 'tagging' &&
          !matchers[name].matches(toEventBridgeEvent(recordFor(operation.name, { readOnly: false }))),
      )
      .map((operation) => operation.name)
      .sort();

  it('all and writes match every change of the catalogue; writes no read that CloudTrail marks read-only', () => {
    for (const operation of iam) {
      const record = recordFor(operation.name, { readOnly: operation.isRead });
      expect([operation.name, matchers.all.matches(toEventBridgeEvent(record))]).toEqual([
        operation.name,
        true,
      ]);
      expect([operation.name, matchers.writes.matches(toEventBridgeEvent(record))]).toEqual([
        operation.name,
        !operation.isRead,
      ]);
    }
  });

  // The reference design's verb lists miss these changes. Pinned, so that a new catalogue operation they miss is a
  // decision, not an accident; the default preset (writes) alerts on all of them.
  it('changes leaves out exactly these catalogue changes besides tags', () => {
    expect(changesLeftOut('changes')).toEqual([
      'AcceptDelegationRequest',
      'AcquireRole',
      'AssociateDelegationRequest',
      'DisableOrganizationsRootCredentialsManagement',
      'DisableOrganizationsRootSessions',
      'DisableOutboundWebIdentityFederation',
      'RejectDelegationRequest',
      'ResetServiceSpecificCredential',
      'ResyncMFADevice',
      'SendDelegationToken',
    ]);
  });

  it('auth leaves out exactly these catalogue changes besides tags, and no credential change but two', () => {
    const leftOut = changesLeftOut('auth');

    expect(leftOut).toEqual([
      'AcceptDelegationRequest',
      'AcquireRole',
      'AddClientIDToOpenIDConnectProvider',
      'AddRoleToInstanceProfile',
      'AddUserToGroup',
      'AssociateDelegationRequest',
      'DisableOrganizationsRootCredentialsManagement',
      'DisableOrganizationsRootSessions',
      'DisableOutboundWebIdentityFederation',
      'EnableOrganizationsRootCredentialsManagement',
      'EnableOrganizationsRootSessions',
      'EnableOutboundWebIdentityFederation',
      'PutAccountProperties',
      'PutRolePermissionsBoundary',
      'PutUserPermissionsBoundary',
      'RejectDelegationRequest',
      'ResetServiceSpecificCredential',
      'ResyncMFADevice',
      'SendDelegationToken',
    ]);
    expect(
      iam.filter((o) => o.category === 'credentials' && leftOut.includes(o.name)).map((o) => o.name),
    ).toEqual(['ResetServiceSpecificCredential', 'ResyncMFADevice']);
  });
});
