// parse → [classify] → enrich → format → publish
// Guard rails: operations that can silence or blind the alerting itself. Each is `critical` when it succeeds, and the
// deployed guard-rail rules are derived from these entries (`GUARD_RAIL_PATTERN`; the central stack's own
// `keyGuardRailPattern` for `ownKey`, `parameterGuardRailPattern` for `ownParameter`, patterns.ts): add an operation
// here and it is both classified and routed.
import type { Category } from '../types.js';
import { isAlias, isOwnKey } from './key-names.js';
import type { Deployment, GuardRail, OperationSpec, OperationSpecs, Params } from './operation.js';
import { isConfiguredParameterName } from './parameter-names.js';
import { op } from './spec.js';
import { nameFromArn, str } from './words.js';

/**
 * A guard-rail entry. Categories: SCP changes are `permissions` (an SCP bounds what every principal may do); leaving
 * the organization and trail changes are `account` (account-wide governance and audit settings); EventBridge, SNS and
 * Lambda events are `other`: they touch the alert pipeline's plumbing, which no IAM category describes. All are
 * `critical`, so every severity filter lets them through.
 */
const guardRail = (category: Category, rail: GuardRail): OperationSpec =>
  op(category, 'critical', rail.text, { guardRail: rail });

const named = (value: unknown, fallback: string): string => {
  const text = str(value);
  return text ? nameFromArn(text) : fallback;
};
const lambdaName = (p: Params): string => {
  const relative = (p.fullyQualifiedArn as Params | undefined)?.relativeId as Params | undefined;
  return named(p.functionName ?? relative?.functionName, 'a function');
};
const trailName = (p: Params): string => named(p.name ?? p.trailName, 'a trail');

// The deployed guard-rail pattern matches every trail, and IAM events reach EventBridge only through a trail that
// logs management events in us-east-1: one trail of several stopping does not stop the alerts.
const ifOnlyTrail = 'if it is the only trail logging management events in us-east-1, IAM alerts stop';

const dropsManagementEvents = (p: Params): boolean =>
  Array.isArray(p.eventSelectors) &&
  p.eventSelectors.some(
    (selector) =>
      typeof selector === 'object' &&
      selector !== null &&
      (selector as Params).includeManagementEvents === false,
  );

/**
 * CloudTrail: a trail stopped, deleted or narrowed. Every trail counts (a reused trail's name is not known here, and
 * every such call is worth a look).
 */
export const CLOUDTRAIL_GUARD_RAILS: OperationSpecs = {
  StopLogging: guardRail('account', {
    title: (p) => `CloudTrail logging stopped on trail ${trailName(p)}`,
    text: (p) => `CloudTrail logging stopped on trail ${trailName(p)}: ${ifOnlyTrail}`,
  }),
  DeleteTrail: guardRail('account', {
    title: (p) => `CloudTrail trail ${trailName(p)} deleted`,
    text: (p) => `CloudTrail trail ${trailName(p)} was deleted: ${ifOnlyTrail}`,
  }),
  UpdateTrail: guardRail('account', {
    title: (p) =>
      `CloudTrail trail ${trailName(p)} changed: check it still logs global events in every region`,
    text: (p) =>
      `trail ${trailName(p)} was reconfigured: a single-region trail outside us-east-1, or one without global service events, misses IAM; ${ifOnlyTrail}`,
  }),
  PutEventSelectors: guardRail('account', {
    title: (p) =>
      dropsManagementEvents(p)
        ? `Trail ${trailName(p)} no longer logs management events`
        : `Event selectors of trail ${trailName(p)} changed: management events may no longer be logged`,
    text: (p) =>
      `the event selectors of trail ${trailName(p)} decide which calls it logs: without management events it sees no IAM call; ${ifOnlyTrail}`,
  }),
};

/**
 * Organizations: an SCP detached, changed or deleted, SCPs disabled, or the account taken out of the organization
 * (`LeaveOrganization` takes it out from under every SCP).
 */
export const ORGANIZATIONS_GUARD_RAILS: OperationSpecs = {
  DetachPolicy: guardRail('permissions', {
    title: (p) =>
      `Organizations policy ${named(p.policyId, '?')} detached from ${named(p.targetId, 'a target')}: its guard rail no longer applies there`,
    text: () => 'a service control policy was detached: the accounts below that target lose its protection',
  }),
  UpdatePolicy: guardRail('permissions', {
    title: (p) =>
      `Organizations policy ${named(p.policyId, '?')} changed: the SCP guard rail may be weakened`,
    text: () => 'a service control policy was rewritten: its deny statements may be gone',
  }),
  DeletePolicy: guardRail('permissions', {
    title: (p) => `Organizations policy ${named(p.policyId, '?')} deleted`,
    text: () => 'a service control policy was deleted',
  }),
  DisablePolicyType: guardRail('permissions', {
    title: (p) =>
      `Policy type ${str(p.policyType) ?? '?'} disabled on root ${named(p.rootId, '?')}: no such policy applies any more`,
    text: () => 'a policy type was disabled on the organization root: every SCP of that type stops applying',
  }),
  LeaveOrganization: guardRail('account', {
    title: () => 'Account left the organization: SCPs and organization guard rails no longer apply',
    text: () =>
      'an account outside the organization is bound by no SCP and sends no events to the central bus',
  }),
};

/**
 * EventBridge: this project's rules disabled, deleted, rewritten (`PutRule`) or given other targets (`PutTargets` can
 * replace the notifier target, same Id), its bus deleted or its policy changed.
 */
export const EVENTBRIDGE_GUARD_RAILS: OperationSpecs = {
  DisableRule: guardRail('other', {
    title: (p) => `EventBridge rule ${named(p.name, '?')} disabled: alerts will stop`,
    text: () => 'a disabled rule forwards nothing to the notifier',
    ownResource: 'name',
  }),
  DeleteRule: guardRail('other', {
    title: (p) => `EventBridge rule ${named(p.name, '?')} deleted: alerts will stop`,
    text: () => 'a deleted rule forwards nothing to the notifier',
    ownResource: 'name',
  }),
  RemoveTargets: guardRail('other', {
    title: (p) => `Targets removed from EventBridge rule ${named(p.rule, '?')}: alerts may stop`,
    text: () => 'without its target the rule delivers events nowhere',
    ownResource: 'rule',
  }),
  PutRule: guardRail('other', {
    title: (p) =>
      `EventBridge rule ${named(p.name, '?')} created or changed: its pattern may no longer match`,
    text: () => 'a changed pattern or state can silently stop matching IAM events',
    ownResource: 'name',
  }),
  PutTargets: guardRail('other', {
    title: (p) => `Targets of EventBridge rule ${named(p.rule, '?')} changed: alerts may go elsewhere`,
    text: () => 'a replaced target (same Id) sends the events somewhere else',
    ownResource: 'rule',
  }),
  DeleteEventBus: guardRail('other', {
    title: (p) => `EventBridge bus ${named(p.name, '?')} deleted: alerts from member accounts will stop`,
    text: () => 'the central bus receives the member accounts’ events',
    ownResource: 'name',
  }),
  RemovePermission: guardRail('other', {
    title: (p) =>
      `Permission ${str(p.statementId) ?? '?'} removed from EventBridge bus ${named(p.eventBusName, 'default')}`,
    text: () => 'member accounts may no longer be allowed to put events on the central bus',
    ownResource: 'eventBusName',
  }),
  // With `policy`, PutPermission replaces the whole bus policy; otherwise it adds one statement.
  // @see https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutPermission.html
  PutPermission: guardRail('other', {
    title: (p) =>
      p.policy !== undefined
        ? `Policy of EventBridge bus ${named(p.eventBusName, 'default')} replaced: who may put events on it changed`
        : `Permission ${str(p.statementId) ?? '?'} added to EventBridge bus ${named(p.eventBusName, 'default')}: others may put events on it`,
    text: () =>
      'the bus policy decides who may put events on the central bus: a new grant admits forged events, a replaced policy may drop the member accounts',
    ownResource: 'eventBusName',
  }),
};

/** SNS: this project's topic deleted, its policy or attributes changed, its subscriptions removed or re-filtered. */
export const SNS_GUARD_RAILS: OperationSpecs = {
  DeleteTopic: guardRail('other', {
    title: (p) => `SNS topic ${named(p.topicArn, '?')} deleted: alerts will not be delivered`,
    text: () => 'every alert is published to this topic',
    ownResource: 'topicArn',
  }),
  Unsubscribe: guardRail('other', {
    title: (p) => `Subscription ${named(p.subscriptionArn, '?')} removed: someone stops receiving alerts`,
    text: () => 'a subscriber of the alert topic was removed',
    ownResource: 'subscriptionArn',
  }),
  SetTopicAttributes: guardRail('other', {
    title: (p) =>
      `SNS topic ${named(p.topicArn, '?')} ${str(p.attributeName) ?? 'attributes'} changed: delivery may be blocked`,
    text: () => 'the topic policy, its KMS key or its delivery settings decide whether alerts get through',
    ownResource: 'topicArn',
  }),
  SetSubscriptionAttributes: guardRail('other', {
    title: (p) =>
      `Subscription ${named(p.subscriptionArn, '?')} ${str(p.attributeName) ?? 'attributes'} changed: alerts may be filtered out`,
    text: () => 'a changed filter policy or delivery setting can silently drop alerts',
    ownResource: 'subscriptionArn',
  }),
  RemovePermission: guardRail('other', {
    title: (p) => `Permission ${str(p.label) ?? '?'} removed from SNS topic ${named(p.topicArn, '?')}`,
    text: () => 'the notifier or the alarms may no longer be allowed to publish',
    ownResource: 'topicArn',
  }),
};

/**
 * Lambda: this project's functions changed, deleted, throttled to zero or stripped of their invoke permission or
 * failure destination. Lambda records versioned event names (`UpdateFunctionCode20150331v2`), hence `versionedName`.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/logging-using-cloudtrail.html
 */
export const LAMBDA_GUARD_RAILS: OperationSpecs = {
  UpdateFunctionCode: guardRail('other', {
    title: (p) => `Code of Lambda function ${lambdaName(p)} replaced: alerts may be altered or suppressed`,
    text: () => 'whoever replaces the code decides what is alerted',
    ownResource: 'functionName',
    versionedName: true,
  }),
  UpdateFunctionConfiguration: guardRail('other', {
    title: (p) => `Configuration of Lambda function ${lambdaName(p)} changed: alerts may be redirected`,
    text: () => 'environment, layers, role or timeout change what the function does',
    ownResource: 'functionName',
    versionedName: true,
  }),
  DeleteFunction: guardRail('other', {
    title: (p) => `Lambda function ${lambdaName(p)} deleted: alerts will stop`,
    text: () => 'the function is gone: events are retried, then land in the dead-letter queue',
    ownResource: 'functionName',
    versionedName: true,
  }),
  RemovePermission: guardRail('other', {
    title: (p) =>
      `Permission ${str(p.statementId) ?? '?'} removed from Lambda function ${lambdaName(p)}: it may no longer be invoked`,
    text: () => 'EventBridge or SNS needs this resource policy statement to invoke the function',
    ownResource: 'functionName',
    versionedName: true,
  }),
  PutFunctionConcurrency: op(
    'other',
    'medium',
    (p) =>
      `reserved concurrency of a function set to ${str(p.reservedConcurrentExecutions) ?? '?'}: bursts of events may be throttled`,
    {
      guardRail: {
        title: (p) => `Lambda function ${lambdaName(p)} throttled to zero: alerts will stop`,
        text: () => 'reserved concurrency 0 stops every invocation',
        applies: (p) => Number(p.reservedConcurrentExecutions) === 0,
        ownResource: 'functionName',
        versionedName: true,
      },
    },
  ),
  PutFunctionEventInvokeConfig: guardRail('other', {
    title: (p) =>
      `Retries or on-failure destination of Lambda function ${lambdaName(p)} replaced: failed alerts may be lost`,
    text: () =>
      'the asynchronous invocation settings decide how often a failed alert is retried and where it goes after',
    ownResource: 'functionName',
    versionedName: true,
  }),
  UpdateFunctionEventInvokeConfig: guardRail('other', {
    title: (p) =>
      `Retries or on-failure destination of Lambda function ${lambdaName(p)} changed: failed alerts may be lost`,
    text: () =>
      'the asynchronous invocation settings decide how often a failed alert is retried and where it goes after',
    ownResource: 'functionName',
    versionedName: true,
  }),
  DeleteFunctionEventInvokeConfig: guardRail('other', {
    title: (p) =>
      `On-failure destination of Lambda function ${lambdaName(p)} removed: failed alerts will be lost`,
    text: () => 'without the destination, events that fail every retry are dropped',
    ownResource: 'functionName',
    versionedName: true,
  }),
};

/**
 * DynamoDB: this project's idempotency table deleted. Both functions remember their deliveries there; without it
 * their idempotency reads and writes fail, so deliveries fail (and are retried) or may repeat.
 */
export const DYNAMODB_GUARD_RAILS: OperationSpecs = {
  DeleteTable: guardRail('other', {
    title: (p) => `DynamoDB table ${named(p.tableName, '?')} deleted: alert deliveries may fail or repeat`,
    text: () => 'the notifier and the forwarder record each delivery in this table',
    ownResource: 'tableName',
  }),
};

const keyName = (p: Params): string => named(p.keyId, 'a key');

/**
 * What a write on a resource that is a guard rail only when it is the deployment's own says otherwise (base severity
 * `low`: the rule that delivered the record, root activity or an SCP denial of instance credentials, gives its own
 * reasons): with the deployment's resources known, that it is not one of them; not known (`iam-alerts render` or
 * `replay` without them), the condition under which it would be the critical guard rail, rather than a claim.
 */
const notOwn = (
  written: string,
  known: boolean,
  { not, ifOne, unknown }: { not: string; ifOne: string; unknown: string },
): string =>
  known
    ? `${written} (${not})`
    : `${written}; if ${ifOne}, this is a critical guard-rail event (${unknown} were not given)`;

const topicKeys = 'this stack’s topic keys';

/**
 * A KMS call on a key that is not known to be a topic key: an ordinary change. An alias cannot be a topic key here
 * (these calls take no alias: the call failed, and `KeyGuardRailRule` does not match it), whatever is known.
 */
const ordinaryKeyWrite =
  (done: string) =>
  (p: Params, deployment?: Deployment): string => {
    const keyId = str(p.keyId);
    if (keyId === undefined) return 'a change to a KMS key the record does not name (no request recorded)';
    const written = `KMS key ${nameFromArn(keyId)} ${done}`;
    if (isAlias(keyId))
      return `${written} (an alias, which this call does not take: not one of ${topicKeys})`;
    return notOwn(written, deployment?.ownKeys !== undefined, {
      not: `not one of ${topicKeys}`,
      ifOne: `it is one of ${topicKeys}`,
      unknown: 'the topic keys',
    });
  };

/**
 * A KMS guard rail: `critical` only when `keyId` names one of the deployment's topic keys (`Deployment.ownKeys`), by
 * key ID or key ARN, as `KeyGuardRailRule` matches it (`isOwnKey`). Other rules deliver KMS calls too (the identity
 * rules), so a call on any other key, or one whose keys are not known, is an ordinary `low` change.
 */
const keyRail = (done: string, rail: Omit<GuardRail, 'ownKey' | 'applies'>): OperationSpec =>
  op('other', 'low', ordinaryKeyWrite(done), {
    guardRail: {
      ...rail,
      ownKey: 'keyId',
      applies: (p, deployment) => {
        const keyId = str(p.keyId);
        return keyId !== undefined && isOwnKey(keyId, deployment.ownKeys ?? []);
      },
    },
  });

/**
 * KMS: a key of this stack's topics disabled, scheduled for deletion or given a new key policy. SNS cannot publish to
 * a topic whose key is unusable, so these alerts also go to the operations topic directly (its own key): the one
 * about the alert topic's key cannot be delivered through the alert topic. Grants are not guard rails: SNS uses the
 * publisher's and the services' key-policy permissions, not grants, so `CreateGrant` and `RevokeGrant` neither stop
 * nor redirect delivery.
 * @see https://docs.aws.amazon.com/kms/latest/developerguide/key-state.html
 * @see https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html
 */
export const KMS_GUARD_RAILS: OperationSpecs = {
  DisableKey: keyRail('disabled', {
    title: (p) => `KMS key ${keyName(p)} disabled: the topic it encrypts rejects every alert`,
    text: () =>
      'SNS cannot publish to a topic whose KMS key is disabled: alerts stop until the key is enabled',
  }),
  ScheduleKeyDeletion: keyRail('scheduled for deletion', {
    title: (p) => `KMS key ${keyName(p)} scheduled for deletion: the topic it encrypts rejects every alert`,
    text: () =>
      'a key pending deletion can be used in no cryptographic operation: alerts stop now, for good once it is deleted',
  }),
  PutKeyPolicy: keyRail('given a new key policy', {
    title: (p) =>
      `Key policy of KMS key ${keyName(p)} replaced: alerts and alarms may no longer be published`,
    text: () =>
      'the key policy decides whether the notifier, CloudWatch alarms and EventBridge may encrypt messages to the topic',
  }),
};

/** The SSM parameter names of a request (`name`, or the list `names`), as written (shortened only by the format). */
const parameterNames = (p: Params): string[] => {
  const list = Array.isArray(p.names) ? p.names : [p.name];
  return list.flatMap((value) => {
    const name = str(value);
    return name ? [name] : [];
  });
};

/**
 * The names of a request that are the forwarder's delivery parameters (`isConfiguredParameterName`: every spelling
 * `ParameterGuardRailRule` matches). Names not known (`deliveryParameters` absent): none is known to be one.
 */
const deliveryNames = (p: Params, deployment?: Deployment): string[] => {
  const configured = deployment?.deliveryParameters ?? [];
  return parameterNames(p).filter((name) => isConfiguredParameterName(name, configured));
};

/** `/iam-alerts/slack`, or `/a, /b and 3 more`: every name in full, never `nameFromArn` (a path is the name). */
const listNames = (names: readonly string[]): string => {
  if (names.length === 0) return '?';
  const shown = names.slice(0, 3).join(', ');
  return names.length > 3 ? `${shown} and ${names.length - 3} more` : shown;
};

/**
 * The names a guard-rail headline gives: the delivery parameters among those of the request (`DeleteParameters` may
 * list others beside them), or every name when none is known to be one.
 */
const parameterList = (p: Params, deployment?: Deployment): string => {
  const delivery = deliveryNames(p, deployment);
  return listNames(delivery.length > 0 ? delivery : parameterNames(p));
};

const deliverySecrets =
  'the forwarder reads the Slack webhook URL, the Slack bot token, the Jira API token and the routes’ webhooks from these parameters';

// A parameter policy of type Expiration makes Parameter Store delete the parameter at the time it names.
// @see https://docs.aws.amazon.com/systems-manager/latest/userguide/parameter-store-policies.html
const expires = (p: Params): boolean => str(p.policies)?.includes('Expiration') === true;

/**
 * What an SSM write that is not the guard rail says (base severity `low`: writing a parameter is routine configuration;
 * the rule that delivered the record, root activity or an SCP denial of instance credentials, gives its own reasons):
 * - no name recorded (CloudTrail keeps no request for a throttled call): it cannot be about the delivery parameters;
 * - names known and none of them is one: an ordinary change of those parameters;
 * - names not known (`iam-alerts render` without `--delivery-parameters`): an ordinary change, with the condition
 *   under which it would be the critical guard rail, rather than a claim that it is.
 */
const ordinaryWrite =
  (done: string) =>
  (p: Params, deployment?: Deployment): string => {
    const names = parameterNames(p);
    if (names.length === 0)
      return 'a change to SSM parameters the record does not name (no request recorded)';
    const written = `SSM ${names.length === 1 ? 'parameter' : 'parameters'} ${listNames(names)} ${done}`;
    const one = names.length === 1;
    return notOwn(written, deployment?.deliveryParameters !== undefined, {
      not: `${one ? 'not one' : 'none of them'} the forwarder reads its Slack or Jira secrets from`,
      ifOne: `${one ? 'it is' : 'one is'} a parameter the forwarder reads its Slack or Jira secrets from`,
      unknown: 'the delivery parameter names',
    });
  };

/**
 * Systems Manager Parameter Store: a parameter the forwarder reads its delivery secrets from overwritten, created or
 * deleted. A new value redirects Slack or Jira alerts to whoever wrote it (the team stops hearing, silently); a
 * deleted one makes every delivery fail. The names are this deployment's (`ownParameter`): `ParameterGuardRailRule`
 * matches them; the shared pattern leaves these operations out. Those are all the calls that change what the forwarder
 * reads: it asks `GetParameter` for a plain name (the stack parameters and `alerts.yml` allow no `:label` or
 * `:version` selector), which returns the latest version, so `LabelParameterVersion` and `UnlabelParameterVersion`
 * change nothing it reads, and neither do tags or a parameter's resource policy (who else may read it).
 * @see https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_PutParameter.html
 * @see https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_DeleteParameter.html
 * @see https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_DeleteParameters.html
 * @see https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_GetParameter.html
 */
/**
 * An SSM guard rail: `critical` only when the request names one of the deployment's delivery parameters
 * (`Deployment.deliveryParameters`, in any spelling the deployed pattern matches); with `DeleteParameters`, when any
 * listed name is one. Other rules deliver SSM calls too (the identity rules), so a write to any other parameter, or
 * one whose names are not known, is an ordinary `low` change (`ordinaryWrite`).
 */
const parameterRail = (done: string, rail: GuardRail): OperationSpec =>
  op('other', 'low', ordinaryWrite(done), {
    guardRail: { ...rail, applies: (p, deployment) => deliveryNames(p, deployment).length > 0 },
  });

export const SSM_GUARD_RAILS: OperationSpecs = {
  PutParameter: parameterRail('written', {
    title: (p, deployment) =>
      `SSM parameter ${parameterList(p, deployment)} ${p.overwrite === true ? 'overwritten' : 'written'}: Slack or Jira alerts may go elsewhere${expires(p) ? ' (with an expiration policy)' : ''}`,
    text: (p) =>
      `${deliverySecrets}: a new value sends the alerts to another endpoint or stops their delivery${expires(p) ? '; its expiration policy deletes the parameter at the time it names' : ''}`,
    ownParameter: 'name',
  }),
  DeleteParameter: parameterRail('deleted', {
    title: (p, deployment) =>
      `SSM parameter ${parameterList(p, deployment)} deleted: Slack or Jira alerts will fail`,
    text: () =>
      `${deliverySecrets}: without it every delivery fails, is retried, then lands in the dead-letter queue`,
    ownParameter: 'name',
  }),
  DeleteParameters: parameterRail('deleted', {
    title: (p, deployment) =>
      `SSM parameters ${parameterList(p, deployment)} deleted: Slack or Jira alerts may fail`,
    text: () =>
      `${deliverySecrets}: without them their deliveries fail, are retried, then land in the dead-letter queue`,
    ownParameter: 'names',
  }),
};
