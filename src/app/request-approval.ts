// AwaitApproval (the request-approval function, a waitForTaskToken task): store the token, mark the release as
// waiting for a person, and notify operators with the evidence and signed single-use approve/reject links. The
// answer comes back through answer-approval (approval-callback, the CLI, the dashboard); the state machine's timeout
// applies the policy's default.
import type { ReleaseRequest } from '#domain/release-request.ts';
import type { Ports } from '#ports/index.ts';
import { type ApprovalLinkSigner, createApprovalLinks } from './approval-links.ts';
import { moveTo } from './release-record.ts';
import { createViewLink, VIEW_AFTER_APPROVAL_SECONDS } from './view-links.ts';
import type { Evaluation, StageInfo } from './workflow-state.ts';

export type RequestApprovalPorts = Pick<Ports, 'store' | 'notifier' | 'clock'> & {
  /** Absent: the notice carries only the CLI commands (e.g. the local cloud, or no approval API). */
  links?: ApprovalLinkSigner;
};

export interface RequestApprovalInput {
  token: string;
  timeoutSeconds: number;
  request: ReleaseRequest;
  stage: StageInfo;
  evaluation: Evaluation;
}

export async function requestApproval(ports: RequestApprovalPorts, input: RequestApprovalInput): Promise<{ expiresAt: string }> {
  const { token, request, stage, evaluation } = input;
  const { releaseId } = request;
  const now = ports.clock.now();
  const expiresAt = new Date(now.getTime() + input.timeoutSeconds * 1000);
  await ports.store.putPendingTask({
    releaseId,
    kind: 'approval',
    stageIndex: stage.index,
    jobId: stage.jobId,
    token,
    createdAt: now.toISOString(),
    expiresAt: expiresAt.toISOString(),
  });
  await ports.store.updateRelease(releaseId, (current) => moveTo(current, 'AWAITING_APPROVAL', now.toISOString()));
  const links = ports.links ? await createApprovalLinks(ports.links, { releaseId, stageIndex: stage.index, expiresAt }) : undefined;
  // A read-only view beside the answer links, still good a while after the wait, to follow the rest of the release.
  const viewExpiresAt = new Date(expiresAt.getTime() + VIEW_AFTER_APPROVAL_SECONDS * 1000);
  const viewUrl = ports.links ? await createViewLink(ports.links, { releaseId, expiresAt: viewExpiresAt }) : undefined;
  await ports.notifier.approvalRequested({
    releaseId,
    stageIndex: stage.index,
    stageName: stage.name,
    reason: evaluation.judgement.verdict === 'HOLD' ? 'hold' : 'manual-stage',
    judgement: evaluation.judgement,
    ...links,
    ...(viewUrl && { viewUrl }),
    expiresAt: expiresAt.toISOString(),
  });
  return { expiresAt: expiresAt.toISOString() };
}
