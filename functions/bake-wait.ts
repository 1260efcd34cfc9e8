// BakeWait (waitForTaskToken): store the token against the stage's job and return; the bake ends with the state
// machine's timeout, or earlier through on-job-event (or at once, when the job is already done or decisive).
import middy from '@middy/core';
import { z } from 'zod';
import { type StartBakePorts, startBake } from '#app/start-bake.ts';
import { StageInfo } from '#app/workflow-state.ts';
import { awsReleaseStore } from '#aws/dynamo-release-store.ts';
import { awsFleetJobs } from '#aws/iot-fleet-jobs.ts';
import { awsCallbacks } from '#aws/sfn-workflow.ts';
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
});

export function makeHandler(ports: StartBakePorts) {
  return middy(async (event: unknown) => {
    const input = parseInput('BakeWait', Input, event);
    logger.appendKeys({ releaseId: input.releaseId, stage: input.stage.index, jobId: input.stage.jobId });
    const result = await startBake(ports, input);
    if (result.endedNow) count('BakeEndedAtStart');
    logger.info('bake started', { seconds: input.timeoutSeconds, endedNow: result.endedNow ?? null });
    return result;
  }).use(observability());
}

export const handler = makeHandler({ store: awsReleaseStore(instrument), jobs: awsFleetJobs(instrument), callbacks: awsCallbacks(instrument), clock: systemClock });
