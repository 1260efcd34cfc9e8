// `<state dir>/control/<pid>.json`: how a CLI command in another terminal finds the live processes serving releases,
// one file per process (each runs one release), so several releases can run at once in one state directory and
// each stays reachable. Written owner-only (it holds the control token) when the control server starts, removed
// when it stops; a file left by a process that died is recognised by its pid and ignored.
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';

export const CONTROL_DIR = 'control';

export function controlFilePath(stateDir: string, pid: number): string {
  return join(stateDir, CONTROL_DIR, `${pid}.json`);
}

const ControlInfo = z.object({
  url: z.string().url(),
  token: z.string().min(1),
  pid: z.number().int().positive(),
  startedAt: z.string(),
});
export type ControlInfo = z.infer<typeof ControlInfo>;

export async function writeControlFile(stateDir: string, info: ControlInfo): Promise<void> {
  await mkdir(join(stateDir, CONTROL_DIR), { recursive: true, mode: 0o700 });
  await writeFile(controlFilePath(stateDir, info.pid), `${JSON.stringify(info, null, 2)}\n`, { mode: 0o600 });
}

/** Removes this process's file (each process writes only its own, named by its pid). */
export async function removeControlFile(stateDir: string, pid = process.pid): Promise<void> {
  await rm(controlFilePath(stateDir, pid), { force: true });
}

/** Every readable control file, the most recently started first. */
export async function readControlFiles(stateDir: string): Promise<ControlInfo[]> {
  let names: string[];
  try {
    names = (await readdir(join(stateDir, CONTROL_DIR))).filter((name) => /^\d+\.json$/.test(name));
  } catch {
    return [];
  }
  const infos: ControlInfo[] = [];
  for (const name of names) {
    const parsed = ControlInfo.safeParse(safeJson(await readFile(join(stateDir, CONTROL_DIR, name), 'utf8').catch(() => '')));
    if (parsed.success) infos.push(parsed.data);
  }
  return infos.sort((a, b) => b.startedAt.localeCompare(a.startedAt));
}

/** The most recently started process's control info, alive or not. */
export async function readControlFile(stateDir: string): Promise<ControlInfo | undefined> {
  return (await readControlFiles(stateDir))[0];
}

/** The control info of every process that is still alive. */
export async function readLiveControls(stateDir: string): Promise<ControlInfo[]> {
  return (await readControlFiles(stateDir)).filter((info) => isAlive(info.pid));
}

/** The most recently started live process's control info, or undefined. */
export async function readLiveControl(stateDir: string): Promise<ControlInfo | undefined> {
  return (await readLiveControls(stateDir))[0];
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
