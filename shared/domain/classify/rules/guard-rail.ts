// parse → [classify] → enrich → format → publish
// The guard-rail rule: a change to the alerting itself is `critical`, a failed attempt `high`.

import { type Rule, reason } from '../facts.js';
import { nothingChanged } from '../outcome.js';

/** A guard-rail event (the catalogue entry is a guard rail that applies): `critical`, or `high` when it failed. */
export const guardRailRule: Rule = ({ base, outcome, service, name }) => {
  if (!base.guardRail) return undefined;
  if (outcome.failed) {
    return reason(
      'high',
      'guard-rail-attempt',
      `someone tried ${service}:${name}, a change that can blind the alerting${nothingChanged(outcome)}`,
    );
  }
  return reason('critical', 'guard-rail', base.summary);
};
