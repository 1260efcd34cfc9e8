// A ReleaseOperations that records what it was asked and answers from a fixed view: for testing the transport.
import type { AbortInput, AbortResult } from '#app/abort-release.ts';
import { describeRelease, type ReleaseClock } from '#app/describe-release.ts';
import type { ApprovalAnswer, ApprovalAnswerResult, ReleaseOperations } from '#operator/operations.ts';
import { summarise } from '#operator/operations.ts';
import type { MemoryReleaseStore } from '#local/adapters/memory-release-store.ts';
import { approvalTask, record, seededStore, verdictRecord } from './support.ts';

export class FakeOperations implements ReleaseOperations {
  readonly where = 'test cloud <fake>';
  readonly answers: ApprovalAnswer[] = [];
  readonly aborts: AbortInput[] = [];
  /** `simulated` makes it a release of the embedded cloud (ReleaseView.clock). */
  clock: ReleaseClock | undefined;

  /** By default the store holds one release waiting for approval after a HOLD verdict. */
  constructor(readonly store: MemoryReleaseStore = seededStore([record()], [approvalTask()], [verdictRecord(0, 'HOLD', '2026-11-24T12:00:00.000Z')])) {}

  async listReleases() {
    return (await this.store.listReleases()).map((record) => summarise(record, this.clock));
  }
  async describeRelease(releaseId: string) {
    return { ...(await describeRelease({ store: this.store }, releaseId)), ...(this.clock && { clock: this.clock }) };
  }
  async answerApproval(answer: ApprovalAnswer): Promise<ApprovalAnswerResult> {
    this.answers.push(answer);
    return this.answers.length === 1
      ? { outcome: answer.answer === 'approve' ? 'approved' : 'rejected', answered: true, message: `${answer.releaseId} ${answer.answer}d` }
      : { outcome: 'replayed', answered: false, message: `${answer.releaseId} was already answered` };
  }
  async abortRelease(input: AbortInput): Promise<AbortResult> {
    this.aborts.push(input);
    return { outcome: 'aborted', message: `${input.releaseId} aborted`, status: 'ABORTED', canceledJobIds: [] };
  }
  async close() {}
}
