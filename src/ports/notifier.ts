// Notifier: tells operators a release needs them. AWS: SNS. Local: the console and the state directory.
import type { Judgement } from '#domain/decision.ts';

export interface ApprovalRequest {
  releaseId: string;
  stageIndex: number;
  stageName: string;
  /** Why a person is asked: the stage policy is manual, or the judge could not decide (HOLD). */
  reason: 'manual-stage' | 'hold';
  judgement?: Judgement;
  approveUrl?: string;
  rejectUrl?: string;
  /** A read-only dashboard of the release (a signed view link); it can never answer the approval. */
  viewUrl?: string;
  expiresAt: string;
}

export interface ReleaseNotice {
  releaseId: string;
  /** `not-started`: a release manifest uploaded to the firmware bucket could not start (every problem in the summary). */
  kind: 'promoted' | 'rolled-back' | 'stage-promoted' | 'aborted' | 'failed' | 'not-started';
  summary: string;
}

export interface Notifier {
  approvalRequested(request: ApprovalRequest): Promise<void>;
  releaseEvent(notice: ReleaseNotice): Promise<void>;
}
