// The operation catalogue: its keys, its entries, and the deployed guard-rail pattern derived from it.

import { matchesEventPattern } from '../../../../cli/patterns/event-pattern.js';
import {
  baseEventName,
  CATALOGUE,
  findOperation,
  GUARD_RAIL_OPERATIONS,
  leadingVerb,
  OPERATIONS,
} from '../../../../shared/domain/catalogue/index.js';
import { keySpellings } from '../../../../shared/domain/catalogue/key-names.js';
import type { Operation } from '../../../../shared/domain/catalogue/operation.js';
import { classifyEvent } from '../../../../shared/domain/classify/index.js';
import { parseIamEvent, toEventBridgeEvent } from '../../../../shared/domain/cloudtrail.js';
import {
  GUARD_RAIL_PATTERN,
  IDENTITY_RULES_PATTERN,
  KEY_GUARD_RAIL_OPERATIONS,
  keyGuardRailPattern,
  PARAMETER_GUARD_RAIL_OPERATIONS,
  parameterGuardRailPattern,
  SERVICE_NAME,
} from '../../../../shared/domain/patterns.js';
import { describePrincipal } from '../../../../shared/domain/principal.js';
import { CATEGORIES, SEVERITIES } from '../../../../shared/domain/types.js';
import { cloudTrailRecord } from '../../../helpers/records.js';

describe('CATALOGUE', () => {
  it.each(['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf'])(
    'finds nothing for an eventName of %s, in any event source',
    (eventName) => {
      for (const eventSource of [...CATALOGUE.keys(), 'kms.amazonaws.com', '__proto__']) {
        expect([eventSource, findOperation(eventSource, eventName)]).toEqual([eventSource, undefined]);
      }
    },
  );

  it('finds an operation by event source and name, ignoring the API version Lambda appends', () => {
    expect(findOperation('iam.amazonaws.com', 'CreateAccessKey')).toMatchObject({
      eventSource: 'iam.amazonaws.com',
      name: 'CreateAccessKey',
      family: 'Create',
      category: 'credentials',
      severity: 'medium',
    });
    expect(findOperation('lambda.amazonaws.com', 'UpdateFunctionCode20150331v2')?.name).toBe(
      'UpdateFunctionCode',
    );
    // The same name in another service is another operation.
    expect(findOperation('sns.amazonaws.com', 'RemovePermission')).not.toBe(
      findOperation('lambda.amazonaws.com', 'RemovePermission20150331v2'),
    );
    expect(findOperation('iam.amazonaws.com', 'StopLogging')).toBeUndefined();
  });

  it('keys every entry by its own event source and name, with a valid family, category and severity', () => {
    for (const [eventSource, byName] of CATALOGUE) {
      for (const [name, operation] of byName) {
        const where = `${eventSource} ${name}`;
        expect([where, operation.eventSource, operation.name]).toEqual([where, eventSource, name]);
        expect([where, operation.family]).toEqual([where, leadingVerb(name)]);
        expect([where, baseEventName(name)]).toEqual([where, name]);
        expect([where, CATEGORIES.includes(operation.category)]).toEqual([where, true]);
        expect([where, SEVERITIES.includes(operation.severity)]).toEqual([where, true]);
        expect([where, operation.summary({}).length > 5]).toEqual([where, true]);
        // Only reads and STS session issuance are `info`; a change never is.
        expect([where, operation.severity === 'info']).toEqual([where, operation.isRead]);
      }
    }
  });

  it('gives credential grants only to IAM changes that create or re-activate a credential', () => {
    const granting = OPERATIONS.filter((operation) => operation.grants)
      .map((o) => `${o.eventSource} ${o.name}`)
      .sort();

    expect(granting).toEqual(
      [
        'CreateAccessKey',
        'UpdateAccessKey',
        'CreateLoginProfile',
        'UpdateLoginProfile',
        'CreateServiceSpecificCredential',
        'ResetServiceSpecificCredential',
        'UpdateServiceSpecificCredential',
        'UploadSSHPublicKey',
        'UpdateSSHPublicKey',
        'UploadSigningCertificate',
        'UpdateSigningCertificate',
      ]
        .map((name) => `iam.amazonaws.com ${name}`)
        .sort(),
    );
  });

  it('names whose permissions an operation changes only for IAM user and role permission changes', () => {
    const of = (kind: 'user' | 'role') =>
      OPERATIONS.filter((operation) => operation.permissionsOf === kind)
        .map((o) => o.name)
        .sort();

    expect(of('user')).toEqual(
      [
        'AddUserToGroup',
        'AttachUserPolicy',
        'DeleteUserPermissionsBoundary',
        'DeleteUserPolicy',
        'DetachUserPolicy',
        'PutUserPermissionsBoundary',
        'PutUserPolicy',
        'RemoveUserFromGroup',
      ].sort(),
    );
    expect(of('role')).toEqual(
      [
        'AttachRolePolicy',
        'DeleteRolePermissionsBoundary',
        'DeleteRolePolicy',
        'DetachRolePolicy',
        'PutRolePermissionsBoundary',
        'PutRolePolicy',
      ].sort(),
    );
  });
});

const DEFAULT_RESOURCE = `${SERVICE_NAME}-prod-notifier`;
const OUR_KEY_ID = '1234abcd-12ab-34cd-56ef-1234567890ab';
const OUR_KEY_ARN = `arn:aws:kms:us-east-1:123456789012:key/${OUR_KEY_ID}`;

/** A CloudTrail record of a guard-rail operation on one of this project's resources (or on `resource`). */
const guardRailRecord = (operation: Operation, eventName: string, resource = DEFAULT_RESOURCE) =>
  cloudTrailRecord({
    eventSource: operation.eventSource,
    eventName,
    requestParameters: {
      ...(operation.guardRail?.ownResource ? { [operation.guardRail.ownResource]: resource } : {}),
      // A KMS guard rail names a key by its ID or ARN: the key ID of OUR_KEY_ARN unless told otherwise.
      ...(operation.guardRail?.ownKey
        ? { [operation.guardRail.ownKey]: resource === DEFAULT_RESOURCE ? OUR_KEY_ID : resource }
        : {}),
      // `names` (DeleteParameters) is a list.
      ...(operation.guardRail?.ownParameter === 'name' ? { name: resource } : {}),
      ...(operation.guardRail?.ownParameter === 'names' ? { names: [resource] } : {}),
      // PutFunctionConcurrency is a guard rail only when it throttles to zero.
      reservedConcurrentExecutions: 0,
    },
  });

/** Lambda writes versioned names; the pattern must match both forms. */
const eventNamesOf = (operation: Operation): string[] =>
  operation.guardRail?.versionedName ? [operation.name, `${operation.name}20150331v2`] : [operation.name];

// The central stack's key pattern, as the template resolves it: the topic key by its id and its ARN.
const KEY_PATTERN = keyGuardRailPattern(keySpellings(OUR_KEY_ARN));
// The central stack's parameter pattern, with the name guardRailRecord gives its resource.
const PARAMETER_PATTERN = parameterGuardRailPattern([DEFAULT_RESOURCE]);

/** The deployed pattern that routes an operation: the shared one, or the central stack's key or parameter pattern. */
const patternOf = (operation: Operation) =>
  operation.guardRail?.ownKey
    ? KEY_PATTERN
    : operation.guardRail?.ownParameter
      ? PARAMETER_PATTERN
      : GUARD_RAIL_PATTERN;

describe('guard rails: the catalogue and the deployed pattern agree, operation by operation', () => {
  it('has guard rails in every service of the pattern, and the pattern has no source without one', () => {
    const sourcesOf = (operations: readonly Operation[]) => [
      ...new Set(operations.map((o) => `aws.${o.eventSource.split('.')[0]}`)),
    ];
    const shared = GUARD_RAIL_OPERATIONS.filter(
      (operation) => !operation.guardRail?.ownKey && !operation.guardRail?.ownParameter,
    );

    expect(GUARD_RAIL_PATTERN.source).toEqual(sourcesOf(shared));
    expect(sourcesOf(shared)).toEqual([
      'aws.cloudtrail',
      'aws.organizations',
      'aws.events',
      'aws.sns',
      'aws.lambda',
      'aws.dynamodb',
    ]);
    expect(KEY_PATTERN.source).toEqual(sourcesOf(KEY_GUARD_RAIL_OPERATIONS));
    expect(KEY_GUARD_RAIL_OPERATIONS.map((o) => o.name)).toEqual([
      'DisableKey',
      'ScheduleKeyDeletion',
      'PutKeyPolicy',
    ]);
    expect(PARAMETER_PATTERN.source).toEqual(sourcesOf(PARAMETER_GUARD_RAIL_OPERATIONS));
    expect(PARAMETER_GUARD_RAIL_OPERATIONS.map((o) => o.name)).toEqual([
      'PutParameter',
      'DeleteParameter',
      'DeleteParameters',
    ]);
  });

  it.each(
    GUARD_RAIL_OPERATIONS.flatMap((operation) =>
      eventNamesOf(operation).map((name) => [operation, name] as const),
    ),
  )(
    'routes and classifies %#: every catalogue guard rail is matched by the deployed pattern and alerted critical',
    (operation, eventName) => {
      const record = guardRailRecord(operation, eventName);
      const event = parseIamEvent(toEventBridgeEvent(record));
      // The SSM and KMS guard rails apply to the deployment's delivery parameters and topic keys: those the
      // patterns are built on.
      const classification = classifyEvent(event, describePrincipal(event.record), {
        deliveryParameters: [DEFAULT_RESOURCE],
        ownKeys: [OUR_KEY_ARN],
      });

      expect([eventName, matchesEventPattern(patternOf(operation), toEventBridgeEvent(record))]).toEqual([
        eventName,
        true,
      ]);
      expect([eventName, classification.severity, classification.reasons[0]?.code]).toEqual([
        eventName,
        'critical',
        'guard-rail',
      ]);
    },
  );

  it('matches guard rails scoped to this project only on its own resources', () => {
    const scoped = GUARD_RAIL_OPERATIONS.filter(
      (operation) =>
        operation.guardRail?.ownResource || operation.guardRail?.ownKey || operation.guardRail?.ownParameter,
    );

    expect(scoped.length).toBeGreaterThan(16);
    for (const operation of scoped) {
      const unrelated = guardRailRecord(operation, operation.name, 'billing-api');
      expect([
        operation.name,
        matchesEventPattern(patternOf(operation), toEventBridgeEvent(unrelated)),
      ]).toEqual([operation.name, false]);
    }
  });

  it('lists in the pattern only names that are catalogue guard rails of that event source', () => {
    const clauses = (GUARD_RAIL_PATTERN.detail as { $or: Array<Record<string, unknown>> }).$or;
    const listed = clauses.flatMap((clause) =>
      (clause.eventName as Array<string | { prefix: string }>).map((value) => [
        (clause.eventSource as string[])[0] ?? '',
        typeof value === 'string' ? value : value.prefix,
      ]),
    );

    expect(listed.filter(([source, name]) => !findOperation(source ?? '', name ?? '')?.guardRail)).toEqual(
      [],
    );
  });

  it('routes KMS guard rails only through the key pattern, on our keys by id or ARN, never on another key', () => {
    // DisableKey, ScheduleKeyDeletion and PutKeyPolicy take a key id or key ARN (no alias), and CloudTrail records
    // what the caller passed.
    // https://docs.aws.amazon.com/kms/latest/APIReference/API_DisableKey.html#API_DisableKey_RequestSyntax
    const kms = (keyId: string, eventName = 'ScheduleKeyDeletion') =>
      toEventBridgeEvent(
        cloudTrailRecord({
          eventSource: 'kms.amazonaws.com',
          eventName,
          requestParameters: { keyId, pendingWindowInDays: 7 },
        }),
      );

    // The shared pattern (member accounts deploy it, and hold no key of ours) routes no KMS event.
    expect(matchesEventPattern(GUARD_RAIL_PATTERN, kms(OUR_KEY_ID))).toBe(false);
    expect(matchesEventPattern(KEY_PATTERN, kms(OUR_KEY_ID))).toBe(true);
    expect(matchesEventPattern(KEY_PATTERN, kms(OUR_KEY_ARN, 'DisableKey'))).toBe(true);
    expect(matchesEventPattern(KEY_PATTERN, kms(OUR_KEY_ARN, 'PutKeyPolicy'))).toBe(true);
    expect(matchesEventPattern(KEY_PATTERN, kms('0000abcd-12ab-34cd-56ef-1234567890ab'))).toBe(false);
    expect(matchesEventPattern(KEY_PATTERN, kms(OUR_KEY_ID, 'EnableKey'))).toBe(false);
    expect(matchesEventPattern(KEY_PATTERN, kms(OUR_KEY_ID, 'CreateGrant'))).toBe(false);
  });
});

describe('sign-in steps watched by the identity rules: the catalogue and the pattern agree, step by step', () => {
  // CloudTrail answers a sign-in step in `responseElements.<step>`: `{"ConsoleLogin": "Success"}`.
  // https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-aws-console-sign-in-events.html
  const watched = OPERATIONS.filter((operation) => operation.signIn);

  it('watches only console sign-in steps, each answered under its own name', () => {
    expect(watched.map((operation) => operation.name)).toEqual(['ConsoleLogin']);
    for (const operation of watched) {
      expect([operation.eventSource, operation.signIn?.outcomeKey]).toEqual([
        'signin.amazonaws.com',
        operation.name,
      ]);
    }
  });

  it.each(watched.map((operation) => [operation.name, operation]))(
    'routes %s without MFA and failed, and alerts both',
    (_name, operation) => {
      const step = operation as Operation;
      const key = step.signIn?.outcomeKey ?? step.name;
      const signIn = (answer: string) =>
        cloudTrailRecord({
          eventSource: step.eventSource,
          eventName: step.name,
          eventType: 'AwsConsoleSignIn',
          readOnly: false,
          responseElements: { [key]: answer },
          additionalEventData: { MFAUsed: 'No' },
        });
      for (const [answer, code] of [
        ['Success', 'console-login-without-mfa'],
        ['Failure', 'sign-in-failed'],
      ] as const) {
        const record = signIn(answer);
        const event = parseIamEvent(record);
        const codes = classifyEvent(event, describePrincipal(event.record)).reasons.map((r) => r.code);
        expect([answer, matchesEventPattern(IDENTITY_RULES_PATTERN, toEventBridgeEvent(record))]).toEqual([
          answer,
          true,
        ]);
        expect(codes).toContain(code);
      }
    },
  );
});
