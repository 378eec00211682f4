// The rules a deployment deploys, compiled for replay: which of them match a record, and whether one delivers it.

import type { ClassifyOptions } from '../../shared/domain/classify/index.js';
import {
  type DeployedRule,
  deliveryParameterRule,
  deployedRules,
  ownKeyRule,
  type PresetName,
} from '../../shared/domain/patterns.js';
import type { RawPrefilter } from '../input/read-inputs.js';
import { compileEventPattern } from '../patterns/event-pattern.js';
import { createPrefilter, createUnionRawPrefilter } from '../patterns/prefilter.js';

/** The stack parameters that decide the rules, as `replay` takes them (`--preset`, `--no-identity-rules`, …). */
export interface ReplayRuleOptions {
  preset: PresetName;
  /** `IdentityRules` (default on). */
  identityRules: boolean;
  /** `InstanceEgressCidrs` (default none: no egress rule). */
  egressCidrs: readonly string[];
  /**
   * The SSM parameters the forwarder reads, as far as replay knows them (`--delivery-parameters`, the routes' `slack`
   * of `--config`): the central stack's delivery-parameter guard rail on them. None: that rule is not evaluated (its
   * names are stack parameters, which a CloudTrail record does not tell).
   */
  deliveryParameters?: readonly string[];
  /**
   * The topics' KMS key ARNs, as far as replay knows them (`--own-keys`): the central stack's key guard rail on them.
   * None: that rule is not evaluated (the keys exist only once deployed).
   */
  ownKeys?: readonly string[];
  /**
   * The preset's rule alone, as `iam-alerts patterns --sql` exports it (no guard rails, identity or egress rules):
   * not a deployment, but what replaying such an export must be compared with.
   */
  presetOnly?: boolean;
}

/**
 * What the notifier of that deployment classifies with: the same egress CIDRs and, when known, the same delivery
 * parameters and topic keys (unknown: an SSM write or a KMS key call is not called the guard rail, `SSM_GUARD_RAILS`,
 * `KMS_GUARD_RAILS`).
 */
export const classifyOptionsFor = (options: ReplayRuleOptions): ClassifyOptions => ({
  instanceEgressCidrs: options.egressCidrs,
  ...(options.deliveryParameters ? { deliveryParameters: options.deliveryParameters } : {}),
  ...(options.ownKeys ? { ownKeys: options.ownKeys } : {}),
});

/** The default deployment's rules: the default preset, the guard rails, the identity rules, no egress rule. */
export const defaultRuleOptions = (preset: PresetName): ReplayRuleOptions => ({
  preset,
  identityRules: true,
  egressCidrs: [],
});

/** What a record did against the deployed rules. */
export type RuleVerdict =
  /** No rule's pattern matches. */
  | 'no-match'
  /** Only rules in state `ENABLED` match, and the record is read-only: EventBridge delivers it to none of them. */
  | 'read-only-not-delivered'
  /** At least one rule receives it: the notifier turns it into an alert. */
  | 'delivered';

/** The deployed rules, compiled: `verdict` for a record's EventBridge event. */
export interface CompiledRules {
  /** The rule names, in deployment order (`preset`, `guard-rails`, `identity`, `instance-egress-1`, …). */
  names: string[];
  /**
   * A field every rule's match needs with one of a few values (`eventSource`); a record whose field is another
   * string matches no rule. `undefined` when some rule has no such field (the guard rails, the identity rules).
   */
  fieldPrefilter: ((record: Record<string, unknown>) => boolean) | undefined;
  /** The raw-text prefilter of the union of the patterns, when every pattern gives one. */
  raw: RawPrefilter | undefined;
  verdict(event: Record<string, unknown>, readOnly: boolean): RuleVerdict;
}

/**
 * Compiles `deployedRules(options)`, the delivery-parameter guard rail when parameter names are given and the key
 * guard rail when key ARNs are given. A record is delivered when some rule's pattern matches it and that rule either
 * receives read-only events (`needsReadOnlyEvents`, state `ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS`) or the
 * record is not read-only. A record that several rules deliver is one alert here.
 * @throws Error for a malformed egress CIDR (as `deployedRules` does).
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-service-event-cloudtrail.html
 */
export const compileDeployedRules = (options: ReplayRuleOptions): CompiledRules => {
  const all: DeployedRule[] = deployedRules({
    preset: options.preset,
    identityRules: options.identityRules,
    instanceEgressCidrs: options.egressCidrs,
  });
  const delivery = options.deliveryParameters ?? [];
  const keys = options.ownKeys ?? [];
  const rules = options.presetOnly
    ? all.filter((rule) => rule.name === 'preset')
    : [
        ...all,
        ...(delivery.length > 0 ? [deliveryParameterRule(delivery)] : []),
        ...(keys.length > 0 ? [ownKeyRule(keys)] : []),
      ];
  const compiled = rules.map((rule) => ({
    matcher: compileEventPattern(rule.pattern),
    needsReadOnlyEvents: rule.needsReadOnlyEvents,
  }));
  const fields = rules.map((rule) => createPrefilter(rule.pattern));
  const fieldPrefilter = fields.every((field) => field !== undefined)
    ? (record: Record<string, unknown>) =>
        fields.some((field) => {
          const value = record[field.field];
          return typeof value !== 'string' || field.values.has(value);
        })
    : undefined;
  return {
    names: rules.map((rule) => rule.name),
    fieldPrefilter,
    raw: createUnionRawPrefilter(rules.map((rule) => rule.pattern)),
    verdict(event, readOnly) {
      let matched = false;
      for (const rule of compiled) {
        if (!rule.matcher.matches(event)) continue;
        if (!readOnly || rule.needsReadOnlyEvents) return 'delivered';
        matched = true;
      }
      return matched ? 'read-only-not-delivered' : 'no-match';
    },
  };
};
