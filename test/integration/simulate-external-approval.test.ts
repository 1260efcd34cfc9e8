// --approve external: the virtual clock holds at the approval until an answer arrives through the local ports
// (what the control server does for `ota-release approve` in another terminal).
import { answerApproval } from '#app/answer-approval.ts';
import type { ReleaseRequest } from '#domain/release-request.ts';
import { faultProfile } from '#local/fleet/fault-profiles.ts';
import { SimulatedFleet } from '#local/fleet/simulated-fleet.ts';
import { createLocalCloud } from '#local/local-cloud.ts';
import { FIXTURES, loadRelease } from './simulation-harness.ts';

const manualCanary = (request: ReleaseRequest): ReleaseRequest => ({
  ...request,
  stages: request.stages.map((stage, index) => (index === 0 ? { ...stage, approval: 'manual' as const } : stage)),
});

async function until(condition: () => boolean): Promise<void> {
  for (let turn = 0; turn < 10_000 && !condition(); turn++) await new Promise((resolve) => setImmediate(resolve));
  if (!condition()) throw new Error('condition never came true');
}

describe('external approval', () => {
  it('holds virtual time at the approval until an answer comes through the ports', async () => {
    const cloud = await createLocalCloud({ fleet: new SimulatedFleet({ devices: 1000, profile: faultProfile('healthy'), seed: 1 }), baseDir: FIXTURES, approve: 'external' });
    const running = cloud.runRelease(await loadRelease('small-fleet.yaml', manualCanary));
    await until(() => cloud.notifier.approvalRequests.length === 1);
    const heldAt = cloud.scheduler.nowMs();
    // Several turns of the event loop later, time has not moved: the approval's 2 h timeout cannot fire.
    for (let turn = 0; turn < 50; turn++) await new Promise((resolve) => setImmediate(resolve));
    expect(cloud.scheduler.nowMs()).toBe(heldAt);
    expect((await cloud.store.getRelease('it-release'))?.status).toBe('AWAITING_APPROVAL');

    const result = await answerApproval(cloud.ports, { releaseId: 'it-release', answer: 'approve', by: 'test-operator', via: 'cli' });
    expect(result.outcome).toBe('answered');
    const report = await running;
    expect(report.outcome).toBe('PROMOTED');
    expect(report.decisions.find((d) => d.kind === 'approval')).toMatchObject({ by: 'test-operator', answer: 'approve' });
  });
});
