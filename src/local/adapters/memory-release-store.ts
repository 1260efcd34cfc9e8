// ReleaseStore in memory, with the DynamoDB adapter's rules: create-if-absent, single-use pending tasks, event ids and
// nonces remembered for a TTL on the shared clock. `snapshot` / `restore` move it to and from a state directory.
import type { DecisionRecord } from '#domain/decision.ts';
import type { Clock } from '#ports/clock.ts';
import { NotFoundError } from '#ports/errors.ts';
import type { PendingTask, ReleaseRecord, ReleaseStore, WaitKind } from '#ports/release-store.ts';

export interface ReleaseStoreSnapshot {
  releases: ReleaseRecord[];
  pendingTasks: PendingTask[];
  decisions: DecisionRecord[];
}

export class MemoryReleaseStore implements ReleaseStore {
  private readonly releases = new Map<string, ReleaseRecord>();
  private readonly pending = new Map<string, PendingTask>();
  private readonly decisions = new Map<string, DecisionRecord[]>();
  private readonly seen = new Map<string, number>();
  private readonly nonces = new Map<string, number>();

  constructor(private readonly clock: Clock) {}

  async createRelease(record: ReleaseRecord): Promise<{ record: ReleaseRecord; created: boolean }> {
    const existing = this.releases.get(record.releaseId);
    if (existing) return { record: clone(existing), created: false };
    this.releases.set(record.releaseId, clone(record));
    return { record: clone(record), created: true };
  }

  async getRelease(releaseId: string): Promise<ReleaseRecord | undefined> {
    const record = this.releases.get(releaseId);
    return record && clone(record);
  }

  async updateRelease(releaseId: string, change: (current: ReleaseRecord) => ReleaseRecord): Promise<ReleaseRecord> {
    const current = this.releases.get(releaseId);
    if (!current) throw new NotFoundError(`no release ${releaseId}`);
    const next = change(clone(current));
    this.releases.set(releaseId, clone(next));
    return clone(next);
  }

  async listReleases(): Promise<ReleaseRecord[]> {
    return [...this.releases.values()].map(clone);
  }

  async putPendingTask(task: PendingTask): Promise<void> {
    this.pending.set(key(task.releaseId, task.kind), { ...task });
  }

  async getPendingTask(releaseId: string, kind: WaitKind): Promise<PendingTask | undefined> {
    const task = this.pending.get(key(releaseId, kind));
    return task && { ...task };
  }

  async findPendingTaskByJob(jobId: string): Promise<PendingTask | undefined> {
    for (const task of this.pending.values()) if (task.jobId === jobId) return { ...task };
    return undefined;
  }

  async takePendingTask(releaseId: string, kind: WaitKind, token: string): Promise<boolean> {
    const k = key(releaseId, kind);
    if (this.pending.get(k)?.token !== token) return false;
    this.pending.delete(k);
    return true;
  }

  async appendDecision(record: DecisionRecord): Promise<void> {
    let list = this.decisions.get(record.releaseId);
    if (!list) this.decisions.set(record.releaseId, (list = []));
    list.push(clone(record));
  }

  async listDecisions(releaseId: string): Promise<DecisionRecord[]> {
    return (this.decisions.get(releaseId) ?? []).map(clone);
  }

  async markEventSeen(eventId: string, ttlSeconds: number): Promise<boolean> {
    return remember(this.seen, eventId, ttlSeconds, this.clock.now().getTime());
  }

  async forgetEvent(eventId: string): Promise<void> {
    this.seen.delete(eventId);
  }

  async useNonce(nonce: string, ttlSeconds: number): Promise<boolean> {
    return remember(this.nonces, nonce, ttlSeconds, this.clock.now().getTime());
  }

  snapshot(): ReleaseStoreSnapshot {
    return {
      releases: [...this.releases.values()].map(clone),
      pendingTasks: [...this.pending.values()].map((task) => ({ ...task })),
      decisions: [...this.decisions.values()].flat().map(clone),
    };
  }

  restore(snapshot: ReleaseStoreSnapshot): void {
    for (const record of snapshot.releases) this.releases.set(record.releaseId, clone(record));
    for (const task of snapshot.pendingTasks) this.pending.set(key(task.releaseId, task.kind), { ...task });
    for (const decision of snapshot.decisions) {
      let list = this.decisions.get(decision.releaseId);
      if (!list) this.decisions.set(decision.releaseId, (list = []));
      list.push(clone(decision));
    }
  }
}

function remember(map: Map<string, number>, id: string, ttlSeconds: number, now: number): boolean {
  const expiresAt = map.get(id);
  if (expiresAt !== undefined && expiresAt > now) return false;
  map.set(id, now + ttlSeconds * 1000);
  return true;
}

function key(releaseId: string, kind: WaitKind): string {
  return `${releaseId}#${kind}`;
}

/** Records are JSON data; a JSON copy keeps them plain objects of this realm (structuredClone does not, under jest). */
function clone<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
