// A worker thread of `assess` (started by worker-pool.ts): loads the workflow blueprint and builds the scenarios once,
// then runs one run per message and replies with its result or its error. The pool sends the next run only after the
// reply, so runs never overlap here. Entry point of the compiled CLI's dist/assess-worker.js (scripts/build-cli.mjs).
import { parentPort, workerData } from 'node:worker_threads';
import { loadBlueprint } from '../local-cloud.ts';
import { runOnce } from './run-once.ts';
import type { RunJob } from './run-queue.ts';
import { type AssessSetup, scenarioOf, scenariosByName, type WorkerReply } from './worker-pool.ts';

const port = parentPort;
if (!port) throw new Error('assess-worker.ts runs as a worker thread of assess');
const setup = workerData as AssessSetup;
// Started at once, so loading overlaps the first message's trip; a failure here fails the first run with its message.
const ready = loadBlueprint().then((blueprint) => ({ runSetup: { ...setup, blueprint }, scenarios: scenariosByName(setup) }));
// Without a handler the rejection would end the worker before a run could report it.
ready.catch(() => {});

port.on('message', async (job: RunJob) => {
  let reply: WorkerReply;
  try {
    const { runSetup, scenarios } = await ready;
    reply = { kind: 'result', result: await runOnce(runSetup, scenarioOf(scenarios, job), job.seed) };
  } catch (error) {
    const failed = error instanceof Error ? error : new Error(String(error));
    reply = { kind: 'failed', error: { name: failed.name, message: failed.message, ...(failed.stack ? { stack: failed.stack } : {}) } };
  }
  port.postMessage(reply);
});
