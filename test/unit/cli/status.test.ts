import { register } from '#cli/commands/status.ts';
import { NotFoundError } from '#ports/errors.ts';
import { runCli } from '../operator/cli-harness.ts';
import { FakeOperations } from '../operator/fake-operations.ts';
import { approvalTask, record, seededStore, verdictRecord } from '../operator/support.ts';

describe('ota-release status', () => {
  it('shows the stages, the wait with the commands that answer it, and the evidence', async () => {
    const result = await runCli(register, ['status', 'fw-2-4-0'], new FakeOperations());

    expect(result.code).toBe(0);
    expect(result.out).toContain('fw-2-4-0  AWAITING_APPROVAL  gateway 2.3.1 → 2.4.0');
    expect(result.out).toMatch(/canary \(manual\).*active.*100 % of 100 \(last verdict\)/);
    expect(result.out).toContain('ota-release approve fw-2-4-0');
    expect(result.out).toContain('failure rate 3.0 %, limit 2 %, unacceptable 4 %, 95 % confidence; test lines: too few reports to promote, rolls back at ≥ 8 failures (100 reported)');
    expect(result.out).toContain('- failure rate 3.0 % needs a person');
  });

  it.each([
    ['separates thousands and writes one failure in the singular', { targeted: 4000, succeeded: 3370, failed: 1 }, ['of 4,000 (last verdict)', 'executed 3,371 of 4,000 (84 %), 1 failure, timeout rate 0.0 %']],
    ['writes several failures in the plural', { targeted: 100, succeeded: 97, failed: 3 }, ['of 100 (last verdict)', 'executed 100 of 100 (100 %), 3 failures, timeout rate 0.0 %']],
  ])('%s', async (_name, partial, expected) => {
    const operations = new FakeOperations(seededStore([record()], [approvalTask()], [verdictRecord(0, 'HOLD', '2026-11-24T12:00:00.000Z', partial)]));
    const result = await runCli(register, ['status', 'fw-2-4-0'], operations);
    for (const text of expected) expect(result.out).toContain(text);
  });

  it('writes percentages one way, as the judge writes its reasons (`3.0 %`, a limit `2 %`), and counts with separators', async () => {
    const operations = new FakeOperations(seededStore([record()], [approvalTask()], [verdictRecord(0, 'HOLD', '2026-11-24T12:00:00.000Z', { targeted: 4000, succeeded: 3370, failed: 1 })]));
    const { out } = await runCli(register, ['status', 'fw-2-4-0'], operations);

    expect(out).not.toMatch(/\d%/);
    expect(out).not.toMatch(/(?<![\d:-])\d{4,}(?![\d:-])/);
  });

  it('counts REJECTED executions apart from failed ones, as simulate does', async () => {
    const operations = new FakeOperations(seededStore([record()], [approvalTask()], [verdictRecord(0, 'HOLD', '2026-11-24T12:00:00.000Z', { targeted: 4000, succeeded: 3000, failed: 7, rejected: 12 })]));
    const result = await runCli(register, ['status', 'fw-2-4-0'], operations);
    const header = result.out.split('\n').find((line) => line.includes('timed out'))!;
    const row = result.out.split('\n').find((line) => line.includes('canary (manual)'))!;
    const cells = (line: string) => line.split('│').map((cell) => cell.trim());
    const column = (name: string) => cells(row)[cells(header).indexOf(name)];
    expect([column('ok'), column('failed'), column('rejected')]).toEqual(['3,000', '7', '12']);
  });

  it('prints the whole view as JSON', async () => {
    const result = await runCli(register, ['status', 'fw-2-4-0', '--json'], new FakeOperations());
    const view = JSON.parse(result.out);
    expect(view).toMatchObject({ releaseId: 'fw-2-4-0', status: 'AWAITING_APPROVAL', waitingFor: { kind: 'approval' } });
    expect(view.stages).toHaveLength(3);
  });

  it('says so in one line, exit 2, for an unknown release', async () => {
    const operations = new FakeOperations();
    operations.describeRelease = async (id: string) => {
      throw new NotFoundError(`no release named ${id}`);
    };
    const result = await runCli(register, ['status', 'nope', '--json'], operations);
    expect(result).toMatchObject({ code: 2, err: 'ota-release: no release named nope\n' });
    expect(JSON.parse(result.out)).toEqual({ error: 'no release named nope', exitCode: 2 });
  });

  it('stops watching once the release waits for an operator', async () => {
    const operations = new FakeOperations();
    let calls = 0;
    const describe = operations.describeRelease.bind(operations);
    operations.describeRelease = async (id: string) => {
      calls += 1;
      const view = await describe(id);
      return calls < 3 ? { ...view, status: 'IN_PROGRESS', waitingFor: undefined } : view;
    };
    const sleeps: number[] = [];

    const result = await runCli(register, ['status', 'fw-2-4-0', '--watch', '0.5'], operations, { extra: [(ms: number) => sleeps.push(ms) && Promise.resolve()] });

    expect(result.code).toBe(0);
    expect(calls).toBe(3);
    expect(sleeps).toEqual([500, 500]);
  });

  it.each(['0', 'soon', '99999'])('refuses --watch %s', async (value) => {
    const result = await runCli(register, ['status', 'fw-2-4-0', '--watch', value], new FakeOperations());
    expect(result.code).toBe(2);
  });
});

describe('ota-release status: how a release of the embedded cloud reads its times', () => {
  // T0 (10:00) is the real time it started; the verdict came two simulated hours later, the approval expires a day on.
  const simulated = () => {
    const operations = new FakeOperations(seededStore([record({ updatedAt: '2026-11-24T12:00:00.000Z' })], [approvalTask()], [verdictRecord(0, 'HOLD', '2026-11-24T12:00:00.000Z')]));
    operations.clock = 'simulated';
    return operations;
  };

  it('shows when it started as a real time, and every later time as simulated time since the start, never as a date', async () => {
    const { out } = await runCli(register, ['status', 'fw-2-4-0'], simulated());

    expect(out).toContain('started 2026-11-24 10:00:00Z · updated +2h');
    expect(out).toContain('embedded cloud: times after the start are simulated time since it started');
    expect(out).toContain('(asked +2h, expires +1d2h)');
    expect(out).toContain('canary: HOLD → approve at +2h');
    expect(out).not.toMatch(/2026-11-2[45] 12:00/);
  });

  it('shows a release on AWS with real times throughout', async () => {
    const { out } = await runCli(register, ['status', 'fw-2-4-0'], new FakeOperations(seededStore([record({ updatedAt: '2026-11-24T12:00:00.000Z' })], [approvalTask()], [verdictRecord(0, 'HOLD', '2026-11-24T12:00:00.000Z')])));

    expect(out).toContain('started 2026-11-24 10:00:00Z · updated 2026-11-24 12:00:00Z');
    expect(out).toContain('canary: HOLD → approve at 2026-11-24 12:00:00Z');
    expect(out).not.toContain('simulated');
  });

  it('says so in --json, where times stay ISO on the release clock', async () => {
    const { out } = await runCli(register, ['status', 'fw-2-4-0', '--json'], simulated());

    expect(JSON.parse(out)).toEqual(expect.objectContaining({ clock: 'simulated', createdAt: '2026-11-24T10:00:00.000Z', updatedAt: '2026-11-24T12:00:00.000Z' }));
  });
});
