// `iam-alerts`: render, replay and inspect alerts offline, with the code the Lambda runs.
import { type CliIo, type Command, EXIT, UsageError } from './io.js';

/** Subcommands, loaded on demand so `iam-alerts patterns` does not pay for replay's imports. */
const COMMANDS: Record<string, { summary: string; load: () => Promise<Command> }> = {
  render: {
    summary: 'render CloudTrail records or EventBridge events as alerts (text, json, sns, slack, jira)',
    load: async () => (await import('./render.js')).renderCommand,
  },
  replay: {
    summary: 'replay CloudTrail log files through the deployed filter and classifier, and summarise',
    load: async () => (await import('./replay.js')).replayCommand,
  },
  'scp-impact': {
    summary: 'report the calls with EC2 instance credentials that the SCP (with a variant) would deny',
    load: async () => (await import('./scp-impact.js')).scpImpactCommand,
  },
  patterns: {
    summary:
      'print the EventBridge pattern of a deployed rule (or a preset as SQL for Athena / CloudTrail Lake)',
    load: async () => (await import('./patterns.js')).patternsCommand,
  },
};

const topUsage = (): string =>
  [
    'usage: iam-alerts <command> [options]',
    '',
    'commands:',
    ...Object.entries(COMMANDS).map(([name, { summary }]) => `  ${name.padEnd(9)} ${summary}`),
    '',
    "run 'iam-alerts <command> --help' for a command's options",
    '',
  ].join('\n');

/** Runs the CLI and resolves to its exit code. */
export const main = async (argv: string[], io: CliIo): Promise<number> => {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    (name === undefined ? io.stderr : io.stdout).write(topUsage());
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  const entry = COMMANDS[name];
  if (!entry) {
    io.stderr.write(`iam-alerts: unknown command '${name}'\n\n${topUsage()}`);
    return EXIT.usage;
  }
  const command = await entry.load();
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout.write(`${command.usage}\n`);
    return EXIT.ok;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`iam-alerts ${name}: ${error.message}\n\n${command.usage}\n`);
      return EXIT.usage;
    }
    throw error;
  }
};
