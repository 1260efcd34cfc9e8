// The downloader's bounds against servers that would otherwise hold it for ever. Each hostile behaviour is endless by
// itself (see hostile-server.ts), so reaching the assertion at all shows the bound under test ended the download;
// the assertions check which bound, and that the number of requests stayed within the retry budget.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { downloadImage, type DownloadOptions } from '#device/downloader.ts';
import { AttemptDeadlineError, DownloadDeadlineError, RetryBudgetError, type TransientDownloadError } from '#device/errors.ts';
import { cutsAt, drip, endlessProcessing, HostileServer, processingThen, silent, trickledHeaders, type Behaviour } from './hostile-server.ts';
import { imageBytes, sha256Hex } from './support.ts';

const SIZE = 100_000;
let server: HostileServer | undefined;
let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ota-bounds-'));
});
afterEach(async () => {
  await server?.close();
  server = undefined;
  await rm(dir, { recursive: true, force: true });
});

async function serve(behaviour: (current: () => HostileServer) => Behaviour): Promise<HostileServer> {
  server = await HostileServer.start(behaviour(() => server as HostileServer));
  return server;
}

/** Generous windows (so a loaded machine does not trip them by accident) and no pause between attempts. */
function options(url: string, extra: Partial<DownloadOptions> = {}): DownloadOptions {
  return {
    url,
    file: join(dir, 'image.bin'),
    size: SIZE,
    retryDelayMs: () => 0,
    minBytesPerSecond: 1,
    stallWindowMs: 60_000,
    headerTimeoutMs: 60_000,
    attemptDeadlineMs: 60_000,
    deadlineMs: 60_000,
    maxAttemptsWithoutProgress: 3,
    ...extra,
  };
}

describe('downloadImage against hostile servers', () => {
  it('gives up on a server that never sends headers, after the retry budget, with the header timeout as its reason', async () => {
    const hostile = await serve(() => silent);

    const error = await downloadImage(options(hostile.url, { headerTimeoutMs: 150 })).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(RetryBudgetError);
    expect((error as RetryBudgetError).reason).toBe('HEADER_TIMEOUT');
    expect(hostile.requests).toHaveLength(4);
  });

  it('does not let headers trickled one byte at a time extend the header timeout', async () => {
    const hostile = await serve((current) => trickledHeaders(current, 10));

    const error = await downloadImage(options(hostile.url, { headerTimeoutMs: 200, maxAttemptsWithoutProgress: 1 })).catch((e: unknown) => e);

    expect((error as RetryBudgetError).reason).toBe('HEADER_TIMEOUT');
    expect(hostile.requests).toHaveLength(2);
  });

  it('cuts off an endless 102 Processing at the 1xx limit, however fast they come', async () => {
    const hostile = await serve((current) => endlessProcessing(current, 2));

    const error = await downloadImage(options(hostile.url, { maxInformationalResponses: 5, maxAttemptsWithoutProgress: 1 })).catch((e: unknown) => e);

    expect((error as RetryBudgetError).reason).toBe('TOO_MANY_1XX');
    expect((error as Error).message).toMatch(/more than 5 informational responses \(last 102\)/);
  });

  it('accepts a few 1xx responses before the real one', async () => {
    const image = imageBytes(SIZE, 1);
    const hostile = await serve(() => processingThen(image, 3));

    const result = await downloadImage(options(hostile.url, { maxInformationalResponses: 5 }));

    expect(result.sha256.toString('hex')).toBe(sha256Hex(image));
  });

  it('measures progress from the furthest byte ever received, so alternating cuts at 60 % and 30 % cannot retry for ever', async () => {
    const hostile = await serve(() => cutsAt(imageBytes(SIZE, 2), (index) => (index % 2 === 0 ? 0.6 * SIZE : 0.3 * SIZE)));

    const error = await downloadImage(options(hostile.url)).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(RetryBudgetError);
    expect((error as Error).message).toMatch(/^gave up after 4 attempts that brought no byte past 60000: /);
    // 0→60 % (progress), 0→30 %, 0→60 %, 0→30 %: three attempts without a new byte, then it stops.
    expect(hostile.requests).toHaveLength(4);
  });

  it('ends a request that runs past its own deadline even while bytes keep arriving, and resumes from where it was', async () => {
    const hostile = await serve((current) => drip(current, imageBytes(10 * SIZE, 3), 50, 5));
    const retries: TransientDownloadError[] = [];

    const error = await downloadImage(
      options(hostile.url, { size: 10 * SIZE, attemptDeadlineMs: 100, deadlineMs: 1000, onRetry: (e) => retries.push(e) }),
    ).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(DownloadDeadlineError);
    expect(retries[0]).toBeInstanceOf(AttemptDeadlineError);
    expect(hostile.requests[1]?.rangeStart).toBeGreaterThan(0);
  });

  it('ends the whole download at its deadline, whatever each attempt does', async () => {
    const hostile = await serve((current) => drip(current, imageBytes(10 * SIZE, 4), 20, 5));

    const error = await downloadImage(options(hostile.url, { size: 10 * SIZE, deadlineMs: 300 })).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(DownloadDeadlineError);
    expect((error as DownloadDeadlineError).reason).toBe('DOWNLOAD_DEADLINE');
    expect(hostile.requests).toHaveLength(1);
  });

  it('ends the retry pauses at the deadline too', async () => {
    const hostile = await serve(() => silent);

    const error = await downloadImage(options(hostile.url, { headerTimeoutMs: 50, retryDelayMs: () => 3_600_000, deadlineMs: 300 })).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(DownloadDeadlineError);
    expect(hostile.requests).toHaveLength(1);
  });
});
