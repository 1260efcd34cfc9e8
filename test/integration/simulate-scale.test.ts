// The twin runs the same targeting code as AWS and meters the control plane: the work of any one Lambda invocation
// must not grow with the fleet, a release must leave no wave group behind, and the summary says so in one line.
import { renderSimulationSummary } from '#cli/render/simulation-summary.ts';
import { loadRelease, simulate } from './simulation-harness.ts';

describe('a release at scale on the embedded cloud', () => {
  it('makes as many control-plane calls in its busiest invocation for 20,000 devices as for 1,000', async () => {
    const small = (await simulate(await loadRelease(), { devices: 1000 })).report;
    const large = (await simulate(await loadRelease(), { devices: 20_000 })).report;

    expect(large.outcome).toBe('PROMOTED');
    expect(large.controlPlane.maxCallsInOneInvocation).toBe(small.controlPlane.maxCallsInOneInvocation);
    expect(large.controlPlane.maxCallsInOneInvocation).toBeLessThanOrEqual(6);
    expect(large.controlPlane.calls.ListThingsInThingGroup ?? 0).toBe(0);
    expect(large.controlPlane.calls.AddThingToThingGroup ?? 0).toBe(0);
    expect(large.controlPlane.throttled).toBe(0);
    expect(large.stages.map((stage) => stage.counts.targeted)).toEqual([2000, 8000, 10_000]);
  });

  it.each([
    ['promoted', {}],
    ['rolled back', { failRate: 0.3, seed: 7 }],
  ])('leaves no dynamic group behind when the release is %s', async (_how, options) => {
    const { report, cloud } = await simulate(await loadRelease(), { devices: 5000, ...options });

    expect(report.controlPlane.calls.CreateDynamicThingGroup).toBeGreaterThan(0);
    expect(cloud.things.dynamicGroupNames()).toEqual([]);
  });

  it('samples a fleet of 100 devices or fewer exactly, without dynamic groups', async () => {
    const { report, cloud } = await simulate(await loadRelease(), { devices: 40 });

    expect(report.stages[0]!.counts.targeted).toBe(4); // 10 % of 40
    expect(report.controlPlane.calls.CreateDynamicThingGroup ?? 0).toBe(0);
    expect(cloud.things.dynamicGroupNames()).toEqual([]);
  });

  it('prints the control plane in one summary line', async () => {
    const { report } = await simulate(await loadRelease(), { devices: 1000 });

    const lines = renderSimulationSummary(report, { columns: 200, color: false }).split('\n').filter((line) => line.startsWith('IoT calls:'));

    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^IoT calls: \d+ \(DescribeJob \d+, .*\) · at most \d+ in one invocation \(create-canary-job\) · 0 throttled$/);
  });
});
