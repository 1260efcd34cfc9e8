// The runs of an assessment as a work queue. Each lane (this thread, or one worker thread) takes the next run as soon
// as it finishes one, so a scenario whose runs are slow never leaves a core idle; each result goes to its run's slot,
// so the numbers do not depend on how many lanes there are or which finished first. Runs are handed out in order and,
// once interrupted, no new one starts while those running finish: the runs done are always the first k of the order,
// exactly the ones a single lane would have done.
import { AssessRunError } from '../errors.ts';
import type { RunResult } from './run-once.ts';

export interface RunJob {
  scenario: string;
  /** The run's index within its scenario (0-based). */
  run: number;
  seed: number;
}

export interface RunLane {
  run(job: RunJob): Promise<RunResult>;
  /** Frees the lane (ends its worker). Called once, when the queue is done or has failed; a run still going rejects. */
  close(): Promise<void>;
}

export interface QueueOptions {
  /** Stops handing out runs; the runs going finish. */
  signal?: AbortSignal;
  /** Called as each run finishes, whichever lane ran it. */
  onRun?: (done: number, total: number, scenario: string) => void;
}

export interface QueueOutcome {
  /** By job index; undefined for the runs never started (interrupted). */
  results: (RunResult | undefined)[];
  /** The signal stopped the queue before every run was handed out. */
  interrupted: boolean;
}

/** Runs `jobs` on `lanes`; the first run that throws fails the whole queue at once with an AssessRunError. */
export async function runQueue(jobs: readonly RunJob[], lanes: readonly RunLane[], options: QueueOptions = {}): Promise<QueueOutcome> {
  const results: (RunResult | undefined)[] = new Array<RunResult | undefined>(jobs.length).fill(undefined);
  let next = 0;
  let done = 0;
  let interrupted = false;
  let failure: AssessRunError | undefined;
  let closing: Promise<unknown> | undefined;
  const close = () => (closing ??= Promise.all(lanes.map((lane) => lane.close())));

  const drive = async (lane: RunLane): Promise<void> => {
    while (next < jobs.length && !failure) {
      if (options.signal?.aborted) {
        interrupted = true;
        return;
      }
      const index = next++;
      const job = jobs[index]!;
      try {
        results[index] = await lane.run(job);
      } catch (error) {
        // Ending the other lanes at once (their runs reject, and are dropped) rather than letting them finish: the
        // assessment has failed, and a run of a million devices can take seconds.
        if (!failure) {
          failure = runFailed(job, error);
          void close();
        }
        return;
      }
      if (failure) return;
      options.onRun?.(++done, jobs.length, job.scenario);
    }
  };

  try {
    await Promise.all(lanes.map(drive));
  } finally {
    await close();
  }
  if (failure) throw failure;
  return { results, interrupted };
}

function runFailed(job: RunJob, error: unknown): AssessRunError {
  const message = error instanceof Error ? error.message : String(error);
  return new AssessRunError(`run ${job.run + 1} of scenario ${job.scenario} (seed ${job.seed}) failed: ${message}`, { cause: error });
}
