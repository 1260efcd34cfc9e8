import { register as registerApprove } from '#cli/commands/approve.ts';
import { register as registerReject } from '#cli/commands/reject.ts';
import { runCli } from '../operator/cli-harness.ts';
import { FakeOperations } from '../operator/fake-operations.ts';

describe('ota-release approve / reject', () => {
  it('approves with a comment, recorded as the CLI user, and exits 0', async () => {
    const operations = new FakeOperations();

    const result = await runCli(registerApprove, ['approve', 'fw-2-4-0', '--wave', 'canary', '--comment', 'canary clean'], operations);

    expect(result).toMatchObject({ code: 0, out: 'fw-2-4-0 approved\n', err: '' });
    expect(operations.answers).toEqual([{ releaseId: 'fw-2-4-0', answer: 'approve', by: 'cli:tester', via: 'cli', comment: 'canary clean', stageIndex: 0 }]);
  });

  it('refuses a replayed answer in one line with exit status 2', async () => {
    const operations = new FakeOperations();
    await runCli(registerApprove, ['approve', 'fw-2-4-0', '--wave', 'canary'], operations);

    const result = await runCli(registerApprove, ['approve', 'fw-2-4-0', '--wave', 'canary'], operations);

    expect(result).toMatchObject({ code: 2, out: '', err: 'ota-release: fw-2-4-0 was already answered\n' });
  });

  it('prints the result as JSON for scripts', async () => {
    const result = await runCli(registerApprove, ['approve', 'fw-2-4-0', '--wave', 'canary', '--json', '--by', 'release-bot'], new FakeOperations());
    expect(JSON.parse(result.out)).toEqual({ outcome: 'approved', answered: true, message: 'fw-2-4-0 approved' });
  });

  it('rejects with the reason as the comment', async () => {
    const operations = new FakeOperations();

    const result = await runCli(registerReject, ['reject', 'fw-2-4-0', '--wave', '1', '--reason', 'boot loops'], operations);

    expect(result.code).toBe(0);
    expect(operations.answers[0]).toMatchObject({ answer: 'reject', comment: 'boot loops', stageIndex: 0 });
  });

  it('will not reject without a reason', async () => {
    const operations = new FakeOperations();
    const result = await runCli(registerReject, ['reject', 'fw-2-4-0', '--wave', 'canary'], operations);
    expect(result.code).toBe(2);
    expect(result.err).toContain("required option '--reason <text>'");
    expect(operations.answers).toEqual([]);
  });

  it('answers in one line, exit 2, when there is no embedded cloud here', async () => {
    const result = await runCli(registerApprove, ['approve', 'fw-2-4-0', '--wave', 'canary'], new FakeOperations(), { env: { OTA_RELEASE_STATE_DIR: '/nonexistent/ota' } });
    expect(result).toMatchObject({ code: 2, out: '' });
    expect(result.err).toMatch(/^ota-release: no embedded cloud state in \/nonexistent\/ota\n$/);
  });

  it('goes to the deployed stack with --stage and --region', async () => {
    const result = await runCli(registerApprove, ['approve', 'fw-2-4-0', '--wave', 'canary', '--stage', 'prod', '--region', 'eu-west-1'], new FakeOperations());
    expect(result.targets).toEqual([{ kind: 'aws', stage: 'prod', region: 'eu-west-1', stackName: 'ota-release-prod' }]);
  });
});
