// The lanes of an assessment's run queue (run-queue.ts): this thread, or worker threads for the other cores. A worker
// gets the release as plain data once (structured clone: the validated request is plain objects, arrays, strings and
// numbers), builds its own blueprint and scenarios from it, and then runs one run per message.
import { Worker } from 'node:worker_threads';
import type { ReleaseRequest } from '#domain/release-request.ts';
import { loadBlueprint } from '../local-cloud.ts';
import { runOnce, type RunResult } from './run-once.ts';
import type { RunJob, RunLane } from './run-queue.ts';
import { assessmentScenarios, type Scenario } from './scenarios.ts';

/** What every run of one assessment shares; what a worker is started with. */
export interface AssessSetup {
  request: ReleaseRequest;
  devices: number;
  baseDir: string;
  /** The scenarios' names, in order (each side rebuilds the scenarios from the request). */
  scenarios: string[];
}

/** A worker's reply to one run. */
export type WorkerReply = { kind: 'result'; result: RunResult } | { kind: 'failed'; error: { name: string; message: string; stack?: string } };

// From the sources (a checkout through tsx, the tests) this module is a .ts file and its worker starts through a
// bootstrap that registers tsx first: a worker thread does not inherit the loader that bin/ota-release.mjs registers
// with module.register (Node 20). In the compiled CLI every chunk sits flat in dist/ beside the worker's own entry point
// (scripts/build-cli.mjs), so the same relative URL finds it.
const FROM_SOURCES = import.meta.url.endsWith('.ts');
export const WORKER_ENTRY = new URL(FROM_SOURCES ? './assess-worker-tsx.mjs' : './assess-worker.js', import.meta.url);

/** Runs in this thread: the blueprint and scenarios built once, each run awaited in turn. */
export async function inThreadLane(setup: AssessSetup): Promise<RunLane> {
  const runSetup = { ...setup, blueprint: await loadBlueprint() };
  const scenarios = scenariosByName(setup);
  return {
    run: (job) => runOnce(runSetup, scenarioOf(scenarios, job), job.seed),
    close: async () => {},
  };
}

/** Runs in a worker thread of its own; `close` terminates it (a run still going is dropped and rejects). */
export function workerLane(setup: AssessSetup, entry: URL = WORKER_ENTRY): RunLane {
  const worker = new Worker(entry, { workerData: setup });
  let pending: { resolve: (result: RunResult) => void; reject: (error: Error) => void } | undefined;
  let ended: Error | undefined;
  const end = (error: Error) => {
    ended ??= error;
    pending?.reject(ended);
    pending = undefined;
  };
  worker.on('message', (reply: WorkerReply) => {
    const waiting = pending;
    pending = undefined;
    if (reply.kind === 'result') waiting?.resolve(reply.result);
    else waiting?.reject(revive(reply.error));
  });
  // An error no run caught (the worker's modules failed to load, say), then its exit: the run waiting fails with it.
  worker.on('error', end);
  worker.on('exit', (code) => end(new Error(`the worker thread ended (exit code ${code})`)));
  return {
    run(job) {
      if (ended) return Promise.reject(ended);
      return new Promise((resolve, reject) => {
        pending = { resolve, reject };
        worker.postMessage(job);
      });
    },
    async close() {
      await worker.terminate();
    },
  };
}

export function scenariosByName(setup: Pick<AssessSetup, 'request' | 'scenarios'>): Map<string, Scenario> {
  return new Map(assessmentScenarios(setup.request, setup.scenarios).map((scenario) => [scenario.name, scenario]));
}

export function scenarioOf(scenarios: ReadonlyMap<string, Scenario>, job: RunJob): Scenario {
  const scenario = scenarios.get(job.scenario);
  if (!scenario) throw new Error(`no scenario named ${job.scenario} in this assessment`);
  return scenario;
}

/** The error a worker sent, as an Error with its name, message and stack (its class stays in the worker). */
function revive(sent: { name: string; message: string; stack?: string }): Error {
  const error = new Error(sent.message);
  error.name = sent.name;
  if (sent.stack) error.stack = sent.stack;
  return error;
}
