// An operator's answer to a waiting approval, from any channel (signed link, approval API, CLI, dashboard). It takes
// the pending task (single use), answers the workflow (SendTaskSuccess, or SendTaskFailure `ApprovalRejected`), and
// records who answered and the evidence they saw. Late, replayed and not-waiting answers get a one-line message,
// never an exception.
import type { DecisionRecord } from '#domain/decision.ts';
import { InvalidTokenError, TaskClosedError } from '#ports/errors.ts';
import type { Ports } from '#ports/index.ts';
import { CallbackError } from './errors.ts';

export type AnswerApprovalPorts = Pick<Ports, 'store' | 'callbacks' | 'clock'>;

export interface AnswerApprovalInput {
  releaseId: string;
  answer: 'approve' | 'reject';
  /** Who answers: an IAM principal, a CLI user, or `link` holder. */
  by: string;
  via: 'cli' | 'link' | 'api' | 'dashboard';
  comment?: string;
  /**
   * The stage the answer is for: the one a link was made for, or the one the CLI or dashboard showed the operator.
   * An answer bound to one stage never answers a later one (STALE), so a replayed approve cannot promote a wave
   * whose evidence nobody looked at.
   */
  stageIndex?: number;
}

export const AnswerOutcome = {
  ANSWERED: 'answered',
  UNKNOWN_RELEASE: 'unknown-release',
  /** The release waits for no approval (never asked, already answered and moved on, or ended). */
  NOT_WAITING: 'not-waiting',
  /** The answer (a link, or a CLI / dashboard answer bound to a wave) was for another stage than the one now waiting. */
  STALE: 'stale',
  /** The wait timed out (the policy's default was applied) or the workflow closed it. */
  LATE: 'late',
  /** Someone else answered between our read and our take. */
  ALREADY_ANSWERED: 'already-answered',
} as const;
export type AnswerOutcome = (typeof AnswerOutcome)[keyof typeof AnswerOutcome];

export interface AnswerApprovalResult {
  outcome: AnswerOutcome;
  /** One plain line for a person. */
  message: string;
  releaseId: string;
  stageIndex?: number;
}

export async function answerApproval(ports: AnswerApprovalPorts, input: AnswerApprovalInput): Promise<AnswerApprovalResult> {
  const { releaseId, answer } = input;
  const result = (outcome: AnswerOutcome, message: string, stageIndex?: number): AnswerApprovalResult => ({
    outcome,
    message,
    releaseId,
    ...(stageIndex !== undefined && { stageIndex }),
  });
  const record = await ports.store.getRelease(releaseId);
  if (!record) return result(AnswerOutcome.UNKNOWN_RELEASE, `no release named ${releaseId}`);
  const task = await ports.store.getPendingTask(releaseId, 'approval');
  if (!task) return result(AnswerOutcome.NOT_WAITING, `${releaseId} is not waiting for an approval (it is ${record.status})`);
  const stageName = record.request.stages[task.stageIndex]?.name ?? `stage ${task.stageIndex + 1}`;
  if (input.stageIndex !== undefined && input.stageIndex !== task.stageIndex) {
    if (input.via === 'link') {
      return result(AnswerOutcome.STALE, `this link was for stage ${input.stageIndex + 1}; ${releaseId} now waits on stage ${task.stageIndex + 1} (${stageName})`, task.stageIndex);
    }
    const boundName = record.request.stages[input.stageIndex]?.name ?? `stage ${input.stageIndex + 1}`;
    return result(AnswerOutcome.STALE, `this answer was for wave ${boundName}, but ${releaseId} now waits at wave ${stageName}; nothing was answered`, task.stageIndex);
  }
  const now = ports.clock.now();
  if (now.getTime() > Date.parse(task.expiresAt)) {
    return result(AnswerOutcome.LATE, `the approval of ${releaseId} stage ${stageName} expired at ${task.expiresAt}; the policy's default applies`, task.stageIndex);
  }
  if (!(await ports.store.takePendingTask(releaseId, 'approval', task.token))) {
    return result(AnswerOutcome.ALREADY_ANSWERED, `${releaseId} stage ${stageName} was already answered`, task.stageIndex);
  }

  try {
    if (answer === 'approve') await ports.callbacks.succeed(task.token, { answer, by: input.by, via: input.via, ...(input.comment && { comment: input.comment }) });
    else await ports.callbacks.fail(task.token, CallbackError.APPROVAL_REJECTED, JSON.stringify({ by: input.by, via: input.via, comment: input.comment ?? '' }));
  } catch (error) {
    if (error instanceof TaskClosedError || error instanceof InvalidTokenError) {
      return result(AnswerOutcome.LATE, `the workflow no longer waits for ${releaseId} stage ${stageName}: ${error.message}`, task.stageIndex);
    }
    throw error;
  }

  const lastVerdict = (await ports.store.listDecisions(releaseId)).filter((d) => d.kind === 'verdict' && d.stageIndex === task.stageIndex).at(-1);
  const decision: DecisionRecord = {
    kind: 'approval',
    releaseId,
    stageIndex: task.stageIndex,
    stageName,
    ...(task.jobId && { jobId: task.jobId }),
    at: now.toISOString(),
    answer,
    by: input.by,
    via: input.via,
    ...(input.comment && { comment: input.comment }),
    ...(lastVerdict && { evidenceAt: lastVerdict.at }),
  };
  await ports.store.appendDecision(decision);
  const verb = answer === 'approve' ? 'approved' : 'rejected';
  return result(AnswerOutcome.ANSWERED, `${releaseId} stage ${stageName} ${verb} by ${input.by}`, task.stageIndex);
}
