// The state directory (`--keep`, default .ota-release/): the local release store as JSON, so `status`, `list`,
// `approve` and `dashboard` can read what a simulation left behind. One file per release, `releases/<id>.json`,
// written durably (temporary file, fsync, rename, fsync of the directory: a reader, or a run after a power cut,
// sees the old content or the new, never half). Only the process that holds a release's lock (release-lock.ts)
// writes its file, so several releases, run by several processes, share a directory without losing each other's
// writes. `releases.json`, the single file of earlier versions, is still read.
import { mkdir, open, readdir, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import type { DecisionRecord } from '#domain/decision.ts';
import type { PendingTask, ReleaseRecord } from '#ports/release-store.ts';
import type { ReleaseStoreSnapshot } from './adapters/memory-release-store.ts';
import { LocalCloudError } from './errors.ts';

export const DEFAULT_STATE_DIR = '.ota-release';
/** The single state file of format 1 (read, never written any more). */
const FILE = 'releases.json';
const RELEASES = 'releases';
/** The local signer's public key, for an agent run by hand against the embedded cloud (its publicKeyFile). */
const SIGNER_PUBLIC_KEY_FILE = 'signer-public.pem';
const FORMAT = 1;
const RELEASE_FORMAT = 2;

export interface SavedState extends ReleaseStoreSnapshot {
  format: typeof FORMAT;
  savedAt: string;
  /** Optional per-release extras the simulator keeps: the last report, for example. */
  reports?: Record<string, unknown>;
}

/** One release as its file holds it. */
export interface SavedRelease {
  format: typeof RELEASE_FORMAT;
  savedAt: string;
  release: ReleaseRecord;
  pendingTasks: PendingTask[];
  decisions: DecisionRecord[];
  report?: unknown;
}

/** The format-1 file (`releases.json`), still read when present. */
export function stateFile(dir: string = DEFAULT_STATE_DIR): string {
  return join(dir, FILE);
}

export function releaseFile(dir: string, releaseId: string): string {
  return join(dir, RELEASES, `${releaseId}.json`);
}

/** The saved state, or an empty one when the directory has none yet. Per-release files win over releases.json. */
export async function loadState(dir: string = DEFAULT_STATE_DIR): Promise<SavedState> {
  const state = await loadLegacy(dir);
  for (const saved of await loadReleases(dir)) {
    const id = saved.release.releaseId;
    state.releases = [...state.releases.filter((r) => r.releaseId !== id), saved.release];
    state.pendingTasks = [...state.pendingTasks.filter((t) => t.releaseId !== id), ...saved.pendingTasks];
    state.decisions = [...state.decisions.filter((d) => d.releaseId !== id), ...saved.decisions];
    const reports = Object.fromEntries(Object.entries(state.reports ?? {}).filter(([key]) => key !== id));
    state.reports = saved.report === undefined ? reports : { ...reports, [id]: saved.report };
    if (saved.savedAt > state.savedAt) state.savedAt = saved.savedAt;
  }
  return state;
}

/**
 * Saves each release of `snapshot` to its own file, replacing what the file held: its decisions, pending tasks and
 * report (a release saved again without a report, because its run was interrupted, keeps no report of an old run).
 * Returns the path of the last file written (the directory when the snapshot is empty).
 */
export async function saveState(snapshot: ReleaseStoreSnapshot, dir: string = DEFAULT_STATE_DIR, reports: Record<string, unknown> = {}): Promise<string> {
  let last = join(dir, RELEASES);
  for (const release of snapshot.releases) {
    const id = release.releaseId;
    last = await saveRelease(dir, {
      release,
      pendingTasks: snapshot.pendingTasks.filter((task) => task.releaseId === id),
      decisions: snapshot.decisions.filter((decision) => decision.releaseId === id),
      ...(reports[id] === undefined ? {} : { report: reports[id] }),
    });
  }
  return last;
}

/** Writes one release's file durably; returns its path. */
export async function saveRelease(dir: string, saved: Omit<SavedRelease, 'format' | 'savedAt'>): Promise<string> {
  const file = releaseFile(dir, saved.release.releaseId);
  await writeDurably(file, `${JSON.stringify({ format: RELEASE_FORMAT, savedAt: new Date().toISOString(), ...saved } satisfies SavedRelease, null, 2)}\n`);
  return file;
}

/** Writes the local signer's public key (PEM, SPKI) into the directory, atomically; returns the file's path. */
export async function saveSignerPublicKey(pem: string, dir: string = DEFAULT_STATE_DIR): Promise<string> {
  const file = join(dir, SIGNER_PUBLIC_KEY_FILE);
  await writeDurably(file, pem);
  return file;
}

let temporaries = 0;

async function writeDurably(file: string, text: string): Promise<void> {
  const folder = join(file, '..');
  await mkdir(folder, { recursive: true });
  // Unique per write: two writes of one file in flight must not share a temporary file.
  const temp = `${file}.${process.pid}.${(temporaries += 1)}.tmp`;
  const handle = await open(temp, 'w');
  try {
    await handle.writeFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temp, file);
  const directory = await open(folder, 'r');
  try {
    await directory.sync();
  } finally {
    await directory.close();
  }
}

async function loadLegacy(dir: string): Promise<SavedState> {
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

async function loadReleases(dir: string): Promise<SavedRelease[]> {
  let names: string[];
  try {
    names = (await readdir(join(dir, RELEASES))).filter((name) => name.endsWith('.json')).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const saved: SavedRelease[] = [];
  for (const name of names) {
    const file = join(dir, RELEASES, name);
    let parsed: Partial<SavedRelease>;
    try {
      parsed = JSON.parse(await readFile(file, 'utf8')) as Partial<SavedRelease>;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue; // removed meanwhile
      throw new LocalCloudError(`${file} is not valid JSON; move it away to start that release afresh`, { cause: error });
    }
    if (parsed.format !== RELEASE_FORMAT || !parsed.release) throw new LocalCloudError(`${file} has format ${String(parsed.format)}; this version reads format ${RELEASE_FORMAT}`);
    saved.push(parsed as SavedRelease);
  }
  return saved.sort((a, b) => a.savedAt.localeCompare(b.savedAt));
}

function emptyState(): SavedState {
  return { format: FORMAT, savedAt: new Date(0).toISOString(), releases: [], pendingTasks: [], decisions: [], reports: {} };
}
