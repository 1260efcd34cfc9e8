// BakeWait (the bake-wait function, a waitForTaskToken task): store the token against the job so on-job-event can
// end the bake early, then look at the job once, because events that arrived before the token was stored found
// nothing to resume. The normal end of a bake is the state machine's own timeout.
import type { ReleaseRequest } from '#domain/release-request.ts';
import { TaskClosedError } from '#ports/errors.ts';
import type { Ports } from '#ports/index.ts';
import { BakeEndReason, earlyBakeEnd } from './bake-end.ts';
import type { StageInfo } from './workflow-state.ts';

export type StartBakePorts = Pick<Ports, 'store' | 'jobs' | 'callbacks' | 'clock'>;

export interface StartBakeInput {
  token: string;
  timeoutSeconds: number;
  request: ReleaseRequest;
  stage: StageInfo;
}

export interface StartBakeResult {
  /** Set when the bake ended at once (the callback was sent); otherwise the workflow waits. */
  endedNow?: BakeEndReason;
}

export async function startBake(ports: StartBakePorts, input: StartBakeInput): Promise<StartBakeResult> {
  const { token, request, stage } = input;
  const { releaseId } = request;
  const now = ports.clock.now();
  await ports.store.putPendingTask({
    releaseId,
    kind: 'bake',
    stageIndex: stage.index,
    jobId: stage.jobId,
    token,
    createdAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + input.timeoutSeconds * 1000).toISOString(),
  });

  const reason = stage.targeted === 0 ? BakeEndReason.NO_TARGETS : await lookAtTheJob(ports, input);
  if (!reason) return {};
  if (!(await ports.store.takePendingTask(releaseId, 'bake', token))) return {};
  try {
    await ports.callbacks.succeed(token, { reason });
  } catch (error) {
    if (!(error instanceof TaskClosedError)) throw error;
  }
  return { endedNow: reason };
}

async function lookAtTheJob(ports: StartBakePorts, input: StartBakeInput): Promise<BakeEndReason | undefined> {
  const { request, stage } = input;
  const snapshot = await ports.jobs.describeJob(stage.jobId);
  // Only the first wait of a stage ends on a completed job; an extension waits for time to pass (see bake-end.ts).
  const judged = (await ports.store.listDecisions(request.releaseId)).some((d) => d.kind === 'verdict' && d.stageIndex === stage.index);
  return earlyBakeEnd(snapshot, stage.targeted, request.health, !judged);
}
