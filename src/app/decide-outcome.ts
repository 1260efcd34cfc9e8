// What PromoteOrRollback does with the state it is handed: promote or roll back, and why. Pure: the state document
// in, a decision out. The IoT reasonCode is what `describe-job` shows on the cancelled jobs.
import { CallbackError } from './errors.ts';
import type { WorkflowState } from './workflow-state.ts';

export const RollbackReasonCode = {
  /** The judge found the canary (stage 0) unhealthy. */
  CANARY_FAILED: 'CANARY_FAILED',
  /** The judge found a later wave unhealthy. */
  STAGE_FAILED: 'STAGE_FAILED',
  APPROVAL_REJECTED: 'APPROVAL_REJECTED',
  APPROVAL_TIMED_OUT: 'APPROVAL_TIMED_OUT',
  SIGNING_FAILED: 'SIGNING_FAILED',
  /** Anything unexpected: the state machine's catch-all. */
  RELEASE_ERROR: 'RELEASE_ERROR',
} as const;
export type RollbackReasonCode = (typeof RollbackReasonCode)[keyof typeof RollbackReasonCode];

export type Outcome = { action: 'promote'; reason: string } | { action: 'rollback'; reasonCode: RollbackReasonCode; reason: string };

/** `forceRollback` is the catch-all's call (RollBackAfterError): whatever the state says, roll back. */
export function decideOutcome(state: WorkflowState, forceRollback = false): Outcome {
  if (state.error) return rollbackForError(state.error.Error, state.error.Cause);
  if (forceRollback) return { action: 'rollback', reasonCode: RollbackReasonCode.RELEASE_ERROR, reason: 'the state machine routed the release to its rollback' };
  const stageIndex = state.stage?.index ?? state.stageIndex;
  if (state.approval) {
    const { answer, by } = state.approval;
    if (answer === 'approve') return { action: 'promote', reason: `approved by ${by}` };
    if (answer === 'reject') return { action: 'rollback', reasonCode: RollbackReasonCode.APPROVAL_REJECTED, reason: `rejected by ${by}` };
    const timeout = state.request.approval.timeout;
    return state.request.approval.onTimeout === 'approve'
      ? { action: 'promote', reason: `nobody answered within ${timeout} s and the policy approves on timeout` }
      : { action: 'rollback', reasonCode: RollbackReasonCode.APPROVAL_TIMED_OUT, reason: `nobody answered within ${timeout} s and the policy rejects on timeout` };
  }
  const evaluation = state.evaluation;
  const because = evaluation?.judgement.reasons[0];
  if (evaluation?.route === 'promote') return { action: 'promote', reason: because ?? 'the judge promoted the stage' };
  if (evaluation?.route === 'rollback') {
    return {
      action: 'rollback',
      reasonCode: stageIndex === 0 ? RollbackReasonCode.CANARY_FAILED : RollbackReasonCode.STAGE_FAILED,
      reason: because ?? 'the judge rolled the stage back',
    };
  }
  return { action: 'rollback', reasonCode: RollbackReasonCode.RELEASE_ERROR, reason: `nothing to decide on (route ${evaluation?.route ?? 'missing'})` };
}

function rollbackForError(name: string, cause: string | undefined): Outcome {
  if (name === CallbackError.APPROVAL_REJECTED) {
    const answer = parseCause(cause);
    const comment = answer.comment ? `: ${answer.comment}` : '';
    return { action: 'rollback', reasonCode: RollbackReasonCode.APPROVAL_REJECTED, reason: `rejected by ${answer.by ?? 'an operator'}${comment}` };
  }
  const detail = errorMessage(cause);
  if (name === 'SigningFailedError') return { action: 'rollback', reasonCode: RollbackReasonCode.SIGNING_FAILED, reason: `signing failed: ${detail}` };
  return { action: 'rollback', reasonCode: RollbackReasonCode.RELEASE_ERROR, reason: `${name}: ${detail}` };
}

/** A rejection's Cause is the JSON answer-approval sent: `{by, via, comment}`. */
function parseCause(cause: string | undefined): { by?: string; comment?: string } {
  try {
    const parsed = JSON.parse(cause ?? '{}') as { by?: unknown; comment?: unknown };
    return { ...(typeof parsed.by === 'string' && { by: parsed.by }), ...(typeof parsed.comment === 'string' && parsed.comment && { comment: parsed.comment }) };
  } catch {
    return {};
  }
}

/** A Lambda error's Cause is `{"errorType","errorMessage","trace"}`; keep the message, drop the stack. */
function errorMessage(cause: string | undefined): string {
  if (!cause) return 'no cause given';
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: unknown };
    if (typeof parsed.errorMessage === 'string') return parsed.errorMessage.slice(0, 500);
  } catch {
    // not JSON: a plain cause string
  }
  return cause.slice(0, 500);
}
