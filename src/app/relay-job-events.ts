// relay-job-events: IoT rules have no EventBridge action, so the topic rule on `$aws/events/#` invokes this relay,
// which puts the job and job-execution events on the release bus for the rules in statemachines/event-rules.json.
import type { IotJobsEvent } from '#ports/events.ts';
import type { Ports } from '#ports/index.ts';

export type RelayJobEventsPorts = Pick<Ports, 'events'>;

/** Publishes the events; a partial failure throws TransientError, and the relay's invocation is retried. */
export async function relayJobEvents(ports: RelayJobEventsPorts, events: IotJobsEvent[]): Promise<{ relayed: number }> {
  if (events.length > 0) await ports.events.publish(events);
  return { relayed: events.length };
}
