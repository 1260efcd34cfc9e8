// Durability of `simulate --keep` (what `start` runs in the background) against real SIGKILLs of a child process:
// every change to a release is on disk before it is acknowledged, a kill at any moment leaves a state directory that
// reads back whole, and a second run of the same release is refused while the first holds its lock.
import { type ChildProcess, spawn } from 'node:child_process';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ReleaseStatus } from '#domain/status.ts';
import { loadState } from '#local/state-dir.ts';
import { FIXTURES } from './simulation-harness.ts';

const BIN = fileURLToPath(new URL('../../bin/ota-release.mjs', import.meta.url));

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ota-kill9-'));
  const release = await readFile(join(FIXTURES, 'small-fleet.yaml'), 'utf8');
  // The canary waits for an operator: with --approve external the process stays there until killed.
  await writeFile(join(dir, 'manual.yaml'), release.replace('    rollout: { maximumPerMinute: 100 }', '    rollout: { maximumPerMinute: 100 }\n    approval: manual'));
  await writeFile(join(dir, 'auto.yaml'), release);
  await Promise.all(['fw-new.bin', 'fw-old.bin'].map((name) => copyFile(join(FIXTURES, name), join(dir, name))));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

function simulate(file: string, approve: string, state = 'state'): { child: ChildProcess; exited: Promise<{ code: number | null; signal: string | null; stderr: string }> } {
  const child = spawn(process.execPath, [BIN, 'simulate', join(dir, file), '--keep', '--state-dir', join(dir, state), '--approve', approve, '--devices', '1000', '--quiet'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: string | null; stderr: string }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal, stderr })));
  return { child, exited };
}

function ota(args: string[]): Promise<{ code: number | null; stdout: string }> {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  let stdout = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stdout })));
}

async function until(condition: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (await condition().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`never: ${what}`);
}

const savedStatus = async () => (await loadState(join(dir, 'state'))).releases.find((r) => r.releaseId === 'it-release')?.status;

it('keeps a release killed -9 at its approval as it was, refuses a second run while the first holds it, and aborts it cleanly', async () => {
  const first = simulate('manual.yaml', 'external');
  try {
    await until(async () => (await savedStatus()) === 'AWAITING_APPROVAL', 'the release is saved waiting for approval');

    const second = await simulate('manual.yaml', 'external').exited;
    expect(second.code).toBe(2);
    expect(second.stderr).toMatch(/it-release is already running in .* \(pid \d+\)/);

    first.child.kill('SIGKILL');
    expect((await first.exited).signal).toBe('SIGKILL');
  } finally {
    first.child.kill('SIGKILL');
  }
  // Nothing ran after the kill: what is on disk is what the release had acknowledged.
  const state = await loadState(join(dir, 'state'));
  expect(state.releases).toEqual([expect.objectContaining({ releaseId: 'it-release', status: 'AWAITING_APPROVAL' })]);
  expect(state.pendingTasks).toEqual(expect.arrayContaining([expect.objectContaining({ releaseId: 'it-release', kind: 'approval' })]));
  expect(state.decisions.length).toBeGreaterThan(0);

  // It cannot be resumed (its workflow and fleet died with it), but it can be ended cleanly: abort breaks the dead
  // process's lock, records the abort durably and drops the wait.
  const abort = await ota(['abort', 'it-release', '--reason', 'killed in the test', '--state-dir', join(dir, 'state')]);
  expect(abort.code).toBe(0);
  expect(abort.stdout).toContain('its process had stopped');
  const aborted = await loadState(join(dir, 'state'));
  expect(aborted.releases).toEqual([expect.objectContaining({ status: 'ABORTED' })]);
  expect(aborted.pendingTasks).toEqual([]);
  expect(aborted.decisions.at(-1)).toMatchObject({ kind: 'action', action: 'abort', reason: 'killed in the test' });

  // Nothing holds the release any more, but its id has run: a new run of it is refused and the record stays.
  const after = await simulate('auto.yaml', 'auto').exited;
  expect(after.code).toBe(2);
  expect(after.stderr).toContain('it-release is already saved in');
  expect(await savedStatus()).toBe('ABORTED');
}, 120_000);

it('leaves a state directory that reads back whole after a SIGKILL at random moments', async () => {
  let seed = 7;
  const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
  const statuses = new Set<string>(Object.values(ReleaseStatus));
  for (let round = 0; round < 3; round++) {
    // A state directory per round: a release id runs once in each.
    const run = simulate('auto.yaml', 'auto', `state-${round}`);
    // Start-up (tsx) takes a second or more; the release itself a few hundred milliseconds.
    await new Promise((resolve) => setTimeout(resolve, 1000 + random() * 2500));
    run.child.kill('SIGKILL');
    await run.exited;
    const state = await loadState(join(dir, `state-${round}`));
    for (const release of state.releases) expect(statuses.has(release.status)).toBe(true);
  }
}, 120_000);
