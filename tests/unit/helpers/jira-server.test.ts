// The fake Jira's create-issue validator is the oracle of every Jira test: it must reject what Jira rejects.
import { validateCreateIssue } from '../../helpers/jira-server.js';

const OPTIONS = { email: 'secops@example.com', token: 't', projectKey: 'SEC' };
const DOC = {
  type: 'doc',
  version: 1,
  content: [{ type: 'paragraph', content: [{ type: 'text', text: 'x' }] }],
};

const issue = (fields: Record<string, unknown> = {}) => ({
  fields: {
    project: { key: 'SEC' },
    issuetype: { name: 'Task' },
    summary: 'An IAM change',
    labels: ['iam-alert', 'ct-6f1c2b9e'],
    priority: { name: 'High' },
    description: DOC,
    ...fields,
  },
});

describe('validateCreateIssue (the fake Jira oracle itself)', () => {
  it('accepts a valid issue, with a summary of 254 characters', () => {
    expect(validateCreateIssue(issue(), OPTIONS)).toEqual({});
    expect(validateCreateIssue(issue({ summary: 's'.repeat(254) }), OPTIONS)).toEqual({});
  });

  it.each([
    [
      'a 255-character summary',
      { summary: 's'.repeat(255) },
      'summary',
      'Summary must be less than 255 characters.',
    ],
    ['an empty summary', { summary: '  ' }, 'summary', 'You must specify a summary of the issue.'],
    [
      'a summary with a line break',
      { summary: 'one\ntwo' },
      'summary',
      'The summary is invalid because it contains newline characters.',
    ],
    [
      'a label with a space',
      { labels: ['iam alert'] },
      'labels',
      "The label 'iam alert' contains spaces which is invalid.",
    ],
    ['an empty label', { labels: [''] }, 'labels', "The label '' contains spaces which is invalid."],
    ['a missing project', { project: undefined }, 'project', 'valid project is required'],
    ['another project', { project: { key: 'OPS' } }, 'project', 'valid project is required'],
    ['an unknown issue type', { issuetype: { name: 'Epic' } }, 'issuetype', 'Specify a valid issue type'],
    [
      'an unknown priority',
      { priority: { name: 'Urgent' } },
      'priority',
      "Specify a valid 'id' or 'name' for Priority",
    ],
  ])('rejects %s', (_case, fields, key, message) => {
    expect(validateCreateIssue(issue(fields), OPTIONS)).toEqual({ [key]: message });
  });

  it('rejects an invalid ADF description, naming the problem', () => {
    const errors = validateCreateIssue(
      issue({
        description: {
          type: 'doc',
          version: 1,
          content: [{ type: 'paragraph', content: [{ type: 'text', text: '' }] }],
        },
      }),
      OPTIONS,
    );
    expect(errors).toEqual({
      description:
        'Operation value must be an Atlassian Document (see the Atlassian Document Format): $.content[0].content[0]: text must be a non-empty string',
    });
    expect(validateCreateIssue(issue({ description: 'plain text' }), OPTIONS)).toHaveProperty('description');
  });

  it('rejects a description over 32,767 characters of JSON', () => {
    const big = {
      ...DOC,
      content: [{ type: 'paragraph', content: [{ type: 'text', text: 'x'.repeat(32_767) }] }],
    };
    expect(validateCreateIssue(issue({ description: big }), OPTIONS)).toEqual({
      description: 'The entered text is too long. It exceeds the allowed limit of 32,767 characters.',
    });
  });

  it('rejects a body without fields', () => {
    expect(validateCreateIssue({}, OPTIONS)).toEqual({ fields: 'fields is required' });
  });
});
