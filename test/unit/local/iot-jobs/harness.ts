// A small engine with a handful of things, for the conformance tests.
import type { IotJobsEvent } from '#ports/events.ts';
import type { JobSpec } from '#ports/fleet-jobs.ts';
import { JobsEngine } from '#local/iot-jobs/engine.ts';
import { LocalDataPlane } from '#local/iot-jobs/local-data-plane.ts';
import { LocalFleetJobs } from '#local/iot-jobs/local-fleet-jobs.ts';
import { ThingRegistry } from '#local/iot-jobs/things.ts';
import { Scheduler } from '#local/time/scheduler.ts';

export const START = Date.UTC(2026, 0, 1);

export function harness(thingCount = 5, wanted: (type: string, op: string) => boolean = () => true) {
  const scheduler = new Scheduler({ startMs: START });
  const things = new ThingRegistry();
  things.addNumbered('t', thingCount, () => ['all']);
  const engine = new JobsEngine(scheduler, things);
  const events: IotJobsEvent[] = [];
  engine.addEventSink({ wants: wanted, deliver: (event) => events.push(event) });
  return { scheduler, things, engine, events, jobs: new LocalFleetJobs(engine), dataPlane: new LocalDataPlane(engine) };
}

export function spec(overrides: Partial<JobSpec> = {}): JobSpec {
  return {
    jobId: 'job-1',
    targets: { thingGroups: ['all'] },
    document: JSON.stringify({ operation: 'firmwareUpdate', version: '2.0.0' }),
    description: 'test job',
    targetSelection: 'SNAPSHOT',
    jobExecutionsRolloutConfig: { maximumPerMinute: 1000 },
    abortConfig: { criteriaList: [{ failureType: 'ALL', action: 'CANCEL', thresholdPercentage: 90, minNumberOfExecutedThings: 100 }] },
    timeoutConfig: { inProgressTimeoutInMinutes: 10 },
    ...overrides,
  };
}

/** Runs the clock until nothing is scheduled (a stall is the normal end of these tests). */
export async function settle(scheduler: Scheduler, untilMs = Number.POSITIVE_INFINITY): Promise<void> {
  try {
    await scheduler.run(() => false, untilMs);
  } catch (error) {
    if ((error as Error).name !== 'StalledError') throw error;
  }
}
