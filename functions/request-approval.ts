// AwaitApproval (waitForTaskToken): store the token and notify operators with the evidence and signed links.
import middy from '@middy/core';
import { type RequestApprovalPorts, requestApproval } from '#app/request-approval.ts';
import { CallbackTaskInput, Evaluation } from '#app/workflow-state.ts';
import { awsApprovalKey } from '#aws/approval-key.ts';
import { optional } from '#aws/config.ts';
import { awsReleaseStore } from '#aws/dynamo-release-store.ts';
import { awsNotifier } from '#aws/sns-notifier.ts';
import { systemClock } from '#ports/clock.ts';
import { count, instrument, logger, observability } from './lib/observability.ts';
import { parseInput } from './lib/parse-input.ts';

const Input = CallbackTaskInput.extend({ evaluation: Evaluation });

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
