// parse → [classify] → enrich → format → publish
// Console sign-in events of the catalogue (`signin.amazonaws.com`, detail-type "AWS Console Sign In via CloudTrail").
import type { OperationSpecs, Title } from './operation.js';
import { op } from './spec.js';
import { capitalise } from './words.js';

/** The headline of a sign-in step the catalogue does not name. */
export const signInStepTitle =
  (name: string): Title =>
  ({ who }) =>
    `Console sign-in step ${name} for ${who}`;

/**
 * Console sign-in events, keyed by `eventName`. A failed sign-in reports `Failure` in `responseElements`, not in
 * `errorCode`; the classifier's outcome reads both. Steps not listed are `low` `credentials` events. `ConsoleLogin` is
 * watched by the identity rules (`signIn`): sign-ins without MFA and failed sign-ins are routed in every region.
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-aws-console-sign-in-events.html
 */
export const SIGN_IN_OPERATIONS: OperationSpecs = {
  ConsoleLogin: op('credentials', 'low', 'signs in to the AWS console', {
    // "without MFA" belongs in the headline: it is what makes a successful sign-in an alert.
    title: ({ who, failed, mfa }) =>
      failed
        ? `Console sign-in failed for ${who}`
        : `${capitalise(who)} signed in to the console${mfa === false ? ' without MFA' : ''}`,
    signIn: { outcomeKey: 'ConsoleLogin' },
  }),
  PasswordUpdated: op('credentials', 'medium', 'changes a console password at sign-in', {
    title: ({ who }) => `${capitalise(who)} changed their console password`,
  }),
  CheckMfa: op('credentials', 'low', 'checks MFA during console sign-in', {
    title: ({ who, failed }) =>
      failed ? `MFA check failed for ${who}` : `MFA checked at console sign-in for ${who}`,
  }),
};
