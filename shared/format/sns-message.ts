// parse → classify → enrich → [format] → publish
import type { Alert } from '../domain/types.js';
import { severityRank } from '../domain/types.js';
import { wellFormed } from '../domain/values.js';
import type { SnsAttribute, SnsMessage } from '../ports.js';
import { boundAlert } from './budgets.js';
import { formatEmailText } from './email-text.js';
import { plainInline } from './escape.js';
import { neutralizeJson } from './plain-text.js';
import { formatSubject } from './subject.js';

export type { SnsAttribute, SnsMessage } from '../ports.js';

/** SNS: "messages can include up to 256 KB of text data" — body, subject and attributes together. */
export const SNS_MAX_BYTES = 262_144;
/** Headroom below the limit for SNS's own accounting of attribute names and types. */
const BUDGET_BYTES = SNS_MAX_BYTES - 4_096;

const byteLength = (text: string): number => Buffer.byteLength(text, 'utf8');

/** The bytes SNS counts for a message: body, subject, and every attribute's name, type and value. */
export const snsMessageBytes = (message: SnsMessage): number =>
  byteLength(message.Message) +
  byteLength(message.Subject) +
  Object.entries(message.MessageAttributes).reduce(
    (sum, [name, attr]) => sum + byteLength(name) + byteLength(attr.DataType) + byteLength(attr.StringValue),
    0,
  );

/** At most this many characters of a filter attribute (`eventName`, `family`, `account`, …). */
const ATTRIBUTE_CHARS = 256;

/**
 * A filter attribute: one line, control, bidi and invisible characters shown as `\u{…}` as in the e-mail, at most
 * 256 characters. A filter policy matches exact strings, so a value AWS writes (`CreateUser`) is unchanged.
 */
const str = (value: string | undefined): SnsAttribute => {
  const safe = value ? plainInline(value, ATTRIBUTE_CHARS) : '';
  // SNS rejects empty attribute values; "unknown" keeps the key filterable.
  return { DataType: 'String', StringValue: safe.length > 0 ? safe : 'unknown' };
};

/**
 * SQS subscriptions with raw message delivery discard a message with more than 10 attributes; we send at most 9
 * (`possibleRepeat` is added by the publisher).
 * @see https://docs.aws.amazon.com/sns/latest/dg/sns-message-attributes.html
 */
export const MAX_SNS_ATTRIBUTES = 10;

/**
 * The delivery attributes of `alerts.yml` (issue 12): `routes` (String.Array, the JSON array of route names, for
 * `{"routes": ["prod"]}` filters) and `grouped` (`"true"` when the alert joins a burst). Eight attributes are always
 * sent (severity, severityRank, category, family, eventName, account, alert, routes) and one slot is the publisher's
 * (`possibleRepeat`), so one slot remains, taken in this order: `grouped: "true"` (the delivery path of a burst),
 * else `createdAccessKeyId`, else `grouped: "false"`. An absent `grouped` therefore means `"false"` (as for alerts
 * from an older notifier); a created access key on a grouped alert stays in the JSON alert's `credentials`. An alert
 * without `routes` (no rules applied: the CLI without `--config`) gets neither attribute.
 */
const deliveryAttributes = (alert: Alert, createdKey: string | undefined): Record<string, SnsAttribute> => {
  // An alert no rules were applied to (the CLI without --config) keeps the attributes it always had.
  if (alert.routes === undefined) return createdKey ? { createdAccessKeyId: str(createdKey) } : {};
  const routes = alert.routes.length > 0 ? alert.routes : ['default'];
  const grouped = alert.group !== undefined && alert.group !== null;
  const last: Record<string, SnsAttribute> = grouped
    ? { grouped: { DataType: 'String', StringValue: 'true' } }
    : createdKey
      ? { createdAccessKeyId: str(createdKey) }
      : { grouped: { DataType: 'String', StringValue: 'false' } };
  return {
    routes: {
      DataType: 'String.Array',
      StringValue: JSON.stringify(routes.map((route) => plainInline(route, 64))),
    },
    ...last,
  };
};

/**
 * The access key id a successful `CreateAccessKey` made, for a subscriber that disables it (`UpdateAccessKey
 * --status Inactive`) or filters on its presence (`{"createdAccessKeyId": [{"exists": true}]}`).
 */
const createdAccessKeyId = (alert: Alert): string | undefined =>
  alert.errorCode
    ? undefined
    : alert.credentials?.find(
        (credential) => credential.kind === 'access-key' && credential.action === 'created',
      )?.id;

const build = (alert: Alert): SnsMessage => {
  const createdKey = createdAccessKeyId(alert);
  return {
    Subject: formatSubject(alert),
    // Well-formed: the SDK form-encodes the body with encodeURIComponent, which throws on a lone surrogate.
    Message: wellFormed(formatEmailText(alert)),
    MessageAttributes: {
      severity: str(alert.severity),
      severityRank: { DataType: 'Number', StringValue: String(severityRank(alert.severity)) },
      category: str(alert.category),
      family: str(alert.family),
      eventName: str(alert.eventName),
      account: str(alert.account),
      ...deliveryAttributes(alert, createdKey),
      // Escaped, not removed: machine subscribers parse exactly the alert's values.
      alert: { DataType: 'String', StringValue: neutralizeJson(JSON.stringify(alert)) },
    },
  };
};

/** Cuts a string to at most `maxBytes` UTF-8 bytes without splitting a character. */
const cutToBytes = (text: string, maxBytes: number): string => {
  const buffer = Buffer.from(text, 'utf8');
  if (buffer.length <= maxBytes) return text;
  // Decoding a cut buffer may end in U+FFFD; drop it.
  return buffer
    .subarray(0, Math.max(0, maxBytes))
    .toString('utf8')
    .replace(/\uFFFD$/, '');
};

/**
 * Renders the SNS message for an alert, within SNS's 256 KB. Every value is first cut to its budget
 * (`boundAlert`, budgets.ts); a policy document too large to fit is truncated with a note in the alert; the
 * message is never rejected for its size. Subject, body and attributes carry no raw control, bidi or invisible
 * character and no lone surrogate.
 */
export const formatSnsMessage = (full: Alert): SnsMessage => {
  const alert = boundAlert(full);
  let message = build(alert);
  let size = snsMessageBytes(message);
  if (size <= BUDGET_BYTES) return message;

  const document = alert.policy?.document;
  if (document && alert.policy) {
    // The document appears JSON-escaped in the alert attribute; escaping can double its size.
    const over = size - BUDGET_BYTES;
    const keep = Math.max(0, byteLength(document) - over - 1_024);
    const cut = cutToBytes(document, Math.floor(keep / 2));
    const trimmed: Alert = {
      ...alert,
      policy: { ...alert.policy, document: cut },
      notes: [
        ...alert.notes,
        `policy document truncated from ${byteLength(document)} to ${byteLength(cut)} bytes to fit SNS's 256 KB limit; the full document is in the CloudTrail event`,
      ],
    };
    message = build(trimmed);
    size = snsMessageBytes(message);
    if (size <= BUDGET_BYTES) return message;
  }

  // Nothing else in an alert is unbounded, but stay safe: drop the policy document and the parameters.
  const minimal: Alert = {
    ...alert,
    policy: alert.policy ? { ...alert.policy, document: undefined } : undefined,
    parameters: {},
    notes: [...alert.notes.slice(0, 5), `alert shortened to fit SNS's 256 KB limit (was ${size} bytes)`],
  };
  return build(JSON.parse(JSON.stringify(minimal)) as Alert);
};
