// The state directory (`--keep`, default .ota-release/): the local release store as JSON, so `status`, `list`,
// `approve` and `dashboard` can read what a simulation left behind. One file, written atomically (temp + rename).
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ReleaseStoreSnapshot } from './adapters/memory-release-store.ts';
import { LocalCloudError } from './errors.ts';

export const DEFAULT_STATE_DIR = '.ota-release';
const FILE = 'releases.json';
/** The local signer's public key, for an agent run by hand against the embedded cloud (its publicKeyFile). */
const SIGNER_PUBLIC_KEY_FILE = 'signer-public.pem';
const FORMAT = 1;

export interface SavedState extends ReleaseStoreSnapshot {
  format: typeof FORMAT;
  savedAt: string;
  /** Optional per-release extras the simulator keeps: the last report, for example. */
  reports?: Record<string, unknown>;
}

export function stateFile(dir: string = DEFAULT_STATE_DIR): string {
  return join(dir, FILE);
}

/** The saved state, or an empty one when the directory has none yet. */
export async function loadState(dir: string = DEFAULT_STATE_DIR): Promise<SavedState> {
  let text: string;
  try {
    text = await readFile(stateFile(dir), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return emptyState();
    throw error;
  }
  let parsed: Partial<SavedState>;
  try {
    parsed = JSON.parse(text) as Partial<SavedState>;
  } catch (error) {
    throw new LocalCloudError(`${stateFile(dir)} is not valid JSON; move it away to start afresh`, { cause: error });
  }
  if (parsed.format !== FORMAT) throw new LocalCloudError(`${stateFile(dir)} has format ${String(parsed.format)}; this version reads format ${FORMAT}`);
  return { ...emptyState(), ...parsed } as SavedState;
}

/**
 * Merges `snapshot` into what the directory holds: releases by id; the decisions, tasks and reports of those releases
 * replaced (a release saved again without a report, because its run was interrupted, keeps no report of an old run).
 */
export async function saveState(snapshot: ReleaseStoreSnapshot, dir: string = DEFAULT_STATE_DIR, reports: Record<string, unknown> = {}): Promise<string> {
  const current = await loadState(dir);
  const ids = new Set(snapshot.releases.map((release) => release.releaseId));
  const next: SavedState = {
    format: FORMAT,
    savedAt: new Date().toISOString(),
    releases: [...current.releases.filter((r) => !ids.has(r.releaseId)), ...snapshot.releases],
    pendingTasks: [...current.pendingTasks.filter((t) => !ids.has(t.releaseId)), ...snapshot.pendingTasks],
    decisions: [...current.decisions.filter((d) => !ids.has(d.releaseId)), ...snapshot.decisions],
    reports: { ...Object.fromEntries(Object.entries(current.reports ?? {}).filter(([id]) => !ids.has(id))), ...reports },
  };
  await mkdir(dir, { recursive: true });
  const file = stateFile(dir);
  const temp = `${file}.${process.pid}.tmp`;
  await writeFile(temp, `${JSON.stringify(next, null, 2)}\n`);
  await rename(temp, file);
  return file;
}

/** Writes the local signer's public key (PEM, SPKI) into the directory, atomically; returns the file's path. */
export async function saveSignerPublicKey(pem: string, dir: string = DEFAULT_STATE_DIR): Promise<string> {
  await mkdir(dir, { recursive: true });
  const file = join(dir, SIGNER_PUBLIC_KEY_FILE);
  const temp = `${file}.${process.pid}.tmp`;
  await writeFile(temp, pem);
  await rename(temp, file);
  return file;
}

function emptyState(): SavedState {
  return { format: FORMAT, savedAt: new Date(0).toISOString(), releases: [], pendingTasks: [], decisions: [], reports: {} };
}
