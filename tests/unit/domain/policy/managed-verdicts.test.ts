// Every AWS managed policy through the analysis of an AttachUserPolicy event: no crash, and the verdicts counted
// by severity and finding code, compared with a reviewed summary (tests/fixtures/policies/managed-verdicts.json),
// so that any change to a verdict shows in review. Regenerate with
//   node --import tsx/esm tests/unit/domain/policy/managed-verdicts.ts --write
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { FIXTURES_DIR } from '../../../helpers/fixtures.js';
import { summarizeManagedVerdicts } from './managed-verdicts.js';

describe('every AWS managed policy, attached to a user', () => {
  it('is analysed without a crash, with the reviewed verdict counts', () => {
    const summary = summarizeManagedVerdicts();
    expect(summary.policies).toBeGreaterThan(1000);
    const reviewed = JSON.parse(
      readFileSync(join(FIXTURES_DIR, 'policies', 'managed-verdicts.json'), 'utf8'),
    );
    expect(summary).toEqual(reviewed);
  });
});
