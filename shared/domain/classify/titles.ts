// parse → [classify] → enrich → format → publish
// The headline of an alert, without its severity: the catalogue's words, or a generic one.

import { defaultIamTitle } from '../catalogue/iam/index.js';
import type { TitleContext } from '../catalogue/operation.js';
import { signInStepTitle } from '../catalogue/signin.js';
import { unnamedTarget } from '../catalogue/targets.js';
import { capitalise, nameFromArn, str } from '../catalogue/words.js';
import type { Target } from '../types.js';
import { describeCaller } from './caller.js';
import type { Facts } from './facts.js';
import type { Outcome } from './outcome.js';
import { describeInstanceUse, isOutsideEgress } from './rules/identity.js';
import { phrase } from './targets.js';

const failedTitle = (service: string, name: string, target: Target | undefined, outcome: Outcome): string => {
  const on = target ? ` on ${phrase(target)}` : '';
  const how = outcome.scpDenied
    ? 'denied (service control policy)'
    : outcome.accessDenied
      ? `denied (${outcome.errorCode ?? 'AccessDenied'})`
      : `failed (${outcome.errorCode ?? 'error'})`;
  return `${service}:${name}${on} ${how}`;
};

/**
 * The headline: a sign-in's in the words of its step; EC2 instance credentials denied by an SCP or used outside the
 * egress addresses name the role, instance, call and source; a failed call's says what was denied or failed; a guard rail's
 * names the consequence for the alerts; else the catalogue entry's title, or `<service>:<operation> on <target>`.
 */
export const titleOf = (facts: Facts): string => {
  const { service, name, params, target, outcome, base, principal } = facts;
  const context: TitleContext = {
    // Without a target the operation still names what it acts on: `a SAML provider deleted`.
    t: target ? phrase(target) : (unnamedTarget(name) ?? phrase(target)),
    p: params,
    policy: target?.kind === 'policy' ? target.name : nameFromArn(str(params.policyArn) ?? '') || 'policy',
    target,
    who: describeCaller(principal),
    failed: outcome.failed,
    mfa: principal.mfa,
  };
  if (service === 'signin') return (base.operation?.title ?? signInStepTitle(name))(context);
  const use = describeInstanceUse(facts);
  // Short enough for Slack's header and the SNS subject: the role, instance, call and source come first.
  const holder = use ? `role ${use.role ?? 'unknown'}${use.instanceId ? ` (${use.instanceId})` : ''}` : '';
  if (use && outcome.scpDenied) {
    const path = use.network === 'vpc-endpoint' ? `VPC endpoint ${use.vpcEndpointId}` : 'public endpoint';
    // The call and its source first: the subject names the session (role and instance) as the actor anyway.
    return `SCP denied ${service}:${name} from ${use.sourceIp ?? 'an unknown address'} (${path}) with instance credentials of ${holder}`;
  }
  if (use && !outcome.failed && isOutsideEgress(facts, use)) {
    return `Instance credentials of ${holder} used outside your egress addresses: ${service}:${name} from ${use.sourceIp}`;
  }
  if (outcome.failed) return failedTitle(service, name, target, outcome);
  if (base.guardRail) return base.guardRail.title(params, facts.options);
  const title = base.operation?.title ?? (service === 'iam' ? defaultIamTitle(name) : undefined);
  // A headline that opens with the unnamed target (`a SAML provider deleted`) starts with a capital like the others.
  if (title) return target ? title(context) : capitalise(title(context));
  return `${service}:${name}${target ? ` on ${phrase(target)}` : ''}`;
};
