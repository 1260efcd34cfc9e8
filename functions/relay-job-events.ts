// relay-job-events: the IoT topic rule on `$aws/events/#` invokes this with one job or job-execution event; it goes
// onto the release bus (PutEvents, FailedEntryCount checked), where event-rules.json routes it.
import middy from '@middy/core';
import { z } from 'zod';
import { type RelayJobEventsPorts, relayJobEvents } from '#app/relay-job-events.ts';
import { awsEventPublisher } from '#aws/eventbridge-publisher.ts';
import { IotJobsEventSchema } from './lib/job-events.ts';
import { count, instrument, logger, observability } from './lib/observability.ts';
import { parseInput } from './lib/parse-input.ts';

const Input = z.union([IotJobsEventSchema, z.array(IotJobsEventSchema)]);

export function makeHandler(ports: RelayJobEventsPorts) {
  return middy(async (event: unknown) => {
    const parsed = parseInput('RelayJobEvents', Input, event);
    const events = Array.isArray(parsed) ? parsed : [parsed];
    const result = await relayJobEvents(ports, events);
    count('JobEventsRelayed', result.relayed);
    logger.debug('job events relayed', { relayed: result.relayed });
    return result;
  }).use(observability());
}

export const handler = makeHandler({ events: awsEventPublisher(instrument) });
