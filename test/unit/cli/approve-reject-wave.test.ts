// approve / reject are bound to one wave: the QA replay (a second `approve` answering the next wave) is refused, a
// --wave that is not the waiting one is STALE, a script must name the wave, and a person on a terminal confirms the
// wave after seeing its evidence. Real use case, real in-memory store, over the live control server's HTTP API.
import { register as registerApprove } from '#cli/commands/approve.ts';
import { register as registerReject } from '#cli/commands/reject.ts';
import { TOKEN_HEADER } from '#operator/server.ts';
import { runCli } from '../operator/cli-harness.ts';
import { CANARY_VERDICT_AT, type TwoWaves, moveToEarly, onTerminal, twoWavesWaitingAtCanary } from './approve-reject-support.ts';

describe('approve / reject bound to a wave', () => {
  let release: TwoWaves;
  beforeEach(async () => {
    release = await twoWavesWaitingAtCanary();
  });
  afterEach(() => release?.close());

  const approvals = async () => (await release.store.listDecisions('fw-2-4-0')).filter((d) => d.kind === 'approval');
  const approve = (...args: string[]) => runCli(registerApprove, ['approve', 'fw-2-4-0', ...args], release.operations);

  it('refuses the replayed approve instead of approving the next wave, which nobody looked at', async () => {
    const first = await approve('--wave', 'canary', '--comment', 'first');
    const replay = await approve('--wave', 'canary', '--comment', 'first');

    expect(first).toMatchObject({ code: 0, out: 'fw-2-4-0 stage canary approved by cli:tester\n' });
    expect(replay).toMatchObject({ code: 2, out: '', err: 'ota-release: this answer was for wave canary, but fw-2-4-0 now waits at wave early; nothing was answered\n' });
    expect(release.workflow.calls).toEqual([{ kind: 'succeed', token: 'token-0' }]);
    expect(await release.store.getPendingTask('fw-2-4-0', 'approval')).toMatchObject({ stageIndex: 1, token: 'token-1' });
    // The one approval recorded says which verdict the operator saw: canary's, not early's.
    expect(await approvals()).toEqual([expect.objectContaining({ stageIndex: 0, stageName: 'canary', comment: 'first', evidenceAt: CANARY_VERDICT_AT })]);
  });

  it.each([
    ['a name', 'early'],
    ['a number', '2'],
  ])('refuses --wave naming another wave than the waiting one (%s) as stale, exit 2', async (_, wave) => {
    const result = await approve('--wave', wave);

    expect(result).toMatchObject({ code: 2, out: '', err: 'ota-release: this answer was for wave early, but fw-2-4-0 now waits at wave canary; nothing was answered\n' });
    expect(release.workflow.calls).toEqual([]);
    expect(await approvals()).toEqual([]);
  });

  it.each([
    ['a name', 'canary'],
    ['a number', '1'],
  ])('approves the waiting wave named by %s', async (_, wave) => {
    const result = await approve('--wave', wave);

    expect(result.code).toBe(0);
    expect(release.workflow.calls).toEqual([{ kind: 'succeed', token: 'token-0' }]);
  });

  it.each(['prod', '0', '3', '1.0', ''])('refuses --wave %j, which the release does not have, listing its waves', async (wave) => {
    const result = await approve('--wave', wave);

    expect(result).toMatchObject({ code: 2, out: '', err: `ota-release: fw-2-4-0 has no wave "${wave}"; its waves are 1 canary, 2 early\n` });
    expect(release.workflow.calls).toEqual([]);
  });

  it('says STALE in --json for scripts', async () => {
    const result = await approve('--wave', 'early', '--json');

    expect(result.code).toBe(2);
    expect(JSON.parse(result.out)).toEqual({ outcome: 'stale', answered: false, message: expect.stringContaining('now waits at wave canary') });
  });

  it('refuses a reject for another wave as stale, and rejects the waiting one with its reason', async () => {
    const stale = await runCli(registerReject, ['reject', 'fw-2-4-0', '--wave', 'early', '--reason', 'boot loops'], release.operations);
    const bound = await runCli(registerReject, ['reject', 'fw-2-4-0', '--wave', 'canary', '--reason', 'boot loops'], release.operations);

    expect(stale).toMatchObject({ code: 2, err: expect.stringContaining('this answer was for wave early') });
    expect(bound.code).toBe(0);
    expect(release.workflow.calls).toEqual([{ kind: 'fail', token: 'token-0' }]);
    expect(await approvals()).toEqual([expect.objectContaining({ answer: 'reject', stageIndex: 0, comment: 'boot loops', evidenceAt: CANARY_VERDICT_AT })]);
  });

  describe('without --wave and without a terminal (scripts, CI)', () => {
    it.each([
      ['approve', registerApprove, ['approve', 'fw-2-4-0']],
      ['reject', registerReject, ['reject', 'fw-2-4-0', '--reason', 'boot loops']],
    ] as const)('refuses to %s, naming the wave that waits', async (verb, register, args) => {
      const result = await runCli(register, [...args], release.operations);

      expect(result).toMatchObject({
        code: 2,
        out: '',
        err: `ota-release: name the wave you ${verb} with --wave <name|number>; without a terminal to confirm on, ota-release will not guess it (fw-2-4-0 waits at wave canary: --wave canary)\n`,
      });
      expect(release.workflow.calls).toEqual([]);
    });

    it('refuses with exit 2 and {error, exitCode} in --json', async () => {
      const result = await approve('--json');

      expect(result.code).toBe(2);
      expect(JSON.parse(result.out)).toEqual({ error: expect.stringContaining('--wave'), exitCode: 2 });
    });
  });

  describe('without --wave on a terminal', () => {
    const asked: string[] = [];
    const typing = (reply: string | undefined) => async (question: string) => {
      asked.push(question);
      return reply;
    };
    beforeEach(() => asked.splice(0));
    const onTty = (reply: string | undefined, ...args: string[]) => runCli(onTerminal(registerApprove, typing(reply)), ['approve', 'fw-2-4-0', ...args], release.operations);

    it('shows the waiting wave with its verdict and evidence, and approves that wave on y', async () => {
      const result = await onTty('y', '--comment', 'looked at it');

      expect(asked).toEqual(['Approve promotion of canary? [y/N] ']);
      expect(result.err).toContain('fw-2-4-0 waits at wave canary (1 of 2) for an approval');
      expect(result.err).toContain('canary: HOLD → approve');
      expect(result.err).toMatch(/failure rate 3\.0 %, limit 2 %, unacceptable 4 %, 95 % confidence; test lines: too few reports to promote, rolls back at ≥ 8 failures \(100 reported\)/);
      expect(result).toMatchObject({ code: 0, out: 'fw-2-4-0 stage canary approved by cli:tester\n' });
      expect(await approvals()).toEqual([expect.objectContaining({ stageIndex: 0, evidenceAt: CANARY_VERDICT_AT })]);
    });

    it.each([
      ['EOF', undefined],
      ['Enter', ''],
      ['n', 'n'],
      ['yes', 'yes'],
      ['anything else', 'approve'],
    ])('answers nothing on %s, exit 2', async (_, reply) => {
      const result = await onTty(reply);

      expect(result).toMatchObject({ code: 2, out: '' });
      expect(result.err).toContain('ota-release: nothing was answered; fw-2-4-0 still waits at wave canary\n');
      expect(release.workflow.calls).toEqual([]);
    });

    it('takes Y with spaces as yes', async () => {
      expect((await onTty(' Y ')).code).toBe(0);
    });

    it('refuses as stale when the release moved on while the operator read the evidence', async () => {
      const result = await runCli(
        onTerminal(registerApprove, async () => {
          await release.store.takePendingTask('fw-2-4-0', 'approval', 'token-0'); // answered elsewhere meanwhile
          await moveToEarly(release.store);
          return 'y';
        }),
        ['approve', 'fw-2-4-0'],
        release.operations,
      );

      expect(result.code).toBe(2);
      expect(result.err).toContain('ota-release: this answer was for wave canary, but fw-2-4-0 now waits at wave early');
      expect(release.workflow.calls).toEqual([]);
    });

    it('asks nothing when the release waits for no approval', async () => {
      await release.store.takePendingTask('fw-2-4-0', 'approval', 'token-0');
      await release.store.updateRelease('fw-2-4-0', (current) => ({ ...current, status: 'IN_PROGRESS' }));

      const result = await onTty('y');

      expect(asked).toEqual([]);
      expect(result).toMatchObject({ code: 2, err: 'ota-release: fw-2-4-0 is not waiting for an approval (it is IN_PROGRESS)\n' });
    });

    it('asks "Reject promotion" for a reject', async () => {
      const result = await runCli(onTerminal(registerReject, typing('y')), ['reject', 'fw-2-4-0', '--reason', 'boot loops'], release.operations);

      expect(asked).toEqual(['Reject promotion of canary (the release rolls back)? [y/N] ']);
      expect(release.workflow.calls).toEqual([{ kind: 'fail', token: 'token-0' }]);
      expect(result.code).toBe(0);
    });
  });

  describe('the control API the dashboard posts to', () => {
    const post = (kind: 'approve' | 'reject', body: unknown) =>
      fetch(new URL(`api/releases/fw-2-4-0/${kind}`, release.server.url), { method: 'POST', headers: { [TOKEN_HEADER]: 'test-token-0123456789', 'content-type': 'application/json' }, body: JSON.stringify(body) });

    it('refuses a dashboard click on a wave the release has moved on from, and says so', async () => {
      await release.store.takePendingTask('fw-2-4-0', 'approval', 'token-0');
      await moveToEarly(release.store);

      const response = await post('approve', { via: 'dashboard', stageIndex: 0 });

      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ outcome: 'stale', answered: false, message: 'this answer was for wave canary, but fw-2-4-0 now waits at wave early; nothing was answered' });
      expect(release.workflow.calls).toEqual([]);
    });

    it('answers the wave the dashboard showed', async () => {
      const response = await post('reject', { via: 'dashboard', stageIndex: 0, reason: 'boot loops' });

      expect(await response.json()).toMatchObject({ outcome: 'rejected', answered: true });
      expect(await approvals()).toEqual([expect.objectContaining({ by: 'dashboard:tester', via: 'dashboard', stageIndex: 0, evidenceAt: CANARY_VERDICT_AT })]);
    });

    it.each([-1, 1.5, 'canary', 100])('refuses stageIndex %j with 400', async (stageIndex) => {
      const response = await post('approve', { via: 'dashboard', stageIndex });

      expect(response.status).toBe(400);
      expect(((await response.json()) as { error: string }).error).toContain('stageIndex');
      expect(release.workflow.calls).toEqual([]);
    });
  });
});
