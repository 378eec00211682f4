import { loadRulesYaml } from '../../../shared/domain/rules/load-yaml.js';
import type { RulesMode } from '../../../shared/domain/rules/model.js';

const TODAY = '2026-11-30';

const load = (text: string, mode: RulesMode = 'package') =>
  loadRulesYaml(text, { fileName: 'alerts.yml', mode, today: TODAY });

/** A valid rule; `patch` replaces lines of it (by text) to make one mistake at a known line. */
const RULE = `suppress:
  - id: cfn-deployments
    reason: pipeline account deploys roles
    expires: 2027-06-30
    includeCritical: false
    match:
      principal: ["arn:aws:iam::*:role/cfn-exec-*"]
      eventName: ["CreateRole", "Attach*"]
      eventSource: ["iam.amazonaws.com"]
      account: ["111122223333"]
      via: [cloudformation, terraform]
      category: [identity, permissions]
      maxSeverity: high
`;

const ROUTE = `routes:
  - name: prod
    match: { account: ["111122223333"], minSeverity: high, category: [permissions] }
    slack: /iam-alerts/slack/prod
    jira: { project: SECPROD }
    email: [secops@example.com]
`;

const patch = (text: string, from: string, to: string): string => {
  if (!text.includes(from)) throw new Error(`fixture has no ${from}`);
  return text.replace(from, to);
};

describe('loadRulesYaml', () => {
  it('reads the contract example with its defaults applied', () => {
    const loaded = load(`${RULE}${ROUTE}grouping:\n  windowSeconds: 120\n`);
    expect(loaded.errors).toEqual([]);
    expect(loaded.warnings).toEqual([]);
    expect(loaded.config).toEqual({
      suppress: [
        {
          id: 'cfn-deployments',
          reason: 'pipeline account deploys roles',
          expires: '2027-06-30',
          includeCritical: false,
          match: {
            principal: ['arn:aws:iam::*:role/cfn-exec-*'],
            eventName: ['CreateRole', 'Attach*'],
            eventSource: ['iam.amazonaws.com'],
            account: ['111122223333'],
            via: ['cloudformation', 'terraform'],
            category: ['identity', 'permissions'],
            maxSeverity: 'high',
          },
        },
      ],
      routes: [
        {
          name: 'prod',
          match: { account: ['111122223333'], minSeverity: 'high', category: ['permissions'] },
          slack: '/iam-alerts/slack/prod',
          jira: { project: 'SECPROD' },
          email: ['secops@example.com'],
        },
      ],
      grouping: { windowSeconds: 120, maxSeverity: 'medium' },
    });
  });

  it('applies the defaults: includeCritical false, maxSeverity high, grouping 300 s up to medium', () => {
    const loaded = load('suppress:\n  - id: a\n    reason: r\n    match: { eventName: [X] }\n');
    expect(loaded.config?.suppress[0]).toEqual({
      id: 'a',
      reason: 'r',
      includeCritical: false,
      match: { eventName: ['X'], maxSeverity: 'high' },
    });
    expect(loaded.config?.grouping).toEqual({ windowSeconds: 300, maxSeverity: 'medium' });
    expect(loaded.config?.routes).toEqual([]);
  });

  it('reads an empty or all-comment file as no rules', () => {
    for (const text of ['', '# nothing yet\n']) {
      expect(load(text)).toEqual({
        config: { suppress: [], routes: [], grouping: { windowSeconds: 300, maxSeverity: 'medium' } },
        errors: [],
        warnings: [],
      });
    }
  });

  it('keeps an unquoted account id as written, leading zero included (YAML would read a number)', () => {
    const loaded = load(patch(RULE, '["111122223333"]', '[011122223333, 111122223333]'));
    expect(loaded.errors).toEqual([]);
    expect(loaded.config?.suppress[0]?.match.account).toEqual(['011122223333', '111122223333']);
  });

  it('reads dates as text (YAML 1.2) and yes/no as text, not booleans', () => {
    const loaded = load(patch(RULE, 'includeCritical: false', 'includeCritical: no'));
    expect(loaded.errors).toEqual([
      'alerts.yml:5: suppress[0].includeCritical: expected true or false, got string "no"',
    ]);
  });

  // One mistake at a time: the message names the file, the line and the field.
  it.each([
    [
      'an unknown key',
      patch(RULE, '      maxSeverity: high', '      maxSeverity: high\n      principals: [x]'),
      'alerts.yml:14: suppress[0].match.principals: unknown key (known: principal, eventName, eventSource, account, via, category, maxSeverity)',
    ],
    [
      'an unknown top-level key',
      `${RULE}suppression: []\n`,
      'alerts.yml:14: suppression: unknown key (known: suppress, routes, grouping)',
    ],
    [
      'a bad glob',
      patch(RULE, '"Attach*"', '"Attach[A-Z]*"'),
      "alerts.yml:8: suppress[0].match.eventName[1]: 'Attach[A-Z]*' is not a valid glob: it uses '[', which is not supported: a glob has only * (any characters) and ? (one character)",
    ],
    [
      'an empty glob',
      patch(RULE, '["iam.amazonaws.com"]', '[""]'),
      "alerts.yml:9: suppress[0].match.eventSource[0]: '' is not a valid glob: it is empty",
    ],
    [
      'a bad date',
      patch(RULE, 'expires: 2027-06-30', "expires: '2027-13-01'"),
      "alerts.yml:4: suppress[0].expires: '2027-13-01' is not a date (YYYY-MM-DD)",
    ],
    [
      'a date that does not exist',
      patch(RULE, 'expires: 2027-06-30', 'expires: 2027-02-29'),
      "alerts.yml:4: suppress[0].expires: '2027-02-29' is not a date (YYYY-MM-DD)",
    ],
    [
      'a date in another format',
      patch(RULE, 'expires: 2027-06-30', 'expires: 30/06/2027'),
      "alerts.yml:4: suppress[0].expires: '30/06/2027' is not a date (YYYY-MM-DD)",
    ],
    [
      'a bad id',
      patch(RULE, 'id: cfn-deployments', 'id: CFN_Deployments'),
      "alerts.yml:2: suppress[0].id: 'CFN_Deployments' is not a valid id (1 to 64 of a-z, 0-9 and -)",
    ],
    [
      'a missing id',
      patch(RULE, '  - id: cfn-deployments\n    reason', '  - reason'),
      'alerts.yml:2: suppress[0].id: missing (required: a unique id, a-z 0-9 and -)',
    ],
    [
      'a missing reason',
      patch(RULE, '    reason: pipeline account deploys roles\n', ''),
      'alerts.yml:2: suppress[0].reason: missing (required: why these alerts are expected)',
    ],
    [
      'a blank reason',
      patch(RULE, 'reason: pipeline account deploys roles', "reason: '  '"),
      'alerts.yml:3: suppress[0].reason: must say why these alerts are expected',
    ],
    [
      'a missing match',
      RULE.split('    match:')[0] ?? '',
      'alerts.yml:2: suppress[0].match: missing (required: the keys an alert must match)',
    ],
    [
      'a match that names no selector',
      `${RULE.split('    match:')[0]}    match: { maxSeverity: low }\n`,
      'alerts.yml:6: suppress[0].match: names none of principal, eventName, eventSource, account, via, category: a rule that matches everything would hide every alert',
    ],
    [
      'critical without includeCritical',
      patch(RULE, 'maxSeverity: high', 'maxSeverity: critical'),
      "alerts.yml:13: suppress[0].match.maxSeverity: 'critical' needs includeCritical: true (critical alerts are never hidden otherwise)",
    ],
    [
      'includeCritical without critical',
      patch(RULE, 'includeCritical: false', 'includeCritical: true'),
      'alerts.yml:5: suppress[0].includeCritical: true has no effect unless match.maxSeverity is critical',
    ],
    [
      'an unknown severity',
      patch(RULE, 'maxSeverity: high', 'maxSeverity: severe'),
      "alerts.yml:13: suppress[0].match.maxSeverity: 'severe' is not one of info, low, medium, high, critical",
    ],
    [
      'an unknown via',
      patch(RULE, '[cloudformation, terraform]', '[cloudformation, jenkins]'),
      "alerts.yml:11: suppress[0].match.via[1]: 'jenkins' is not one of console, cli, sdk, cloudformation, terraform, aws-service, other",
    ],
    [
      'an unknown category',
      patch(RULE, '[identity, permissions]', '[identity, policy]'),
      "alerts.yml:12: suppress[0].match.category[1]: 'policy' is not one of credentials, permissions, identity, federation, account, tagging, read, other",
    ],
    [
      'a bad account id',
      patch(RULE, '["111122223333"]', '["1111-2222-3333"]'),
      "alerts.yml:10: suppress[0].match.account[0]: '1111-2222-3333' is not an account id (12 digits; * and ? allowed)",
    ],
    [
      'a short account id',
      patch(RULE, '["111122223333"]', '["11112222333"]'),
      "alerts.yml:10: suppress[0].match.account[0]: '11112222333' is not an account id (12 digits; * and ? allowed)",
    ],
    [
      'a single value where a list is expected',
      patch(RULE, '["iam.amazonaws.com"]', 'iam.amazonaws.com'),
      'alerts.yml:9: suppress[0].match.eventSource: expected a list, got string "iam.amazonaws.com"',
    ],
    [
      'an empty list',
      patch(RULE, '["iam.amazonaws.com"]', '[]'),
      'alerts.yml:9: suppress[0].match.eventSource: must not be an empty list (omit the key instead)',
    ],
    [
      'a rule that is not a mapping',
      'suppress:\n  - cfn-deployments\n',
      'alerts.yml:2: suppress[0]: expected a mapping, got string "cfn-deployments"',
    ],
    [
      'a file that is a list',
      '- id: x\n',
      'alerts.yml:1: (file): expected a mapping with suppress, routes and grouping, got a list',
    ],
  ])('reports %s', (_, text, message) => {
    const loaded = load(text);
    expect(loaded.errors).toEqual([message]);
    expect(loaded.config).toBeUndefined();
  });

  it('reports a duplicate id at the second rule, naming the first', () => {
    const second = RULE.replace('suppress:\n', '');
    expect(load(`${RULE}${second}`).errors).toEqual([
      "alerts.yml:14: suppress[1].id: 'cfn-deployments' is already the id of suppress[0]",
    ]);
  });

  it('reports an expired rule as an error at package time and as a warning in the CLI', () => {
    const text = patch(RULE, 'expires: 2027-06-30', 'expires: 2026-11-29');
    const message =
      'alerts.yml:4: suppress[0].expires: the rule expired on 2026-11-29 (today is 2026-11-30): renew or delete it; it hides nothing now';
    expect(load(text, 'package')).toMatchObject({ config: undefined, errors: [message], warnings: [] });
    const cli = load(text, 'cli');
    expect(cli.errors).toEqual([]);
    expect(cli.warnings).toEqual([message]);
    expect(cli.config?.suppress[0]?.expires).toBe('2026-11-29');
  });

  const ACCEPT = '; or, if that is intended, set acceptCallerChosen: true and say why in reason';

  it('refuses at package time, and warns in the CLI, a principal glob a caller meets with a session name it chooses', () => {
    // RoleSessionName is set by whoever calls AssumeRole:
    // https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html
    const text = patch(
      RULE,
      '["arn:aws:iam::*:role/cfn-exec-*"]',
      '["*terraform*", "arn:aws:sts::*:assumed-role/*/terraform-*", "arn:aws:sts::*:assumed-role/cfn-exec-prod/terraform-*", "arn:aws:sts::*:assumed-role/cfn-*/*"]',
    );
    const messages = [
      `alerts.yml:7: suppress[0].match.principal[0]: '*terraform*' starts with *, so it can match text inside a role session name, which the caller chooses; anchor it with arn:aws:…${ACCEPT}`,
      `alerts.yml:7: suppress[0].match.principal[1]: 'arn:aws:sts::*:assumed-role/*/terraform-*' matches on the session name of any role it allows, and whoever assumes a role chooses its session name; name the role, or match its ARN (arn:aws:iam::…:role/…)${ACCEPT}`,
    ];
    expect(load(text, 'package')).toMatchObject({ config: undefined, errors: messages, warnings: [] });
    const cli = load(text, 'cli');
    expect(cli.errors).toEqual([]);
    expect(cli.warnings).toEqual(messages);
    expect(cli.config).toBeDefined();
  });

  // `via` comes from the user agent, which the caller sends: `aws-cli/2 Terraform/9.9` reads as terraform
  // (shared/domain/principal.ts). CloudTrail records the agent as sent:
  // https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html
  const viaOnly = (extra = '') => `suppress:
  - id: terraform-pipeline
    reason: the pipeline applies inline policies with Terraform
${extra}    match:
      via: [terraform]
      eventName: [PutRolePolicy]
      account: ["111122223333"]
`;
  const viaMessage = `alerts.yml:5: suppress[0].match.via: is read from the user agent, which the caller sets: with no principal naming who the caller is, anyone can send that agent (e.g. 'aws-cli/2 Terraform/9.9') and have this rule hide the change; add a principal${ACCEPT}`;

  it('refuses at package time, and warns in the CLI, a rule whose via no principal backs (account does not)', () => {
    expect(load(viaOnly(), 'package')).toMatchObject({
      config: undefined,
      errors: [viaMessage],
      warnings: [],
    });
    const cli = load(viaOnly(), 'cli');
    expect(cli.errors).toEqual([]);
    expect(cli.warnings).toEqual([viaMessage]);
    expect(cli.config?.suppress[0]?.match.via).toEqual(['terraform']);
  });

  it('counts a principal of only wildcards as naming nobody, and a principal that names the caller as enough', () => {
    const star = patch(
      viaOnly(),
      '      via: [terraform]\n',
      '      via: [terraform]\n      principal: ["*"]\n',
    );
    expect(load(star, 'package').errors).toEqual([viaMessage]);
    const named = patch(
      viaOnly(),
      '      via: [terraform]\n',
      '      via: [terraform]\n      principal: ["arn:aws:iam::111122223333:role/terraform-apply"]\n',
    );
    expect(load(named, 'package')).toMatchObject({ errors: [], warnings: [] });
  });

  it('accepts a caller-chosen rule that says so, in both modes, and refuses acceptCallerChosen where nothing is caller-chosen', () => {
    const accepted = load(viaOnly('    acceptCallerChosen: true\n'), 'package');
    expect(accepted).toMatchObject({ errors: [], warnings: [] });
    expect(accepted.config?.suppress[0]?.acceptCallerChosen).toBe(true);
    expect(load(viaOnly('    acceptCallerChosen: true\n'), 'cli')).toMatchObject({
      errors: [],
      warnings: [],
    });
    expect(load(patch(RULE, 'includeCritical: false', 'acceptCallerChosen: true'), 'package').errors).toEqual(
      [
        'alerts.yml:5: suppress[0].acceptCallerChosen: true has no effect: no selector of this rule can be met by a value the caller chooses',
      ],
    );
  });

  it('treats the expiry date as the last day the rule applies', () => {
    expect(load(patch(RULE, 'expires: 2027-06-30', `expires: ${TODAY}`)).errors).toEqual([]);
  });

  it.each([
    [
      'the reserved route name',
      patch(ROUTE, 'name: prod', 'name: default'),
      "alerts.yml:2: routes[0].name: 'default' is reserved for alerts no route matches",
    ],
    [
      'a route without destination',
      'routes:\n  - name: prod\n    match: { minSeverity: high }\n',
      'alerts.yml:2: routes[0]: has no destination: give slack, jira or email',
    ],
    [
      'a bad SSM parameter name',
      patch(ROUTE, 'slack: /iam-alerts/slack/prod', 'slack: https://hooks.slack.com/services/T/B/x'),
      "alerts.yml:4: routes[0].slack: 'https://hooks.slack.com/services/T/B/x' is not an SSM parameter name (a-z, A-Z, 0-9, _ . - /; not starting with aws or ssm)",
    ],
    [
      'a bad Jira project key',
      patch(ROUTE, 'project: SECPROD', 'project: sec-prod'),
      "alerts.yml:5: routes[0].jira.project: 'sec-prod' is not a Jira project key (e.g. SECPROD)",
    ],
    [
      'a bad e-mail address',
      patch(ROUTE, '[secops@example.com]', '[secops]'),
      "alerts.yml:6: routes[0].email[0]: 'secops' is not an e-mail address",
    ],
    [
      'a bad organizational unit',
      patch(ROUTE, 'match: {', 'match: { organizationalUnit: [prod],'),
      "alerts.yml:3: routes[0].match.organizationalUnit[0]: 'prod' is not an organizational unit id (ou-xxxx-xxxxxxxx) or root id (r-xxxx)",
    ],
    [
      'a severity range that is empty',
      patch(ROUTE, 'minSeverity: high', 'minSeverity: high, maxSeverity: low'),
      "alerts.yml:3: routes[0].match.minSeverity: 'high' is above maxSeverity 'low': the route matches nothing",
    ],
    [
      'an unknown Jira key',
      patch(ROUTE, 'project: SECPROD', 'project: SECPROD, issueType: Bug'),
      'alerts.yml:5: routes[0].jira.issueType: unknown key (known: project)',
    ],
    [
      'a route key that belongs to suppress rules',
      patch(ROUTE, 'slack:', 'reason: prod\n    slack:'),
      'alerts.yml:4: routes[0].reason: unknown key (known: name, match, slack, jira, email)',
    ],
  ])('reports %s', (_, text, message) => {
    expect(load(text).errors).toEqual([message]);
  });

  it('reports a duplicate route name', () => {
    const second = ROUTE.replace('routes:\n', '');
    expect(load(`${ROUTE}${second}`).errors).toEqual([
      "alerts.yml:7: routes[1].name: 'prod' is already the name of routes[0]",
    ]);
  });

  it.each([
    [
      'windowSeconds: -1',
      'alerts.yml:2: grouping.windowSeconds: -1 is not a whole number of seconds from 0 (off) to 300',
    ],
    [
      'windowSeconds: 301',
      'alerts.yml:2: grouping.windowSeconds: 301 is not a whole number of seconds from 0 (off) to 300',
    ],
    [
      'windowSeconds: 1.5',
      'alerts.yml:2: grouping.windowSeconds: 1.5 is not a whole number of seconds from 0 (off) to 300',
    ],
    ['windowSeconds: 5m', 'alerts.yml:2: grouping.windowSeconds: expected a number, got string "5m"'],
    [
      'maxSeverity: high',
      "alerts.yml:2: grouping.maxSeverity: 'high' is not one of info, low, medium: high and critical alerts are never grouped",
    ],
  ])('reports grouping %s', (line, message) => {
    expect(load(`grouping:\n  ${line}\n`).errors).toEqual([message]);
  });

  it('accepts grouping turned off', () => {
    expect(load('grouping:\n  windowSeconds: 0\n').config?.grouping).toEqual({
      windowSeconds: 0,
      maxSeverity: 'medium',
    });
  });

  it('collects every error, in line order, not only the first', () => {
    const text = [
      'suppress:',
      '  - id: Bad_Id',
      '    expires: 2027-13-01',
      '    match:',
      '      eventName: ["Attach[*"]',
      '      maxSeverity: critical',
      '  - id: Bad_Id',
      '    reason: again',
      '    match: { via: [jenkins] }',
      'grouping: { windowSeconds: 900, colour: red }',
    ].join('\n');
    expect(load(text).errors).toEqual([
      "alerts.yml:2: suppress[0].id: 'Bad_Id' is not a valid id (1 to 64 of a-z, 0-9 and -)",
      'alerts.yml:2: suppress[0].reason: missing (required: why these alerts are expected)',
      "alerts.yml:3: suppress[0].expires: '2027-13-01' is not a date (YYYY-MM-DD)",
      "alerts.yml:5: suppress[0].match.eventName[0]: 'Attach[*' is not a valid glob: it uses '[', which is not supported: a glob has only * (any characters) and ? (one character)",
      "alerts.yml:6: suppress[0].match.maxSeverity: 'critical' needs includeCritical: true (critical alerts are never hidden otherwise)",
      "alerts.yml:7: suppress[1].id: 'Bad_Id' is not a valid id (1 to 64 of a-z, 0-9 and -)",
      "alerts.yml:7: suppress[1].id: 'Bad_Id' is already the id of suppress[0]",
      "alerts.yml:9: suppress[1].match.via[0]: 'jenkins' is not one of console, cli, sdk, cloudformation, terraform, aws-service, other",
      `alerts.yml:9: suppress[1].match.via: is read from the user agent, which the caller sets: with no principal naming who the caller is, anyone can send that agent (e.g. 'aws-cli/2 Terraform/9.9') and have this rule hide the change; add a principal${ACCEPT}`,
      'alerts.yml:10: grouping.windowSeconds: 900 is not a whole number of seconds from 0 (off) to 300',
      'alerts.yml:10: grouping.colour: unknown key (known: windowSeconds, maxSeverity)',
    ]);
  });

  it('reports YAML syntax errors and duplicate keys with their line', () => {
    expect(load('suppress:\n  - id: a\n    id: b\n').errors).toEqual([
      'alerts.yml:3: Map keys must be unique',
    ]);
    expect(load('suppress: [\n').errors[0]).toMatch(/^alerts\.yml:\d+: /);
  });

  it('follows YAML aliases and reports the line where the faulty text is written', () => {
    const text = [
      'suppress:',
      '  - id: a',
      '    reason: r',
      '    match: &m { eventName: ["Attach[*"] }',
      '  - id: b',
      '    reason: r',
      '    match: *m',
    ].join('\n');
    const errors = load(text).errors;
    expect(errors).toHaveLength(2);
    expect(errors[0]).toMatch(
      /^alerts\.yml:4: suppress\[0\]\.match\.eventName\[0\]: 'Attach\[\*' is not a valid glob/,
    );
    expect(errors[1]).toMatch(
      /^alerts\.yml:4: suppress\[1\]\.match\.eventName\[0\]: 'Attach\[\*' is not a valid glob/,
    );
  });

  it('treats __proto__ and constructor as unknown keys, not as object internals', () => {
    expect(load('__proto__: { suppress: [] }\nconstructor: 1\n').errors).toEqual([
      'alerts.yml:1: __proto__: unknown key (known: suppress, routes, grouping)',
      'alerts.yml:2: constructor: unknown key (known: suppress, routes, grouping)',
    ]);
  });
});
