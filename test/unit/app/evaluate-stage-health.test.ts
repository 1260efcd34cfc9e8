// evaluate-stage with health gates: one HealthSignals read per look over the stage's time, devices that silently went
// back counted as failed installs, the silence gate's due-back count from the stage's earlier looks, and the install
// test run at its share of the error budget.
import { evaluateStage } from '#app/evaluate-stage.ts';
import type { StageInfo } from '#app/workflow-state.ts';
import { Verdict } from '#domain/decision.ts';
import type { FleetJobs, JobSnapshot } from '#ports/fleet-jobs.ts';
import type { HealthQuery, HealthReading, HealthSignals } from '#ports/health-signals.ts';
import { fixedClock, request, storeWithRelease } from '../functions/helpers.ts';

const STAGE: StageInfo = { index: 0, name: 'canary', jobId: 'gw-2-4-0-s0', targeted: 100, bakeSeconds: 3600, approval: 'auto' };
const gated = request({ health: { maxFailureRate: '5%', minExecuted: 5, confidence: 0.9, gates: [{ kind: 'rate', metric: 'crashes', maxRatio: 1.2 }, { kind: 'silence' }, { kind: 'alarm', alarmName: 'api-errors' }] } });

class RecordingHealth implements HealthSignals {
  queries: HealthQuery[] = [];
  constructor(private readonly reading: HealthReading) {}
  async read(query: HealthQuery): Promise<HealthReading> {
    this.queries.push(query);
    return this.reading;
  }
}

const jobs = (succeeded: number): FleetJobs =>
  ({
    describeJob: async (): Promise<JobSnapshot> => ({ jobId: STAGE.jobId, status: 'COMPLETED', counts: { targeted: 100, succeeded, failed: 0, rejected: 0, timedOut: 0, canceled: 0, removed: 0, inProgress: 0, queued: 100 - succeeded } }),
  }) as unknown as FleetJobs;

const side = (reverted = 0, returned = 0) => ({ exposureSeconds: 0, crashes: 0, reboots: 0, returned, reverted });

async function look(reading: HealthReading, bakedSeconds: number) {
  const clock = fixedClock();
  const store = await storeWithRelease(clock, { req: gated, status: 'IN_PROGRESS', stages: [{ index: 0, name: 'canary', jobId: STAGE.jobId, targeted: 100, createdAt: clock.now().toISOString() }] });
  clock.advance(bakedSeconds);
  const health = new RecordingHealth(reading);
  const result = await evaluateStage({ jobs: jobs(100), health, store, clock }, { request: gated, stage: STAGE });
  return { result, health };
}

describe('evaluate-stage with health gates', () => {
  it('reads the treatment and control versions once, from the stage start, with the named alarms', async () => {
    const { health } = await look({ buckets: [], alarms: [] }, 600);
    expect(health.queries).toHaveLength(1);
    expect(health.queries[0]).toMatchObject({ product: 'edge-gateway', treatmentVersion: '2.4.0', controlVersion: '2.3.1', periodSeconds: 300, alarmNames: ['api-errors'] });
    expect(health.queries[0]!.to.getTime() - health.queries[0]!.from.getTime()).toBe(600_000);
  });

  it('counts devices that went back to the old version after SUCCEEDED as failed installs', async () => {
    const reading = { buckets: [{ start: '2026-11-24T10:00:00.000Z', treatment: side(30, 100), control: side() }], alarms: [{ name: 'api-errors', state: 'OK' as const }] };
    const { result } = await look(reading, 3600);
    expect(result.judgement.evidence.counts).toMatchObject({ succeeded: 70, failed: 30 });
    expect(result.judgement.evidence.reverted).toBe(30);
    expect(result.judgement.verdict).toBe(Verdict.ROLLBACK);
  });

  it('runs the install test rollback line at its half of the budget for wrong rollbacks, its promotion line at the whole', async () => {
    const { result } = await look({ buckets: [], alarms: [] }, 600);
    expect(result.judgement.evidence.confidence).toBeCloseTo(0.9);
    expect(result.judgement.evidence.sequential).toMatchObject({ errorBudget: expect.closeTo(0.1), rollbackErrorBudget: expect.closeTo(0.05) });
  });

  it('rolls back at once, mid-bake, when a named alarm is in ALARM', async () => {
    const { result } = await look({ buckets: [], alarms: [{ name: 'api-errors', state: 'ALARM', reason: 'Threshold crossed' }] }, 600);
    expect(result.route).toBe('rollback');
    expect(result.judgement.reasons[0]).toContain('CloudWatch alarm api-errors is in ALARM: Threshold crossed');
  });

  it('never reads health for a release without gates', async () => {
    const clock = fixedClock();
    const plain = request();
    const store = await storeWithRelease(clock, { req: plain, status: 'IN_PROGRESS', stages: [{ index: 0, name: 'canary', jobId: STAGE.jobId, targeted: 100, createdAt: clock.now().toISOString() }] });
    const health = new RecordingHealth({ buckets: [], alarms: [] });
    await evaluateStage({ jobs: jobs(100), health, store, clock }, { request: plain, stage: STAGE });
    expect(health.queries).toHaveLength(0);
  });
});
