import { assembleAlert, buildLinks, summarizeParameters } from '../../../shared/domain/alert.js';
import { classifyEvent } from '../../../shared/domain/classify/index.js';
import { parseIamEvent } from '../../../shared/domain/cloudtrail.js';
import type { Enrichment } from '../../../shared/domain/enrich.js';
import { type StatedFinding, stated } from '../../../shared/domain/findings.js';
import { describePrincipal } from '../../../shared/domain/principal.js';
import type { Classification, IamEvent } from '../../../shared/domain/types.js';
import { findRecord } from '../../helpers/fixtures.js';

const updateAssumeRolePolicy = (): IamEvent =>
  parseIamEvent(
    findRecord((r) => r.eventName === 'UpdateAssumeRolePolicy' && r.userIdentity?.userName === 'christophe'),
  );

/** The policy finding "role can now be assumed by anyone (*)", as the analysis states it. */
const trustAnyone: StatedFinding = {
  ...stated({
    severity: 'critical',
    code: 'trust-everyone',
    kind: 'assume',
    principal: { class: 'anyone' },
    conditions: [],
  }),
  code: 'trust-anyone',
};

const assemble = (event: IamEvent, enrichment: Enrichment, classification?: Classification) => {
  const principal = describePrincipal(event.record);
  return assembleAlert(event, principal, classification ?? classifyEvent(event, principal), enrichment);
};

describe('assembleAlert', () => {
  it('takes the highest severity of classifier and enrichment, de-duplicates reasons by code, highest first', () => {
    const event = updateAssumeRolePolicy();
    const alert = assemble(event, {
      reasons: [
        trustAnyone,
        {
          ...stated({
            severity: 'low',
            code: 'note',
            kind: 'known',
            what: 'a duplicate of the operation reason',
          }),
          code: 'operation',
        },
      ],
      notes: ['a note'],
    });
    expect(alert.severity).toBe('critical');
    expect(alert.reasons[0]?.code).toBe('trust-anyone');
    expect(alert.reasons.filter((r) => r.code === 'operation')).toHaveLength(1);
    expect(alert.reasons.filter((r) => r.code === 'operation')[0]?.text).not.toBe(
      'a duplicate of the operation reason',
    );
    expect(alert.notes).toEqual(['a note']);
  });

  it('uses the policy headline when its finding is what makes the alert serious', () => {
    const event = updateAssumeRolePolicy();
    const enrichment: Enrichment = {
      reasons: [trustAnyone],
      notes: [],
      headline: {
        kind: 'role-trust',
        roleName: 'r',
        exposure: { principal: { class: 'anyone' }, conditions: [], accounts: [] },
      },
    };
    expect(assemble(event, enrichment).title).toBe('Role r can now be assumed by anyone');
    // A classifier reason at least as serious as the finding keeps the classifier's headline.
    const principal = describePrincipal(event.record);
    const classification = classifyEvent(event, principal);
    const serious: Classification = {
      ...classification,
      severity: 'critical',
      reasons: [{ severity: 'critical', code: 'root-activity', text: 'made by the root user' }],
    };
    expect(assemble(event, enrichment, serious).title).toBe(classification.title);
    expect(assemble(event, { ...enrichment, headline: undefined }).title).toBe(classification.title);
  });

  it('routes by the changed account and omits absent fields from the JSON', () => {
    const event = updateAssumeRolePolicy();
    const alert = assemble(event, { reasons: [], notes: [] });
    expect(alert.account).toBe(event.record.recipientAccountId);
    expect(Object.values<unknown>(alert).includes(undefined)).toBe(false);
    expect(alert).not.toHaveProperty('errorCode');
  });
});

describe('summarizeParameters', () => {
  it('keeps short parameters, shows tags as key=value, and leaves policy documents to the policy section', () => {
    const event = parseIamEvent({
      eventSource: 'iam.amazonaws.com',
      eventName: 'CreateRole',
      userIdentity: { type: 'IAMUser' },
      requestParameters: {
        roleName: 'r',
        assumeRolePolicyDocument: '{"Version":"2012-10-17"}',
        tags: [
          { key: 'team', value: 'payments' },
          { key: 'env', value: 'prod' },
        ],
        description: 'x'.repeat(1000),
      },
      responseElements: null,
    });
    const params = summarizeParameters(event.record);
    expect(params.roleName).toBe('r');
    expect(params.tags).toBe('team=payments, env=prod');
    expect(params).not.toHaveProperty('assumeRolePolicyDocument');
    expect(params.description?.length).toBe(300);
    expect(params.description?.endsWith('…')).toBe(true);
  });

  it('says how many parameters it left out', () => {
    const requestParameters = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`p${i}`, String(i)]));
    const event = parseIamEvent({
      eventSource: 'iam.amazonaws.com',
      eventName: 'UpdateRole',
      userIdentity: {},
      requestParameters,
      responseElements: null,
    });
    const params = summarizeParameters(event.record);
    expect(Object.keys(params)).toHaveLength(13);
    expect(params['…']).toBe('8 more parameter(s) in the CloudTrail event');
  });
});

describe('buildLinks', () => {
  const record = (over: Record<string, unknown>) =>
    parseIamEvent({ eventSource: 'iam.amazonaws.com', eventName: 'X', userIdentity: {}, ...over }).record;

  it('links the event in its region and the target in the IAM console, URL-encoding names', () => {
    const links = buildLinks(record({ eventID: 'a b', awsRegion: 'eu-west-1' }), {
      kind: 'role',
      name: 'ci/role x',
    });
    expect(links.event).toBe(
      'https://eu-west-1.console.aws.amazon.com/cloudtrail/home?region=eu-west-1#/events/a%20b',
    );
    expect(links.target).toBe(
      'https://us-east-1.console.aws.amazon.com/iam/home#/roles/details/ci%2Frole%20x',
    );
  });

  it('falls back to us-east-1 for a region that is not a real one, and links nothing without an eventID', () => {
    expect(buildLinks(record({ eventID: 'e', awsRegion: 'ap-central-2r' }), undefined).event).toContain(
      'https://us-east-1.console.aws.amazon.com/cloudtrail/home?region=us-east-1#',
    );
    expect(buildLinks(record({}), undefined)).toEqual({});
  });
});
