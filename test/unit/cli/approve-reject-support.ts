// A two-wave release on the project's in-memory store, with a workflow stand-in that does what the real one does
// after an approval: promote, run the next wave, judge it, and wait for the next approval. That is the situation in
// which a replayed `approve` used to answer the next wave.
import type { Command } from 'commander';
import type { Ask } from '#cli/target/ask.ts';
import type { OperatorDeps } from '#cli/target/run.ts';
import type { MemoryReleaseStore } from '#local/adapters/memory-release-store.ts';
import { httpOperations } from '#operator/client.ts';
import type { ReleaseOperations } from '#operator/operations.ts';
import { portsOperations } from '#operator/ports-operations.ts';
import { type ControlServer, startControlServer } from '#operator/server.ts';
import type { Ports } from '#ports/index.ts';
import type { WorkflowCallbacks } from '#ports/workflow.ts';
import { FakeJobs, FakeWorkflow, RecordingNotifier, approvalTask, fixedClock, record, request, seededStore, verdictRecord } from '../operator/support.ts';

export const CANARY_VERDICT_AT = '2026-11-24T12:00:00.000Z';
export const EARLY_VERDICT_AT = '2026-11-24T12:40:00.000Z';

const twoManualWaves = () =>
  request({
    stages: [
      { name: 'canary', targets: { percent: 1 }, bake: '2h', approval: 'manual' },
      { name: 'early', targets: { percent: 100 }, bake: '1h', approval: 'manual' },
    ],
  });

/** Records the answers the workflow received; an approval moves the release on to wait at the next wave. */
export class AdvancingWorkflow implements WorkflowCallbacks {
  readonly calls: { kind: 'succeed' | 'fail'; token: string }[] = [];
  constructor(private readonly store: MemoryReleaseStore) {}

  async succeed(token: string) {
    this.calls.push({ kind: 'succeed', token });
    if (token === 'token-0') await moveToEarly(this.store);
  }
  async fail(token: string) {
    this.calls.push({ kind: 'fail', token });
  }
}

/** What the workflow does after canary is approved: early runs, is judged, and waits for its own approval. */
export async function moveToEarly(store: MemoryReleaseStore): Promise<void> {
  await store.updateRelease('fw-2-4-0', (current) => ({
    ...current,
    stageIndex: 1,
    stages: [...current.stages.map((stage) => ({ ...stage, outcome: 'promoted' as const })), { index: 1, name: 'early', jobId: 'fw-2-4-0-s1', targeted: 2000, createdAt: '2026-11-24T12:10:00.000Z' }],
  }));
  await store.appendDecision(verdictRecord(1, 'PROMOTE', EARLY_VERDICT_AT));
  await store.putPendingTask(approvalTask({ stageIndex: 1, token: 'token-1', createdAt: EARLY_VERDICT_AT }));
}

export interface TwoWaves {
  store: MemoryReleaseStore;
  workflow: AdvancingWorkflow;
  /** The operations the CLI gets: the live process's control server, reached over loopback HTTP. */
  operations: ReleaseOperations;
  server: ControlServer;
  close(): Promise<void>;
}

/** The release waits at canary (its HOLD verdict recorded), served the way `ota-release start` serves it. */
export async function twoWavesWaitingAtCanary(): Promise<TwoWaves> {
  const store = seededStore([record({ request: twoManualWaves() })], [approvalTask()], [verdictRecord(0, 'HOLD', CANARY_VERDICT_AT)]);
  const workflow = new AdvancingWorkflow(store);
  const unused = () => {
    throw new Error('not used');
  };
  const ports: Ports = {
    store,
    jobs: new FakeJobs(),
    health: { read: unused },
    workflow: new FakeWorkflow(),
    notifier: new RecordingNotifier(),
    callbacks: workflow,
    clock: fixedClock(),
    firmware: { put: unused, documentUrl: unused, putManifest: unused },
    signer: { sign: unused },
    events: { publish: unused },
  };
  const server = await startControlServer({ operations: portsOperations(ports, 'test'), token: 'test-token-0123456789', operator: 'dashboard:tester' });
  return { store, workflow, server, operations: httpOperations({ url: server.url, token: 'test-token-0123456789' }, 'test'), close: () => server.close() };
}

type Register = (program: Command, setExitCode: (code: number) => void, deps: OperatorDeps) => void;

/** The same command, run as if on an interactive terminal whose operator types what `ask` returns. */
export function onTerminal(register: Register, ask: Ask): Register {
  return (program, setExitCode, deps) => register(program, setExitCode, { ...deps, io: { ...deps.io, ask } });
}
