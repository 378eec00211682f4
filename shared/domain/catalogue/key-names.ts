// parse → [classify] → enrich → format → publish
// The ways a request names one of this stack's KMS keys: one list for the deployed key guard-rail pattern (patterns.ts,
// `ownKeyRule`; the template's `Ref` and `Fn::GetAtt …Arn` of each key) and for classification (guard-rails.ts).

/**
 * A KMS key ARN (`arn:aws:kms:us-east-1:111122223333:key/1234abcd-…`; multi-Region keys `key/mrk-…`): the form the
 * notifier is given its keys in (`OWN_KEYS`, `--own-keys`).
 * @see https://docs.aws.amazon.com/kms/latest/developerguide/concepts.html#key-id-key-ARN
 */
export const KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]{1,128}$/;

/**
 * The spellings of a key a `DisableKey`, `ScheduleKeyDeletion` or `PutKeyPolicy` request may record in `keyId`: the
 * key ARN and the key ID (what the caller passed; "specify the key ID or key ARN"). An alias name or alias ARN is
 * not one: these calls take no alias, so such a request fails and names no key; the deployed rule (built from the
 * key's `Ref` and ARN) does not match it either.
 * @see https://docs.aws.amazon.com/kms/latest/APIReference/API_DisableKey.html#API_DisableKey_RequestSyntax
 */
export const keySpellings = (arn: string): string[] => [
  arn,
  arn.slice(arn.indexOf(':key/') + ':key/'.length),
];

/** Whether a recorded `keyId` names one of `keys` (key ARNs), exactly as the deployed rule matches it. */
export const isOwnKey = (recorded: string, keys: readonly string[]): boolean =>
  keys.some((arn) => keySpellings(arn).includes(recorded));

/** Whether a recorded `keyId` is an alias (`alias/…`, or an alias ARN), which these calls refuse. */
export const isAlias = (recorded: string): boolean =>
  recorded.startsWith('alias/') || /^arn:aws[a-z-]*:kms:[^:]*:[^:]*:alias\//.test(recorded);
