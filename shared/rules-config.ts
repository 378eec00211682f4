// Reading the compiled rules (`ALERT_RULES`, written by resources/derived.cjs from alerts.yml) at cold start: the one
// helper both functions' config.ts use. The JSON was validated at package time; it is checked again here (mode
// `cli`: an expired rule is a warning and hides nothing), so a hand-edited environment cannot smuggle in a rule the
// package step would have refused.
import { EMPTY_RULES, formatRulesPath, type RulesConfig } from './domain/rules/model.js';
import { validateRules } from './domain/rules/schema.js';
import { type Env, optionalVar } from './env.js';
import { ConfigError } from './errors.js';

/** The environment variable holding the compiled rules (the contract between the notifier and the forwarder). */
export const ALERT_RULES_VAR = 'ALERT_RULES';

/** The rules a function runs with, and the warnings (expired rules) to log once at cold start. */
export interface RulesSetting {
  rules: RulesConfig;
  warnings: string[];
}

/**
 * Reads `ALERT_RULES` with `validateRules(JSON.parse(text), { mode: 'cli', today })`; absent or blank is
 * {@link EMPTY_RULES}. `today` is the UTC date (`YYYY-MM-DD`), the caller's clock.
 * @throws ConfigError naming `ALERT_RULES` and every problem, when the text is not JSON or not valid rules.
 */
export const readRulesConfig = (env: Env, today: string): RulesSetting => {
  const text = optionalVar(env, ALERT_RULES_VAR);
  if (text === undefined) return { rules: EMPTY_RULES, warnings: [] };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`${ALERT_RULES_VAR} is not JSON: ${(error as Error).message}`);
  }
  const { config, problems } = validateRules(parsed, { mode: 'cli', today });
  const lines = (level: 'error' | 'warning') =>
    problems
      .filter((problem) => problem.level === level)
      .map((problem) => `${formatRulesPath(problem.path)}: ${problem.message}`);
  if (!config) throw new ConfigError(`${ALERT_RULES_VAR} is not valid rules: ${lines('error').join('; ')}`);
  return { rules: config, warnings: lines('warning') };
};

/** Today's date in UTC, `YYYY-MM-DD`: the date expiry is read against. */
export const utcDate = (now: Date): string => now.toISOString().slice(0, 10);
