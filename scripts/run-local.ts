// `npm start`: runs the real notifier handler over the sample events in events/, offline.
// With no ALERT_TOPIC_ARN the publisher prints each alert instead of publishing it; with no AWS
// account, IAM enrichment is off unless IAM_ENRICHMENT says otherwise. A configuration error is one line, exit 1.
import { readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ConfigError, describeError } from '../shared/errors.js';
import { createLambdaContext } from './lambda-context.js';

process.env.IAM_ENRICHMENT ??= 'off';
process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
// One EMF line per alert would bury the alerts printed here.
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';

/** Loads the handler: its config is read at import, so a bad variable fails here, as at a Lambda cold start. */
const loadHandler = async () => {
  try {
    return (await import('../functions/notifier/handler.js')).handler;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${describeError(error)}\n`);
    process.exit(1);
  }
};

const paths = process.argv.slice(2);
const dir = resolve('events');
const files =
  paths.length > 0
    ? paths.map((p) => resolve(p))
    : (await readdir(dir))
        .filter((f) => f.endsWith('.json'))
        .sort()
        .map((f) => join(dir, f));

const handler = await loadHandler();
const counts = new Map<string, number>();
let failed = 0;
for (const file of files) {
  try {
    const event: unknown = JSON.parse(await readFile(file, 'utf8'));
    const result = (await handler(event, createLambdaContext('notifier'))) as { severity: string };
    counts.set(result.severity, (counts.get(result.severity) ?? 0) + 1);
  } catch (error) {
    failed += 1;
    process.stderr.write(`${file}: ${(error as Error).message}\n`);
  }
}
const bySeverity = ['critical', 'high', 'medium', 'low', 'info']
  .filter((s) => counts.has(s))
  .map((s) => `${counts.get(s)} ${s}`)
  .join(', ');
process.stdout.write(
  `\n${files.length - failed} alert(s) from ${files.length} event(s): ${bySeverity || 'none'}${failed ? `; ${failed} failed` : ''}\n`,
);
process.exitCode = failed > 0 ? 1 : 0;
