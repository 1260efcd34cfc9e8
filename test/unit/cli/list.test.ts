import { register } from '#cli/commands/list.ts';
import { runCli } from '../local/control/cli-harness.ts';
import { FakeOperations } from '../local/control/fake-operations.ts';
import { record, seededStore } from '../local/control/support.ts';

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
