// A validator for the Atlassian Document Format, written from Atlassian's published node reference
// (https://developer.atlassian.com/cloud/jira/platform/apis/document/structure/ and the per-node pages) for
// the nodes and marks a Jira description commonly uses. The fake Jira server answers 400 with its errors,
// as Jira does for an invalid document. Unknown node types are errors: a formatter that emits one is wrong.

type Json = Record<string, unknown>;

const INLINE = new Set(['text', 'hardBreak', 'mention', 'emoji', 'inlineCard', 'date', 'status']);
const TOP_BLOCKS = new Set([
  'paragraph',
  'heading',
  'bulletList',
  'orderedList',
  'panel',
  'table',
  'codeBlock',
  'rule',
  'blockquote',
  'expand',
  'mediaGroup',
  'mediaSingle',
]);
const PANEL_CONTENT = new Set(['paragraph', 'heading', 'bulletList', 'orderedList', 'codeBlock', 'rule']);
const LIST_ITEM_CONTENT = new Set(['paragraph', 'bulletList', 'orderedList', 'codeBlock', 'mediaSingle']);
const CELL_CONTENT = new Set([
  'paragraph',
  'heading',
  'bulletList',
  'orderedList',
  'codeBlock',
  'panel',
  'rule',
  'blockquote',
  'mediaGroup',
  'mediaSingle',
]);
const PANEL_TYPES = new Set(['info', 'note', 'tip', 'warning', 'error', 'success', 'custom']);
const TABLE_LAYOUTS = new Set(['default', 'wide', 'full-width', 'center', 'align-end', 'align-start']);
const MARKS = new Set(['strong', 'em', 'code', 'strike', 'underline', 'link', 'subsup', 'textColor']);
const NODE_KEYS = new Set(['type', 'content', 'attrs', 'marks', 'text', 'version']);

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Validates an ADF document; returns the list of problems (empty when valid), each prefixed by a JSON path. */
export const validateAdf = (doc: unknown): string[] => {
  const errors: string[] = [];
  const fail = (path: string, message: string): void => {
    errors.push(`${path}: ${message}`);
  };

  const children = (node: Json, path: string, allowed: Set<string>, minItems: number): void => {
    const { content } = node;
    if (content === undefined && minItems === 0) return;
    if (!Array.isArray(content)) {
      fail(path, 'content must be an array');
      return;
    }
    if (content.length < minItems) fail(path, `content needs at least ${minItems} item(s)`);
    content.forEach((child, index) => {
      const childPath = `${path}.content[${index}]`;
      if (!isObject(child) || typeof child.type !== 'string') {
        fail(childPath, 'node without a type');
        return;
      }
      if (!allowed.has(child.type)) {
        fail(childPath, `${child.type} is not allowed in ${String(node.type)}`);
        return;
      }
      visit(child, childPath);
    });
  };

  const marks = (node: Json, path: string): void => {
    if (node.marks === undefined) return;
    if (!Array.isArray(node.marks)) {
      fail(path, 'marks must be an array');
      return;
    }
    const seen = new Set<string>();
    for (const mark of node.marks) {
      if (!isObject(mark) || typeof mark.type !== 'string' || !MARKS.has(mark.type)) {
        fail(path, `unknown mark ${JSON.stringify(mark)}`);
        continue;
      }
      if (seen.has(mark.type)) fail(path, `duplicate mark ${mark.type}`);
      seen.add(mark.type);
      if (mark.type === 'link') {
        const attrs = mark.attrs;
        if (!isObject(attrs) || typeof attrs.href !== 'string' || attrs.href === '')
          fail(path, 'link mark needs attrs.href');
      }
    }
    // The code mark combines only with link.
    if (seen.has('code') && [...seen].some((type) => type !== 'code' && type !== 'link')) {
      fail(path, 'code mark can only be combined with link');
    }
  };

  const visit = (node: Json, path: string): void => {
    for (const key of Object.keys(node)) if (!NODE_KEYS.has(key)) fail(path, `unexpected property ${key}`);
    const attrs = isObject(node.attrs) ? node.attrs : undefined;
    switch (node.type) {
      case 'text':
        if (typeof node.text !== 'string' || node.text.length === 0)
          fail(path, 'text must be a non-empty string');
        marks(node, path);
        return;
      case 'hardBreak':
      case 'rule':
        if (node.content !== undefined) fail(path, `${node.type} has no content`);
        return;
      case 'paragraph': {
        children(node, path, INLINE, 0);
        return;
      }
      case 'heading': {
        const level = attrs?.level;
        if (typeof level !== 'number' || !Number.isInteger(level) || level < 1 || level > 6) {
          fail(path, 'heading needs attrs.level 1–6');
        }
        children(node, path, INLINE, 0);
        return;
      }
      case 'bulletList':
      case 'orderedList': {
        children(node, path, new Set(['listItem']), 1);
        return;
      }
      case 'listItem': {
        children(node, path, LIST_ITEM_CONTENT, 1);
        const first =
          Array.isArray(node.content) && isObject(node.content[0]) ? node.content[0].type : undefined;
        if (
          first !== undefined &&
          first !== 'paragraph' &&
          first !== 'mediaSingle' &&
          first !== 'codeBlock'
        ) {
          fail(path, 'listItem must start with a paragraph');
        }
        return;
      }
      case 'panel':
        if (typeof attrs?.panelType !== 'string' || !PANEL_TYPES.has(attrs.panelType))
          fail(path, 'panel needs a valid attrs.panelType');
        {
          children(node, path, PANEL_CONTENT, 1);
          return;
        }
      case 'table':
        if (attrs?.isNumberColumnEnabled !== undefined && typeof attrs.isNumberColumnEnabled !== 'boolean') {
          fail(path, 'table attrs.isNumberColumnEnabled must be boolean');
        }
        if (attrs?.layout !== undefined && !TABLE_LAYOUTS.has(String(attrs.layout)))
          fail(path, 'invalid table layout');
        {
          children(node, path, new Set(['tableRow']), 1);
          return;
        }
      case 'tableRow': {
        children(node, path, new Set(['tableCell', 'tableHeader']), 1);
        return;
      }
      case 'tableCell':
      case 'tableHeader': {
        children(node, path, CELL_CONTENT, 1);
        return;
      }
      case 'codeBlock': {
        if (attrs?.language !== undefined && typeof attrs.language !== 'string')
          fail(path, 'codeBlock language must be a string');
        children(node, path, new Set(['text']), 0);
        if (Array.isArray(node.content)) {
          node.content.forEach((child, index) => {
            if (isObject(child) && child.marks !== undefined)
              fail(`${path}.content[${index}]`, 'codeBlock text takes no marks');
          });
        }
        return;
      }
      case 'blockquote': {
        children(node, path, new Set(['paragraph', 'bulletList', 'orderedList', 'codeBlock']), 1);
        return;
      }
      default:
        fail(path, `unsupported node type ${String(node.type)}`);
    }
  };

  if (!isObject(doc) || doc.type !== 'doc') return ['$: root must be {"type":"doc"}'];
  if (doc.version !== 1) fail('$', 'version must be 1');
  children(doc, '$', TOP_BLOCKS, 0);
  for (const key of Object.keys(doc)) if (!NODE_KEYS.has(key)) fail('$', `unexpected property ${key}`);
  return errors;
};
