import { register } from '#cli/commands/list.ts';
import { runCli } from '../operator/cli-harness.ts';
import { FakeOperations } from '../operator/fake-operations.ts';
import { record, seededStore } from '../operator/support.ts';

async function withReleases() {
  const operations = new FakeOperations();
  await operations.store.createRelease(record({ releaseId: 'fw-2-3-0', status: 'PROMOTED', stageIndex: 2, createdAt: '2026-11-01T00:00:00.000Z' }));
  return operations;
}

describe('ota-release list', () => {
  it('lists releases newest first and points at the one that waits', async () => {
    const result = await runCli(register, ['list'], await withReleases());

    expect(result.code).toBe(0);
    expect(result.out.indexOf('fw-2-4-0')).toBeLessThan(result.out.indexOf('fw-2-3-0'));
    expect(result.out).toContain('AWAITING_APPROVAL ←');
    expect(result.out).toContain('1 release waits for an operator');
  });

  it('keeps only releases that have not ended with --active', async () => {
    const result = await runCli(register, ['list', '--active', '--json'], await withReleases());
    expect(JSON.parse(result.out).map((r: { releaseId: string }) => r.releaseId)).toEqual(['fw-2-4-0']);
  });

  it('says where it looked when there is nothing', async () => {
    const operations = new FakeOperations(seededStore());
    const result = await runCli(register, ['list'], operations);
    expect(result.out).toBe('No releases in test cloud <fake>.\n');
  });
});

describe('ota-release list order', () => {
  it('shows the newest release first, whatever order the store keeps', async () => {
    const operations = new FakeOperations(seededStore([]));
    for (const [releaseId, createdAt] of [['fw-b', '2026-11-02T00:00:00.000Z'], ['fw-c', '2026-11-03T00:00:00.000Z'], ['fw-a', '2026-11-01T00:00:00.000Z']]) {
      await operations.store.createRelease(record({ releaseId, createdAt }));
    }
    const { out } = await runCli(register, ['list'], operations);
    expect(out.match(/fw-[abc]/g)).toEqual(['fw-c', 'fw-b', 'fw-a']);
  });
});

describe('ota-release list: releases of the embedded cloud', () => {
  it('shows the real start and the last update as simulated time since it', async () => {
    const operations = new FakeOperations(seededStore([record({ createdAt: '2026-11-02T09:00:00.000Z', updatedAt: '2026-11-02T21:30:00.000Z' })]));
    operations.clock = 'simulated';

    const { out } = await runCli(register, ['list'], operations);

    expect(out).toMatch(/2026-11-02 09:00:00Z\s*│\s*\+12h30m\s*│/);
    expect(out).toContain('embedded cloud: times after the start are simulated time since it started');
  });
});
