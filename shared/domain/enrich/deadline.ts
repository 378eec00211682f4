// A time budget for the IAM calls of one event's policy analysis: past it, every call fails at once (and one in
// flight is given up), so that gathering stops and the alert goes out with what was read, and says so.
import type { IamDirectory } from '../../ports.js';

/** The words that begin every note of an analysis stopped by its time budget. */
export const CUT_SHORT = 'policy analysis cut short';

/** The IAM directory with a deadline, and whether the deadline stopped a call. */
export interface DeadlineDirectory {
  iam: IamDirectory;
  /** Whether a call was refused or given up because the budget ran out. */
  cut: () => boolean;
  /** Milliseconds left of the budget (0 or less: none). */
  remainingMs: () => number;
}

/**
 * Wraps `iam` so that its calls end within `budgetMs` of now: a call made with no time left fails at once, a call
 * still running when the time is up fails then (its answer, if it comes later, is ignored; the directory's own
 * per-call timeout still ends it). `forget` is passed through. A failure reads `policy analysis cut short: …`,
 * which the gatherers turn into notes like any failed call.
 */
export const withDeadline = (
  iam: IamDirectory,
  budgetMs: number,
  now: () => number = Date.now,
): DeadlineDirectory => {
  const deadline = now() + budgetMs;
  let cut = false;
  const remainingMs = (): number => deadline - now();
  const outOfTime = (operation: string): Error => {
    cut = true;
    return new Error(
      `${CUT_SHORT}: no time left for ${operation} within the ${Math.max(0, Math.round(budgetMs))} ms budget`,
    );
  };
  const bounded =
    (operation: string, call: (...args: unknown[]) => Promise<unknown>) =>
    (...args: unknown[]): Promise<unknown> => {
      const left = remainingMs();
      if (left <= 0) return Promise.reject(outOfTime(operation));
      let timer: ReturnType<typeof setTimeout> | undefined;
      const expiry = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(outOfTime(operation)), left);
      });
      return Promise.race([call(...args), expiry]).finally(() => clearTimeout(timer));
    };
  const wrapped = new Proxy(iam, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function' || property === 'forget' || typeof property !== 'string') return value;
      return bounded(property, (...args) => Reflect.apply(value, target, args) as Promise<unknown>);
    },
  });
  return { iam: wrapped, cut: () => cut, remainingMs };
};
