// BakeWait (waitForTaskToken): store the token against the stage's job and return; the bake ends with the state
// machine's timeout, or earlier through on-job-event (or at once, when the job is already done or decisive).
import middy from '@middy/core';
import { type StartBakePorts, startBake } from '#app/start-bake.ts';
import { CallbackTaskInput } from '#app/workflow-state.ts';
import { awsReleaseStore } from '#aws/dynamo-release-store.ts';
import { awsFleetJobs } from '#aws/iot-fleet-jobs.ts';
import { awsCallbacks } from '#aws/sfn-workflow.ts';
import { systemClock } from '#ports/clock.ts';
import { count, instrument, logger, observability } from './lib/observability.ts';
import { parseInput } from './lib/parse-input.ts';

export function makeHandler(ports: StartBakePorts) {
  return middy(async (event: unknown) => {
    const input = parseInput('BakeWait', CallbackTaskInput, event);
    logger.appendKeys({ releaseId: input.releaseId, stage: input.stage.index, jobId: input.stage.jobId });
    const result = await startBake(ports, input);
    if (result.endedNow) count('BakeEndedAtStart');
    logger.info('bake started', { seconds: input.timeoutSeconds, endedNow: result.endedNow ?? null });
    return result;
  }).use(observability());
}

export const handler = makeHandler({ store: awsReleaseStore(instrument), jobs: awsFleetJobs(instrument), callbacks: awsCallbacks(instrument), clock: systemClock });
