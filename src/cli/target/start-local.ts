// Starting a release in the embedded cloud. The embedded cloud is not a service that outlives a command, so `start`
// launches `ota-release simulate <file> --keep --approve external` as a background process with its log in the state
// directory. That process serves the release on loopback while it runs (control/<pid>.json), so status, approve, reject,
// abort and dashboard work from any terminal, and saves the store when the release ends. `start` returns as soon as
// the release is reachable (or has already ended, which virtual time makes quick when no person is asked).
import { spawn } from 'node:child_process';
import { mkdir, open } from 'node:fs/promises';
import { join } from 'node:path';
import type { ReleaseRequest } from '#domain/release-request.ts';
import { packageFile } from '../../package-files.ts';
import { httpOperations } from '#operator/client.ts';
import { isAlive, readLiveControls } from '#local/control/control-file.ts';
import { holderOf, lockFile } from '#local/release-lock.ts';
import { isTerminal, type ReleaseStatus } from '#domain/status.ts';
import { loadState } from '#local/state-dir.ts';
import { NotFoundError } from '#ports/errors.ts';
import { openLocalOperations } from './local.ts';
import { TargetError } from './errors.ts';

const BIN = packageFile('bin/ota-release.mjs');

export interface LocalStartOptions {
  releaseFile: string;
  stateDir: string;
  approve: 'external' | 'auto' | 'reject';
  devices?: number;
  faultProfile?: string;
  seed?: number;
  /** How long to wait for the background process to come up. */
  timeoutMs?: number;
}

export interface LocalStartResult {
  releaseId: string;
  started: boolean;
  status?: string;
  pid?: number;
  log?: string;
  message: string;
}

export type Spawner = (args: string[], log: string) => Promise<{ pid: number; exited: Promise<number | null> }>;

export async function startLocally(request: ReleaseRequest, options: LocalStartOptions, spawner: Spawner = spawnDetached, sleep = pause): Promise<LocalStartResult> {
  const { releaseId } = request;
  const known = await existing(options.stateDir, releaseId);
  if (known && !isTerminal(known as ReleaseStatus) && !(await runningNow(options.stateDir, releaseId))) {
    return {
      releaseId,
      started: false,
      status: known,
      message: `${releaseId} was interrupted at ${known}: the process that ran it has stopped, and the embedded cloud cannot resume it (its workflow and fleet ended with that process). End it with \`ota-release abort ${releaseId} --reason …\`; a release id runs once`,
    };
  }
  if (known) return { releaseId, started: false, status: known, message: `${releaseId} was already started (${known}); nothing changed` };

  const log = join(options.stateDir, 'logs', `${releaseId}.log`);
  await mkdir(join(options.stateDir, 'logs'), { recursive: true });
  const args = ['simulate', options.releaseFile, '--keep', '--state-dir', options.stateDir, '--approve', options.approve];
  if (options.devices !== undefined) args.push('--devices', String(options.devices));
  if (options.faultProfile !== undefined) args.push('--fault-profile', options.faultProfile);
  if (options.seed !== undefined) args.push('--seed', String(options.seed));
  const child = await spawner(args, log);
  let exitCode: number | null | undefined;
  void child.exited.then((code) => (exitCode = code));

  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  while (Date.now() < deadline) {
    const control = (await readLiveControls(options.stateDir)).find((info) => info.pid === child.pid);
    if (control) {
      const view = await httpOperations(control, 'live').describeRelease(releaseId).catch(() => undefined);
      if (view) return { releaseId, started: true, status: view.status, pid: child.pid, log, message: `started ${releaseId} in the embedded cloud (${view.status}); background pid ${child.pid}, log ${log}` };
    }
    if (exitCode !== undefined) {
      // Refused by the release's lock: another start of the same release got there first and runs it.
      if (exitCode === 2 && (await runningNow(options.stateDir, releaseId))) {
        const status = await existing(options.stateDir, releaseId);
        return { releaseId, started: false, ...(status ? { status } : {}), message: `${releaseId} is already running in another process${status ? ` (${status})` : ''}; nothing changed` };
      }
      const saved = (await loadState(options.stateDir)).releases.find((release) => release.releaseId === releaseId);
      if (saved) return { releaseId, started: true, status: saved.status, log, message: `ran ${releaseId} in the embedded cloud: it ended ${saved.status} (log ${log})` };
      throw new TargetError(`the simulation of ${releaseId} stopped before it started (exit ${exitCode}); see ${log}`);
    }
    await sleep(100);
  }
  throw new TargetError(`the simulation of ${releaseId} did not come up within ${Math.round((options.timeoutMs ?? 60_000) / 1000)} s; see ${log}`);
}

/** True when a live process holds the release's lock (runs it right now). */
async function runningNow(stateDir: string, releaseId: string): Promise<boolean> {
  const holder = await holderOf(lockFile(stateDir, releaseId));
  return holder !== undefined && isAlive(holder);
}

async function existing(stateDir: string, releaseId: string): Promise<string | undefined> {
  try {
    const operations = await openLocalOperations(stateDir);
    try {
      return (await operations.describeRelease(releaseId)).status;
    } finally {
      await operations.close();
    }
  } catch (error) {
    if (error instanceof NotFoundError) return undefined;
    throw error;
  }
}

const spawnDetached: Spawner = async (args, log) => {
  const file = await open(log, 'a');
  const child = spawn(process.execPath, [BIN, ...args], { detached: true, stdio: ['ignore', file.fd, file.fd], env: process.env });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.unref();
  await file.close();
  if (child.pid === undefined) throw new TargetError(`could not start ${process.execPath}; see ${log}`);
  return { pid: child.pid, exited };
};

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
