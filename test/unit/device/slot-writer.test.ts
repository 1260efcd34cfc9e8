import { jest } from '@jest/globals';
import { mkdtemp, open, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FileHandle } from 'node:fs/promises';
import { SlotWriter } from '#device/slot-writer.ts';
import { imageBytes } from './support.ts';

let dir: string;
let handle: FileHandle;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ota-writer-'));
  handle = await open(join(dir, 'slot.img'), 'w+');
});
afterEach(async () => {
  await handle.close().catch(() => undefined);
  await rm(dir, { recursive: true, force: true });
});

describe('SlotWriter', () => {
  it('puts every chunk at its position, batching what arrives while a write is in flight', async () => {
    const bytes = imageBytes(300_000, 1);
    const writer = new SlotWriter(handle, 64 * 1024);
    const writev = jest.spyOn(handle, 'writev');

    for (let offset = 0; offset < bytes.length; offset += 1000) await writer.write(bytes.subarray(offset, offset + 1000), offset);
    await writer.flush();

    expect(await readFile(join(dir, 'slot.img'))).toEqual(bytes);
    expect(writev.mock.calls.length).toBeLessThan(300); // batched, not one call per chunk
  });

  it('finishes a short write with the rest of the batch', async () => {
    const bytes = imageBytes(10_000, 2);
    const real = handle.writev.bind(handle);
    let first = true;
    jest.spyOn(handle, 'writev').mockImplementation(async (buffers, position) => {
      if (!first) return real(buffers, position);
      first = false;
      return real([Buffer.concat(buffers as readonly Uint8Array[]).subarray(0, 1234)], position); // the kernel took only part of it
    });
    const writer = new SlotWriter(handle);

    await writer.write(bytes.subarray(0, 6000), 0);
    await writer.write(bytes.subarray(6000), 6000);
    await writer.flush();

    expect(await readFile(join(dir, 'slot.img'))).toEqual(bytes);
  });

  it('rethrows a failed write to the next caller instead of losing it', async () => {
    jest.spyOn(handle, 'writev').mockRejectedValue(Object.assign(new Error('no space left on device'), { code: 'ENOSPC' }));
    const writer = new SlotWriter(handle);

    await writer.write(Buffer.from('abc'), 0);

    await expect(writer.flush()).rejects.toThrow('no space left on device');
    await expect(writer.write(Buffer.from('def'), 3)).rejects.toThrow('no space left on device');
  });
});
