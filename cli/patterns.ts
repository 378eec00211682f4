// `iam-alerts patterns`: the deployed EventBridge pattern of a preset, or the same filter as SQL.
import { parseArgs } from 'node:util';
import {
  DEFAULT_PRESET,
  isPresetName,
  needsReadOnlyEvents,
  PRESET_NAMES,
  PRESETS,
} from '../shared/domain/patterns.js';
import { type CliIo, type Command, EXIT, UsageError } from './io.js';
import { DEFAULT_SQL_TABLE, patternToSql, type SqlDialect } from './patterns/pattern-sql.js';

const usage = `usage: iam-alerts patterns [--preset ${PRESET_NAMES.join('|')}] [--sql athena|lake] [--table NAME]

Prints the EventBridge event pattern a preset deploys (default: ${DEFAULT_PRESET}), exactly as deployed.
  --sql athena   the same filter as SQL for Athena's CloudTrail table (--table, default ${DEFAULT_SQL_TABLE.athena})
  --sql lake     the same filter as SQL for a CloudTrail Lake event data store (--table: its ID)`;

const parse = (args: string[]) => {
  try {
    return parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        preset: { type: 'string' },
        sql: { type: 'string' },
        table: { type: 'string' },
      },
    }).values;
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
};

/** `iam-alerts patterns`: prints `PRESETS[name]` as JSON, or as Athena / CloudTrail Lake SQL. */
export const patternsCommand: Command = {
  name: 'patterns',
  summary: 'print the EventBridge pattern of a preset as deployed (or as SQL for Athena / CloudTrail Lake)',
  usage,
  async run(args: string[], io: CliIo): Promise<number> {
    const values = parse(args);
    const preset = values.preset ?? DEFAULT_PRESET;
    if (!isPresetName(preset))
      throw new UsageError(`unknown preset '${preset}' (one of ${PRESET_NAMES.join(', ')})`);
    if (values.sql === undefined) {
      if (values.table !== undefined) throw new UsageError('--table only applies with --sql');
      io.stdout.write(`${JSON.stringify(PRESETS[preset], null, 2)}\n`);
      return EXIT.ok;
    }
    if (values.sql !== 'athena' && values.sql !== 'lake') {
      throw new UsageError(`--sql takes athena or lake, not '${values.sql}'`);
    }
    const dialect: SqlDialect = values.sql;
    const sql = patternToSql(PRESETS[preset], {
      dialect,
      ...(values.table ? { table: values.table } : {}),
      excludeReadOnly: !needsReadOnlyEvents(preset),
    });
    const where = dialect === 'athena' ? "Athena's CloudTrail table" : 'a CloudTrail Lake event data store';
    io.stdout.write(
      `-- iam-change-alerts preset '${preset}' as SQL for ${where}, derived from the deployed pattern.\n` +
        '-- Add a time range (partition columns in Athena, eventTime in Lake) to bound the scan.\n' +
        `${sql};\n`,
    );
    return EXIT.ok;
  },
};
