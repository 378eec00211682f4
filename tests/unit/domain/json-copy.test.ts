// jsonCopy must return exactly what JSON.parse(JSON.stringify(value)) returns: the alert is copied with it.
import fc from 'fast-check';
import { jsonCopy } from '../../../shared/domain/values.js';

/** Equal as values and as text: key order, omitted keys and nulls included. */
const expectSameAsJson = (value: unknown): void => {
  const expected: unknown = JSON.parse(JSON.stringify(value));
  const copy = jsonCopy(value);
  expect(copy).toStrictEqual(expected);
  expect(JSON.stringify(copy)).toBe(JSON.stringify(expected));
};

describe('jsonCopy', () => {
  it('copies any JSON-ish value as a JSON round trip does', () => {
    const leaf = fc.oneof(
      fc.string({ maxLength: 6 }),
      fc.double(),
      fc.constant(-0),
      fc.boolean(),
      fc.constant(null),
      fc.constant(undefined),
      fc.constant(() => 1),
      fc.constant(Symbol('s')),
      fc.date({ noInvalidDate: true }),
    );
    const value = fc.letrec((tie) => ({
      node: fc.oneof({ maxDepth: 4 }, leaf, tie('array'), tie('object')),
      array: fc.array(tie('node'), { maxLength: 4 }),
      object: fc.dictionary(fc.constantFrom('a', 'b', '0', '10', '__proto__', 'toJSON'), tie('node'), {
        maxKeys: 4,
      }),
    })).node;
    fc.assert(
      fc.property(value, (node) => expectSameAsJson({ node })),
      { numRuns: 3000 },
    );
  });

  it('keeps __proto__ an own key, calls toJSON with the key, unboxes and drops like JSON', () => {
    const value = JSON.parse('{"__proto__": {"polluted": true}, "b": 1}') as Record<string, unknown>;
    const copy = jsonCopy(value) as Record<string, unknown>;
    expect(Object.hasOwn(copy, '__proto__')).toBe(true);
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    expectSameAsJson(value);
    expectSameAsJson({ at: { toJSON: (key: string) => `key:${key}` }, list: [{ toJSON: () => undefined }] });
    expectSameAsJson({ boxed: [new Number(1), new String('s'), new Boolean(false)], sparse: new Array(3) });
    expectSameAsJson({ n: Number.NaN, i: -Infinity, z: -0, u: undefined, map: new Map([[1, 2]]) });
  });

  it('throws on a BigInt as JSON.stringify does, and shares no object with its input', () => {
    expect(() => jsonCopy({ big: 1n })).toThrow(TypeError);
    const input = { nested: { list: [{ a: 1 }] } };
    const copy = jsonCopy(input);
    expect(copy.nested).not.toBe(input.nested);
    expect(copy.nested.list[0]).not.toBe(input.nested.list[0]);
  });
});
