// EventPublisher on EventBridge (@aws-sdk/client-eventbridge): PutEvents in batches of ten, and a partial failure
// (FailedEntryCount > 0, which is not an exception) becomes a TransientError so the relay's invocation is retried.
import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { TransientError } from '#ports/errors.ts';
import { DETAIL_TYPE, type EventPublisher, type IotJobsEvent, RELAY_SOURCE } from '#ports/events.ts';
import { type Instrument, noInstrument, required } from './config.ts';
import { rethrow } from './sdk-errors.ts';

const BATCH = 10;

export class EventBridgePublisher implements EventPublisher {
  constructor(
    private readonly client: EventBridgeClient,
    private readonly eventBusName: () => string,
  ) {}

  async publish(events: IotJobsEvent[]): Promise<void> {
    const failed: string[] = [];
    for (let start = 0; start < events.length; start += BATCH) {
      const batch = events.slice(start, start + BATCH);
      let result;
      try {
        result = await this.client.send(new PutEventsCommand({ Entries: batch.map((event) => this.entry(event)) }));
      } catch (error) {
        return rethrow(error, 'EventBridge PutEvents');
      }
      if (!result.FailedEntryCount) continue;
      // Entries come back in request order; the failed ones carry an ErrorCode.
      (result.Entries ?? []).forEach((entry, index) => {
        if (entry.ErrorCode) failed.push(`${batch[index]?.eventId ?? `#${start + index}`} (${entry.ErrorCode})`);
      });
    }
    if (failed.length > 0) throw new TransientError(`EventBridge refused ${failed.length} of ${events.length} events: ${failed.join(', ')}`);
  }

  private entry(event: IotJobsEvent): PutEventsRequestEntry {
    return {
      EventBusName: this.eventBusName(),
      Source: RELAY_SOURCE,
      DetailType: DETAIL_TYPE[event.eventType],
      Detail: JSON.stringify(event),
      Time: new Date(epochMillis(event.timestamp)),
    };
  }
}

/** IoT event timestamps are documented in seconds, but MQTT payloads elsewhere use milliseconds: accept both. */
export function epochMillis(timestamp: number): number {
  return timestamp < 1e12 ? timestamp * 1000 : timestamp;
}

export function awsEventPublisher(instrument: Instrument = noInstrument): EventBridgePublisher {
  return new EventBridgePublisher(instrument(new EventBridgeClient({})), () => required('eventBusName'));
}
