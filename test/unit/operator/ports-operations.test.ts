// The operator path end to end over ports: control server → HTTP → answer-approval / abort-release on a store.
import type { Ports } from '#ports/index.ts';
import type { ReleaseStore } from '#ports/release-store.ts';
import { TaskClosedError } from '#ports/errors.ts';
import { httpOperations } from '#operator/client.ts';
import { portsOperations } from '#operator/ports-operations.ts';
import { type ControlServer, startControlServer } from '#operator/server.ts';
import type { WorkflowCallbacks } from '#ports/workflow.ts';
import { FakeJobs, FakeWorkflow, RecordingNotifier, approvalTask, fixedClock, record, seededStore, verdictRecord } from './support.ts';

class RecordingCallbacks implements WorkflowCallbacks {
  readonly calls: { kind: 'succeed' | 'fail'; token: string; detail: unknown }[] = [];
  closed = false;
  async succeed(token: string, output: unknown) {
    if (this.closed) throw new TaskClosedError('TaskTimedOut: the task is closed');
    this.calls.push({ kind: 'succeed', token, detail: output });
  }
  async fail(token: string, error: string, cause: string) {
    this.calls.push({ kind: 'fail', token, detail: { error, cause } });
  }
}

function ports(store: ReleaseStore, clock = fixedClock()): Ports & { callbacks: RecordingCallbacks } {
  const unused = () => {
    throw new Error('not used');
  };
  return {
    store,
    jobs: new FakeJobs().set('fw-2-4-0-s0', { targeted: 100, succeeded: 97, failed: 3 }, 'COMPLETED'),
    health: { read: unused },
    workflow: new FakeWorkflow(),
    notifier: new RecordingNotifier(),
    callbacks: new RecordingCallbacks(),
    clock,
    firmware: { put: unused, documentUrl: unused, putManifest: unused },
    signer: { sign: unused },
    events: { publish: unused },
  };
}

describe('operations on ports, through the control server', () => {
  let server: ControlServer;
  afterEach(() => server?.close());

  async function client(p: Ports) {
    server = await startControlServer({ operations: portsOperations(p, 'test'), token: 't' });
    return httpOperations({ url: server.url, token: 't' }, 'test');
  }

  it('approves a waiting release once, records who and the evidence seen, and refuses the replay', async () => {
    const store = seededStore([record()], [approvalTask()], [verdictRecord(0, 'HOLD', '2026-11-24T12:00:00.000Z')]);
    const p = ports(store);
    const operations = await client(p);

    const first = await operations.answerApproval({ releaseId: 'fw-2-4-0', answer: 'approve', by: 'cli:alice', via: 'cli', comment: 'ok' });
    const replay = await operations.answerApproval({ releaseId: 'fw-2-4-0', answer: 'approve', by: 'cli:mallory', via: 'cli' });

    expect(first).toMatchObject({ outcome: 'approved', answered: true });
    expect(replay).toMatchObject({ outcome: 'not-waiting', answered: false });
    expect(replay.message).not.toContain('\n');
    expect(p.callbacks.calls).toEqual([{ kind: 'succeed', token: 'token-0', detail: { answer: 'approve', by: 'cli:alice', via: 'cli', comment: 'ok' } }]);
    expect(store.snapshot().decisions.filter((d) => d.kind === 'approval')).toEqual([
      expect.objectContaining({ answer: 'approve', by: 'cli:alice', via: 'cli', comment: 'ok', evidenceAt: '2026-11-24T12:00:00.000Z', at: '2026-11-24T13:00:00.000Z' }),
    ]);
  });

  it('rejects with ApprovalRejected and the reason', async () => {
    const p = ports(seededStore([record()], [approvalTask()]));
    const result = await (await client(p)).answerApproval({ releaseId: 'fw-2-4-0', answer: 'reject', by: 'dashboard:bob', via: 'dashboard', comment: 'reboots' });
    expect(result).toMatchObject({ outcome: 'rejected', answered: true });
    expect(p.callbacks.calls[0]).toMatchObject({ kind: 'fail', detail: { error: 'ApprovalRejected' } });
  });

  it.each([
    ['a release that is not waiting', [record({ status: 'IN_PROGRESS' })], [], fixedClock(), 'not-waiting'],
    ['a release that has ended', [record({ status: 'PROMOTED' })], [], fixedClock(), 'not-waiting'],
    ['an approval that expired', [record()], [approvalTask()], fixedClock('2026-11-26T00:00:00.000Z'), 'late'],
    ['an unknown release', [], [], fixedClock(), 'unknown-release'],
  ] as const)('refuses %s in one line and answers nothing', async (_, records, tasks, clock, outcome) => {
    const p = ports(seededStore([...records], [...tasks], [], clock), clock);

    const result = await (await client(p)).answerApproval({ releaseId: 'fw-2-4-0', answer: 'approve', by: 'cli:alice', via: 'cli' });

    expect(result).toMatchObject({ outcome, answered: false });
    expect(result.message).toMatch(/^[^\n]+$/);
    expect(p.callbacks.calls).toEqual([]);
  });

  it('says late when the workflow closed the wait before the answer reached it', async () => {
    const p = ports(seededStore([record()], [approvalTask()]));
    p.callbacks.closed = true;
    const result = await (await client(p)).answerApproval({ releaseId: 'fw-2-4-0', answer: 'approve', by: 'cli:alice', via: 'cli' });
    expect(result).toMatchObject({ outcome: 'late', answered: false });
  });

  it('aborts and lists through the same operations', async () => {
    const store = seededStore([record()], [approvalTask()]);
    const operations = await client(ports(store));

    const result = await operations.abortRelease({ releaseId: 'fw-2-4-0', by: 'cli:alice', reason: 'stop' });
    const [summary] = await operations.listReleases();

    expect(result).toMatchObject({ outcome: 'aborted', canceledJobIds: ['fw-2-4-0-s0'] });
    expect(summary).toMatchObject({ releaseId: 'fw-2-4-0', status: 'ABORTED', awaitingApproval: false });
  });
});
