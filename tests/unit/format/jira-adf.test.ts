import fc from 'fast-check';
import { eventLabel, formatJiraIssue, JIRA_LIMITS } from '../../../shared/format/jira-adf.js';
import { validateAdf } from '../../helpers/adf-validator.js';
import { hostileAlert as hostileAlertArbitrary } from '../../helpers/alert-arbitrary.js';
import { attachAdminAlert, hostileAlert, trustPolicyAlert } from '../../helpers/alerts.js';

const OPTIONS = { projectKey: 'SEC', issueType: 'Task' };

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
                { type: 'text', text: 'alice', marks: [{ type: 'code' }] },
                { type: 'text', text: ' (IAMUser, no MFA)' },
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
          expect(JSON.stringify(fields.description).length).toBeLessThanOrEqual(JIRA_LIMITS.description);
          expect(fields.summary.length).toBeGreaterThan(0);
          expect(fields.summary.length).toBeLessThanOrEqual(JIRA_LIMITS.summary);
          // biome-ignore lint/suspicious/noControlCharactersInRegex: the assertion is about control characters.
          expect(fields.summary).not.toMatch(/[\u0000-\u001f\u007f\u2028\u2029]/);
          for (const label of fields.labels) expect(label).toMatch(/^[A-Za-z0-9_.-]{1,255}$/);
          for (const node of textNodes(fields.description)) expect(node.text.length).toBeGreaterThan(0);
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
