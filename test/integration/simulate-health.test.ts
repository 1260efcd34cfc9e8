// Health gates end to end: the real workflow and handlers on the embedded cloud, a simulated fleet whose installs all
// succeed, judged on what the devices do afterwards against the devices still on the previous version.
import { GateStatus } from '#domain/health-gates/gate-result.ts';
import type { ReleaseRequest } from '#domain/release-request.ts';
import { HealthGateSpec } from '#domain/health-gates/gate-spec.ts';
import { loadRelease, simulate, verdicts } from './simulation-harness.ts';

const withGates = (request: ReleaseRequest): ReleaseRequest => ({
  ...request,
  stages: request.stages.map((stage) => ({ ...stage, bake: 3 * 3600 })),
  health: {
    ...request.health,
    reportEvery: 300,
    warmUp: 1800,
    gates: [HealthGateSpec.parse({ kind: 'rate', metric: 'crashes', maxRatio: 1.2, unacceptableRatio: 2.5 }), HealthGateSpec.parse({ kind: 'silence', afterReports: 2 })],
  },
});

describe('health gates on the embedded cloud', () => {
  it('promotes a healthy release, every gate passing at every promotion', async () => {
    const { report } = await simulate(await loadRelease('small-fleet.yaml', withGates), { devices: 2000 });
    expect(report.outcome).toBe('PROMOTED');
    const promotions = report.decisions.filter((d) => d.kind === 'verdict' && d.judgement.verdict === 'PROMOTE');
    expect(promotions).toHaveLength(3);
    for (const decision of promotions) {
      if (decision.kind !== 'verdict') continue;
      expect(decision.judgement.gates?.map((g) => g.status)).toEqual([GateStatus.PASS, GateStatus.PASS]);
    }
  });

  it('rolls back a crashy release whose installs all succeed, where the install test alone would promote it', async () => {
    const request = await loadRelease('small-fleet.yaml', withGates);
    const { report } = await simulate(request, { devices: 2000, profile: 'crashy' });
    expect(report.outcome).toBe('ROLLED_BACK');
    const last = report.decisions.filter((d) => d.kind === 'verdict').at(-1)!;
    expect(last.kind === 'verdict' && last.judgement.rules[0]).toBe('health-gate-failed');
    expect(report.stages.every((stage) => stage.counts.failed === 0)).toBe(true);

    const installOnly = await simulate({ ...request, health: { ...request.health, gates: [] } }, { devices: 2000, profile: 'crashy' });
    expect(installOnly.report.outcome).toBe('PROMOTED');
  });

  it('catches a slow leak only once devices have run the new version long enough', async () => {
    const { report } = await simulate(await loadRelease('small-fleet.yaml', withGates), { devices: 2000, profile: 'slow-leak' });
    expect(report.outcome).toBe('ROLLED_BACK');
    // The canary's devices pass the leak's 4-hour onset only while a later stage bakes.
    const judged = verdicts(report);
    expect(judged[0]).toBe('canary:EXTEND');
    expect(judged).toContain('canary:PROMOTE');
    expect(judged.at(-1)).not.toMatch(/^canary:/);
    // The rollback goes to the devices the waves reached, not to the whole fleet.
    const reached = report.stages.reduce((sum, stage) => sum + stage.counts.targeted, 0);
    expect(report.rollbackJobs).toHaveLength(1);
    expect(report.rollbackJobs[0]!.counts.targeted).toBe(reached);
    expect(reached).toBeLessThan(2000);
  });

  it('rolls back when devices report SUCCEEDED and never come back', async () => {
    const { report } = await simulate(await loadRelease('small-fleet.yaml', withGates), { devices: 2000, profile: 'post-update-silence' });
    expect(report.outcome).toBe('ROLLED_BACK');
    const last = report.decisions.filter((d) => d.kind === 'verdict').at(-1)!;
    const silence = last.kind === 'verdict' ? last.judgement.gates?.find((g) => g.kind === 'silence') : undefined;
    expect(silence).toMatchObject({ status: GateStatus.FAIL });
    expect(report.stages[0]!.counts.succeeded).toBe(report.stages[0]!.counts.targeted);
  });
});
