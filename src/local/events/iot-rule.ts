// The IoT topic rule on `$aws/events/job/#` and `$aws/events/jobExecution/#`, whose Lambda action is the relay
// (functions/relay-job-events.ts). Delivery follows the documented guarantees: "Event messages are guaranteed to be
// published once. It is possible for them to be published more than once. The ordering of event messages is not
// guaranteed." — so the fault profile may delay events (reordering them) and deliver some twice, same eventId.
// Speed: the relay only forwards, so an event of a kind no bus rule can match (a `succeeded` execution, say) would be
// dropped at the bus anyway; it is counted here and never built or relayed. A million successes cost nothing.
import type { IotJobsEvent } from '#ports/events.ts';
import type { JobsEventSink } from '../iot-jobs/engine.ts';
import { uniform } from '../fleet/random.ts';
import type { Scheduler } from '../time/scheduler.ts';
import type { LocalEventBus } from './local-event-bus.ts';

export interface DeliveryFaults {
  duplicateRate: number;
  maxDelaySeconds: number;
  seed: number;
}

export interface IotRuleStats {
  relayed: number;
  duplicated: number;
}

export class IotRuleRelay implements JobsEventSink {
  readonly stats: IotRuleStats = { relayed: 0, duplicated: 0 };
  private sequence = 0;

  constructor(
    private readonly bus: LocalEventBus,
    private readonly relay: (event: IotJobsEvent) => Promise<unknown>,
    private readonly scheduler: Scheduler,
    private readonly faults: DeliveryFaults = { duplicateRate: 0, maxDelaySeconds: 0, seed: 0 },
  ) {}

  wants(eventType: 'JOB' | 'JOB_EXECUTION', operation: string): boolean {
    return this.bus.couldMatch(eventType, operation);
  }

  deliver(event: IotJobsEvent): void {
    const n = ++this.sequence;
    const { duplicateRate, maxDelaySeconds, seed } = this.faults;
    const copies = uniform(seed, n, -3, 0, 0) < duplicateRate ? 2 : 1;
    if (copies === 2) this.stats.duplicated++;
    for (let copy = 0; copy < copies; copy++) {
      const delayMs = maxDelaySeconds * 1000 * uniform(seed, n, -3, 0, 1 + copy);
      this.stats.relayed++;
      const payload = copy === 0 ? event : (JSON.parse(JSON.stringify(event)) as IotJobsEvent);
      this.scheduler.after(delayMs, () => this.relay(payload));
    }
  }
}
