// Packages the service with the real osls CLI and reads back what CloudFormation would get: the compiled
// template and the function zips. Plus a small evaluator for the intrinsics the template uses, and a
// checker of resource types and property names against @aws-cdk/aws-service-spec.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { loadAwsServiceSpec } from '@aws-cdk/aws-service-spec';

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '..', '..');
/** What a package needs: everything else (tests, docs, node_modules) cannot change the output. */
const INPUTS = [
  'serverless.yml',
  'alerts.yml',
  'resources',
  'functions',
  'shared',
  'package.json',
  'tsconfig.json',
];

/** A CloudFormation template, loosely typed: tests narrow what they read. */
export interface Template {
  Parameters: Record<string, { Type: string; Default?: unknown; AllowedValues?: string[] }>;
  Conditions: Record<string, unknown>;
  Mappings: Record<string, Record<string, Record<string, unknown>>>;
  Resources: Record<string, TemplateResource>;
  Outputs: Record<string, unknown>;
}

/** One resource of a template. */
export interface TemplateResource {
  Type: string;
  Condition?: string;
  DependsOn?: string | string[];
  DeletionPolicy?: string;
  Properties?: Record<string, unknown>;
}

/** The result of `serverless package`. */
export interface PackagedService {
  template: Template;
  /** Folder holding `<function>.zip`. */
  artifactDir: string;
}

const listFiles = (path: string): string[] =>
  statSync(path).isDirectory() ? readdirSync(path).flatMap((name) => listFiles(join(path, name))) : [path];

const hashInputs = (): string => {
  // The lock file and Node's version change the bundles as surely as the sources do.
  const hash = createHash('sha256')
    .update(process.version)
    .update(readFileSync(join(ROOT, 'package-lock.json')));
  for (const file of INPUTS.flatMap((input) => listFiles(join(ROOT, input))).sort()) {
    hash.update(relative(ROOT, file)).update(readFileSync(file));
  }
  return hash.digest('hex').slice(0, 16);
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Whether the process that wrote a lock is still running. */
const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/**
 * Takes a directory lock (mkdir is atomic) holding the owner's pid. A lock whose owner is gone (an
 * interrupted run) is taken over at once, not after a timeout.
 */
const withLock = async <T>(lockDir: string, work: () => Promise<T>): Promise<T> => {
  const pidFile = join(lockDir, 'pid');
  for (;;) {
    try {
      mkdirSync(lockDir);
      writeFileSync(pidFile, String(process.pid));
      break;
    } catch {
      const owner = Number(existsSync(pidFile) ? readFileSync(pidFile, 'utf8') : Number.NaN);
      const age = existsSync(lockDir) ? Date.now() - statSync(lockDir).mtimeMs : 0;
      // No pid yet means the owner is between mkdir and write: give it a moment before calling it stale.
      if ((Number.isInteger(owner) && !isAlive(owner)) || (!Number.isInteger(owner) && age > 5_000)) {
        rmSync(lockDir, { force: true, recursive: true });
      }
      await sleep(250);
    }
  }
  try {
    return await work();
  } finally {
    rmSync(lockDir, { force: true, recursive: true });
  }
};

/**
 * A private copy of what osls reads (sources, config, events), with `node_modules` linked, so that runs of
 * the CLI never write `.esbuild/` or `.serverless/` into the checkout or into each other's way.
 */
export const makeWorkCopy = (workDir: string): string => {
  rmSync(workDir, { force: true, recursive: true });
  mkdirSync(workDir, { recursive: true });
  for (const input of [...INPUTS, 'events'])
    cpSync(join(ROOT, input), join(workDir, input), { recursive: true });
  symlinkSync(join(ROOT, 'node_modules'), join(workDir, 'node_modules'), 'dir');
  return workDir;
};

/**
 * The environment osls runs with in tests: no shell variables but PATH, HOME in the work copy, telemetry off. osls
 * wants credentials to exist and never uses them for `package`; fake ones prove no AWS call.
 */
const offlineEnv = (workDir: string): NodeJS.ProcessEnv => ({
  PATH: process.env.PATH,
  HOME: workDir,
  AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
  AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  AWS_REGION: 'us-east-1',
  SLS_TELEMETRY_DISABLED: '1',
  SLS_NOTIFICATIONS_MODE: 'off',
});

/** Runs the real osls CLI offline in a work copy; resolves with its exit code and everything it printed. */
export const runServerless = async (
  workDir: string,
  args: string[],
): Promise<{ code: number; output: string }> => {
  try {
    const { stdout, stderr } = await run(
      process.execPath,
      [join(ROOT, 'node_modules/osls/bin/serverless.js'), ...args],
      { cwd: workDir, timeout: 120_000, maxBuffer: 16 * 1024 * 1024, env: offlineEnv(workDir) },
    );
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, output: `${failed.stdout ?? ''}${failed.stderr ?? ''}` };
  }
};

/**
 * Runs `serverless package` once per distinct source tree, in a private copy of the project (so that test
 * files running in parallel, or a developer's own `npm run package`, never share `.esbuild/` or
 * `.serverless/`), with fake credentials and no parameters. Later calls with the same sources reuse it.
 */
export const packageService = async (): Promise<PackagedService> => {
  const workDir = join(tmpdir(), `iam-change-alerts-package-${hashInputs()}`);
  const artifactDir = join(workDir, 'out');
  const templatePath = join(artifactDir, 'cloudformation-template-update-stack.json');
  await withLock(`${workDir}.lock`, async () => {
    if (existsSync(templatePath)) return;
    makeWorkCopy(workDir);
    await run(
      process.execPath,
      [join(ROOT, 'node_modules/osls/bin/serverless.js'), 'package', '--package', artifactDir],
      {
        cwd: workDir,
        timeout: 240_000,
        env: offlineEnv(workDir),
      },
    );
  });
  return { template: JSON.parse(readFileSync(templatePath, 'utf8')) as Template, artifactDir };
};

/** File names inside a zip (the function bundles). */
export const listZip = async (zipPath: string): Promise<string[]> => {
  const { stdout } = await run('unzip', ['-Z1', zipPath]);
  return stdout.split('\n').filter(Boolean);
};

// ------------------------------------------------------------------ intrinsic functions

const NO_VALUE = Symbol('AWS::NoValue');

/** Values of the pseudo parameters and stack parameters used while resolving. */
export interface Scenario {
  parameters: Record<string, string | string[]>;
  conditions: Record<string, boolean>;
  /** Pseudo parameters (`AWS::Region`, `AWS::AccountId`…) where they differ from `PSEUDO`. */
  pseudo?: Record<string, string>;
}

const PSEUDO: Record<string, string> = {
  'AWS::AccountId': '111122223333',
  'AWS::Partition': 'aws',
  'AWS::Region': 'us-east-1',
};

/** Stack parameter values: the defaults, overridden by `overrides` (CommaDelimitedList as arrays). */
export const parameterValues = (
  template: Template,
  overrides: Record<string, string> = {},
): Record<string, string | string[]> =>
  Object.fromEntries(
    Object.entries(template.Parameters).map(([name, parameter]) => {
      const raw = overrides[name] ?? String(parameter.Default ?? '');
      return [name, parameter.Type === 'CommaDelimitedList' ? raw.split(',') : raw];
    }),
  );

const isIntrinsic = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' &&
  value !== null &&
  !Array.isArray(value) &&
  Object.keys(value).length === 1 &&
  /^(Ref|Condition|Fn::)/.test(Object.keys(value)[0] ?? '');

/** Evaluates every condition of the template for the given parameter values. */
export const evaluateConditions = (
  template: Template,
  parameters: Record<string, string | string[]>,
  pseudo: Record<string, string> = {},
): Record<string, boolean> => {
  const results: Record<string, boolean> = {};
  const evaluate = (expression: unknown): unknown => {
    if (!isIntrinsic(expression)) return expression;
    const [fn, args] = Object.entries(expression)[0] as [string, unknown];
    const list = args as unknown[];
    switch (fn) {
      case 'Ref': {
        const name = args as string;
        const value = parameters[name] ?? pseudo[name] ?? PSEUDO[name];
        if (value === undefined) throw new Error(`Ref to unknown parameter ${name}`);
        return value;
      }
      case 'Condition':
        return condition(args as string);
      case 'Fn::Equals':
        return JSON.stringify(evaluate(list[0])) === JSON.stringify(evaluate(list[1]));
      case 'Fn::Not':
        return !evaluate(list[0]);
      case 'Fn::And':
        return list.every((item) => evaluate(item) === true);
      case 'Fn::Or':
        return list.some((item) => evaluate(item) === true);
      case 'Fn::Join':
        return (evaluate(list[1]) as string[]).join(list[0] as string);
      default:
        throw new Error(`unsupported function in a condition: ${fn}`);
    }
  };
  const condition = (name: string): boolean => {
    if (!(name in results)) {
      if (!(name in template.Conditions)) throw new Error(`unknown condition ${name}`);
      results[name] = evaluate(template.Conditions[name]) === true;
    }
    return results[name] as boolean;
  };
  for (const name of Object.keys(template.Conditions)) condition(name);
  return results;
};

/** The scenario of a deployment with these parameter overrides (and pseudo parameters: region, account). */
export const scenario = (
  template: Template,
  overrides: Record<string, string> = {},
  pseudo: Record<string, string> = {},
): Scenario => {
  const parameters = parameterValues(template, overrides);
  return { parameters, conditions: evaluateConditions(template, parameters, pseudo), pseudo };
};

/**
 * Resolves Fn::If (dropping AWS::NoValue), Ref to parameters and pseudo parameters, Fn::Sub, Fn::Split,
 * Fn::Select and Fn::FindInMap as CloudFormation would; Ref/GetAtt to resources stay as they are.
 */
export const resolve = (value: unknown, template: Template, at: Scenario): unknown => {
  const walk = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(walk).filter((item) => item !== NO_VALUE);
    if (typeof node !== 'object' || node === null) return node;
    if (isIntrinsic(node)) {
      const [fn, args] = Object.entries(node)[0] as [string, unknown];
      if (fn === 'Fn::If') {
        const [name, whenTrue, whenFalse] = args as [string, unknown, unknown];
        const chosen = at.conditions[name];
        if (chosen === undefined) throw new Error(`unknown condition ${name}`);
        return walk(chosen ? whenTrue : whenFalse);
      }
      if (fn === 'Ref') {
        const name = args as string;
        if (name === 'AWS::NoValue') return NO_VALUE;
        if (at.pseudo && name in at.pseudo) return at.pseudo[name];
        if (name in PSEUDO) return PSEUDO[name];
        if (name in at.parameters) return at.parameters[name];
        return node;
      }
      if (fn === 'Fn::Sub' && typeof args === 'string') {
        return args.replace(/\$\{([^}!]+)\}/g, (whole, name: string) => {
          const value = at.pseudo?.[name] ?? PSEUDO[name] ?? at.parameters[name];
          return typeof value === 'string' ? value : whole;
        });
      }
      if (fn === 'Fn::Split') {
        const [separator, text] = args as [string, unknown];
        const value = walk(text);
        return typeof value === 'string' ? value.split(separator) : node;
      }
      if (fn === 'Fn::Select') {
        const [index, items] = args as [number | string, unknown];
        const list = walk(items);
        if (!Array.isArray(list)) return node;
        if (Number(index) >= list.length) throw new Error(`Fn::Select index ${index} out of range`);
        return list[Number(index)];
      }
      if (fn === 'Fn::FindInMap') {
        const [map, first, second] = (args as unknown[]).map(walk) as [string, string, string];
        return template.Mappings[map]?.[first]?.[second];
      }
      return node;
    }
    const entries = Object.entries(node)
      .map(([key, item]) => [key, walk(item)] as const)
      .filter(([, item]) => item !== NO_VALUE);
    return Object.fromEntries(entries);
  };
  return walk(value);
};

/** The resources a deployment with this scenario creates, with their properties resolved. */
export const deployedResources = (template: Template, at: Scenario): Record<string, TemplateResource> =>
  Object.fromEntries(
    Object.entries(template.Resources)
      .filter(
        ([, resource]) => resource.Condition === undefined || at.conditions[resource.Condition] === true,
      )
      .map(([id, resource]) => [
        id,
        {
          ...resource,
          Properties: resolve(resource.Properties ?? {}, template, at) as Record<string, unknown>,
        },
      ]),
  );

/** Every IAM policy statement of a resolved resource's property tree (role policies and resource policies). */
export const statementsOf = (value: unknown): Record<string, unknown>[] => {
  if (Array.isArray(value)) return value.flatMap(statementsOf);
  if (typeof value !== 'object' || value === null) return [];
  const record = value as Record<string, unknown>;
  const own = Array.isArray(record.Statement)
    ? (record.Statement as Record<string, unknown>[])
    : typeof record.Statement === 'object' && record.Statement !== null
      ? [record.Statement as Record<string, unknown>]
      : [];
  return [
    ...own,
    ...Object.entries(record)
      .filter(([key]) => key !== 'Statement')
      .flatMap(([, item]) => statementsOf(item)),
  ];
};

// ------------------------------------------------------------------ service spec

type SpecDatabase = Awaited<ReturnType<typeof loadAwsServiceSpec>>;
type SpecProperty = { required?: boolean; type: SpecType };
type SpecType =
  | { type: 'ref'; reference: { $ref: string } }
  | { type: 'array' | 'map'; element: SpecType }
  | { type: 'union'; types: SpecType[] }
  | { type: string };

let database: Promise<SpecDatabase> | undefined;
/** The CloudFormation resource specification shipped by @aws-cdk/aws-service-spec (loaded once). */
export const loadSpec = (): Promise<SpecDatabase> => {
  database ??= loadAwsServiceSpec();
  return database;
};

const checkValue = (db: SpecDatabase, type: SpecType, value: unknown, path: string): string[] => {
  if (isIntrinsic(value)) {
    const [fn, args] = Object.entries(value)[0] as [string, unknown];
    if (fn !== 'Fn::If') return [];
    const [, whenTrue, whenFalse] = args as [string, unknown, unknown];
    return [...checkValue(db, type, whenTrue, path), ...checkValue(db, type, whenFalse, path)];
  }
  if ('element' in type) {
    if (type.type === 'array' && Array.isArray(value)) {
      return value.flatMap((item, index) => checkValue(db, type.element, item, `${path}[${index}]`));
    }
    if (type.type === 'map' && typeof value === 'object' && value !== null) {
      return Object.entries(value).flatMap(([key, item]) =>
        checkValue(db, type.element, item, `${path}.${key}`),
      );
    }
    return [];
  }
  if ('types' in type) {
    const attempts = type.types.map((option) => checkValue(db, option, value, path));
    return attempts.some((problems) => problems.length === 0) ? [] : (attempts[0] ?? []);
  }
  if ('reference' in type) {
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      return [`${path}: expected an object`];
    const definition = db.get('typeDefinition', type.reference.$ref) as unknown as {
      name: string;
      properties: Record<string, SpecProperty>;
    };
    return checkProperties(db, definition.properties, value as Record<string, unknown>, path);
  }
  return [];
};

const checkProperties = (
  db: SpecDatabase,
  spec: Record<string, SpecProperty>,
  value: Record<string, unknown>,
  path: string,
): string[] => [
  ...Object.entries(value).flatMap(([key, item]) => {
    const property = spec[key];
    return property
      ? checkValue(db, property.type, item, `${path}.${key}`)
      : [`${path}.${key}: no such property`];
  }),
  ...Object.entries(spec)
    .filter(([key, property]) => property.required === true && !(key in value))
    .map(([key]) => `${path}.${key}: required property missing`),
];

/**
 * Every problem found checking resource types, property names (recursively through property types) and
 * required properties against the CloudFormation specification. Empty when the template is sound.
 */
export const checkAgainstSpec = async (resources: Record<string, TemplateResource>): Promise<string[]> => {
  const db = await loadSpec();
  return Object.entries(resources).flatMap(([id, resource]) => {
    const [spec] = db.lookup('resource', 'cloudFormationType', 'equals', resource.Type);
    if (!spec) return [`${id}: unknown resource type ${resource.Type}`];
    return checkProperties(
      db,
      spec.properties as unknown as Record<string, SpecProperty>,
      resource.Properties ?? {},
      `${id}(${resource.Type})`,
    );
  });
};
