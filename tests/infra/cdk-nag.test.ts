// cdk-nag's AwsSolutions and Serverless packs on the compiled template and on the member StackSet's
// template, loaded with CfnInclude. A finding passes only when the resource acknowledges it in
// `Metadata.cdk_nag.rules_to_suppress` (the format cdk-nag itself writes), with a reason; a suppression
// that matches no finding is stale and fails too. cdk-nag 3 reads acknowledgements from the construct
// tree (`Validations.of(construct).acknowledge`), not from CloudFormation Metadata, so the test hands the
// template's suppressions to that API: cdk-nag then decides what matches, as it would in a CDK app.
// @see https://github.com/cdklabs/cdk-nag#using-on-cloudformation-templates
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { CfnInclude } from 'aws-cdk-lib/cloudformation-include';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { packageService, type Template } from '../helpers/template.js';

/** One cdk-nag finding: rule id (with the finding's detail for IAM5), logical id, level. */
interface Finding {
  rule: string;
  resource: string;
  severity: string;
}

/** A suppression as cdk-nag writes it into a resource's Metadata. */
interface Suppression {
  id: string;
  reason: string;
}

let template: Template;
let member: Template;
let workDir: string;

beforeAll(async () => {
  // aws-cdk-lib prints a warning each time cdk-nag reads a deprecated property (CfnEventBusPolicy.principal).
  process.env.JSII_DEPRECATED = 'quiet';
  ({ template } = await packageService());
  const stackSet = template.Resources.MemberStackSet?.Properties ?? {};
  member = JSON.parse(stackSet.TemplateBody as string) as Template;
  workDir = mkdtempSync(join(tmpdir(), 'iam-alerts-nag-'));
}, 300_000);

afterAll(() => rmSync(workDir, { recursive: true, force: true }));

let included = 0;
/** Loads a template into a fresh stack, returning the stack and the included template. */
const include = (body: Template) => {
  included += 1;
  const file = join(workDir, `template-${included}.json`);
  writeFileSync(file, JSON.stringify(body));
  const stack = new Stack(new App(), `Nag${included}`);
  return { stack, cfn: new CfnInclude(stack, 'Template', { templateFile: file }) };
};

/** Every finding of both packs on the stack. */
const findingsOf = (stack: Stack): Finding[] =>
  [new AwsSolutionsChecks(), new ServerlessChecks()].flatMap((pack) =>
    pack.validateScope(stack).violations.flatMap((violation) =>
      violation.violatingResources.map((resource) => ({
        rule: violation.ruleName,
        resource: (resource.constructPath ?? '').split('/').at(-1) ?? '',
        severity: violation.severity ?? 'error',
      })),
    ),
  );

const suppressionsOf = (body: Template): (readonly [string, Suppression])[] =>
  Object.entries(body.Resources).flatMap(([id, resource]) => {
    const metadata = (resource as { Metadata?: { cdk_nag?: { rules_to_suppress?: Suppression[] } } })
      .Metadata;
    return (metadata?.cdk_nag?.rules_to_suppress ?? []).map((suppression) => [id, suppression] as const);
  });

/** Findings before and after acknowledging the template's own suppressions (one include, two walks). */
const check = (body: Template) => {
  const { stack, cfn } = include(body);
  const all = findingsOf(stack);
  for (const [id, { id: rule, reason }] of suppressionsOf(body)) {
    Validations.of(cfn.getResource(id)).acknowledge({ id: rule, reason });
  }
  return { all, open: findingsOf(stack) };
};

const errors = (findings: Finding[]) =>
  findings.filter((finding) => finding.severity === 'error').map((f) => `${f.rule} on ${f.resource}`);

describe.each([
  ['the compiled template', () => template],
  ["the member StackSet's template", () => member],
])('cdk-nag on %s', (_name, body) => {
  it('reports no error that the resource does not acknowledge', () => {
    expect(errors(check(body()).open)).toEqual([]);
  });

  it('acknowledges only findings that exist, each with a reason a reviewer can check', () => {
    const { all } = check(body());
    const found = new Set(all.map((finding) => `${finding.resource} ${finding.rule}`));
    for (const [id, suppression] of suppressionsOf(body())) {
      expect([id, suppression.id, found.has(`${id} ${suppression.id}`)]).toEqual([id, suppression.id, true]);
      // A reason says why the rule does not fit this resource, not just that it is suppressed.
      expect(suppression.reason.length).toBeGreaterThanOrEqual(80);
    }
  });
});

describe('cdk-nag catches a hardening that is removed', () => {
  const clone = (): Template => structuredClone(template);
  const props = (body: Template, id: string) => {
    const resource = body.Resources[id];
    if (!resource?.Properties) throw new Error(`no resource ${id}`);
    return resource.Properties;
  };
  const cases: [string, (body: Template) => void, string][] = [
    [
      'an e-mail subscription without RedrivePolicy',
      (body) => {
        delete props(body, 'AlertEmailSubscription').RedrivePolicy;
      },
      'Serverless-SNSRedrivePolicy on AlertEmailSubscription',
    ],
    [
      'the forwarder subscription without RedrivePolicy',
      (body) => {
        delete props(body, 'ForwarderSubscription').RedrivePolicy;
      },
      'Serverless-SNSRedrivePolicy on ForwarderSubscription',
    ],
    [
      'a queue policy that denies only SendMessage over HTTP',
      (body) => {
        const document = props(body, 'AsyncFailureQueuePolicy').PolicyDocument as {
          Statement: Record<string, unknown>[];
        };
        for (const statement of document.Statement) statement.Action = 'sqs:SendMessage';
      },
      'AwsSolutions-SQS4 on AsyncFailureQueue',
    ],
    [
      'a forwarding rule without DeadLetterConfig',
      (body) => {
        for (const target of props(body, 'ForwardIamRule').Targets as Record<string, unknown>[])
          delete target.DeadLetterConfig;
      },
      'Serverless-EventBusDLQ on ForwardIamRule',
    ],
    [
      'the identity forwarding rule without DeadLetterConfig',
      (body) => {
        for (const target of props(body, 'ForwardIdentityRule').Targets as Record<string, unknown>[])
          delete target.DeadLetterConfig;
      },
      'Serverless-EventBusDLQ on ForwardIdentityRule',
    ],
    [
      'the trail bucket without access logging',
      (body) => {
        delete props(body, 'TrailBucket').LoggingConfiguration;
      },
      'AwsSolutions-S1 on TrailBucket',
    ],
    [
      'an older runtime',
      (body) => {
        props(body, 'NotifierLambdaFunction').Runtime = 'nodejs22.x';
      },
      'AwsSolutions-L1 on NotifierLambdaFunction',
    ],
  ];

  it.each(cases)('%s', (_name, weaken, expected) => {
    const body = clone();
    weaken(body);
    expect(errors(check(body).open)).toContain(expected);
  });

  it("a member forwarding rule without DeadLetterConfig (the StackSet's template)", () => {
    const body = structuredClone(member);
    for (const target of props(body, 'ForwardGuardRailRule').Targets as Record<string, unknown>[])
      delete target.DeadLetterConfig;
    expect(errors(check(body).open)).toContain('Serverless-EventBusDLQ on ForwardGuardRailRule');
  });

  it('an IAM wildcard whose suppression is removed', () => {
    const body = clone();
    delete (body.Resources.NotifierRole as { Metadata?: unknown }).Metadata;
    expect(errors(check(body).open)).toEqual(
      expect.arrayContaining([
        'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::aws:policy/*] on NotifierRole',
      ]),
    );
  });
});
