// parse → classify → enrich → [format] → publish: how long any value from an event may be once it is in an alert.
// A caller chooses most of a CloudTrail record (names, tags, user agent, error message, parameters), so without
// these cuts one call could push its own alert past a destination's limit and have it rejected. Pure.
//
// | value                                                    | budget (UTF-16 code units) | why                                     |
// |----------------------------------------------------------|---------------------------:|-----------------------------------------|
// | eventName, eventSource, family                           |                        128 | AWS operation names are under 64        |
// | eventId, eventTime, eventType, awsRegion, account        |                         64 | UUIDs, ISO 8601 times, ids              |
// | title                                                    |                        400 | a headline; the subject keeps 99 of it  |
// | principal and target names, session names, types, IPs   |                        256 | IAM names are at most 64 (paths 512)    |
// | ARNs (principal, issuer, target, policy)                 |                      2,048 | IAM's documented maximum ARN length     |
// | user agent                                               |                      1,024 | enough to name any real client          |
// | errorCode / errorMessage                                 |                  256/2,000 | AWS error messages are a sentence       |
// | any other principal field, instance-credential facts     |                        512 |                                         |
// | parameters: count, key, value                            |               13, 100, 300 | 12 shown plus the "… more" line         |
// | reasons, findings, notes, trusted principals, diff lines |  at most 30 each, 1,000 each | our own words around cut names          |
// | console links                                            |                      2,000 | longer ones are dropped (Jira's limit)  |
// | the policy document                                      |    what fits SNS's 256 KB | cut by `formatSnsMessage`, with a note  |
//
// With these, the SNS message (body, subject and attributes), Slack's blocks and Jira's description stay within
// their limits for any input; each format still cuts to its own, smaller budgets.
// @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html
import type { Alert } from '../domain/types.js';
import { shorten } from '../domain/values.js';

/** The budgets of the table above, by name. */
export const BUDGETS = {
  eventName: 128,
  eventSource: 128,
  family: 128,
  id: 64,
  title: 400,
  name: 256,
  arn: 2_048,
  userAgent: 1_024,
  errorCode: 256,
  errorMessage: 2_000,
  other: 512,
  parameters: 13,
  parameterKey: 100,
  parameterValue: 300,
  list: 30,
  listItem: 1_000,
  link: 2_000,
} as const;

/** Cuts every string of a plain JSON value (objects, arrays) to `max`, at most 32 levels deep. */
const cutStrings = (value: unknown, max: number, depth = 0): unknown => {
  if (typeof value === 'string') return shorten(value, max);
  if (depth > 32 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value))
    return value.slice(0, BUDGETS.list).map((item) => cutStrings(item, max, depth + 1));
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => [key, cutStrings(item, max, depth + 1)]),
  );
};

const NAME_FIELDS = new Set([
  'name',
  'sessionName',
  'issuerName',
  'type',
  'issuerType',
  'sourceIp',
  'viaLabel',
]);
const ARN_FIELDS = new Set(['arn', 'issuerArn', 'identityStoreArn']);

/** The budget of a field of the principal. */
const principalBudget = (key: string): number =>
  key === 'userAgent'
    ? BUDGETS.userAgent
    : ARN_FIELDS.has(key)
      ? BUDGETS.arn
      : NAME_FIELDS.has(key)
        ? BUDGETS.name
        : BUDGETS.other;

/**
 * The alert with every value cut to its budget (the table at the top of this file), plus a note naming what was
 * cut. An alert within every budget is returned as it is, so ordinary alerts are unchanged.
 */
export const boundAlert = (alert: Alert): Alert => {
  const cut: string[] = [];
  const cutTo = (field: string, value: string | undefined, max: number): string | undefined => {
    if (value === undefined || value.length <= max) return value;
    cut.push(`${field} (${value.length} characters)`);
    return shorten(value, max);
  };
  const list = <T>(field: string, items: T[] | undefined, each: (item: T) => T): T[] | undefined => {
    if (items === undefined) return undefined;
    if (items.length > BUDGETS.list) cut.push(`${field} (${items.length} items)`);
    return items.slice(0, BUDGETS.list).map(each);
  };
  const text = (field: string) => (value: string) => cutTo(field, value, BUDGETS.listItem) ?? '';

  const principal = Object.fromEntries(
    Object.entries(alert.principal).map(([key, value]) => [
      key,
      typeof value === 'string'
        ? cutTo(`principal.${key}`, value, principalBudget(key))
        : cutStrings(value, BUDGETS.other),
    ]),
  ) as unknown as Alert['principal'];

  const parameterEntries = Object.entries(alert.parameters);
  if (parameterEntries.length > BUDGETS.parameters) cut.push(`parameters (${parameterEntries.length})`);
  const parameters: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [key, value] of parameterEntries.slice(0, BUDGETS.parameters)) {
    parameters[cutTo('a parameter name', key, BUDGETS.parameterKey) ?? key] =
      cutTo(`parameter ${shorten(key, 40)}`, value, BUDGETS.parameterValue) ?? '';
  }

  const link = (field: string, value: string | undefined): string | undefined => {
    if (value === undefined || value.length <= BUDGETS.link) return value;
    cut.push(`${field} (dropped: ${value.length} characters)`);
    return undefined;
  };
  const { policy } = alert;
  const bounded: Alert = {
    ...alert,
    eventId: cutTo('eventId', alert.eventId, BUDGETS.id),
    eventName: cutTo('eventName', alert.eventName, BUDGETS.eventName) ?? '',
    eventSource: cutTo('eventSource', alert.eventSource, BUDGETS.eventSource) ?? '',
    eventTime: cutTo('eventTime', alert.eventTime, BUDGETS.id),
    eventType: cutTo('eventType', alert.eventType, BUDGETS.id),
    awsRegion: cutTo('awsRegion', alert.awsRegion, BUDGETS.id),
    account: cutTo('account', alert.account, BUDGETS.id),
    family: cutTo('family', alert.family, BUDGETS.family) ?? '',
    title: cutTo('title', alert.title, BUDGETS.title) ?? '',
    reasons:
      list('reasons', alert.reasons, (reason) => ({
        ...reason,
        code: cutTo('a reason code', reason.code, BUDGETS.parameterKey) ?? '',
        text: text('a reason')(reason.text),
        ...(reason.instanceCredentials
          ? {
              instanceCredentials: cutStrings(
                reason.instanceCredentials,
                BUDGETS.other,
              ) as typeof reason.instanceCredentials,
            }
          : {}),
      })) ?? [],
    principal,
    target: alert.target && {
      ...alert.target,
      name: cutTo('target.name', alert.target.name, BUDGETS.name) ?? '',
      arn: cutTo('target.arn', alert.target.arn, BUDGETS.arn),
    },
    parameters: { ...parameters },
    errorCode: cutTo('errorCode', alert.errorCode, BUDGETS.errorCode),
    errorMessage: cutTo('errorMessage', alert.errorMessage, BUDGETS.errorMessage),
    policy: policy && {
      ...policy,
      label: cutTo('policy.label', policy.label, BUDGETS.other) ?? '',
      policyArn: cutTo('policy.policyArn', policy.policyArn, BUDGETS.arn),
      findings:
        list('findings', policy.findings, (finding) => ({
          ...finding,
          code: cutTo('a finding code', finding.code, BUDGETS.parameterKey) ?? '',
          text: text('a finding')(finding.text),
        })) ?? [],
      trustedPrincipals: list('trusted principals', policy.trustedPrincipals, text('a trusted principal')),
      diff: list('policy diff', policy.diff, text('a policy diff line')),
    },
    links: {
      event: link('the event link', alert.links.event),
      target: link('the target link', alert.links.target),
    },
    notes: list('notes', alert.notes, text('a note')) ?? [],
  };
  if (cut.length === 0) return alert;
  const note = shorten(
    `cut to fit every destination: ${cut.join(', ')}; the full values are in the CloudTrail event`,
    BUDGETS.listItem,
  );
  // JSON subscribers get stable shapes: absent optional fields are omitted, never `undefined`.
  return JSON.parse(JSON.stringify({ ...bounded, notes: [...bounded.notes, note] })) as Alert;
};
