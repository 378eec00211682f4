// parse → classify → enrich → [format] → publish
import type { Alert } from '../domain/types.js';
import { alertFacts, callerKeyFacts, credentialFacts, findingsBeyondReasons } from './facts.js';
import { block, inline, prettyJson, severityLabel } from './plain-text.js';

/** How much of a policy document the e-mail shows; the JSON alert carries the rest. */
const POLICY_LINES = 40;
const POLICY_CHARS = 3000;

const indent = (text: string, by: string): string =>
  text
    .split('\n')
    .map((line) => (line ? `${by}${line}` : line))
    .join('\n');

/**
 * The plain-text e-mail body: the headline and why it matters first, then who / how / when / where,
 * the change, what the policy grants, notes, and links. Every value from the event is neutralised
 * (one line, no control or bidi characters), so it cannot forge lines or hide text.
 */
export const formatEmailText = (alert: Alert): string => {
  const out: string[] = [];
  out.push(`${severityLabel(alert.severity)}  ${inline(alert.title, 300)}`);
  // The credential a responder disables comes right under the headline, one line each.
  for (const fact of credentialFacts(alert)) out.push(`${fact.label.padEnd(6)}${inline(fact.value, 500)}`);
  out.push('');

  if (alert.reasons.length > 0) {
    out.push('Why it matters');
    for (const reason of alert.reasons) out.push(`  - ${inline(reason.text, 400)}`);
    out.push('');
  }

  for (const fact of [...alertFacts(alert), ...callerKeyFacts(alert)])
    out.push(`${fact.label.padEnd(8)}${inline(fact.value, 500)}`);
  out.push('');

  // A read changed nothing, and neither did a failed call: say which it was.
  const heading = alert.errorCode ? 'Attempt' : alert.category === 'read' ? 'Call' : 'Change';
  out.push(
    `${heading.padEnd(8)}${inline(alert.eventName, 120)} (${inline(alert.eventSource, 80)}; ${inline(alert.family, 120)}, ${alert.category})`,
  );
  const params = Object.entries(alert.parameters);
  const width = Math.min(28, Math.max(0, ...params.map(([key]) => key.length)));
  for (const [key, value] of params)
    out.push(`        ${inline(key, 60).padEnd(width)}  ${inline(value, 300)}`);
  out.push('');

  const policy = alert.policy;
  if (policy) {
    out.push(
      `Policy  ${inline(policy.label, 200)}${policy.policyArn ? ` (${inline(policy.policyArn, 200)})` : ''}`,
    );
    for (const finding of findingsBeyondReasons(alert)) {
      out.push(`  - [${severityLabel(finding.severity)}] ${inline(finding.text, 400)}`);
    }
    for (const who of policy.trustedPrincipals ?? []) out.push(`  - may be assumed by: ${inline(who, 300)}`);
    for (const line of policy.diff ?? []) out.push(`  + ${inline(line, 300)}`);
    if (policy.document)
      out.push('', indent(block(prettyJson(policy.document), POLICY_LINES, POLICY_CHARS), '    '));
    out.push('');
  }

  if (alert.notes.length > 0) {
    out.push('Notes');
    for (const note of alert.notes) out.push(`  - ${inline(note, 400)}`);
    out.push('');
  }

  if (alert.links.event) out.push(`Open the event:  ${alert.links.event}`);
  if (alert.links.target && alert.target)
    out.push(`Open the ${alert.target.kind.replace(/-/g, ' ')}:  ${alert.links.target}`);
  if (alert.links.credentials) out.push(`Open the security credentials:  ${alert.links.credentials}`);
  if (!alert.links.event && !alert.links.target) out.push('No console link: the event has no eventID.');
  return `${out.join('\n').trimEnd()}\n`;
};
