// Manual approval through the real AwaitApproval task-token state, answered, rejected, or left to time out.
import type { ReleaseRequest } from '#domain/release-request.ts';
import { loadRelease, simulate } from './simulation-harness.ts';

const manualCanary = (request: ReleaseRequest): ReleaseRequest => ({
  ...request,
  stages: request.stages.map((stage, index) => (index === 0 ? { ...stage, approval: 'manual' as const } : stage)),
});

describe('manual approval on the embedded cloud', () => {
  it('goes on when the operator approves', async () => {
    const { report } = await simulate(await loadRelease('small-fleet.yaml', manualCanary), { approve: 'auto' });
    expect(report.outcome).toBe('PROMOTED');
    const approval = report.decisions.find((d) => d.kind === 'approval');
    expect(approval).toMatchObject({ kind: 'approval', answer: 'approve', stageName: 'canary' });
  });

  it('rolls back when the operator rejects', async () => {
    const { report } = await simulate(await loadRelease('small-fleet.yaml', manualCanary), { approve: 'reject' });
    expect(report.outcome).toBe('ROLLED_BACK');
    expect(report.execution.error).toBe('RolledBackOnRejection');
    expect(report.decisions.find((d) => d.kind === 'approval')).toMatchObject({ answer: 'reject' });
  });

  it('applies the policy when nobody answers in time', async () => {
    const nobody = async () => {};
    const { report, cloud } = await simulate(await loadRelease('small-fleet.yaml', manualCanary), { approve: 'auto', answer: nobody });
    expect(report.outcome).toBe('ROLLED_BACK');
    expect(report.execution.error).toBe('RolledBackOnApprovalTimeout');
    // The wait lasted the policy's two hours of virtual time, on top of the bake.
    expect(report.virtualSeconds).toBeGreaterThanOrEqual(3 * 3600);
    expect(cloud.notifier.approvalRequests).toHaveLength(1);
  });
});
