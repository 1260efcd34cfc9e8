// The release event bus: what the relay PutEvents onto, with the rules of statemachines/event-rules.json (the same
// file serverless.yml reads), invoking each matched rule's target asynchronously on the shared clock, as
// EventBridge does. Events no rule matches are dropped and counted. A target that fails with a TransientError
// (a throttled or unavailable AWS call) is invoked again as Lambda retries an asynchronous invocation: twice more,
// one minute and then two minutes later, after which the event is given up and counted; any other error stops the
// run, as a bug should.
import type { EventPublisher, IotJobsEvent } from '#ports/events.ts';
import { DETAIL_TYPE, RELAY_SOURCE } from '#ports/events.ts';
import type { Scheduler } from '../time/scheduler.ts';
import { TransientError } from '#ports/errors.ts';
import { UnsupportedDefinitionError } from '../errors.ts';
import { matchesPattern, type EventPattern } from './event-pattern.ts';

export interface EventRule {
  description?: string;
  target: string;
  pattern: EventPattern;
}

/** An EventBridge event as a rule target receives it. */
export interface BusEvent<T = unknown> {
  version: '0';
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: T;
}

export type RuleTarget = (event: BusEvent) => Promise<unknown>;

export interface BusStats {
  published: number;
  matched: number;
  dropped: number;
  invocations: Record<string, number>;
  /** Target invocations retried after a TransientError, and events given up after the last retry. */
  retried: number;
  givenUp: number;
}

/** Waits before Lambda's two retries of a failed asynchronous invocation (developer guide, "Asynchronous invocation"). */
export const ASYNC_RETRY_DELAYS_MS = [60_000, 120_000] as const;

export class LocalEventBus implements EventPublisher {
  readonly stats: BusStats = { published: 0, matched: 0, dropped: 0, invocations: {}, retried: 0, givenUp: 0 };
  private sequence = 0;

  constructor(
    private readonly rules: Record<string, EventRule>,
    private readonly targets: Record<string, RuleTarget>,
    private readonly scheduler: Scheduler,
  ) {
    for (const [name, rule] of Object.entries(rules)) {
      if (!targets[rule.target]) throw new UnsupportedDefinitionError(`event rule ${name} targets "${rule.target}", which the local cloud has no handler for`);
    }
  }

  async publish(events: IotJobsEvent[]): Promise<void> {
    for (const detail of events) this.put(this.envelope(detail));
  }

  /** Could any rule match a relayed IoT event of this kind? (Fields other than these count as "maybe".) */
  couldMatch(eventType: 'JOB' | 'JOB_EXECUTION', operation: string): boolean {
    const skeleton = { source: RELAY_SOURCE, 'detail-type': DETAIL_TYPE[eventType], detail: { eventType, operation } };
    return Object.values(this.rules).some((rule) => matchesPattern(rule.pattern, skeleton, true));
  }

  private put(event: BusEvent): void {
    this.stats.published++;
    let matched = false;
    for (const rule of Object.values(this.rules)) {
      if (!matchesPattern(rule.pattern, event)) continue;
      matched = true;
      const target = this.targets[rule.target]!;
      this.stats.invocations[rule.target] = (this.stats.invocations[rule.target] ?? 0) + 1;
      // EventBridge invokes targets asynchronously: after PutEvents returns, on the shared clock.
      this.scheduler.after(0, () => this.invoke(target, event, 0));
    }
    if (matched) this.stats.matched++;
    else this.stats.dropped++;
  }

  private async invoke(target: RuleTarget, event: BusEvent, retry: number): Promise<void> {
    try {
      await target(event);
    } catch (error) {
      if (!(error instanceof TransientError)) throw error;
      const delay = ASYNC_RETRY_DELAYS_MS[retry];
      if (delay === undefined) {
        this.stats.givenUp++;
        return;
      }
      this.stats.retried++;
      this.scheduler.after(delay, () => this.invoke(target, event, retry + 1));
    }
  }

  private envelope(detail: IotJobsEvent): BusEvent<IotJobsEvent> {
    return {
      version: '0',
      id: `local-${(++this.sequence).toString(16).padStart(8, '0')}`,
      'detail-type': DETAIL_TYPE[detail.eventType],
      source: RELAY_SOURCE,
      account: '000000000000',
      time: new Date(this.scheduler.nowMs()).toISOString(),
      region: 'local-1',
      resources: [],
      detail,
    };
  }
}

export function parseEventRules(json: unknown): Record<string, EventRule> {
  if (typeof json !== 'object' || json === null) throw new UnsupportedDefinitionError('event-rules.json must be an object of rules');
  for (const [name, rule] of Object.entries(json as Record<string, unknown>)) {
    const r = rule as Partial<EventRule>;
    if (typeof r?.target !== 'string' || typeof r.pattern !== 'object' || r.pattern === null) {
      throw new UnsupportedDefinitionError(`event rule ${name} needs a "target" and a "pattern"`);
    }
  }
  return json as Record<string, EventRule>;
}
