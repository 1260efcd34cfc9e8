// The release store of a run that keeps its state (`simulate --keep`, `start`): the in-memory store, and after
// every change to a release (created, status or stage updated, a task token stored or taken, a decision appended)
// that release's file in the state directory written durably, before the change is acknowledged to its caller.
// A SIGKILL or a power cut at any moment leaves the release as it was at its last completed step; writes are
// serialised, so the file never goes back in time.
import type { DecisionRecord } from '#domain/decision.ts';
import type { Clock } from '#ports/clock.ts';
import type { PendingTask, ReleaseRecord, WaitKind } from '#ports/release-store.ts';
import { saveRelease } from '../state-dir.ts';
import { MemoryReleaseStore } from './memory-release-store.ts';

export class DurableReleaseStore extends MemoryReleaseStore {
  private writes: Promise<unknown> = Promise.resolve();
  /** Files written: one per acknowledged change. */
  saves = 0;

  constructor(
    clock: Clock,
    private readonly dir: string,
  ) {
    super(clock);
  }

  override async createRelease(record: ReleaseRecord): Promise<{ record: ReleaseRecord; created: boolean }> {
    const result = await super.createRelease(record);
    if (result.created) await this.persist(record.releaseId);
    return result;
  }

  override async updateRelease(releaseId: string, change: (current: ReleaseRecord) => ReleaseRecord): Promise<ReleaseRecord> {
    const next = await super.updateRelease(releaseId, change);
    await this.persist(releaseId);
    return next;
  }

  override async putPendingTask(task: PendingTask): Promise<void> {
    await super.putPendingTask(task);
    await this.persist(task.releaseId);
  }

  override async takePendingTask(releaseId: string, kind: WaitKind, token: string): Promise<boolean> {
    const taken = await super.takePendingTask(releaseId, kind, token);
    if (taken) await this.persist(releaseId);
    return taken;
  }

  override async appendDecision(record: DecisionRecord): Promise<void> {
    await super.appendDecision(record);
    await this.persist(record.releaseId);
  }

  /** Resolves once every write queued so far is on disk (or has failed). */
  settled(): Promise<void> {
    return this.writes.then(() => undefined);
  }

  /** Writes the release as it is now, after every write queued before it. */
  private persist(releaseId: string): Promise<void> {
    const write = this.writes.then(async () => {
      const snapshot = this.snapshot();
      const release = snapshot.releases.find((r) => r.releaseId === releaseId);
      if (!release) return;
      await saveRelease(this.dir, {
        release,
        pendingTasks: snapshot.pendingTasks.filter((task) => task.releaseId === releaseId),
        decisions: snapshot.decisions.filter((decision) => decision.releaseId === releaseId),
      });
      this.saves += 1;
    });
    this.writes = write.catch(() => undefined);
    return write;
  }
}
