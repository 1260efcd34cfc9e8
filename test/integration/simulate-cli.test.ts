// `ota-release simulate` as a user runs it: exit statuses, --json, --keep, and bad input that starts nothing.
import { copyFile, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import { simulate, type SimulateOptions } from '#cli/commands/simulate.ts';
import { httpOperations } from '#operator/client.ts';
import { CONTROL_DIR, readControlFile } from '#local/control/control-file.ts';
import { loadState } from '#local/state-dir.ts';
import { runCli } from '../support/run-cli.ts';
import { FIXTURES } from './simulation-harness.ts';

const RELEASE = join(FIXTURES, 'small-fleet.yaml');

async function run(...args: string[]): Promise<{ code: number; stderr: string }> {
  const { code, err } = await runCli('simulate', ...args);
  return { code, stderr: err };
}

describe('ota-release simulate', () => {
  it('exits 0 when the release is promoted and writes the full report with --json', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ota-sim-'));
    const { code } = await run(RELEASE, '--devices', '1000', '--quiet', '--json', join(dir, 'report.json'));
    expect(code).toBe(0);
    const report = JSON.parse(await readFile(join(dir, 'report.json'), 'utf8'));
    expect(report).toMatchObject({ releaseId: 'it-release', outcome: 'PROMOTED', exposure: { exposed: 1000, devices: 1000 } });
    expect(report.decisions.length).toBeGreaterThan(3);
  });

  it('exits 3 when the release is rolled back, and --keep saves it for status and list', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ota-sim-'));
    const { code } = await run(RELEASE, '--devices', '1000', '--fail-rate', '30%', '--seed', '7', '--quiet', '--keep', '--state-dir', dir);
    expect(code).toBe(3);
    const state = await loadState(dir);
    expect(state.releases.map((r) => [r.releaseId, r.status])).toEqual([['it-release', 'ROLLED_BACK']]);
    expect(state.decisions.some((d) => d.kind === 'verdict' && d.judgement.verdict === 'ROLLBACK')).toBe(true);

    // Run again with the same id: refused (exit 2), the saved release and its decisions untouched.
    const again = await run(RELEASE, '--devices', '1000', '--quiet', '--keep', '--state-dir', dir);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain(`it-release is already saved in ${dir} (ROLLED_BACK); --keep does not replace it`);
    expect(await loadState(dir)).toEqual(state);
  });

  it.each([
    ['a release file with problems', ['bad.yaml'], /releaseId/],
    ['a missing release file', ['missing.yaml'], /cannot read it/],
    ['a device count that is not a whole number', [RELEASE, '--devices', '1.5'], /whole number/],
    ['a fail rate above 1', [RELEASE, '--fail-rate', '1.5'], /rate from 0 to 1/],
    ['an unknown fault profile', [RELEASE, '--fault-profile', 'gremlins'], /Allowed choices are healthy/],
    ['--time-scale without --mqtt', [RELEASE, '--time-scale', '0.001'], /^ota-release: --time-scale needs --mqtt: the simulated fleet runs on a virtual clock[^\n]*\n$/],
    ['more real agents than one process holds', [RELEASE, '--mqtt', '--devices', '9001'], /^ota-release: --mqtt --devices 9,001 is more real agents than one process can hold[^\n]*\n$/],
  ])('exits 2 for %s, with the problem on stderr', async (_name, args, message) => {
    const dir = await mkdtemp(join(tmpdir(), 'ota-sim-'));
    await writeFile(join(dir, 'bad.yaml'), 'product: x\nfirmware: {}\n');
    const resolved = args.map((arg) => (arg.endsWith('.yaml') && !arg.startsWith('/') ? join(dir, arg) : arg));
    const { code, stderr } = await run(...resolved, '--quiet');
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
    expect(stderr).not.toMatch(/\n\s+at /); // no stack trace for expected failures
  });

  it('runs real device agents over MQTT in scaled time with --mqtt', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ota-sim-'));
    const { code } = await run(RELEASE, '--mqtt', '--devices', '2', '--time-scale', '0.0001', '--quiet', '--json', join(dir, 'report.json'));
    expect(code).toBe(0);
    const report = JSON.parse(await readFile(join(dir, 'report.json'), 'utf8'));
    expect(report.fleet).toMatchObject({ kind: 'mqtt', devices: 2, versions: { '2.0.0': 2 } });
  });

  it('says the fleet defaults and the interrupted exit status in --help', async () => {
    const { code, out } = await runCli('simulate', '--help');
    expect(code).toBe(0);
    expect(out.replace(/\s+/g, ' ')).toMatch(/default 10,000 simulated devices; with --mqtt 200 real agents/);
    expect(out.replace(/\s+/g, ' ')).toMatch(/130 interrupted \(SIGINT\/SIGTERM\)/);
  });
});

describe('ota-release simulate, interrupted', () => {
  /** The fixture with a manual canary: with --approve external the run waits there until someone answers. */
  async function manualRelease(): Promise<{ dir: string; file: string }> {
    const dir = await mkdtemp(join(tmpdir(), 'ota-sim-int-'));
    await Promise.all(['fw-new.bin', 'fw-old.bin'].map((name) => copyFile(join(FIXTURES, name), join(dir, name))));
    const text = (await readFile(RELEASE, 'utf8')).replace('rollout: { maximumPerMinute: 100 }', 'rollout: { maximumPerMinute: 100 }\n    approval: manual');
    await writeFile(join(dir, 'manual.yaml'), text);
    return { dir, file: join(dir, 'manual.yaml') };
  }

  const options = (stateDir: string, more: Partial<SimulateOptions> = {}): SimulateOptions => ({ devices: 1000, faultProfile: 'healthy', seed: 1, approve: 'external', quiet: true, stateDir, ...more });

  /** Runs `simulate` in-process with stdout and stderr captured; `interruptWhen` decides when to send the interrupt. */
  async function interrupted(file: string, opts: SimulateOptions, interruptWhen: () => Promise<void>) {
    let err = '';
    const stdout = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      err += String(chunk);
      return true;
    });
    try {
      const controller = new AbortController();
      const running = simulate(file, opts, controller.signal);
      await interruptWhen();
      controller.abort('SIGINT');
      return { code: await running, err };
    } finally {
      stdout.mockRestore();
      stderr.mockRestore();
    }
  }

  /** Until the live process serving `stateDir` says the release waits for its approval. */
  async function awaitingApproval(stateDir: string): Promise<void> {
    for (let turn = 0; turn < 100_000; turn++) {
      const control = await readControlFile(stateDir);
      const view = control && (await httpOperations(control, 'test').describeRelease('it-release').catch(() => undefined));
      if (view?.status === 'AWAITING_APPROVAL') return;
      await new Promise((resolve) => setImmediate(resolve));
    }
    throw new Error('the release never waited for its approval');
  }

  it('saves the release as it stands with --keep, removes its control file, says so in one line and exits 130', async () => {
    const { dir, file } = await manualRelease();
    const stateDir = join(dir, 'state');
    const { code, err } = await interrupted(file, options(stateDir, { keep: true }), () => awaitingApproval(stateDir));
    expect(code).toBe(130);
    expect(err).toBe(`interrupted: it-release saved in ${stateDir} as AWAITING_APPROVAL\n`);
    expect(await readdir(join(stateDir, CONTROL_DIR)).catch(() => [])).toEqual([]);
    const state = await loadState(stateDir);
    expect(state.releases.map((r) => [r.releaseId, r.status, r.stageIndex])).toEqual([['it-release', 'AWAITING_APPROVAL', 0]]);
    // Nothing pretends the run ended: no report, and the verdict that led to the approval is the last decision.
    expect(state.reports).toEqual({});
    expect(state.decisions.at(-1)).toMatchObject({ kind: 'verdict', judgement: { verdict: 'PROMOTE' } });
    // Another terminal now finds the saved release and is told plainly that nothing can answer it.
    const list = await runCli('list', '--state-dir', stateDir);
    expect(list.out).toContain('it-release');
    const approve = await runCli('approve', 'it-release', '--wave', 'canary', '--state-dir', stateDir);
    expect(approve.code).toBe(2);
    expect(approve.err).toMatch(/the process that ran it has stopped/);
  });

  it('saves nothing without --keep, still removes control.json, and exits 130', async () => {
    const { dir, file } = await manualRelease();
    const stateDir = join(dir, 'state');
    const { code, err } = await interrupted(file, options(stateDir), () => awaitingApproval(stateDir));
    expect(code).toBe(130);
    expect(err).toBe('interrupted; nothing saved\n');
    expect(await readdir(join(stateDir, CONTROL_DIR)).catch(() => [])).toEqual([]);
    expect((await loadState(stateDir)).releases).toEqual([]);
  });

  it('stops at once when interrupted before the run starts', async () => {
    const { dir, file } = await manualRelease();
    const { code, err } = await interrupted(file, options(join(dir, 'state'), { approve: 'auto' }), async () => undefined);
    expect(code).toBe(130);
    expect(err).toBe('interrupted; nothing saved\n');
  });
});
