// ReleaseOperations over a saved state directory (what `simulate --keep` left, with no process running it any more):
// everything can be read; nothing can be answered, because the workflow that would act on an answer is gone. A
// release left unfinished by a killed process can be aborted when the directory is known (interrupted-abort.ts).
// Each refusal says so in one line.
import type { AbortInput, AbortResult } from '#app/abort-release.ts';
import { describeRelease } from '#app/describe-release.ts';
import { isTerminal } from '#domain/status.ts';
import { systemClock } from '#ports/clock.ts';
import { NotFoundError } from '#ports/errors.ts';
import type { FleetJobs, JobSnapshot, JobStatus } from '#ports/fleet-jobs.ts';
import type { JobReport } from '../report.ts';
import { MemoryReleaseStore, type ReleaseStoreSnapshot } from '../adapters/memory-release-store.ts';
import { ReadOnlyStateError } from '#operator/errors.ts';
import { abortInterrupted } from './interrupted-abort.ts';
import { type ApprovalAnswer, type ApprovalAnswerResult, type ReleaseOperations, summarise } from '#operator/operations.ts';

export function savedOperations(snapshot: ReleaseStoreSnapshot & { reports?: Record<string, unknown> }, where: string, stateDir?: string): ReleaseOperations {
  const store = new MemoryReleaseStore(systemClock);
  store.restore(snapshot);
  const jobs = reportedJobs(snapshot.reports ?? {});
  return {
    where,
    // Every release here ran on the embedded cloud's simulated clock.
    listReleases: async () => (await store.listReleases()).map((record) => summarise(record, 'simulated')),
    describeRelease: async (releaseId) => ({ ...(await describeRelease({ store, jobs }, releaseId)), clock: 'simulated' }),
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

/**
 * The jobs as each saved release's last report left them: the job engine ended with the process, but how a rollback
 * job went (its status and counts) is in the report simulate saved, so status and the dashboard can still say it.
 */
function reportedJobs(reports: Record<string, unknown>): Pick<FleetJobs, 'describeJob'> {
  const byId = new Map<string, JobSnapshot>();
  for (const report of Object.values(reports)) {
    // Rollback jobs only: a stage of a saved release shows the counts its last verdict was given on, as it always has.
    const { rollbackJobs = [] } = (report ?? {}) as { rollbackJobs?: Partial<JobReport>[] };
    for (const job of rollbackJobs) {
      if (typeof job.jobId === 'string' && typeof job.jobStatus === 'string' && job.counts) byId.set(job.jobId, { jobId: job.jobId, status: job.jobStatus as JobStatus, counts: job.counts });
    }
  }
  return {
    describeJob: async (jobId) => {
      const job = byId.get(jobId);
      if (!job) throw new NotFoundError(`no saved report of job ${jobId}`);
      return job;
    },
  };
}
