// ReleaseOperations over a saved state directory (what `simulate --keep` left, with no process running it any more):
// everything can be read; nothing can be answered, because the workflow that would act on an answer is gone. A
// release left unfinished by a killed process can be aborted when the directory is known (interrupted-abort.ts).
// Each refusal says so in one line.
import type { AbortInput, AbortResult } from '#app/abort-release.ts';
import { describeRelease } from '#app/describe-release.ts';
import { isTerminal } from '#domain/status.ts';
import { systemClock } from '#ports/clock.ts';
import { MemoryReleaseStore, type ReleaseStoreSnapshot } from '../adapters/memory-release-store.ts';
import { ReadOnlyStateError } from './errors.ts';
import { abortInterrupted } from './interrupted-abort.ts';
import { type ApprovalAnswer, type ApprovalAnswerResult, type ReleaseOperations, summarise } from './operations.ts';

export function savedOperations(snapshot: ReleaseStoreSnapshot, where: string, stateDir?: string): ReleaseOperations {
  const store = new MemoryReleaseStore(systemClock);
  store.restore(snapshot);
  return {
    where,
    listReleases: async () => (await store.listReleases()).map(summarise),
    describeRelease: (releaseId) => describeRelease({ store }, releaseId),
    answerApproval: async (answer: ApprovalAnswer): Promise<ApprovalAnswerResult> => {
      const record = await store.getRelease(answer.releaseId);
      if (!record) return { outcome: 'unknown-release', answered: false, message: `no release named ${answer.releaseId}` };
      if (isTerminal(record.status)) return { outcome: 'finished', answered: false, message: `${record.releaseId} already ended ${record.status}; there is nothing to ${answer.answer}` };
      if (record.status !== 'AWAITING_APPROVAL') return { outcome: 'not-waiting', answered: false, message: `${record.releaseId} is ${record.status}, not waiting for an approval` };
      return {
        outcome: 'not-live',
        answered: false,
        message: `${record.releaseId} waits for an approval, but the process that ran it has stopped, so nothing can resume it; run it with \`ota-release start\` (or simulate --approve external --keep) and answer while it runs`,
      };
    },
    abortRelease: async (input: AbortInput): Promise<AbortResult> => {
      const record = await store.getRelease(input.releaseId);
      if (!record) return { outcome: 'unknown-release', message: `no release named ${input.releaseId}`, canceledJobIds: [] };
      if (isTerminal(record.status)) return { outcome: 'already-ended', message: `${record.releaseId} already ended ${record.status}; nothing to abort`, status: record.status, canceledJobIds: [] };
      if (stateDir !== undefined) return abortInterrupted(stateDir, input);
      throw new ReadOnlyStateError(`${record.releaseId} is saved as ${record.status}, but the process that ran it has stopped; there is nothing left running to abort`);
    },
    close: async () => {},
  };
}
