// PromoteOrRollback: promote the stage (next stage, or the release is done) or roll the release back. The catch-all
// state RollBackAfterError calls it too, with `action: rollback`.
import middy from '@middy/core';
import { z } from 'zod';
import { type PromoteOrRollbackPorts, promoteOrRollback } from '#app/promote-or-rollback.ts';
import { WorkflowState } from '#app/workflow-state.ts';
import { awsReleaseStore } from '#aws/dynamo-release-store.ts';
import { awsFleetJobs } from '#aws/iot-fleet-jobs.ts';
import { awsFirmwareUrls } from '#aws/firmware-urls.ts';
import { awsNotifier } from '#aws/sns-notifier.ts';
import { systemClock } from '#ports/clock.ts';
import { count, instrument, logger, observability } from './lib/observability.ts';
import { parseInput } from './lib/parse-input.ts';

const Input = z.object({ state: WorkflowState, action: z.literal('rollback').optional() });

export function makeHandler(ports: PromoteOrRollbackPorts) {
  return middy(async (event: unknown) => {
    const { state, action } = parseInput('PromoteOrRollback', Input, event);
    logger.appendKeys({ releaseId: state.request.releaseId, stage: state.stage?.index ?? state.stageIndex, jobId: state.stage?.jobId ?? null });
    const result = await promoteOrRollback(ports, state, action === 'rollback');
    count(result.next === 'ROLLED_BACK' ? 'ReleaseRolledBack' : result.next === 'RELEASE_COMPLETE' ? 'ReleasePromoted' : 'StagePromoted');
    logger.info('stage closed', { next: result.next, error: state.error?.Error ?? null });
    return result;
  }).use(observability());
}

export const handler = makeHandler({
  jobs: awsFleetJobs(instrument),
  firmware: awsFirmwareUrls(),
  store: awsReleaseStore(instrument),
  notifier: awsNotifier(instrument),
  clock: systemClock,
});
