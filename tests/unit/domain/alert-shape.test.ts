// The alert is plain JSON as machine subscribers receive it: no `undefined` field, no value JSON would change, and
// no object shared with another alert (the policy analyses behind it are memoised across events).
import { describe, expect, it } from '@jest/globals';
import { createAlert } from '../../../shared/domain/alert.js';
import { parseIamEvent } from '../../../shared/domain/cloudtrail.js';
import type { Alert } from '../../../shared/domain/types.js';
import { loadCorpus } from '../../helpers/fixtures.js';

/** Every object and array inside a value, the value included. */
const objectsOf = (value: unknown, into: Set<object> = new Set()): Set<object> => {
  if (typeof value === 'object' && value !== null && !into.has(value)) {
    into.add(value);
    for (const child of Object.values(value)) objectsOf(child, into);
  }
  return into;
};

describe('createAlert: the shape of the alert', () => {
  it('equals its own JSON round trip for every corpus record, built twice, sharing no object', async () => {
    const alerts: Alert[] = [];
    for (const { record } of loadCorpus()) {
      const event = parseIamEvent(record);
      const [first, second] = [await createAlert(event), await createAlert(event)];
      expect(first).toStrictEqual(JSON.parse(JSON.stringify(first)));
      expect(second).toStrictEqual(first);
      const shared = [...objectsOf(first)].filter((object) => objectsOf(second).has(object));
      expect(shared).toEqual([]);
      alerts.push(first);
    }
    expect(alerts.filter((alert) => alert.policy).length).toBeGreaterThan(30);
  });
});
