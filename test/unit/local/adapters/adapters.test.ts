import { createHash, verify } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalFirmwareStore } from '#local/adapters/local-firmware-store.ts';
import { LocalSigner } from '#local/adapters/local-signer.ts';
import { MemoryReleaseStore } from '#local/adapters/memory-release-store.ts';
import { Scheduler } from '#local/time/scheduler.ts';

describe('local firmware store and signer', () => {
  it('measures a file and signs it with ECDSA P-256 over SHA-256, verifiable with the public key', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ota-fw-'));
    await writeFile(join(dir, 'fw.bin'), 'firmware bytes');
    const store = new LocalFirmwareStore({ baseDir: dir });
    const stored = await store.put({ file: 'fw.bin' }, 'r1', 'release');
    expect(stored).toEqual({ location: { kind: 'file', path: join(dir, 'fw.bin') }, sha256: createHash('sha256').update('firmware bytes').digest('hex'), size: 14 });
    const signer = new LocalSigner((firmware) => store.bytes((firmware.location as { path: string }).path));
    const signature = await signer.sign(stored, 'r1');
    expect(signature).toMatchObject({ algorithm: 'ECDSA-SHA256', keyId: expect.stringMatching(/^local:[0-9a-f]{64}$/) });
    expect(verify('sha256', Buffer.from('firmware bytes'), signer.publicKey, Buffer.from(signature.value, 'base64'))).toBe(true);
  });

  it('derives the same key from the same seed', () => {
    expect(new LocalSigner(() => new Uint8Array(), 'a').keyId).toBe(new LocalSigner(() => new Uint8Array(), 'a').keyId);
    expect(new LocalSigner(() => new Uint8Array(), 'a').keyId).not.toBe(new LocalSigner(() => new Uint8Array(), 'b').keyId);
  });

  it('reports a missing firmware file plainly', async () => {
    const store = new LocalFirmwareStore({ baseDir: '/nonexistent' });
    await expect(store.put({ file: 'fw.bin' }, 'r1', 'release')).rejects.toThrow('cannot read firmware file /nonexistent/fw.bin: ENOENT');
  });
});

describe('MemoryReleaseStore', () => {
  it('takes a pending task once, and remembers event ids for their TTL on the clock', async () => {
    const scheduler = new Scheduler({ startMs: 0 });
    const store = new MemoryReleaseStore(scheduler);
    await store.putPendingTask({ releaseId: 'r1', kind: 'bake', stageIndex: 0, jobId: 'j', token: 't', createdAt: '', expiresAt: '' });
    expect(await store.findPendingTaskByJob('j')).toMatchObject({ token: 't' });
    expect(await store.takePendingTask('r1', 'bake', 't')).toBe(true);
    expect(await store.takePendingTask('r1', 'bake', 't')).toBe(false);
    expect(await store.markEventSeen('e1', 60)).toBe(true);
    expect(await store.markEventSeen('e1', 60)).toBe(false);
    scheduler.after(61_000, () => {});
    await scheduler.run(() => scheduler.nowMs() > 60_000);
    expect(await store.markEventSeen('e1', 60)).toBe(true);
  });
});
