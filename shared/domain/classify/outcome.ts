// parse → [classify] → enrich → format → publish
// How the call ended: succeeded, failed, denied, denied by a service control policy.

import { str } from '../catalogue/words.js';
import type { CloudTrailRecord } from '../types.js';

/** Error codes that mean "not allowed", across the services whose events reach the notifier. */
const ACCESS_DENIED =
  /^(?:Client\.)?(?:AccessDenied(?:Exception)?|UnauthorizedOperation|UnauthorizedAccess|AuthorizationError|AuthorizationErrorException|Forbidden)$/i;
/**
 * The phrases an `errorMessage` carries when a service control policy denied the call: explicitly, or by allowing
 * nothing. The classifier matches them in any case; the identity rules' EventBridge pattern (`patterns.ts`) matches
 * them as written here, since EventBridge has no case-insensitive wildcard.
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html
 */
export const SCP_DENIAL_PHRASES = [
  'explicit deny in a service control policy',
  'no service control policy allows',
] as const;
const SCP_DENIAL = new RegExp(`(?:${SCP_DENIAL_PHRASES.join('|')})`, 'i');

/** How a call ended. */
export interface Outcome {
  failed: boolean;
  errorCode?: string;
  accessDenied: boolean;
  scpDenied: boolean;
}

/** How a call ended, from `errorCode`, `errorMessage` and, for console sign-ins, `responseElements`. */
export const describeOutcome = (record: CloudTrailRecord): Outcome => {
  const errorCode = str(record.errorCode);
  const message = str(record.errorMessage) ?? '';
  // Console sign-ins report failure in the response, not in errorCode.
  const signInFailed =
    record.eventSource === 'signin.amazonaws.com' &&
    Object.values(record.responseElements ?? {}).some((value) => value === 'Failure');
  const scpDenied = SCP_DENIAL.test(message);
  const accessDenied = scpDenied || (errorCode !== undefined && ACCESS_DENIED.test(errorCode));
  return {
    failed: errorCode !== undefined || signInFailed,
    ...(errorCode ? { errorCode } : signInFailed ? { errorCode: message || 'Failure' } : {}),
    accessDenied,
    scpDenied,
  };
};

/** `; the call failed (LimitExceededException), so nothing changed`. */
export const nothingChanged = (outcome: Outcome): string =>
  `; the call failed (${outcome.errorCode ?? 'error'}), so nothing changed`;
