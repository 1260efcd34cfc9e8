import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ReleaseLockedError } from '#local/errors.ts';
import { acquireReleaseLock, lockFile } from '#local/release-lock.ts';

describe('release lock', () => {
  it('lets one of two simultaneous takers in and refuses the other, naming the holder', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ota-lock-'));
    const results = await Promise.allSettled([acquireReleaseLock(dir, 'r1'), acquireReleaseLock(dir, 'r1')]);

    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const refused = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(refused.reason).toBeInstanceOf(ReleaseLockedError);
    expect(String(refused.reason.message)).toContain(`pid ${process.pid}`);
  });

  it('is per release: another release in the same directory is not held up', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ota-lock-'));
    await acquireReleaseLock(dir, 'r1');
    await expect(acquireReleaseLock(dir, 'r2')).resolves.toMatchObject({ file: lockFile(dir, 'r2') });
  });

  it('breaks a lock whose holder is dead, and frees its own on release', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ota-lock-'));
    const first = await acquireReleaseLock(dir, 'r1');
    await writeFile(first.file, '2147483646\n'); // a pid no process has

    const second = await acquireReleaseLock(dir, 'r1');
    expect(await readFile(second.file, 'utf8')).toBe(`${process.pid}\n`);
    await second.release();
    await expect(acquireReleaseLock(dir, 'r1')).resolves.toBeDefined();
  });
});
