import { mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { controlFilePath, readControlFile, readLiveControl, readLiveControls, removeControlFile, writeControlFile } from '#local/control/control-file.ts';

const info = (pid: number) => ({ url: 'http://127.0.0.1:4321/', token: 'secret', pid, startedAt: '2026-11-24T10:00:00.000Z' });

describe('control file', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ota-control-'));
  });

  it('is readable only by its owner, since it holds the token', async () => {
    await writeControlFile(dir, info(process.pid));
    expect((await stat(controlFilePath(dir, process.pid))).mode & 0o777).toBe(0o600);
    expect(await readLiveControl(dir)).toEqual(info(process.pid));
  });

  it('ignores a file left by a process that is gone', async () => {
    // Pid numbers above the kernel's pid_max (4,194,304 at most) never belong to a live process.
    await writeControlFile(dir, info(2 ** 30));
    expect(await readControlFile(dir)).toBeDefined();
    expect(await readLiveControl(dir)).toBeUndefined();
  });

  it.each([
    ['a missing file', undefined],
    ['broken JSON', '{"url":'],
    ['a file without a token', JSON.stringify({ url: 'http://127.0.0.1:1/', pid: 1, startedAt: 'x' })],
  ])('reads %s as no control file', async (_, text) => {
    if (text !== undefined) {
      await writeControlFile(dir, info(process.pid));
      await writeFile(controlFilePath(dir, process.pid), text);
    }
    expect(await readControlFile(dir)).toBeUndefined();
  });

  it('removes only its own file', async () => {
    await writeControlFile(dir, info(process.pid + 1));
    await removeControlFile(dir);
    expect(JSON.parse(await readFile(controlFilePath(dir, process.pid + 1), 'utf8'))).toMatchObject({ pid: process.pid + 1 });
    await writeControlFile(dir, info(process.pid));
    await removeControlFile(dir);
    expect(await readControlFile(dir)).toMatchObject({ pid: process.pid + 1 });
  });

  it('keeps one file per process, so two live releases in one directory are both found', async () => {
    await writeControlFile(dir, { ...info(process.pid), startedAt: '2026-11-24T10:00:00.000Z' });
    await writeControlFile(dir, { ...info(process.ppid), url: 'http://127.0.0.1:4322/', startedAt: '2026-11-24T11:00:00.000Z' });
    expect((await readLiveControls(dir)).map((control) => control.pid)).toEqual([process.ppid, process.pid]);
  });
});
