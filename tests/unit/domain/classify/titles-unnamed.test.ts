// Headlines of events that name no target: the operation still says what kind of entity it acts on.
import { loadIamOperations } from '../../../helpers/fixtures.js';
import { classify, record } from './classify-helpers.js';

describe('classifyEvent: headlines without parameters', () => {
  it.each([
    ['DeleteSAMLProvider', 'A SAML provider deleted'],
    ['DeleteOpenIDConnectProvider', 'An OIDC provider deleted'],
    ['CreateUser', 'An IAM user created'],
    ['DeleteRolePolicy', 'Inline policy ? deleted from a role'],
    ['UpdateAssumeRolePolicy', 'A role trust policy updated'],
  ])('%s with null requestParameters reads "%s"', (eventName, title) => {
    // A denied call, or a record whose parameters CloudTrail dropped, carries requestParameters: null.
    const result = classify(record({ eventName, requestParameters: null, responseElements: null }));
    expect(result.target).toBeUndefined();
    expect(result.title).toBe(title);
  });

  it('never says "an unnamed entity" for any IAM operation, with or without parameters', () => {
    const unnamed = loadIamOperations().filter((eventName) => {
      const result = classify(record({ eventName, requestParameters: null, responseElements: null }));
      return /unnamed entity/i.test(result.title);
    });
    expect(unnamed).toEqual([]);
  });
});
