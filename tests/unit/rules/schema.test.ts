import fc from 'fast-check';
import {
  compileRules,
  EMPTY_RULES,
  expiredRuleIds,
  formatRulesPath,
  isIsoDate,
} from '../../../shared/domain/rules/model.js';
import { validateRules } from '../../../shared/domain/rules/schema.js';
import { rulesArb } from './arbitraries.js';

const TODAY = '2026-11-30';

describe('validateRules', () => {
  it('validates the compiled JSON back to the same config (the notifier reads what the package step wrote)', () => {
    fc.assert(
      fc.property(rulesArb, (config) => {
        const compiled = compileRules(config);
        const read = validateRules(JSON.parse(compiled), { mode: 'cli', today: '2026-01-01' });
        expect(read.problems).toEqual([]);
        expect(read.config).toEqual(config);
      }),
    );
  });

  it('gives no config when there is an error, and the config with warnings', () => {
    const expired = {
      suppress: [{ id: 'old', reason: 'r', expires: '2026-01-31', match: { eventName: ['X'] } }],
    };
    const strict = validateRules(expired, { mode: 'package', today: TODAY });
    expect(strict.config).toBeUndefined();
    expect(strict.problems).toEqual([
      {
        level: 'error',
        path: ['suppress', 0, 'expires'],
        message:
          'the rule expired on 2026-01-31 (today is 2026-11-30): renew or delete it; it hides nothing now',
      },
    ]);
    const lenient = validateRules(expired, { mode: 'cli', today: TODAY });
    expect(lenient.problems.map((problem) => problem.level)).toEqual(['warning']);
    expect(lenient.config?.suppress.map((rule) => rule.id)).toEqual(['old']);
  });

  it('reads null (an empty file) as the empty rule set', () => {
    expect(validateRules(null, { mode: 'package', today: TODAY })).toEqual({
      config: EMPTY_RULES,
      problems: [],
    });
  });

  it('refuses a today that is not a date, since expiry would be decided on nonsense', () => {
    expect(() => validateRules({}, { mode: 'cli', today: '30/11/2026' })).toThrow(
      'today must be a YYYY-MM-DD date, got 30/11/2026',
    );
  });

  it('names the found type for values of the wrong type', () => {
    expect(validateRules({ suppress: {} }, { mode: 'cli', today: TODAY }).problems).toEqual([
      { level: 'error', path: ['suppress'], message: 'expected a list, got a mapping' },
    ]);
    expect(validateRules({ grouping: null }, { mode: 'cli', today: TODAY }).problems).toEqual([
      { level: 'error', path: ['grouping'], message: 'expected a mapping, got nothing (null)' },
    ]);
  });
});

describe('expiredRuleIds', () => {
  it('lists rules whose last day is before today, in file order', () => {
    const config = validateRules(
      {
        suppress: [
          { id: 'a', reason: 'r', expires: '2026-11-29', match: { eventName: ['X'] } },
          { id: 'b', reason: 'r', expires: '2026-11-30', match: { eventName: ['X'] } },
          { id: 'c', reason: 'r', match: { eventName: ['X'] } },
          { id: 'd', reason: 'r', expires: '2025-01-01', match: { eventName: ['X'] } },
        ],
      },
      { mode: 'cli', today: TODAY },
    ).config;
    expect(config && expiredRuleIds(config, TODAY)).toEqual(['a', 'd']);
  });
});

describe('isIsoDate', () => {
  it.each([
    ['2028-02-29', true],
    ['2027-02-29', false],
    ['2027-04-31', false],
    ['2027-00-10', false],
    ['2027-6-30', false],
    ['2027-06-30T00:00:00Z', false],
  ])('%s is %s', (value, expected) => {
    expect(isIsoDate(value)).toBe(expected);
  });
});

describe('formatRulesPath', () => {
  it('prints keys with dots and indexes in brackets', () => {
    expect(formatRulesPath(['suppress', 0, 'match', 'eventName', 1])).toBe('suppress[0].match.eventName[1]');
    expect(formatRulesPath([])).toBe('(file)');
  });
});
