// Writes a download into the slot file without making the socket wait for the disk: at most one positional `writev`
// is in flight, and the chunks that arrive meanwhile are batched into the next one. Awaiting every 64 KiB chunk's
// write before reading the next (what the downloader did) made network, hashing and disk take turns; the profile of a
// loopback download was dominated by those awaited writes. Memory stays bounded: above `maxQueuedBytes` waiting, the
// caller is held until the disk catches up.
import type { FileHandle } from 'node:fs/promises';

export class SlotWriter {
  private queue: Buffer[] = [];
  private queuedBytes = 0;
  /** File position of the first queued byte. */
  private queuedAt = 0;
  private inFlight: Promise<void> | undefined;
  private failure: unknown;

  constructor(
    private readonly handle: FileHandle,
    private readonly maxQueuedBytes = 8 * 1024 * 1024,
  ) {}

  /** Queues `chunk` for `position` (contiguous with what is queued); waits only when too much is queued. */
  async write(chunk: Buffer, position: number): Promise<void> {
    if (this.failure !== undefined) throw this.failure;
    if (this.queuedBytes > 0 && position !== this.queuedAt + this.queuedBytes) await this.flush();
    if (this.queuedBytes === 0) this.queuedAt = position;
    this.queue.push(chunk);
    this.queuedBytes += chunk.length;
    this.inFlight ??= this.drain();
    while (this.queuedBytes > this.maxQueuedBytes && this.inFlight) await this.inFlight;
    if (this.failure !== undefined) throw this.failure;
  }

  /** Resolves once every queued byte is in the file (not yet synced); rethrows a failed write. */
  async flush(): Promise<void> {
    while (this.inFlight) await this.inFlight;
    if (this.failure !== undefined) throw this.failure;
  }

  private async drain(): Promise<void> {
    try {
      while (this.queuedBytes > 0 && this.failure === undefined) {
        const buffers = this.queue;
        const position = this.queuedAt;
        this.queue = [];
        this.queuedAt += this.queuedBytes;
        this.queuedBytes = 0;
        await writeAll(this.handle, buffers, position);
      }
    } catch (error) {
      this.failure = error;
    } finally {
      this.inFlight = undefined;
    }
  }
}

/** `writev` until every byte is written: a regular file rarely takes less, but the API allows it. */
async function writeAll(handle: FileHandle, buffers: Buffer[], position: number): Promise<void> {
  let pending = buffers;
  let at = position;
  while (pending.length > 0) {
    const total = pending.reduce((sum, buffer) => sum + buffer.length, 0);
    const { bytesWritten } = await handle.writev(pending, at);
    if (bytesWritten >= total) return;
    at += bytesWritten;
    let skip = bytesWritten;
    const rest: Buffer[] = [];
    for (const buffer of pending) {
      if (skip >= buffer.length) {
        skip -= buffer.length;
        continue;
      }
      rest.push(skip > 0 ? buffer.subarray(skip) : buffer);
      skip = 0;
    }
    pending = rest;
  }
}
