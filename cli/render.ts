// `iam-alerts render`: the notifier's parse → classify → enrich (offline) → format, printed.
import { createAlert } from '../shared/domain/alert.js';
import { parseIamEvent } from '../shared/domain/cloudtrail.js';
import type { Alert } from '../shared/domain/types.js';
import { describeError } from '../shared/errors.js';
import { formatSnsMessage } from '../shared/format/sns-message.js';
import { expandInputs, type InputLocation, readInputs } from './input/read-inputs.js';
import {
  type CliIo,
  type Command,
  DELIVERY_PARAMETERS_OPTION,
  EXIT,
  knownDeliveryParameters,
  OWN_KEYS_OPTION,
  parseCliArgs,
  parseDeliveryParameters,
  parseOwnKeys,
  UsageError,
} from './io.js';
import { applyRules, type ReplayRules, type RulesOutcome } from './replay/rules-config.js';
import { readRulesFile } from './rules-file.js';

const FORMATS = ['text', 'json', 'sns', 'slack', 'jira'] as const;
type Format = (typeof FORMATS)[number];

const usage = `usage: iam-alerts render [--format text|json|sns|slack|jira] [--config alerts.yml]
                         [--delivery-parameters NAME,...] [--own-keys ARN,...] [FILE|-]...

Renders each CloudTrail record or EventBridge event as the alert the notifier would publish,
with the notifier's own code, offline (no IAM API calls: managed policy details are noted as not fetched).

input:   a CloudTrail record, an EventBridge event, a CloudTrail log file ({"Records": [...]}),
         a JSON array of these, or JSON Lines of any of them, plain or gzipped; '-' or no FILE reads stdin
--format text   the e-mail: subject line, then the plain-text body (default)
         json   the JSON alert machine subscribers receive, one per line
         sns    exactly the input of SNS PublishCommand (TopicArn aside), one per line
         slack  the Slack incoming-webhook payload (Block Kit), one per line
         jira   the Jira Cloud create-issue body (ADF description), one per line
--jira-project KEY   project key for --format jira (default IAM)
--jira-issue-type T  issue type for --format jira (default Task)
--config F      what the rules file does to each alert: which suppress rule hides it, the burst it joins, its routes
                (text: one more line after the body; json: the fields suppressedBy, group, routes); a problem in
                the file is an error (exit 2), an expired rule a warning; its routes' slack webhooks are delivery
                parameters (below)
--delivery-parameters NAME,...   the values of SlackWebhookUrlParameter, SlackBotTokenParameter and
                JiraApiTokenParameter: an SSM PutParameter, DeleteParameter or DeleteParameters on one of them (or a
                route's webhook) is the critical parameter guard rail, as the notifier classifies it; without names
                such a call is an ordinary low change whose reason says when it would be the guard rail
--own-keys ARN,...   the key ARNs of AlertTopicKey and OperationsTopicKey: a KMS DisableKey, ScheduleKeyDeletion or
                PutKeyPolicy on one of them (by key ID or key ARN) is the critical key guard rail, as the notifier
                classifies it; without keys such a call is an ordinary low change whose reason says when it would be
                the guard rail (a key alias never is: these calls take none)

exit: 0 every event rendered; 1 some input rejected (reasons on stderr, with file and line); 2 usage error`;

/** The `--config` line of the text format: what the rules file named `file` does to the alert. */
export const formatRulesLine = (file: string, outcome: RulesOutcome, reason: string | null): string => {
  const hidden =
    outcome.suppressedBy === null
      ? 'not hidden'
      : `hidden by suppress rule ${outcome.suppressedBy}${reason ? ` (${reason})` : ''}`;
  const group = outcome.group === null ? 'delivered on its own' : `grouped with ${outcome.group}`;
  return `${file}: ${hidden}; ${group}; routes: ${outcome.routes.join(', ')}\n`;
};

const renderOne = async (
  alert: Alert,
  format: Format,
  jira: { projectKey: string; issueType: string },
  rules?: { file: string; outcome: RulesOutcome },
) => {
  switch (format) {
    case 'text': {
      const message = formatSnsMessage(alert);
      const line = rules ? formatRulesLine(rules.file, rules.outcome, rules.outcome.decision.reason) : '';
      return `Subject: ${message.Subject}\n\n${message.Message}${line}${'─'.repeat(100)}\n`;
    }
    case 'json': {
      if (!rules) return `${JSON.stringify(alert)}\n`;
      const { suppressedBy, group, routes } = rules.outcome;
      return `${JSON.stringify({ ...alert, suppressedBy, group, routes })}\n`;
    }
    case 'sns':
      return `${JSON.stringify(formatSnsMessage(alert))}\n`;
    case 'slack': {
      const { formatSlackMessage } = await import('../shared/format/slack-blocks.js');
      return `${JSON.stringify(formatSlackMessage(alert))}\n`;
    }
    case 'jira': {
      const { formatJiraIssue } = await import('../shared/format/jira-adf.js');
      return `${JSON.stringify(formatJiraIssue(alert, jira))}\n`;
    }
  }
};

/** `file`, `file:line`: where an input item is, as render's messages name it. */
const whereOf = (location: InputLocation): string =>
  location.line === undefined ? location.source : `${location.source}:${location.line}`;

/** The `render` command. */
export const renderCommand: Command = {
  name: 'render',
  summary: 'render events as alerts',
  usage,
  async run(args: string[], io: CliIo): Promise<number> {
    const parsed = parseCliArgs({
      args,
      allowPositionals: true,
      options: {
        format: { type: 'string', short: 'f', default: 'text' },
        'jira-project': { type: 'string', default: 'IAM' },
        'jira-issue-type': { type: 'string', default: 'Task' },
        config: { type: 'string' },
        ...DELIVERY_PARAMETERS_OPTION,
        ...OWN_KEYS_OPTION,
      },
    });
    const format = parsed.values.format as Format;
    if (!FORMATS.includes(format))
      throw new UsageError(`unknown format '${format}' (use ${FORMATS.join(', ')})`);
    const configPath = parsed.values.config;
    if (configPath !== undefined && format !== 'text' && format !== 'json')
      throw new UsageError(`--config shows its outcome in the text and json formats, not '${format}'`);
    parseDeliveryParameters(parsed.values['delivery-parameters']);
    const ownKeys = parseOwnKeys(parsed.values['own-keys']);
    let config: ReplayRules | undefined;
    if (configPath !== undefined) {
      config = await readRulesFile(configPath, io, 'render');
      if (!config) return EXIT.usage;
    }
    // As the notifier classifies with DELIVERY_PARAMETERS; none known: no SSM write is called the guard rail.
    const deliveryParameters = knownDeliveryParameters(
      parsed.values['delivery-parameters'],
      config?.config.routes,
    );
    // As with OWN_KEYS; none known: no KMS key call is called the guard rail.
    const classifyOptions = {
      ...(deliveryParameters ? { deliveryParameters } : {}),
      ...(ownKeys ? { ownKeys } : {}),
    };
    const jira = {
      projectKey: parsed.values['jira-project'] ?? 'IAM',
      issueType: parsed.values['jira-issue-type'] ?? 'Task',
    };

    let rejected = 0;
    const render = async (value: unknown, where: string): Promise<void> => {
      try {
        const alert = await createAlert(parseIamEvent(value), classifyOptions);
        const rules =
          config && configPath !== undefined
            ? { file: configPath, outcome: applyRules(alert, config) }
            : undefined;
        io.stdout.write(await renderOne(alert, format, jira, rules));
      } catch (error) {
        rejected += 1;
        io.stderr.write(`${where}: rejected: ${describeError(error)}\n`);
      }
    };
    const paths = parsed.positionals.length > 0 ? parsed.positionals : ['-'];
    const { files, problems } = await expandInputs(paths, io.cwd);
    for (const problem of problems) {
      rejected += 1;
      io.stderr.write(`${problem.source}: ${problem.message}\n`);
    }
    for await (const item of readInputs(files, { cwd: io.cwd, stdin: io.stdin, stdinSource: '<stdin>' })) {
      switch (item.kind) {
        case 'problem':
          rejected += 1;
          io.stderr.write(`${whereOf(item)}: ${item.message}\n`);
          break;
        case 'record':
          await render(item.value, whereOf(item));
          break;
        case 'records': {
          const where = whereOf(item);
          const container = item.container === 'Records' ? 'Records' : '';
          for (const [index, value] of item.values.entries())
            await render(value, `${where}#${container}[${index}]`);
          break;
        }
        default:
          break;
      }
    }
    return rejected > 0 ? EXIT.rejected : EXIT.ok;
  },
};
