// fast-check arbitraries for rules tests: valid rule files and rule subjects over a small vocabulary, so that
// random rules and random alerts meet often enough to match.
import fc from 'fast-check';
import type { RuleSubject } from '../../../shared/domain/rules/match.js';
import { type RulesConfig, type SuppressRule, VIAS } from '../../../shared/domain/rules/model.js';
import { CATEGORIES, SEVERITIES, type Severity } from '../../../shared/domain/types.js';

export const ACCOUNTS = ['111122223333', '444455556666'] as const;
export const EVENT_NAMES = ['CreateRole', 'AttachRolePolicy', 'DeleteUser', 'StopLogging'] as const;
export const ROLE_ARNS = [
  'arn:aws:iam::111122223333:role/cfn-exec-prod',
  'arn:aws:iam::444455556666:role/admin',
] as const;

const someOf = <T>(values: readonly T[]) =>
  fc.option(fc.uniqueArray(fc.constantFrom(...values), { minLength: 1 }), { nil: undefined });

const globOf = (values: readonly string[]) =>
  fc.oneof(
    fc.constantFrom(...values),
    fc.constantFrom(...values).map((value) => `${value.slice(0, 6)}*`),
  );

/** A valid suppress rule (`id` given by the caller, so ids stay unique). */
export const suppressRuleArb = (id: string): fc.Arbitrary<SuppressRule> =>
  fc
    .record({
      principal: fc.option(
        fc.array(globOf([...ROLE_ARNS, 'arn:aws:iam::*:role/cfn-exec-*']), { minLength: 1 }),
        {
          nil: undefined,
        },
      ),
      eventName: fc.option(fc.array(globOf(EVENT_NAMES), { minLength: 1 }), { nil: undefined }),
      account: someOf(ACCOUNTS),
      via: someOf(VIAS),
      category: someOf(CATEGORIES),
      critical: fc.boolean(),
      maxSeverity: fc.constantFrom<Severity>('info', 'low', 'medium', 'high'),
      expires: fc.option(fc.constantFrom('2026-01-31', '2030-12-31'), { nil: undefined }),
    })
    .filter((r) => [r.principal, r.eventName, r.account, r.via, r.category].some((key) => key !== undefined))
    .map((r) => {
      const match = Object.fromEntries(
        Object.entries({
          principal: r.principal,
          eventName: r.eventName,
          account: r.account,
          via: r.via,
          category: r.category,
        }).filter(([, value]) => value !== undefined),
      );
      return {
        id,
        reason: `expected changes ${id}`,
        ...(r.expires ? { expires: r.expires } : {}),
        includeCritical: r.critical,
        // `via` without a principal can be met by any caller: valid only when the rule says it accepts that.
        ...(r.via && !r.principal ? { acceptCallerChosen: true } : {}),
        match: { ...match, maxSeverity: r.critical ? 'critical' : r.maxSeverity },
      };
    });

/** A valid rules file with up to four suppress rules, ids `rule-0`…; no routes, grouping as given. */
export const rulesArb: fc.Arbitrary<RulesConfig> = fc
  .integer({ min: 0, max: 4 })
  .chain((count) =>
    fc.tuple(...Array.from({ length: count }, (_, index) => suppressRuleArb(`rule-${index}`))),
  )
  .chain((suppress) =>
    fc.record({
      suppress: fc.constant(suppress),
      routes: fc.constant([]),
      grouping: fc.record({
        windowSeconds: fc.integer({ min: 0, max: 300 }),
        maxSeverity: fc.constantFrom<Severity>('info', 'low', 'medium'),
      }),
    }),
  );

/** A rule subject over the same vocabulary. */
export const subjectArb: fc.Arbitrary<RuleSubject> = fc.record({
  principalArn: fc.option(
    fc.constantFrom(
      'arn:aws:sts::111122223333:assumed-role/cfn-exec-prod/session-1',
      'arn:aws:iam::444455556666:user/alice',
    ),
    { nil: undefined },
  ),
  sessionRoleArn: fc.option(fc.constantFrom(...ROLE_ARNS), { nil: undefined }),
  eventName: fc.constantFrom(...EVENT_NAMES),
  eventSource: fc.constant('iam.amazonaws.com'),
  account: fc.option(fc.constantFrom(...ACCOUNTS), { nil: undefined }),
  via: fc.constantFrom(...VIAS),
  category: fc.constantFrom(...CATEGORIES),
  severity: fc.constantFrom(...SEVERITIES),
  isGuardRail: fc.boolean(),
});
