// The privilege-escalation catalogue: permissions (or combinations) that let a principal gain more than it
// was given. Drawn from Spencer Gietzen's list at Rhino Security Labs (2018, 21 methods) and the paths of
// DataDog's pathfinding.cloud, which extends it.
import type { Severity } from '../types.js';

/** One known escalation path. */
export interface EscalationPath {
  /** Stable code used in findings, e.g. `escalation-create-policy-version`. */
  code: string;
  /** Every action the path needs; the path applies only when all are granted. */
  actions: string[];
  /** What a holder can do, completing "can …". */
  impact: string;
  /** Why that matters, said after the impact. */
  why?: string;
  /** Severity when the first action is granted on every resource; one step lower when scoped. */
  severity: Severity;
  /** Where the path is documented. */
  source: string;
  /**
   * The request context the path needs, asked of the evaluator with every action (`iam:PassedToService` is the
   * service that runs the passed role: a PassRole confined to other services does not open the path).
   */
  context?: Readonly<Record<string, string>>;
  /**
   * What the path means when the policy allows it only on the caller's own user (`user/${aws:username}`): absent
   * when acting on oneself is self-service and no escalation (one's own access keys and password).
   */
  self?: { code: string; impact: string; severity: Severity };
}

const passedTo = (service: string) => ({ 'iam:PassedToService': service });
// Attaching a managed policy escalates when the policy may be AdministratorAccess: an `iam:PolicyARN` condition
// that names other policies closes the path.
const ATTACH_ADMIN = { 'iam:PolicyARN': 'arn:aws:iam::aws:policy/AdministratorAccess' };

const RHINO = 'Rhino Security Labs, AWS privilege escalation methods';
const PATHFINDING = 'pathfinding.cloud';

/**
 * Known privilege-escalation paths, most direct first.
 * @see https://rhinosecuritylabs.com/aws/aws-privilege-escalation-methods-mitigation/
 * @see https://pathfinding.cloud
 */
export const ESCALATION_PATHS: readonly EscalationPath[] = [
  {
    code: 'escalation-create-policy-version',
    actions: ['iam:CreatePolicyVersion'],
    impact: 'rewrite managed policies (iam:CreatePolicyVersion)',
    why: 'a new default version can grant anything',
    severity: 'high',
    source: `${RHINO} #1; ${PATHFINDING} iam:CreatePolicyVersion`,
  },
  {
    code: 'escalation-set-default-policy-version',
    actions: ['iam:SetDefaultPolicyVersion'],
    impact: 'switch managed policies to another stored version (iam:SetDefaultPolicyVersion)',
    severity: 'high',
    source: `${RHINO} #2; ${PATHFINDING} iam:SetDefaultPolicyVersion`,
  },
  {
    code: 'escalation-create-access-key',
    actions: ['iam:CreateAccessKey'],
    impact: 'create access keys for other users and act as them (iam:CreateAccessKey)',
    severity: 'high',
    source: `${RHINO} #4; ${PATHFINDING} iam:CreateAccessKey`,
  },
  {
    code: 'escalation-create-login-profile',
    actions: ['iam:CreateLoginProfile'],
    impact: 'give other users a console password and sign in as them (iam:CreateLoginProfile)',
    severity: 'high',
    source: `${RHINO} #5; ${PATHFINDING} iam:CreateLoginProfile`,
  },
  {
    code: 'escalation-update-login-profile',
    actions: ['iam:UpdateLoginProfile'],
    impact: "reset other users' console passwords (iam:UpdateLoginProfile)",
    severity: 'high',
    source: `${RHINO} #6; ${PATHFINDING} iam:UpdateLoginProfile`,
  },
  {
    code: 'escalation-attach-user-policy',
    actions: ['iam:AttachUserPolicy'],
    impact: 'attach any managed policy, AdministratorAccess included, to users (iam:AttachUserPolicy)',
    severity: 'high',
    source: `${RHINO} #7; ${PATHFINDING} iam:AttachUserPolicy`,
    self: {
      code: 'escalation-attach-own-user-policy',
      impact:
        'attach any managed policy, AdministratorAccess included, to its own user (iam:AttachUserPolicy)',
      severity: 'high',
    },
    context: ATTACH_ADMIN,
  },
  {
    code: 'escalation-attach-group-policy',
    actions: ['iam:AttachGroupPolicy'],
    impact: 'attach any managed policy to groups (iam:AttachGroupPolicy)',
    severity: 'high',
    source: `${RHINO} #8; ${PATHFINDING} iam:AttachGroupPolicy`,
    context: ATTACH_ADMIN,
  },
  {
    code: 'escalation-attach-role-policy',
    actions: ['iam:AttachRolePolicy'],
    impact: 'attach any managed policy to roles (iam:AttachRolePolicy)',
    severity: 'high',
    source: `${RHINO} #9; ${PATHFINDING} iam:AttachRolePolicy`,
    context: ATTACH_ADMIN,
  },
  {
    code: 'escalation-put-user-policy',
    actions: ['iam:PutUserPolicy'],
    impact: 'write inline policies on users that grant anything (iam:PutUserPolicy)',
    severity: 'high',
    source: `${RHINO} #10; ${PATHFINDING} iam:PutUserPolicy`,
    self: {
      code: 'escalation-put-own-user-policy',
      impact: 'write an inline policy that grants anything on its own user (iam:PutUserPolicy)',
      severity: 'high',
    },
  },
  {
    code: 'escalation-put-group-policy',
    actions: ['iam:PutGroupPolicy'],
    impact: 'write inline policies on groups that grant anything (iam:PutGroupPolicy)',
    severity: 'high',
    source: `${RHINO} #11; ${PATHFINDING} iam:PutGroupPolicy`,
  },
  {
    code: 'escalation-put-role-policy',
    actions: ['iam:PutRolePolicy'],
    impact: 'write inline policies on roles that grant anything (iam:PutRolePolicy)',
    severity: 'high',
    source: `${RHINO} #12; ${PATHFINDING} iam:PutRolePolicy`,
  },
  {
    code: 'escalation-add-user-to-group',
    actions: ['iam:AddUserToGroup'],
    impact: 'add users to any group, admin groups included (iam:AddUserToGroup)',
    severity: 'high',
    source: `${RHINO} #13; ${PATHFINDING} iam:AddUserToGroup`,
  },
  {
    code: 'escalation-update-assume-role-policy',
    actions: ['iam:UpdateAssumeRolePolicy'],
    impact: 'rewrite trust policies to let anyone assume roles (iam:UpdateAssumeRolePolicy)',
    severity: 'high',
    source: `${RHINO} #14; ${PATHFINDING} iam:UpdateAssumeRolePolicy`,
  },
  {
    code: 'escalation-delete-permissions-boundary',
    actions: ['iam:DeleteRolePermissionsBoundary'],
    impact: 'remove the permissions boundaries that cap roles (iam:DeleteRolePermissionsBoundary)',
    severity: 'medium',
    source: `${PATHFINDING} iam:DeleteRolePermissionsBoundary`,
  },
  {
    code: 'escalation-delete-user-permissions-boundary',
    actions: ['iam:DeleteUserPermissionsBoundary'],
    impact: 'remove the permissions boundaries that cap users (iam:DeleteUserPermissionsBoundary)',
    severity: 'medium',
    source: `${PATHFINDING} iam:DeleteUserPermissionsBoundary`,
    self: {
      code: 'escalation-delete-own-user-permissions-boundary',
      impact: 'remove the permissions boundary that caps its own user (iam:DeleteUserPermissionsBoundary)',
      severity: 'medium',
    },
  },
  {
    code: 'escalation-passrole-ec2',
    actions: ['iam:PassRole', 'ec2:RunInstances'],
    impact: 'start EC2 instances with any role and take its credentials (iam:PassRole + ec2:RunInstances)',
    severity: 'high',
    source: `${RHINO} #3; ${PATHFINDING} iam:PassRole + ec2:RunInstances`,
    context: passedTo('ec2.amazonaws.com'),
  },
  {
    code: 'escalation-passrole-lambda',
    actions: ['iam:PassRole', 'lambda:CreateFunction', 'lambda:InvokeFunction'],
    impact:
      'run code as any role through Lambda (iam:PassRole + lambda:CreateFunction + lambda:InvokeFunction)',
    severity: 'high',
    source: `${RHINO} #15; ${PATHFINDING} iam:PassRole + lambda:CreateFunction + lambda:InvokeFunction`,
    context: passedTo('lambda.amazonaws.com'),
  },
  {
    code: 'escalation-passrole-lambda-event-source',
    actions: ['iam:PassRole', 'lambda:CreateFunction', 'lambda:CreateEventSourceMapping'],
    impact:
      'run code as any role through a Lambda event source (iam:PassRole + lambda:CreateFunction + lambda:CreateEventSourceMapping)',
    severity: 'high',
    source: `${RHINO} #16; ${PATHFINDING} iam:PassRole + lambda:CreateFunction + lambda:CreateEventSourceMapping`,
    context: passedTo('lambda.amazonaws.com'),
  },
  {
    code: 'escalation-lambda-update-code',
    actions: ['lambda:UpdateFunctionCode'],
    impact:
      'replace the code of existing Lambda functions and act as their roles (lambda:UpdateFunctionCode)',
    severity: 'medium',
    source: `${RHINO} #17; ${PATHFINDING} lambda:UpdateFunctionCode`,
  },
  {
    code: 'escalation-passrole-glue',
    actions: ['iam:PassRole', 'glue:CreateDevEndpoint'],
    impact: 'open a Glue development endpoint with any role (iam:PassRole + glue:CreateDevEndpoint)',
    severity: 'high',
    source: `${RHINO} #18; ${PATHFINDING} iam:PassRole + glue:CreateDevEndpoint`,
    context: passedTo('glue.amazonaws.com'),
  },
  {
    code: 'escalation-glue-update-dev-endpoint',
    actions: ['glue:UpdateDevEndpoint'],
    impact:
      'add its SSH key to existing Glue development endpoints and use their roles (glue:UpdateDevEndpoint)',
    severity: 'medium',
    source: `${RHINO} #19; ${PATHFINDING} glue:UpdateDevEndpoint`,
  },
  {
    code: 'escalation-passrole-cloudformation',
    actions: ['iam:PassRole', 'cloudformation:CreateStack'],
    impact: 'create CloudFormation stacks that act as any role (iam:PassRole + cloudformation:CreateStack)',
    severity: 'high',
    source: `${RHINO} #20; ${PATHFINDING} iam:PassRole + cloudformation:CreateStack`,
    context: passedTo('cloudformation.amazonaws.com'),
  },
  {
    code: 'escalation-passrole-datapipeline',
    actions: ['iam:PassRole', 'datapipeline:CreatePipeline', 'datapipeline:PutPipelineDefinition'],
    impact: 'run Data Pipeline activities as any role (iam:PassRole + datapipeline:CreatePipeline)',
    severity: 'high',
    source: `${RHINO} #21; ${PATHFINDING} iam:PassRole + datapipeline:CreatePipeline`,
    context: passedTo('datapipeline.amazonaws.com'),
  },
  {
    code: 'escalation-passrole-codebuild',
    actions: ['iam:PassRole', 'codebuild:CreateProject', 'codebuild:StartBuild'],
    impact: 'run builds as any role (iam:PassRole + codebuild:CreateProject + codebuild:StartBuild)',
    severity: 'high',
    source: `${PATHFINDING} iam:PassRole + codebuild:CreateProject + codebuild:StartBuild`,
    context: passedTo('codebuild.amazonaws.com'),
  },
  {
    code: 'escalation-passrole-sagemaker',
    actions: ['iam:PassRole', 'sagemaker:CreateNotebookInstance'],
    impact: 'open SageMaker notebooks that run as any role (iam:PassRole + sagemaker:CreateNotebookInstance)',
    severity: 'high',
    source: `${PATHFINDING} iam:PassRole + sagemaker:CreateNotebookInstance`,
    context: passedTo('sagemaker.amazonaws.com'),
  },
  {
    code: 'escalation-passrole-ecs',
    actions: ['iam:PassRole', 'ecs:RegisterTaskDefinition', 'ecs:RunTask'],
    impact: 'run ECS tasks as any role (iam:PassRole + ecs:RegisterTaskDefinition + ecs:RunTask)',
    severity: 'high',
    source: `${PATHFINDING} iam:PassRole + ecs:RegisterTaskDefinition + ecs:RunTask`,
    context: passedTo('ecs-tasks.amazonaws.com'),
  },
  {
    code: 'escalation-ssm-send-command',
    actions: ['ssm:SendCommand'],
    impact: 'run commands on EC2 instances and use their roles (ssm:SendCommand)',
    severity: 'medium',
    source: `${PATHFINDING} ssm:SendCommand`,
  },
  {
    code: 'escalation-ssm-start-session',
    actions: ['ssm:StartSession'],
    impact: 'open shells on EC2 instances and use their roles (ssm:StartSession)',
    severity: 'medium',
    source: `${PATHFINDING} ssm:StartSession`,
  },
  {
    code: 'escalation-assume-role',
    actions: ['sts:AssumeRole'],
    impact: 'assume any role whose trust policy admits this account (sts:AssumeRole)',
    severity: 'medium',
    source: `${PATHFINDING} sts:AssumeRole`,
  },
];
