// The IoT Jobs event payloads (src/ports/events.ts) as zod schemas, for the relay (raw IoT events) and on-job-event
// (the same events inside an EventBridge envelope). Unknown extra fields are kept: IoT may add some.
import { EventBridgeSchema } from '@aws-lambda-powertools/parser/schemas/eventbridge';
import { z } from 'zod';
import { DETAIL_TYPE, type IotJobsEvent, RELAY_SOURCE } from '#ports/events.ts';

const common = {
  eventId: z.string().min(1),
  timestamp: z.number(),
  jobId: z.string().min(1).max(64),
  status: z.string(),
};

export const JobEventSchema = z.looseObject({
  eventType: z.literal('JOB'),
  operation: z.enum(['completed', 'canceled', 'deleted', 'cancellation_in_progress', 'deletion_in_progress']),
  ...common,
});

export const JobExecutionEventSchema = z.looseObject({
  eventType: z.literal('JOB_EXECUTION'),
  operation: z.enum(['succeeded', 'failed', 'rejected', 'canceled', 'removed', 'timed_out', 'deleted']),
  thingArn: z.string().min(1),
  ...common,
});

export const IotJobsEventSchema = z.discriminatedUnion('eventType', [JobEventSchema, JobExecutionEventSchema]).transform((event) => event as IotJobsEvent);

/** What an EventBridge rule on the release bus hands on-job-event. */
export const RelayedJobEventSchema = EventBridgeSchema.extend({
  source: z.literal(RELAY_SOURCE),
  'detail-type': z.enum([DETAIL_TYPE.JOB, DETAIL_TYPE.JOB_EXECUTION]),
  detail: IotJobsEventSchema,
});
