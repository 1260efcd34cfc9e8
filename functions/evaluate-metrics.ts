// EvaluateMetrics: the stage's counters and its devices' health against the health policy; the verdict is stored with
// its evidence.
import middy from '@middy/core';
import { z } from 'zod';
import { type EvaluateStagePorts, evaluateStage } from '#app/evaluate-stage.ts';
import { BakeEnd, StageInfo } from '#app/workflow-state.ts';
import { awsHealthSignals } from '#aws/cloudwatch-health-signals.ts';
import { awsReleaseStore } from '#aws/dynamo-release-store.ts';
import { awsFleetJobs } from '#aws/iot-fleet-jobs.ts';
import { ReleaseRequest } from '#domain/release-request.ts';
import { systemClock } from '#ports/clock.ts';
import { count, instrument, logger, observability } from './lib/observability.ts';
import { parseInput } from './lib/parse-input.ts';

const Input = z.object({ request: ReleaseRequest, stage: StageInfo, bakeEnd: BakeEnd.optional() });

export function makeHandler(ports: EvaluateStagePorts) {
  return middy(async (event: unknown) => {
    const input = parseInput('EvaluateMetrics', Input, event);
    logger.appendKeys({ releaseId: input.request.releaseId, stage: input.stage.index, jobId: input.stage.jobId });
    const result = await evaluateStage(ports, input);
    count(`Verdict${result.judgement.verdict}`);
    logger.info('stage judged', { verdict: result.judgement.verdict, route: result.route, bakeEnd: input.bakeEnd?.reason ?? null, reasons: result.judgement.reasons });
    return result;
  }).use(observability());
}

export const handler = makeHandler({ jobs: awsFleetJobs(instrument), health: awsHealthSignals(instrument), store: awsReleaseStore(instrument), clock: systemClock });
