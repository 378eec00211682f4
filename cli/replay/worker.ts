// A replay worker thread: replays whole files, one task at a time in the order they arrive (the main thread sends
// the next before this one is done, so the thread never waits for it), and sends back each file's aggregator state
// and `--jsonl` lines, which the main thread merges and prints in input order (cli/replay/parallel.ts).
import { parentPort } from 'node:worker_threads';
import { createAlert } from '../../shared/domain/alert.js';
import type { ReplayTask } from './parallel.js';
import { createFileReplayer } from './replay-file.js';

const replayFile = createFileReplayer(createAlert);
const port = parentPort;
let queue: Promise<void> = Promise.resolve();
port?.on('message', (task: ReplayTask) => {
  queue = queue.then(async () => port.postMessage(await replayFile(task)));
});
