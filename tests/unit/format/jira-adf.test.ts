import fc from 'fast-check';
import { buildLinks } from '../../../shared/domain/alert.js';
import { alertFacts } from '../../../shared/format/facts.js';
import { eventLabel, formatJiraIssue } from '../../../shared/format/jira-adf.js';
import { validateAdf } from '../../helpers/adf-validator.js';
import { hostileAlert as hostileAlertArbitrary, rawUnsafeChars } from '../../helpers/alert-arbitrary.js';
import { attachAdminAlert, hostileAlert, trustPolicyAlert } from '../../helpers/alerts.js';
import { cloudTrailRecord } from '../../helpers/records.js';

const OPTIONS = { projectKey: 'SEC', issueType: 'Task' };

// Limits written down from Jira's documentation, not taken from the module under test: our contract keeps the
// summary under Jira's "must be less than 255 characters", and a text field (the description) holds 32,767.
// https://support.atlassian.com/jira-cloud-administration/docs/what-are-the-field-limits-in-jira-cloud/
const SUMMARY_MAX = 254;
const DESCRIPTION_MAX = 32_767;

/** Every string anywhere in a payload, with the type of the node that holds it. */
const allStrings = (value: unknown, holder = ''): { text: string; holder: string }[] => {
  if (typeof value === 'string') return [{ text: value, holder }];
  if (typeof value !== 'object' || value === null) return [];
  const type = (value as { type?: unknown }).type;
  const next = typeof type === 'string' && type !== 'text' ? type : holder;
  return Object.values(value).flatMap((child) => allStrings(child, next));
};

/** Raw control/bidi characters in an issue body; `\n` only inside a code block (the policy document). */
const rawUnsafeInIssue = (body: unknown): string[] =>
  allStrings(body).flatMap(({ text, holder }) => rawUnsafeChars(text, holder === 'codeBlock'));

/** Every text node of an ADF tree. */
const textNodes = (node: unknown): { text: string; marks?: unknown[] }[] => {
  if (typeof node !== 'object' || node === null) return [];
  const record = node as { type?: string; text?: string; content?: unknown[] };
  const own = record.type === 'text' ? [record as { text: string }] : [];
  return [...own, ...(record.content ?? []).flatMap(textNodes)];
};

describe('formatJiraIssue', () => {
  it('fills project, issue type, a one-line summary, labels with the dedupe label, and no priority by default', () => {
    // Act
    const body = formatJiraIssue(attachAdminAlert(), OPTIONS);
    // Assert
    expect(body.fields).toMatchObject({
      project: { key: 'SEC' },
      issuetype: { name: 'Task' },
      summary: '[HIGH] AdministratorAccess attached to IAM user deploy-bot by alice (123456789012)',
      labels: [
        'iam-alert',
        'severity-high',
        'category-permissions',
        'family-attach',
        'ct-6f1c2b9e-4a4f-4d7e-9a51-3b0c8c1d2e3f',
      ],
    });
    expect(body.fields).not.toHaveProperty('priority');
  });

  it('maps severity to a priority only when the map names it', () => {
    const map = { critical: 'Highest', high: 'High' };
    expect(formatJiraIssue(attachAdminAlert(), { ...OPTIONS, priorityMap: map }).fields.priority).toEqual({
      name: 'High',
    });
    expect(
      formatJiraIssue(attachAdminAlert({ severity: 'low' }), { ...OPTIONS, priorityMap: map }).fields,
    ).not.toHaveProperty('priority');
  });

  it('describes the alert in ADF: heading, panel by severity, facts table, policy code block, links', () => {
    const { description } = formatJiraIssue(attachAdminAlert(), OPTIONS).fields;
    expect(validateAdf(description)).toEqual([]);
    const [heading, panel, , facts] = description.content;
    expect(heading).toEqual({
      type: 'heading',
      attrs: { level: 2 },
      content: [{ type: 'text', text: 'HIGH · AdministratorAccess attached to IAM user deploy-bot' }],
    });
    expect(panel).toMatchObject({ type: 'panel', attrs: { panelType: 'error' } });
    expect(facts).toMatchObject({ type: 'table' });
    expect(facts?.type === 'table' && facts.content[0]).toEqual({
      type: 'tableRow',
      content: [
        { type: 'tableHeader', content: [{ type: 'paragraph', content: [{ type: 'text', text: 'Who' }] }] },
        {
          type: 'tableCell',
          content: [
            {
              type: 'paragraph',
              content: [
                { type: 'text', text: 'alice (IAM user, arn:aws:iam::123456789012:user/alice), no MFA' },
              ],
            },
          ],
        },
      ],
    });
    const code = description.content.find((block) => block.type === 'codeBlock');
    expect(code).toEqual({
      type: 'codeBlock',
      attrs: { language: 'json' },
      content: [
        {
          type: 'text',
          text: JSON.stringify(JSON.parse(attachAdminAlert().policy?.document ?? ''), null, 2),
        },
      ],
    });
    const links = textNodes(description).filter((node) => JSON.stringify(node.marks ?? []).includes('link'));
    expect(links.map((node) => node.marks)).toEqual([
      [{ type: 'link', attrs: { href: attachAdminAlert().links.event } }],
      [{ type: 'link', attrs: { href: attachAdminAlert().links.target } }],
    ]);
  });

  it('fills the facts table with who, how, when and where in the same words as the e-mail (facts.ts)', () => {
    for (const alert of [attachAdminAlert(), trustPolicyAlert()]) {
      const [, , , facts] = formatJiraIssue(alert, OPTIONS).fields.description.content;
      const rows =
        facts?.type === 'table' ? facts.content.map((row) => textNodes(row).map((node) => node.text)) : [];
      for (const fact of alertFacts(alert)) expect(rows).toContainEqual([fact.label, fact.value]);
    }
    const text = JSON.stringify(formatJiraIssue(trustPolicyAlert(), OPTIONS).fields.description);
    expect(text).toContain(
      'session ci-run-4411 of role ci-role (arn:aws:iam::123456789012:role/ci-role), no MFA',
    );
    expect(text).not.toContain('AssumedRole');
    expect(JSON.stringify(formatJiraIssue(attachAdminAlert(), OPTIONS))).not.toContain('IAMUser');
  });

  it('shows bidi and control characters from the event as \\u{…} in the summary and the ADF, as the e-mail does', () => {
    // Arrange: the reviewer's repro (/tmp/rv/hostile-bidi.json) as an alert.
    const alert = attachAdminAlert({
      title: 'Access key created for IAM user admin\u202egnp.exe\u202c',
      principal: { ...attachAdminAlert().principal, userAgent: 'aws-cli/2 \u202e\u0007' },
      target: { kind: 'user', name: 'admin\u202egnp.exe\u202c' },
      parameters: { userName: 'admin\u202egnp.exe\u202c' },
      policy: { source: 'request', label: 'inline policy', document: '{"Sid":"a\u2066b"}\n', findings: [] },
    });
    // Act
    const body = formatJiraIssue(alert, OPTIONS);
    // Assert
    expect(body.fields.summary).toBe(
      '[HIGH] Access key created for IAM user admin\\u{202e}gnp.exe\\u{202c} by alice (123456789012)',
    );
    const nodes = textNodes(body.fields.description).map((node) => node.text);
    expect(nodes).toEqual(
      expect.arrayContaining([
        'HIGH · Access key created for IAM user admin\\u{202e}gnp.exe\\u{202c}',
        'user admin\\u{202e}gnp.exe\\u{202c}',
        'aws-cli/2 \\u{202e}\\u{0007}',
        '{\n  "Sid": "a\\u{2066}b"\n}',
      ]),
    );
    expect(rawUnsafeInIssue(body)).toEqual([]);
  });

  it('cuts a long summary to 254 characters', () => {
    const summary = formatJiraIssue(attachAdminAlert({ title: 'x'.repeat(1_000) }), OPTIONS).fields.summary;
    expect(summary).toHaveLength(SUMMARY_MAX);
    expect(summary).toMatch(/^\[HIGH\] x+…$/);
  });

  it('shrinks a description over 32,767 characters of JSON until it fits, keeping its sections', () => {
    // Arrange: at the first budget this alert renders to well over Jira's limit.
    const long = (n: number): string => `${n} `.padEnd(3_000, 'y');
    const alert = attachAdminAlert({
      reasons: Array.from({ length: 40 }, (_, n) => ({
        severity: 'high' as const,
        code: 'c',
        text: long(n),
      })),
      parameters: Object.fromEntries(Array.from({ length: 40 }, (_, n) => [`p${n}`, long(n)])),
      notes: Array.from({ length: 40 }, (_, n) => long(n)),
    });
    // Act
    const { description } = formatJiraIssue(alert, OPTIONS).fields;
    // Assert
    const size = JSON.stringify(description).length;
    expect(size).toBeLessThanOrEqual(DESCRIPTION_MAX);
    expect(validateAdf(description)).toEqual([]);
    expect(description.content.map((block) => block.type)).toContain('table');
  });

  it('keeps the description within Jira’s limit when the target name is 200,000 characters (no uncut link)', () => {
    // Arrange: the target link is built from the roleName the caller chose, as the notifier builds it.
    const roleName = 'r'.repeat(200_000);
    const links = buildLinks(cloudTrailRecord({ eventID: '6f1c2b9e-4a4f-4d7e-9a51-3b0c8c1d2e3f' }), {
      kind: 'role',
      name: roleName,
      arn: `arn:aws:iam::123456789012:role/${roleName}`,
    });
    expect(links.target?.length).toBeGreaterThan(200_000);
    const alert = attachAdminAlert({ links });
    // Act
    const { description } = formatJiraIssue(alert, OPTIONS).fields;
    // Assert: within the limit, valid, no link longer than 2,000 characters, the event link kept.
    expect(JSON.stringify(description).length).toBeLessThanOrEqual(DESCRIPTION_MAX);
    expect(validateAdf(description)).toEqual([]);
    const hrefs = JSON.stringify(description).match(/"href":"[^"]*"/g) ?? [];
    expect(hrefs.length).toBeGreaterThan(0);
    for (const href of hrefs) expect(href.length).toBeLessThanOrEqual(2_010);
    expect(JSON.stringify(description)).toContain('/cloudtrail/home');
  });

  it('colours the panel by severity', () => {
    const panelType = (severity: 'critical' | 'medium' | 'low' | 'info'): unknown =>
      formatJiraIssue(attachAdminAlert({ severity }), OPTIONS).fields.description.content[1];
    expect(panelType('critical')).toMatchObject({ attrs: { panelType: 'error' } });
    expect(panelType('medium')).toMatchObject({ attrs: { panelType: 'warning' } });
    expect(panelType('low')).toMatchObject({ attrs: { panelType: 'note' } });
    expect(panelType('info')).toMatchObject({ attrs: { panelType: 'info' } });
  });

  it('lists trusted principals of a trust policy', () => {
    const nodes = textNodes(formatJiraIssue(trustPolicyAlert(), OPTIONS).fields.description).map(
      (node) => node.text,
    );
    expect(nodes).toEqual(expect.arrayContaining(['may be assumed by ', 'arn:aws:iam::999988887777:root']));
  });

  it('drops a javascript: link and keeps hostile text as text', () => {
    const { description, summary } = formatJiraIssue(hostileAlert(), OPTIONS).fields;
    expect(validateAdf(description)).toEqual([]);
    expect(JSON.stringify(description)).not.toContain('javascript:');
    expect(summary).toBe(
      '[CRITICAL] Access key created for <!channel> by *boss* by <!here> @channel `rm -rf` <http://evil.example|click me> & co (123456789012)',
    );
  });

  it('builds the dedupe label only from ids safe inside JQL', () => {
    expect(eventLabel('6f1c2b9e-4a4f-4d7e-9a51-3b0c8c1d2e3f')).toBe(
      'ct-6f1c2b9e-4a4f-4d7e-9a51-3b0c8c1d2e3f',
    );
    expect(eventLabel('x" OR project = OPS')).toBeUndefined();
    expect(eventLabel(undefined)).toBeUndefined();
  });

  it('stays valid ADF and within Jira limits for any input, including huge policies (property)', () => {
    fc.assert(
      fc.property(
        hostileAlertArbitrary,
        fc.constantFrom(undefined, { critical: 'Highest' }),
        (alert, priorityMap) => {
          const { fields } = formatJiraIssue(alert, { ...OPTIONS, priorityMap });
          expect(validateAdf(fields.description)).toEqual([]);
          expect(JSON.stringify(fields.description).length).toBeLessThanOrEqual(DESCRIPTION_MAX);
          expect(fields.summary.length).toBeGreaterThan(0);
          expect(fields.summary.length).toBeLessThanOrEqual(SUMMARY_MAX);
          // biome-ignore lint/suspicious/noControlCharactersInRegex: the assertion is about control characters.
          expect(fields.summary).not.toMatch(/[\u0000-\u001f\u007f\u2028\u2029]/);
          for (const label of fields.labels) expect(label).toMatch(/^[A-Za-z0-9_.-]{1,255}$/);
          for (const node of textNodes(fields.description)) expect(node.text.length).toBeGreaterThan(0);
          // No control or bidi character from any alert string reaches the issue raw (`\n` only in the code block).
          expect(rawUnsafeInIssue(fields)).toEqual([]);
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('validateAdf (the test oracle itself)', () => {
  it('rejects what Jira rejects', () => {
    expect(
      validateAdf({
        type: 'doc',
        version: 1,
        content: [{ type: 'paragraph', content: [{ type: 'text', text: '' }] }],
      }),
    ).toEqual(['$.content[0].content[0]: text must be a non-empty string']);
    expect(
      validateAdf({
        type: 'doc',
        version: 1,
        content: [{ type: 'codeBlock', content: [{ type: 'text', text: 'x', marks: [{ type: 'strong' }] }] }],
      }),
    ).toEqual(['$.content[0].content[0]: codeBlock text takes no marks']);
    expect(
      validateAdf({
        type: 'doc',
        version: 1,
        content: [{ type: 'panel', attrs: { panelType: 'red' }, content: [] }],
      }),
    ).toEqual([
      '$.content[0]: panel needs a valid attrs.panelType',
      '$.content[0]: content needs at least 1 item(s)',
    ]);
    expect(
      validateAdf({
        type: 'doc',
        version: 1,
        content: [
          { type: 'table', content: [{ type: 'tableRow', content: [{ type: 'tableCell', content: [] }] }] },
        ],
      }),
    ).toEqual(['$.content[0].content[0].content[0]: content needs at least 1 item(s)']);
  });
});
