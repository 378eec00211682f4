// Memoisation for pure analyses that repeat from event to event (the same policy document, the same action pattern):
// bounded, so that a stream of distinct inputs cannot grow memory, and frozen, so that no caller can change what the
// next event will be given.

/**
 * A map of at most `max` entries that forgets the least recently used one first. Keys are compared as `Map` keys,
 * so a key from event data (`__proto__`, `constructor`) is just a key.
 */
export class BoundedCache<K, V> {
  readonly #entries = new Map<K, V>();

  constructor(readonly max: number) {}

  /** The value for `key`, made the most recently used; `undefined` when absent. */
  get(key: K): V | undefined {
    const value = this.#entries.get(key);
    if (value === undefined) return undefined;
    this.#entries.delete(key);
    this.#entries.set(key, value);
    return value;
  }

  /** Stores `value` under `key`, forgetting the least recently used entry when full. */
  set(key: K, value: V): void {
    this.#entries.delete(key);
    this.#entries.set(key, value);
    if (this.#entries.size > this.max) {
      const oldest = this.#entries.keys().next();
      if (!oldest.done) this.#entries.delete(oldest.value);
    }
  }

  /** How many entries it holds. */
  get size(): number {
    return this.#entries.size;
  }
}

/** Roots frozen whole by {@link deepFreeze}: a shallow `Object.freeze` elsewhere does not make an input cacheable. */
const deeplyFrozen = new WeakSet<object>();

/**
 * Freezes a value and every object and array it holds (own enumerable properties), and returns it. What a cache
 * hands to several events must be frozen: a caller that tried to change it would throw (modules are strict), not
 * leak one event's facts into another's alert.
 */
export const deepFreeze = <T>(value: T): T => {
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const node = pending.pop();
    if (typeof node !== 'object' || node === null || deeplyFrozen.has(node)) continue;
    Object.freeze(node);
    deeplyFrozen.add(node);
    for (const key of Object.keys(node)) pending.push((node as Record<string, unknown>)[key]);
  }
  return value;
};

/** Whether `value` was frozen whole by {@link deepFreeze}, so that nothing in it can change. */
export const isDeeplyFrozen = (value: object): boolean => deeplyFrozen.has(value);

/**
 * Memoises `compute` for inputs frozen by {@link deepFreeze} only (they cannot change, so neither can the result),
 * keyed by the input object and held weakly (an entry goes with its input). The result is frozen too. Other inputs
 * are computed every time.
 */
export const memoiseFrozen = <K extends object, V>(compute: (input: K) => V): ((input: K) => V) => {
  const results = new WeakMap<K, V>();
  return (input: K): V => {
    if (!deeplyFrozen.has(input)) return compute(input);
    const known = results.get(input);
    if (known !== undefined) return known;
    const result = deepFreeze(compute(input));
    results.set(input, result);
    return result;
  };
};
