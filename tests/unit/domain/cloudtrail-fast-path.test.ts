// The fast path of parseCloudTrailRecord (records that conform to the schema are read without zod) must give what
// the schema path gives, to the key order, and must never take a record the schema would reject or prune.
import fc from 'fast-check';
import {
  conformsToRecordSchema,
  parseCloudTrailRecord,
  parseRecordWithSchema,
} from '../../../shared/domain/cloudtrail.js';
import { loadCorpus } from '../../helpers/fixtures.js';

/** The record as JSON text, which is what every destination sees of it (key order included). */
const text = (value: unknown): string => JSON.stringify(value);

const outcome = (parse: () => unknown): { ok: true; json: string } | { ok: false; message: string } => {
  try {
    return { ok: true, json: text(parse()) };
  } catch (error) {
    return { ok: false, message: String(error) };
  }
};

const field = fc.oneof(
  fc.constant(undefined),
  fc.constant(null),
  fc.string({ maxLength: 4 }),
  fc.boolean(),
  fc.integer(),
  fc.constant([]),
  fc.constant({}),
  fc.constant({ a: 1 }),
  fc.constant(Object.create(null) as object),
  fc.constant(JSON.parse('{"__proto__": {"x": 1}, "0": "zero", "b": null}') as object),
  fc.constant({ constructor: 'x' }),
);

/** Mostly a value of the field's type (so that most records conform), sometimes anything. */
const mostly = <T>(valid: fc.Arbitrary<T>): fc.Arbitrary<unknown> =>
  fc.oneof({ weight: 6, arbitrary: valid }, { weight: 1, arbitrary: field });

const optionalString = mostly(
  fc.oneof(fc.constant(null), fc.constant(undefined), fc.string({ maxLength: 4 })),
);

const identity = mostly(
  fc.record(
    {
      type: optionalString,
      arn: optionalString,
      invokedBy: optionalString,
      sessionContext: mostly(
        fc.record(
          {
            sessionIssuer: mostly(fc.oneof(fc.constant(null), fc.constant({ type: 'Role' }))),
            attributes: mostly(
              fc.record(
                { mfaAuthenticated: mostly(fc.oneof(fc.boolean(), fc.constantFrom('true', 'false'))) },
                { requiredKeys: [] },
              ),
            ),
            ec2RoleDelivery: optionalString,
          },
          { requiredKeys: [] },
        ),
      ),
    },
    { requiredKeys: [] },
  ),
);

const parameters = mostly(
  fc.oneof(fc.constant(null), fc.dictionary(fc.constantFrom('a', 'b', '0'), field, { maxKeys: 3 })),
);

/**
 * Records built from a corpus record with known fields set to values mostly of their type, unknown fields (an
 * integer key, `__proto__` as an own key) set to anything, null included.
 */
const recordArbitrary = (corpus: Record<string, unknown>[]): fc.Arbitrary<Record<string, unknown>> =>
  fc
    .tuple(
      fc.constantFrom(...corpus),
      fc.record(
        {
          eventVersion: optionalString,
          userIdentity: identity,
          eventSource: mostly(fc.string({ minLength: 1, maxLength: 4 })),
          eventName: mostly(fc.string({ minLength: 1, maxLength: 4 })),
          errorCode: optionalString,
          requestParameters: parameters,
          responseElements: parameters,
          readOnly: mostly(fc.oneof(fc.boolean(), fc.constant(null))),
          vpcEndpointId: optionalString,
        },
        { requiredKeys: [] },
      ),
      fc.dictionary(fc.constantFrom('extra', 'other', '1', '__proto__'), field, { maxKeys: 3 }),
    )
    .map(([base, known, unknown]) => {
      const record: Record<string, unknown> = JSON.parse(JSON.stringify(base));
      for (const [key, value] of Object.entries({ ...known, ...unknown })) {
        Object.defineProperty(record, key, { value, enumerable: true, configurable: true, writable: true });
      }
      return record;
    });

describe('parseCloudTrailRecord fast path', () => {
  const corpus = loadCorpus().map(({ record }) => record as unknown as Record<string, unknown>);

  it('takes the fast path for every corpus record and gives what the schema path gives', () => {
    for (const record of corpus) {
      expect(conformsToRecordSchema(record)).toBe(true);
      expect(text(parseCloudTrailRecord(record))).toBe(text(parseRecordWithSchema(record)));
    }
  });

  it('agrees with the schema path on records with fields of any type: same record, same error, same notes', () => {
    fc.assert(
      fc.property(recordArbitrary(corpus), (record) => {
        const fastIgnored: string[] = [];
        const schemaIgnored: string[] = [];
        const fast = outcome(() => parseCloudTrailRecord(record, '', fastIgnored));
        const schema = outcome(() => parseRecordWithSchema(record, '', schemaIgnored));
        expect(fast).toEqual(schema);
        expect(fastIgnored).toEqual(schemaIgnored);
        // The fast path is taken only where the schema path has nothing to say.
        if (conformsToRecordSchema(record)) expect(schemaIgnored).toEqual([]);
      }),
      { numRuns: 2000 },
    );
  });

  it('leaves a parameters object the schema might read differently to zod', () => {
    const base = { eventSource: 'iam.amazonaws.com', eventName: 'CreateUser' };
    expect(conformsToRecordSchema({ ...base, requestParameters: { userName: 'a' } })).toBe(true);
    expect(conformsToRecordSchema({ ...base, requestParameters: new Map() })).toBe(false);
    expect(conformsToRecordSchema({ ...base, requestParameters: { [Symbol('s')]: 1 } })).toBe(false);
    expect(conformsToRecordSchema({ ...base, requestParameters: { constructor: 'x' } })).toBe(true);
    expect(conformsToRecordSchema({ ...base, requestParameters: new (class Parameters {})() })).toBe(false);
    expect(conformsToRecordSchema({ ...base, eventName: '' })).toBe(false);
  });
});
