// `ota-release simulate` as a user runs it: exit statuses, --json, --keep, and bad input that starts nothing.
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
  });

  it.each([
    ['a release file with problems', ['bad.yaml'], /releaseId/],
    ['a missing release file', ['missing.yaml'], /cannot read it/],
    ['a device count that is not a whole number', [RELEASE, '--devices', '1.5'], /whole number/],
    ['a fail rate above 1', [RELEASE, '--fail-rate', '1.5'], /rate from 0 to 1/],
    ['an unknown fault profile', [RELEASE, '--fault-profile', 'gremlins'], /Allowed choices are healthy/],
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
});
