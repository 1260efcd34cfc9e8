// The operator commands against a live embedded-cloud release, the way two terminals use them: one process runs the
// release (simulate --approve external) and serves it on loopback; the other opens the state directory and answers.
// No browser here: this is the path `ota-release status / approve / reject / abort` take.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openLocalOperations } from '#cli/target/local.ts';
import { readReleaseFile } from '#cli/target/release-file.ts';
import { serveLiveControl } from '#local/control/live.ts';
import { faultProfile } from '#local/fleet/fault-profiles.ts';
import { SimulatedFleet } from '#local/fleet/simulated-fleet.ts';
import { createLocalCloud } from '#local/local-cloud.ts';

const RELEASE = `
releaseId: live-2-4-0
product: edge-gateway
firmware: { version: 2.4.0, previousVersion: 2.3.1, source: { file: image.bin } }
fleet: { thingGroups: [gateways] }
stages:
  - { name: canary, targets: { percent: 10 }, bake: 2h, approval: manual, rollout: { maximumPerMinute: 100 } }
  - { name: fleet, targets: { percent: 100 }, bake: 1h, rollout: { maximumPerMinute: 1000 } }
`;

async function liveRelease() {
  const dir = await mkdtemp(join(tmpdir(), 'ota-live-'));
  await writeFile(join(dir, 'release.yaml'), RELEASE);
  await writeFile(join(dir, 'image.bin'), Buffer.alloc(1024, 1));
  const stateDir = join(dir, '.ota-release');
  const cloud = await createLocalCloud({ fleet: new SimulatedFleet({ devices: 300, profile: faultProfile('healthy'), seed: 5 }), baseDir: dir, approve: 'external' });
  const live = await serveLiveControl({ ports: cloud.ports, stateDir });
  const run = cloud.runRelease(await readReleaseFile(join(dir, 'release.yaml')));
  const operator = await openLocalOperations(stateDir);
  // Wait, as an operator would with `status --watch`, until the release asks for a person.
  for (let i = 0; i < 200 && (await operator.describeRelease('live-2-4-0').catch(() => undefined))?.waitingFor?.kind !== 'approval'; i++) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const done = async () => {
    const report = await run;
    await live.close();
    await cloud.close();
    return report;
  };
  return { operator, done };
}

describe('operator commands on a live local release', () => {
  it('approves once; the replay and a late reject get one-line refusals', async () => {
    const { operator, done } = await liveRelease();

    const first = await operator.answerApproval({ releaseId: 'live-2-4-0', answer: 'approve', by: 'cli:alice', via: 'cli', comment: 'go' });
    const replay = await operator.answerApproval({ releaseId: 'live-2-4-0', answer: 'approve', by: 'cli:alice', via: 'cli' });
    const report = await done();

    expect(first).toMatchObject({ outcome: 'approved', answered: true });
    expect(replay.answered).toBe(false);
    expect(replay.message).toMatch(/^live-2-4-0 .*not waiting for an approval|already answered/);
    expect(report.outcome).toBe('PROMOTED');
    expect(report.decisions.filter((d) => d.kind === 'approval')).toEqual([expect.objectContaining({ answer: 'approve', by: 'cli:alice', via: 'cli', comment: 'go' })]);
  });

  it('rolls back on a reject with its reason', async () => {
    const { operator, done } = await liveRelease();
    const result = await operator.answerApproval({ releaseId: 'live-2-4-0', answer: 'reject', by: 'cli:bob', via: 'cli', comment: 'boot loops' });
    const report = await done();
    expect(result.answered).toBe(true);
    expect(report.outcome).toBe('ROLLED_BACK');
  });

  it('aborts a waiting release: the workflow stops and the release ends ABORTED', async () => {
    const { operator, done } = await liveRelease();
    const result = await operator.abortRelease({ releaseId: 'live-2-4-0', by: 'cli:carol', reason: 'wrong image' });
    const report = await done();
    expect(result).toMatchObject({ outcome: 'aborted', status: 'ABORTED' });
    expect(report.outcome).toBe('ABORTED');
  });
});
