// One process at a time per release and state directory. The lock is `locks/<releaseId>.lock`, created with O_EXCL
// (`wx`): of two processes starting the same release, the file system lets exactly one create it, whatever the
// timing; the other is refused. The file names the holder's pid. A lock left by a process that died (SIGKILL, power
// cut) is broken by the next taker, itself under a second O_EXCL file (`.break`), so two takers cannot both break
// it and both run.
import { mkdir, open, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { isAlive } from './control/control-file.ts';
import { ReleaseLockedError } from './errors.ts';

export interface ReleaseLock {
  file: string;
  release(): Promise<void>;
}

export function lockFile(dir: string, releaseId: string): string {
  return join(dir, 'locks', `${releaseId}.lock`);
}

/** Takes the lock or throws ReleaseLockedError naming the live holder. */
export async function acquireReleaseLock(dir: string, releaseId: string, pid = process.pid): Promise<ReleaseLock> {
  const file = lockFile(dir, releaseId);
  await mkdir(join(dir, 'locks'), { recursive: true });
  for (let attempt = 0; attempt < 5; attempt++) {
    if (await createExclusive(file, pid)) {
      return { file, release: async () => void ((await holderOf(file)) === pid && (await rm(file, { force: true }))) };
    }
    // A holder that has just created the file may not have written its pid yet: look again before judging it dead.
    const holder = (await holderOf(file)) ?? (await new Promise((resolve) => setTimeout(resolve, 100)).then(() => holderOf(file)));
    if (holder !== undefined && isAlive(holder)) throw new ReleaseLockedError(`${releaseId} is already running in ${dir} (pid ${holder}); wait for it to end, or stop that process`);
    await breakStale(file, holder, pid);
  }
  throw new ReleaseLockedError(`could not take the lock ${file}; another process keeps taking it`);
}

/** The pid in a lock file, or undefined when it is gone or unreadable (a holder that died while writing it). */
export async function holderOf(file: string): Promise<number | undefined> {
  try {
    const pid = Number.parseInt(await readFile(file, 'utf8'), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

async function createExclusive(file: string, pid: number): Promise<boolean> {
  let handle;
  try {
    handle = await open(file, 'wx', 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  try {
    await handle.writeFile(`${pid}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
  return true;
}

/** Removes a lock whose holder is dead, if it is still the one seen, under the `.break` lock. */
async function breakStale(file: string, seen: number | undefined, pid: number): Promise<void> {
  const breaker = `${file}.break`;
  if (!(await createExclusive(breaker, pid))) {
    const breaking = await holderOf(breaker);
    // A breaker that died mid-way leaves its file: remove it, the next attempt retries.
    if (breaking === undefined || !isAlive(breaking)) await rm(breaker, { force: true });
    await new Promise((resolve) => setTimeout(resolve, 20));
    return;
  }
  try {
    if ((await holderOf(file)) === seen) await rm(file, { force: true });
  } finally {
    await rm(breaker, { force: true });
  }
}
