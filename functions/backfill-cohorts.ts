// BackfillPage of statemachines/cohort-backfill.asl.json: give one page of things their cohort attribute, and say how
// long to wait before the next page (or that the run is done, or handed over to its next execution).
import middy from '@middy/core';
import { z } from 'zod';
import { BackfillState, type BackfillPorts, backfillCohortPage } from '#app/backfill-cohorts.ts';
import { awsThingAttributes } from '#aws/iot-thing-attributes.ts';
import { awsExecutionStarter } from '#aws/sfn-workflow.ts';
import { instrument, logger, observability } from './lib/observability.ts';
import { parseInput } from './lib/parse-input.ts';

const Input = z.object({ state: BackfillState, stateMachineArn: z.string().min(1), executionName: z.string().min(1) });

export function makeHandler(ports: BackfillPorts) {
  return middy(async (event: unknown) => {
    const { state, stateMachineArn, executionName } = parseInput('BackfillPage', Input, event);
    const step = await backfillCohortPage(ports, state, { stateMachineArn, executionName });
    logger.info('cohort page', { pages: step.pages, scanned: step.scanned, updated: step.updated, refused: step.refusedCount, done: step.done });
    return step;
  }).use(observability());
}

export const handler = makeHandler({ things: awsThingAttributes(instrument), executions: awsExecutionStarter(instrument) });
