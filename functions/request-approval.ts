// AwaitApproval (waitForTaskToken): store the token and notify operators with the evidence and signed links.
import middy from '@middy/core';
import { z } from 'zod';
import { type RequestApprovalPorts, requestApproval } from '#app/request-approval.ts';
import { Evaluation, StageInfo } from '#app/workflow-state.ts';
import { awsApprovalKey } from '#aws/approval-key.ts';
import { optional } from '#aws/config.ts';
import { awsReleaseStore } from '#aws/dynamo-release-store.ts';
import { awsNotifier } from '#aws/sns-notifier.ts';
import { ReleaseRequest } from '#domain/release-request.ts';
import { systemClock } from '#ports/clock.ts';
import { count, instrument, logger, observability } from './lib/observability.ts';
import { parseInput } from './lib/parse-input.ts';

const Input = z.object({
  token: z.string().min(1).max(2048),
  timeoutSeconds: z.number().int().positive(),
  releaseId: z.string().min(1),
  request: ReleaseRequest,
  stage: StageInfo,
  evaluation: Evaluation,
});

export function makeHandler(ports: RequestApprovalPorts) {
  return middy(async (event: unknown) => {
    const input = parseInput('AwaitApproval', Input, event);
    logger.appendKeys({ releaseId: input.releaseId, stage: input.stage.index, jobId: input.stage.jobId });
    const result = await requestApproval(ports, input);
    count('ApprovalRequested');
    logger.info('approval requested', { expiresAt: result.expiresAt, links: Boolean(ports.links) });
    return result;
  }).use(observability());
}

const baseUrl = optional('approvalBaseUrl');
export const handler = makeHandler({
  store: awsReleaseStore(instrument),
  notifier: awsNotifier(instrument),
  clock: systemClock,
  ...(baseUrl && { links: { baseUrl, key: awsApprovalKey(instrument) } }),
});
