import { register } from '#cli/commands/abort.ts';
import type { AbortResult } from '#app/abort-release.ts';
import { runCli } from '../operator/cli-harness.ts';
import { FakeOperations } from '../operator/fake-operations.ts';

function answering(result: AbortResult) {
  const operations = new FakeOperations();
  operations.abortRelease = async (input) => {
    operations.aborts.push(input);
    return result;
  };
  return operations;
}

describe('ota-release abort', () => {
  it('aborts with the reason and force, and exits 0', async () => {
    const operations = new FakeOperations();
    const result = await runCli(register, ['abort', 'fw-2-4-0', '--reason', 'wrong image', '--force'], operations);
    expect(result).toMatchObject({ code: 0, out: 'fw-2-4-0 aborted\n' });
    expect(operations.aborts).toEqual([{ releaseId: 'fw-2-4-0', by: 'cli:tester', reason: 'wrong image', force: true }]);
  });

  it.each([
    ['an aborted release again (harmless)', { outcome: 'already-ended', status: 'ABORTED' }, 0],
    ['a promoted release', { outcome: 'already-ended', status: 'PROMOTED' }, 2],
    ['a release that rolls back', { outcome: 'rolling-back', status: 'ROLLING_BACK' }, 2],
    ['an unknown release', { outcome: 'unknown-release' }, 2],
  ] as const)('exits as documented for %s', async (_, partial, code) => {
    const result = await runCli(register, ['abort', 'fw-2-4-0', '--reason', 'x'], answering({ ...partial, message: 'one line', canceledJobIds: [] }));
    expect(result.code).toBe(code);
    expect(code === 0 ? result.out : result.err).toMatch(/one line\n$/);
  });

  it('needs a reason', async () => {
    const result = await runCli(register, ['abort', 'fw-2-4-0'], new FakeOperations());
    expect(result.code).toBe(2);
  });
});
