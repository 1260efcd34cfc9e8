// CreateStageJob: the job of the current stage (the canary is stage 0; later waves reuse this function).
import middy from '@middy/core';
import { z } from 'zod';
import { type CreateStageJobPorts, createStageJob } from '#app/create-stage-job.ts';
import { SignedFirmwareState } from '#app/workflow-state.ts';
import { awsReleaseStore } from '#aws/dynamo-release-store.ts';
import { awsFleetJobs } from '#aws/iot-fleet-jobs.ts';
import { awsFirmwareUrls } from '#aws/firmware-urls.ts';
import { ReleaseRequest } from '#domain/release-request.ts';
import { systemClock } from '#ports/clock.ts';
import { count, instrument, logger, observability } from './lib/observability.ts';
import { parseInput } from './lib/parse-input.ts';

const Input = z.object({ request: ReleaseRequest, stageIndex: z.number().int().min(0), firmware: SignedFirmwareState });

export function makeHandler(ports: CreateStageJobPorts) {
  return middy(async (event: unknown) => {
    const input = parseInput('CreateStageJob', Input, event);
    logger.appendKeys({ releaseId: input.request.releaseId, stage: input.stageIndex });
    const stage = await createStageJob(ports, input);
    count('StageJobCreated');
    logger.info('stage job ready', { jobId: stage.jobId, targeted: stage.targeted });
    return stage;
  }).use(observability());
}

export const handler = makeHandler({ jobs: awsFleetJobs(instrument), firmware: awsFirmwareUrls(), store: awsReleaseStore(instrument), clock: systemClock });
