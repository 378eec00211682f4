import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { decodePolicyText, parsePolicyDocument } from '../../../../shared/domain/policy/document.js';
import { FIXTURES_DIR, findRecord } from '../../../helpers/fixtures.js';

const fixture = (name: string): string => readFileSync(join(FIXTURES_DIR, 'policies', name), 'utf8');

describe('parsePolicyDocument', () => {
  it('reads the raw JSON text of a real CreateRole request', () => {
    const record = findRecord(
      (r) =>
        r.eventName === 'CreateRole' &&
        r.requestParameters?.roleName === 'stratus-red-team-ec2-steal-credentials-role',
    );
    const result = parsePolicyDocument(record.requestParameters?.assumeRolePolicyDocument);
    expect(result.ok && result.document.statements).toEqual([
      {
        effect: 'Allow',
        actions: ['sts:AssumeRole'],
        principals: { Service: ['ec2.amazonaws.com'] },
        conditions: {},
      },
    ]);
  });

  it('decodes the URL-encoded copy in responseElements to the same statements', () => {
    const record = findRecord(
      (r) =>
        r.eventName === 'CreateRole' &&
        r.requestParameters?.roleName === 'stratus-red-team-ec2-steal-credentials-role',
    );
    const role = (record.responseElements as { role: { assumeRolePolicyDocument: string } }).role;
    const fromResponse = parsePolicyDocument(role.assumeRolePolicyDocument);
    const fromRequest = parsePolicyDocument(record.requestParameters?.assumeRolePolicyDocument);
    expect(role.assumeRolePolicyDocument.startsWith('%7B')).toBe(true);
    // Both must parse: two failures would otherwise compare equal (false === false).
    expect(fromResponse.ok).toBe(true);
    expect(fromRequest.ok).toBe(true);
    expect(fromResponse.ok && fromResponse.document).toEqual(fromRequest.ok && fromRequest.document);
    expect(fromRequest.ok && fromRequest.document.statements).toHaveLength(1);
  });

  it('accepts a single Statement object and keeps Action as written', () => {
    const result = parsePolicyDocument(fixture('single-statement-mixed-case.json'));
    expect(result.ok && result.document.statements).toEqual([
      { effect: 'Allow', actions: ['IAM:PassRole'], resources: ['*'], conditions: {} },
    ]);
  });

  it('reports malformed JSON without throwing', () => {
    const result = parsePolicyDocument(fixture('malformed.txt'));
    expect(result.ok).toBe(false);
    expect(!result.ok && result.failure.kind).toBe('malformed');
  });

  it('reports a document cut by CloudTrail as truncated', () => {
    const huge =
      `{"Statement":[${Array.from({ length: 3000 }, () => '{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}').join(',')}`.slice(
        0,
        102_400,
      );
    const result = parsePolicyDocument(huge);
    expect(!result.ok && result.failure).toEqual({
      kind: 'truncated',
      detail: 'the document is incomplete (102400 characters; CloudTrail cuts fields at 100 KB)',
    });
  });

  it('caps the statements of a huge document and says so', () => {
    const statements = Array.from({ length: 800 }, () => ({
      Effect: 'Allow',
      Action: 's3:GetObject',
      Resource: '*',
    }));
    const result = parsePolicyDocument(JSON.stringify({ Statement: statements }));
    expect(result.ok && result.document.statements).toHaveLength(500);
    // A large document is not a malformed one: the cap is a limit, not a warning.
    expect(result.ok && result.document.limits).toEqual(['only the first 500 of 800 statements analysed']);
    expect(result.ok && result.document.warnings).toEqual([]);
  });

  it('caps the resources of a huge statement, counts what it left out, and calls it large, not malformed', () => {
    const resources = Array.from({ length: 4000 }, (_, index) => `arn:aws:s3:::bucket-${index}/*`);
    const result = parsePolicyDocument(
      JSON.stringify({ Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: resources }] }),
    );
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.document.statements[0]?.resources).toHaveLength(2000);
    expect(result.document.statements[0]?.omitted).toEqual({ resources: 2000 });
    expect(result.document.limits).toEqual([
      'only the first 2000 of 4000 resources of Statement[0] analysed',
    ]);
    expect(result.document.warnings).toEqual([]);
  });

  it('ignores malformed entries with a warning instead of failing', () => {
    const result = parsePolicyDocument({
      Statement: [
        { Effect: 'Allow', Action: ['s3:GetObject', 7, null], Resource: '*' },
        'junk',
        { Effect: 'Maybe' },
      ],
    });
    expect(result.ok && result.document.statements).toEqual([
      { effect: 'Allow', actions: ['s3:GetObject'], resources: ['*'], conditions: {} },
    ]);
    expect(result.ok && result.document.warnings).toEqual([
      'Statement[0].Action: ignored a number entry',
      'Statement[0].Action: ignored a null entry',
      'Statement[1]: not an object, ignored',
      'Statement[2]: Effect is not Allow or Deny, ignored',
    ]);
  });

  it('keeps unicode and markup as data', () => {
    const result = parsePolicyDocument(fixture('unicode-sid.json'));
    expect(result.ok && result.document.statements[0]?.sid).toBe('Zugriff für Ops 🚀 <b>@channel</b>');
    expect(result.ok && result.document.statements[0]?.resources).toEqual(['arn:aws:s3:::bücher/*']);
  });

  it('says when there is no document', () => {
    expect(parsePolicyDocument(undefined)).toEqual({
      ok: false,
      failure: { kind: 'missing', detail: 'no policy document in the event' },
    });
    expect(parsePolicyDocument(42)).toEqual({
      ok: false,
      failure: { kind: 'malformed', detail: 'the document is a number' },
    });
  });
});

describe('decodePolicyText', () => {
  it('leaves raw JSON alone even when it contains a percent sign', () => {
    expect(decodePolicyText('{"Sid":"100%25"}')).toBe('{"Sid":"100%25"}');
  });

  it('returns broken encodings unchanged', () => {
    expect(decodePolicyText('%7B%E0%A4%A')).toBe('%7B%E0%A4%A');
  });

  it('decodes RFC 3986 encoding', () => {
    expect(decodePolicyText('%7B%22a%22%3A%20%22b%22%7D')).toBe('{"a": "b"}');
  });
});
