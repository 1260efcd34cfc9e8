// on-job-event: an IoT Jobs event from the release bus (failure-type executions, completed or cancelled jobs).
// Idempotent on the IoT eventId; may end a waiting bake early.
import middy from '@middy/core';
import { type HandleJobEventPorts, handleJobEvent } from '#app/handle-job-event.ts';
import { awsReleaseStore } from '#aws/dynamo-release-store.ts';
import { awsFleetJobs } from '#aws/iot-fleet-jobs.ts';
import { awsCallbacks } from '#aws/sfn-workflow.ts';
import { systemClock } from '#ports/clock.ts';
import { RelayedJobEventSchema } from './lib/job-events.ts';
import { count, instrument, logger, observability } from './lib/observability.ts';
import { parseInput } from './lib/parse-input.ts';

export function makeHandler(ports: HandleJobEventPorts) {
  return middy(async (event: unknown) => {
    const { detail } = parseInput('OnJobEvent', RelayedJobEventSchema, event);
    logger.appendKeys({ jobId: detail.jobId });
    const result = await handleJobEvent(ports, detail);
    count(`JobEvent_${result.outcome}`);
    logger.info('job event handled', { outcome: result.outcome, operation: detail.operation, releaseId: result.releaseId ?? null, reason: result.reason ?? null });
    return result;
  }).use(observability());
}

export const handler = makeHandler({ store: awsReleaseStore(instrument), jobs: awsFleetJobs(instrument), callbacks: awsCallbacks(instrument), clock: systemClock });
