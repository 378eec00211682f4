// SNS record → [alert] → format → deliver: validates the `alert` message attribute the notifier publishes.
import * as z from 'zod/mini';
import { type Alert, CATEGORIES, SEVERITIES } from '../../shared/domain/types.js';

const severity = z.enum(SEVERITIES);
const text = z.string();
const optionalText = z.optional(z.string());

const principal = z.looseObject({
  type: text,
  name: text,
  arn: optionalText,
  accountId: optionalText,
  issuerArn: optionalText,
  issuerName: optionalText,
  sessionName: optionalText,
  mfa: z.optional(z.boolean()),
  sourceIp: optionalText,
  userAgent: optionalText,
  via: z.enum(['console', 'cli', 'sdk', 'terraform', 'cloudformation', 'aws-service', 'unknown']),
  viaLabel: text,
  isRoot: z.boolean(),
  ec2Instance: z.optional(z.looseObject({ instanceId: optionalText, roleDelivery: text })),
  vpcEndpointId: optionalText,
});

const target = z.looseObject({
  kind: z.enum([
    'user',
    'role',
    'group',
    'policy',
    'instance-profile',
    'saml-provider',
    'oidc-provider',
    'server-certificate',
    'mfa-device',
    'account',
    'other',
  ]),
  name: text,
  arn: optionalText,
});

const finding = z.looseObject({ severity, code: text, text });

/**
 * The `Alert` JSON (`iam-change-alerts/alert@1`) as far as the forwarder reads it. Unknown fields are kept
 * (`looseObject`), so the notifier can add fields without breaking the forwarder; a changed meaning needs a new
 * `schema` value. zod/mini keeps the cold-start cost low.
 * @see shared/domain/types.ts `Alert`
 */
export const alertSchema = z.looseObject({
  schema: z.literal('iam-change-alerts/alert@1'),
  eventId: optionalText,
  eventName: text,
  eventSource: text,
  eventTime: optionalText,
  eventType: optionalText,
  awsRegion: optionalText,
  account: optionalText,
  family: text,
  category: z.enum(CATEGORIES),
  severity,
  reasons: z.array(finding),
  title: text,
  principal,
  target: z.optional(target),
  parameters: z.record(z.string(), z.string()),
  readOnly: z.optional(z.boolean()),
  errorCode: optionalText,
  errorMessage: optionalText,
  policy: z.optional(
    z.looseObject({
      source: z.enum(['request', 'response', 'iam-api', 'well-known']),
      label: text,
      policyArn: optionalText,
      document: optionalText,
      findings: z.array(finding),
      trustedPrincipals: z.optional(z.array(text)),
      diff: z.optional(z.array(text)),
    }),
  ),
  links: z.looseObject({ event: optionalText, target: optionalText }),
  notes: z.array(text),
});

/** Validates a parsed alert; returns the alert or the list of problems (`path: message`). */
export const validateAlert = (value: unknown): { alert: Alert } | { problems: string[] } => {
  const result = alertSchema.safeParse(value);
  if (result.success) return { alert: result.data as Alert };
  return {
    problems: result.error.issues
      .slice(0, 5)
      .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`),
  };
};
