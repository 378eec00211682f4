// `iam-alerts patterns`: the deployed EventBridge pattern of a preset, or the same filter as SQL.
import {
  DEFAULT_PRESET,
  deliveryParameterRule,
  type EventPattern,
  GUARD_RAIL_PATTERN,
  IDENTITY_RULE_NAMES,
  IDENTITY_RULES,
  IDENTITY_RULES_PATTERN,
  isPresetName,
  needsReadOnlyEvents,
  ownKeyRule,
  PRESET_NAMES,
  PRESETS,
} from '../shared/domain/patterns.js';
import {
  type CliIo,
  type Command,
  EXIT,
  OWN_KEYS_OPTION,
  parseCliArgs,
  parseOwnKeys,
  UsageError,
} from './io.js';
import {
  DEFAULT_SQL_TABLE,
  isValidSqlTable,
  patternToSql,
  patternToUnload,
  type SqlDialect,
} from './patterns/pattern-sql.js';

/** Where the printed `UNLOAD` writes when `--unload` is not given: AWS's documentation placeholder bucket. */
const EXAMPLE_UNLOAD = 's3://amzn-s3-demo-bucket/iam-alerts-replay/';

/** What `--rule` names: the rules a deployment deploys, and each identity rule on its own. */
const RULES = [
  'preset',
  'guard-rails',
  'delivery-parameters',
  'own-keys',
  'identity',
  ...IDENTITY_RULE_NAMES,
] as const;
type RuleName = (typeof RULES)[number];

/** The pattern of a rule other than the preset, exactly as deployed (`shared/domain/patterns.ts`). */
const patternOfRule = (
  rule: Exclude<RuleName, 'preset'>,
  parameters: readonly string[],
  keys: readonly string[],
): EventPattern => {
  if (rule === 'guard-rails') return GUARD_RAIL_PATTERN;
  if (rule === 'delivery-parameters') return deliveryParameterRule(parameters).pattern;
  if (rule === 'own-keys') return ownKeyRule(keys).pattern;
  if (rule === 'identity') return IDENTITY_RULES_PATTERN;
  return IDENTITY_RULES.get(rule) as EventPattern;
};

const usage = `usage: iam-alerts patterns [--rule ${RULES.join('|')}] [--preset ${PRESET_NAMES.join('|')}]
                          [--delivery-parameters NAME,...] [--own-keys ARN,...]
                          [--sql athena|lake] [--table NAME] [--unload S3URL]

Prints the EventBridge event pattern of a deployed rule, exactly as deployed.
  --rule preset        the preset's rule (default), with --preset (default: ${DEFAULT_PRESET})
  --rule guard-rails   tampering with the alerting itself (trail, SCPs, this project's rules, topic, functions)
  --rule delivery-parameters   the SSM parameters the forwarder reads (Slack webhook, bot token, Jira token, the
                       routes' webhooks) overwritten or deleted, on the names of --delivery-parameters NAME,...
                       (deployed: the stack parameters' values and alerts.yml's routes, resolved by CloudFormation)
  --rule own-keys      the topic keys (AlertTopicKey, OperationsTopicKey) disabled, scheduled for deletion or given a
                       new key policy (KeyGuardRailRule), each key of --own-keys ARN,... by its ARN and its key ID
                       (deployed: the two keys' ARNs and IDs, resolved by CloudFormation)
  --rule identity      root activity, console sign-ins, EC2 instance credentials denied by an SCP (one rule);
                       ${IDENTITY_RULE_NAMES.join(', ')}: each of its parts alone
  --sql athena   the same filter as SQL for Athena's CloudTrail table (--table NAME or DB.NAME, default
                 ${DEFAULT_SQL_TABLE.athena}), selecting every column, then the UNLOAD that exports the rows as JSON
                 to S3 (--unload, an empty s3:// prefix) for 'iam-alerts replay'
  --sql lake     the same filter as SQL for a CloudTrail Lake event data store (--table: its ID)`;

const parse = (args: string[]) =>
  parseCliArgs({
    args,
    strict: true,
    allowPositionals: false,
    options: {
      rule: { type: 'string' },
      preset: { type: 'string' },
      sql: { type: 'string' },
      table: { type: 'string' },
      unload: { type: 'string' },
      'delivery-parameters': { type: 'string' },
      ...OWN_KEYS_OPTION,
    },
  }).values;

/** `iam-alerts patterns`: prints `PRESETS[name]` as JSON, or as Athena / CloudTrail Lake SQL. */
export const patternsCommand: Command = {
  name: 'patterns',
  summary:
    'print the EventBridge pattern of a deployed rule (or a preset as SQL for Athena / CloudTrail Lake)',
  usage,
  async run(args: string[], io: CliIo): Promise<number> {
    const values = parse(args);
    const rule = (values.rule ?? 'preset') as RuleName;
    if (!RULES.includes(rule))
      throw new UsageError(`unknown rule '${values.rule}' (one of ${RULES.join(', ')})`);
    const parameters = values['delivery-parameters'];
    if (parameters !== undefined && rule !== 'delivery-parameters')
      throw new UsageError('--delivery-parameters only applies with --rule delivery-parameters');
    const keys = parseOwnKeys(values['own-keys']);
    if (keys !== undefined && rule !== 'own-keys')
      throw new UsageError('--own-keys only applies with --rule own-keys');
    if (keys === undefined && rule === 'own-keys')
      throw new UsageError('--rule own-keys needs --own-keys ARN,... (the keys exist only once deployed)');
    if (rule !== 'preset') {
      if (values.preset !== undefined) throw new UsageError('--preset only applies with --rule preset');
      if (values.sql !== undefined || values.table !== undefined || values.unload !== undefined)
        throw new UsageError('--sql is derived (and proven on DuckDB) for the presets only');
      const names = parameters === undefined ? [] : parameters.split(',').map((name) => name.trim());
      io.stdout.write(`${JSON.stringify(patternOfRule(rule, names.filter(Boolean), keys ?? []), null, 2)}\n`);
      return EXIT.ok;
    }
    const preset = values.preset ?? DEFAULT_PRESET;
    if (!isPresetName(preset))
      throw new UsageError(`unknown preset '${preset}' (one of ${PRESET_NAMES.join(', ')})`);
    if (values.sql === undefined) {
      if (values.table !== undefined) throw new UsageError('--table only applies with --sql');
      if (values.unload !== undefined) throw new UsageError('--unload only applies with --sql athena');
      io.stdout.write(`${JSON.stringify(PRESETS[preset], null, 2)}\n`);
      return EXIT.ok;
    }
    if (values.sql !== 'athena' && values.sql !== 'lake') {
      throw new UsageError(`--sql takes athena or lake, not '${values.sql}'`);
    }
    const dialect: SqlDialect = values.sql;
    if (values.table !== undefined && !isValidSqlTable(values.table, dialect)) {
      throw new UsageError(
        dialect === 'athena'
          ? `--table takes a table name or database.table (letters, digits, _), not '${values.table}'`
          : `--table takes an event data store ID (letters, digits, -), not '${values.table}'`,
      );
    }
    if (values.unload !== undefined && dialect !== 'athena')
      throw new UsageError('--unload only applies with --sql athena');
    if (
      values.unload !== undefined &&
      !/^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/[^'\\\s]*)?$/.test(values.unload)
    )
      throw new UsageError(`--unload takes an s3://bucket/prefix/ location, not '${values.unload}'`);
    const options = {
      ...(values.table ? { table: values.table } : {}),
      excludeReadOnly: !needsReadOnlyEvents(preset),
    };
    const sql = patternToSql(PRESETS[preset], { dialect, ...options });
    const where = dialect === 'athena' ? "Athena's CloudTrail table" : 'a CloudTrail Lake event data store';
    io.stdout.write(
      `-- iam-change-alerts preset '${preset}' as SQL for ${where}, derived from the deployed pattern.\n` +
        '-- Add a time range (partition columns in Athena, eventTime in Lake) to bound the scan.\n' +
        `${sql};\n`,
    );
    if (dialect === 'athena') {
      const location = values.unload ?? EXAMPLE_UNLOAD;
      io.stdout.write(
        '\n-- To replay the rows: export them as JSON to an empty S3 prefix, copy them down, replay every file.\n' +
          `${patternToUnload(PRESETS[preset], { ...options, location })};\n` +
          `-- aws s3 cp --recursive ${location.endsWith('/') ? location : `${location}/`} ./athena-rows/\n` +
          `-- iam-alerts replay --preset ${preset} --preset-only ./athena-rows/*\n`,
      );
    }
    return EXIT.ok;
  },
};
