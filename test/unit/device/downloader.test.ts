import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { downloadImage, type DownloadOptions } from '#device/downloader.ts';
import { DownloadError, IntegrityError, OversizeError, SlowDownloadError } from '#device/errors.ts';
import type { ProgressEvent } from '#device/progress-events.ts';
import { FirmwareServer } from '#local/firmware-server.ts';
import { imageBytes, seeded, sha256Hex } from './support.ts';

const SIZE = 300_000;
let server: FirmwareServer;
let dir: string;
let clock = 1_000_000;

beforeEach(async () => {
  clock = 1_000_000;
  server = await FirmwareServer.start({ now: () => clock });
  dir = await mkdtemp(join(tmpdir(), 'ota-dl-'));
});
afterEach(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

function options(url: string, extra: Partial<DownloadOptions> = {}): DownloadOptions {
  return { url, file: join(dir, 'image.bin'), size: SIZE, retryDelayMs: () => 0, stallWindowMs: 5000, minBytesPerSecond: 1, ...extra };
}

describe('downloadImage', () => {
  it('downloads the whole image and hashes it as it streams', async () => {
    const image = imageBytes(SIZE, 1);
    server.put('/fw.bin', image);
    const events: ProgressEvent[] = [];

    const result = await downloadImage(options(server.url('/fw.bin'), { onEvent: (event) => events.push(event) }));

    expect(result.sha256.toString('hex')).toBe(sha256Hex(image));
    expect(await readFile(join(dir, 'image.bin'))).toEqual(image);
    expect(events[0]?.type).toBe('START');
    expect(events.at(-1)?.type).toBe('DONE');
    expect(events.filter((event) => event.type === 'DL_PROGRESS').at(-1)?.percent).toBe(100);
  });

  it.each([1, 2, 3])('resumes after 20 cuts at random offsets without fetching a finished byte again (seed %i)', async (seed) => {
    const image = imageBytes(SIZE, seed);
    server.put('/fw.bin', image);
    const random = seeded(seed);
    let cuts = 0;
    server.faults.cutAfter = () => (cuts++ < 20 ? 1 + Math.floor(random() * 12_000) : undefined);

    const result = await downloadImage(options(server.url('/fw.bin')));

    expect(result.sha256.toString('hex')).toBe(sha256Hex(image));
    expect(server.bytesSent('/fw.bin')).toBe(SIZE);
    expect(result.resumes).toBe(20);
    let received = 0;
    for (const request of server.requests) {
      expect(request.rangeStart ?? 0).toBe(received);
      received += request.bytesSent;
    }
  });

  it('starts over, never splicing, when the object is replaced between two ranges', async () => {
    const first = imageBytes(SIZE, 4);
    const second = imageBytes(SIZE, 5);
    server.put('/fw.bin', first);
    let requests = 0;
    server.faults.cutAfter = () => {
      requests += 1;
      if (requests === 1) return 100_000;
      return undefined;
    };
    const onCheckpoint = () => {
      if (requests === 1) server.put('/fw.bin', second);
    };

    const result = await downloadImage(options(server.url('/fw.bin'), { onCheckpoint, checkpointEveryBytes: 1 }));

    expect(result.sha256.toString('hex')).toBe(sha256Hex(second));
    expect(result.restarts).toBe(1);
    expect(server.requests[1]?.status).toBe(200);
    expect(server.requests[1]?.rangeStart).toBeUndefined();
    expect(server.requests[1]?.ifRange).toBeDefined();
  });

  it('refuses data past the declared size and keeps the file within it', async () => {
    server.put('/fw.bin', imageBytes(SIZE, 6));
    server.faults.endless = true;

    await expect(downloadImage(options(server.url('/fw.bin')))).rejects.toBeInstanceOf(OversizeError);
    expect((await stat(join(dir, 'image.bin'))).size).toBeLessThanOrEqual(SIZE);
  });

  it.each([
    ['larger', SIZE + 1, OversizeError],
    ['smaller', SIZE - 1, IntegrityError],
  ])('fails at once when the server object is %s than declared', async (_label, actual, errorClass) => {
    server.put('/fw.bin', imageBytes(actual, 7));

    await expect(downloadImage(options(server.url('/fw.bin')))).rejects.toBeInstanceOf(errorClass);
    expect((await stat(join(dir, 'image.bin'))).size).toBe(0);
  });

  it('aborts a 1-byte/s server with the throughput watchdog', async () => {
    server.put('/fw.bin', imageBytes(SIZE, 8));
    server.faults.bytesPerSecond = 1;

    await expect(downloadImage(options(server.url('/fw.bin'), { stallWindowMs: 300, minBytesPerSecond: 1024 }))).rejects.toBeInstanceOf(SlowDownloadError);
  });

  it('fetches a fresh URL when the presigned one expires and continues from its offset', async () => {
    const image = imageBytes(SIZE, 9);
    server.put('/fw.bin', image);
    let first = true;
    server.faults.cutAfter = () => {
      if (!first) return undefined;
      first = false;
      return 123_456;
    };
    const onCheckpoint = () => {
      clock += 3_600_001; // the URL's hour is over before the resume
    };
    const refreshUrl = async () => server.url('/fw.bin', { expiresAt: clock + 3_600_000 });

    const result = await downloadImage(options(server.url('/fw.bin', { expiresAt: clock + 3_600_000 }), { refreshUrl, onCheckpoint, checkpointEveryBytes: 1 }));

    expect(result.sha256.toString('hex')).toBe(sha256Hex(image));
    expect(result.urlRefreshes).toBe(1);
    expect(server.requests.map((request) => request.status)).toEqual([200, 403, 206]);
    expect(server.requests[2]?.rangeStart).toBe(123_456);
    expect(server.bytesSent()).toBe(SIZE);
  });

  it('keeps the synced prefix after a restart of the agent and fetches only the rest', async () => {
    const image = imageBytes(SIZE, 10);
    const { etag } = server.put('/fw.bin', image);
    await writeFile(join(dir, 'image.bin'), Buffer.concat([image.subarray(0, 200_000), Buffer.from('bytes written after the last checkpoint')]));

    const result = await downloadImage(options(server.url('/fw.bin'), { resume: { offset: 200_000, etag } }));

    expect(result.sha256.toString('hex')).toBe(sha256Hex(image));
    expect(server.requests).toEqual([expect.objectContaining({ status: 206, rangeStart: 200_000 })]);
  });

  it('treats 416 at the declared size as complete', async () => {
    const image = imageBytes(SIZE, 11);
    const { etag } = server.put('/fw.bin', image);
    await writeFile(join(dir, 'image.bin'), image);

    const result = await downloadImage(options(server.url('/fw.bin'), { resume: { offset: SIZE, etag } }));

    expect(result.sha256.toString('hex')).toBe(sha256Hex(image));
    expect(server.requests.map((request) => request.status)).toEqual([416]);
  });

  it('gives up on a missing object with a plain error', async () => {
    await expect(downloadImage(options(server.url('/missing.bin')))).rejects.toThrow(new DownloadError('the server answered 404 for the firmware URL'));
  });

  it('gives up after repeated failures that bring no bytes', async () => {
    await server.close();
    await expect(downloadImage(options('http://127.0.0.1:1/fw.bin', { maxAttemptsWithoutProgress: 2 }))).rejects.toThrow(/gave up after 3 attempts that brought no byte past 0: cannot reach 127.0.0.1:1: connection refused/);
    server = await FirmwareServer.start();
  });
});
