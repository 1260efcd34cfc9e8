// `<state dir>/control.json`: how a CLI command in another terminal finds the live process serving a release.
// Written owner-only (it holds the control token) when the control server starts, removed when it stops; a file
// left by a process that died is recognised by its pid and ignored.
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';

export const CONTROL_FILE = 'control.json';

const ControlInfo = z.object({
  url: z.string().url(),
  token: z.string().min(1),
  pid: z.number().int().positive(),
  startedAt: z.string(),
});
export type ControlInfo = z.infer<typeof ControlInfo>;

export async function writeControlFile(stateDir: string, info: ControlInfo): Promise<void> {
  await mkdir(stateDir, { recursive: true });
  await writeFile(join(stateDir, CONTROL_FILE), `${JSON.stringify(info, null, 2)}\n`, { mode: 0o600 });
}

/** Removes the file only if it is still ours (another process may have taken the directory over since). */
export async function removeControlFile(stateDir: string, pid = process.pid): Promise<void> {
  const info = await readControlFile(stateDir);
  if (info?.pid === pid) await rm(join(stateDir, CONTROL_FILE), { force: true });
}

export async function readControlFile(stateDir: string): Promise<ControlInfo | undefined> {
  let text: string;
  try {
    text = await readFile(join(stateDir, CONTROL_FILE), 'utf8');
  } catch {
    return undefined;
  }
  const parsed = ControlInfo.safeParse(safeJson(text));
  return parsed.success ? parsed.data : undefined;
}

/** The control info of a process that is still alive, or undefined. */
export async function readLiveControl(stateDir: string): Promise<ControlInfo | undefined> {
  const info = await readControlFile(stateDir);
  return info && isAlive(info.pid) ? info : undefined;
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
