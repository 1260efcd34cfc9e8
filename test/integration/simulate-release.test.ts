// End to end through the real statemachines/staged-release.asl.json and the real handlers, on the embedded cloud.
import { loadRelease, simulate, verdicts } from './simulation-harness.ts';

describe('a release on the embedded cloud', () => {
  it('promotes a healthy release through every stage', async () => {
    const { report } = await simulate(await loadRelease());
    expect(report.outcome).toBe('PROMOTED');
    expect(report.execution.status).toBe('SUCCEEDED');
    expect(report.stages.map((s) => [s.name, s.verdict, s.counts.targeted, s.counts.succeeded])).toEqual([
      ['canary', 'PROMOTE', 100, 100],
      ['half', 'PROMOTE', 400, 400],
      ['all', 'PROMOTE', 500, 500],
    ]);
    expect(report.fleet.versions).toEqual({ '2.0.0': 1000 });
    expect(report.rollbackJobs).toEqual([]);
  });

  it('rolls back bad firmware at the canary: the job is cancelled and a rollback job goes to the devices that took it', async () => {
    const { report } = await simulate(await loadRelease(), { failRate: 0.3, seed: 7 });
    expect(report.outcome).toBe('ROLLED_BACK');
    expect(report.stages).toHaveLength(1);
    const [canary] = report.stages;
    expect(canary).toMatchObject({ name: 'canary', verdict: 'ROLLBACK', jobStatus: 'CANCELED' });
    expect(report.rollbackJobs).toHaveLength(1);
    expect(report.rollbackJobs[0]).toMatchObject({ jobId: 'it-release-rb0', jobStatus: 'COMPLETED' });
    expect(report.rollbackJobs[0]!.counts.succeeded).toBeGreaterThan(0);
    expect(report.exposure.exposed).toBeLessThanOrEqual(100);
    expect(report.fleet.versions).toEqual({ '1.0.0': 1000 });
  });

  // A release rolled back on evidence never asked for approval, so WhyRolledBack must not read $.approval.answer
  // unguarded (Step Functions fails a Choice on a missing path with States.Runtime).
  it('ends a release rolled back on evidence in the RolledBackOnEvidence Fail state', async () => {
    const { report } = await simulate(await loadRelease(), { failRate: 0.3, seed: 7 });
    expect(report.execution.error).toBe('RolledBackOnEvidence');
  });

  it('extends an inconclusive bake, then decides', async () => {
    // The canary rolls out at 5 a minute (20 minutes for 100 devices) but bakes only 10: too little evidence at first.
    const request = await loadRelease('small-fleet.yaml', (r) => ({
      ...r,
      stages: r.stages.map((stage, index) => (index === 0 ? { ...stage, bake: 600, rollout: { maximumPerMinute: 5 } } : stage)),
    }));
    const { report } = await simulate(request);
    expect(verdicts(report).slice(0, 2)).toEqual(['canary:EXTEND', 'canary:PROMOTE']);
    expect(report.outcome).toBe('PROMOTED');
  });

  it('counts silent devices as failures once IoT times them out', async () => {
    // The fixture has no TIMED_OUT retry, so a dark device's execution ends TIMED_OUT when inProgressTimeout passes.
    const { report } = await simulate(await loadRelease(), { profile: 'silent-devices', seed: 3 });
    expect(report.outcome).toBe('ROLLED_BACK');
    // What the judge saw when it decided: timed-out executions among the failures.
    const evidence = report.stages[0]!.evidence!;
    expect(evidence.counts.timedOut).toBeGreaterThan(0);
    expect(evidence.failures).toBeGreaterThanOrEqual(evidence.counts.timedOut);
  });

  it('holds silent devices in QUEUED under a TIMED_OUT retry, so the canary lacks coverage and asks a person', async () => {
    // As in examples/release.yaml: the timeout re-queues the execution, IoT never times out a QUEUED one, and the dark
    // device never asks for it again. No failure is counted; coverage stays short of 90 %.
    const request = await loadRelease('small-fleet.yaml', (r) => ({ ...r, safetyNet: { ...r.safetyNet, retries: [{ failureType: 'TIMED_OUT', numberOfRetries: 1 }] } }));
    const { report } = await simulate(request, { profile: 'silent-devices', seed: 3 });
    const canary = report.stages[0]!;
    expect(verdicts(report).filter((v) => v.startsWith('canary:'))).toEqual(['canary:EXTEND', 'canary:EXTEND', 'canary:HOLD']);
    expect(canary.evidence!.counts).toMatchObject({ failed: 0, timedOut: 0 });
    expect(canary.evidence!.counts.queued).toBeGreaterThan(0);
    expect(canary.evidence!.coverage).toBeLessThan(0.9);
    // --approve auto answers the hold, so the release goes on.
    expect(report.outcome).toBe('PROMOTED');
  });

  it('never double counts duplicate and out-of-order events', async () => {
    const plain = await simulate(await loadRelease(), { failRate: 0.3, seed: 7, delivery: { duplicateRate: 0, maxDelaySeconds: 0 } });
    const noisy = await simulate(await loadRelease(), { failRate: 0.3, seed: 7, delivery: { duplicateRate: 1, maxDelaySeconds: 300 } });
    expect(noisy.report.events.duplicated).toBeGreaterThan(0);
    expect(noisy.report.handlerInvocations['on-job-event']).toBeGreaterThan(plain.report.handlerInvocations['on-job-event'] ?? 0);
    expect(noisy.report.outcome).toBe(plain.report.outcome);
    const actions = (report: typeof plain.report) => report.decisions.filter((d) => d.kind === 'action').map((d) => (d.kind === 'action' ? d.action : ''));
    expect(actions(noisy.report)).toEqual(actions(plain.report));
    expect(noisy.report.rollbackJobs.map((j) => j.jobId)).toEqual(plain.report.rollbackJobs.map((j) => j.jobId));
  });
});
