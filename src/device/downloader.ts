// Resumable, verified download of one image into one file. HTTP(S) GET with `Range: bytes=N-` and `If-Range: <ETag>`
// (RFC 9110 §14.2, §13.1.5): 206 continues, 200 means the object changed (or the server ignores ranges) so the file is
// truncated and restarted — two objects are never spliced — and 416 at the declared size means "already complete".
// SHA-256 is computed as the bytes arrive, so the image is never read back; only after an agent restart is the kept
// prefix hashed once from disk, because a hash state cannot be saved.
import { createHash, type Hash } from 'node:crypto';
import { open, type FileHandle } from 'node:fs/promises';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { AttemptGuard, DownloadDeadline, type DownloadBounds } from './download-guards.ts';
import { DownloadError, IntegrityError, OversizeError, RetryBudgetError, TransientDownloadError, UrlExpiredError } from './errors.ts';
import { ProgressEventType, type ProgressListener } from './progress-events.ts';
import { SlotWriter } from './slot-writer.ts';

/** Where a download stood when it was last made durable: bytes in the file, and the validator they came with. */
export interface ResumePoint {
  offset: number;
  etag: string;
}

export interface DownloadOptions extends DownloadBounds {
  url: string;
  file: string;
  /** The declared size: a hard cap, never exceeded on disk. */
  size: number;
  /** After a restart: the bytes already in the file (kept, re-hashed once) and their ETag. */
  resume?: ResumePoint;
  /** Called when the server answers 401/403 (an expired presigned URL): returns a fresh URL for the same object. */
  refreshUrl?: () => Promise<string>;
  onEvent?: ProgressListener;
  /** Called after the file has been synced, about every `checkpointEveryBytes`, so a restart can resume. */
  onCheckpoint?: (point: ResumePoint) => Promise<void> | void;
  /**
   * Consecutive failed attempts that brought no byte past the furthest one ever received before giving up. Measured
   * against that high-water mark, not the previous attempt's end, so a server that cuts alternately early and late
   * (or restarts the object each time) cannot reset the count for ever.
   */
  maxAttemptsWithoutProgress?: number;
  maxUrlRefreshes?: number;
  /** Called before each retry with the error that ended the attempt (the agent logs it). */
  onRetry?: (error: TransientDownloadError, failures: number) => void;
  retryDelayMs?: (attempt: number) => number;
  checkpointEveryBytes?: number;
  /** Bytes that may wait for the disk while the socket is read (default 8 MiB); 0 writes each chunk before the next read. */
  writeQueueBytes?: number;
  signal?: AbortSignal;
}

export interface DownloadResult {
  /** SHA-256 of the file's bytes, computed while they arrived. */
  sha256: Buffer;
  bytes: number;
  /** Body bytes received over the network (re-sent bytes counted). */
  transferred: number;
  /** Requests that continued from an offset (206). */
  resumes: number;
  /** Times the file was truncated and started over (object changed, no validator, 416 short of the end). */
  restarts: number;
  urlRefreshes: number;
}

const defaultRetryDelay = (attempt: number) => Math.min(5000, 200 * 2 ** attempt) * (0.5 + Math.random() / 2);

class Transfer {
  offset = 0;
  etag: string | undefined;
  hash: Hash = createHash('sha256');
  transferred = 0;
  resumes = 0;
  restarts = 0;
  urlRefreshes = 0;
  lastPercent = -1;
  sinceCheckpoint = 0;
  readonly writer: SlotWriter;

  constructor(
    readonly handle: FileHandle,
    writeQueueBytes?: number,
  ) {
    this.writer = new SlotWriter(handle, writeQueueBytes);
  }

  async restart(): Promise<void> {
    await this.writer.flush(); // nothing queued may land after the truncation
    await this.handle.truncate(0);
    this.offset = 0;
    this.etag = undefined;
    this.hash = createHash('sha256');
    this.restarts += 1;
  }
}

export async function downloadImage(options: DownloadOptions): Promise<DownloadResult> {
  const handle = await open(options.file, 'a+').then(async (appendHandle) => {
    // 'a+' creates the file without truncating it; positional writes need 'r+'.
    await appendHandle.close();
    return open(options.file, 'r+');
  });
  try {
    const transfer = new Transfer(handle, options.writeQueueBytes);
    await adoptResumePoint(transfer, options);
    options.onEvent?.({ type: ProgressEventType.START, bytes: transfer.offset, total: options.size });
    let url = options.url;
    let failures = 0;
    let furthest = transfer.offset;
    const deadline = new DownloadDeadline(options, options.signal);
    try {
      for (;;) {
        try {
          if (deadline.error) throw deadline.error;
          const complete = await attempt(transfer, url, options, deadline.signal);
          if (complete) break;
        } catch (error) {
          if (deadline.error) throw deadline.error;
          if (error instanceof UrlExpiredError && options.refreshUrl && transfer.urlRefreshes < (options.maxUrlRefreshes ?? 5)) {
            transfer.urlRefreshes += 1;
            url = await options.refreshUrl();
            continue;
          }
          if (!(error instanceof TransientDownloadError) || options.signal?.aborted) throw error;
          failures = transfer.offset > furthest ? 1 : failures + 1;
          furthest = Math.max(furthest, transfer.offset);
          if (failures > (options.maxAttemptsWithoutProgress ?? 8)) {
            throw new RetryBudgetError(`gave up after ${failures} attempts that brought no byte past ${furthest}: ${error.message}`, error);
          }
          options.onRetry?.(error, failures);
          await sleep((options.retryDelayMs ?? defaultRetryDelay)(failures - 1), deadline.signal);
        }
      }
    } finally {
      deadline.stop();
    }
    await handle.datasync();
    options.onEvent?.({ type: ProgressEventType.DONE, bytes: transfer.offset, total: options.size, percent: 100 });
    return {
      sha256: transfer.hash.digest(),
      bytes: transfer.offset,
      transferred: transfer.transferred,
      resumes: transfer.resumes,
      restarts: transfer.restarts,
      urlRefreshes: transfer.urlRefreshes,
    };
  } catch (error) {
    options.onEvent?.({ type: ProgressEventType.ERROR, error: error as Error });
    throw error;
  } finally {
    await handle.close();
  }
}

/** Keeps the bytes a previous run made durable (and hashes them once), or starts from an empty file. */
async function adoptResumePoint(transfer: Transfer, options: DownloadOptions): Promise<void> {
  const { size: onDisk } = await transfer.handle.stat();
  const resume = options.resume;
  if (!resume || resume.offset <= 0 || resume.offset > options.size || onDisk < resume.offset) {
    await transfer.handle.truncate(0);
    return;
  }
  // Bytes written after the last checkpoint may not have survived a power cut: drop them.
  await transfer.handle.truncate(resume.offset);
  const buffer = Buffer.allocUnsafe(1024 * 1024);
  for (let position = 0; position < resume.offset; ) {
    const { bytesRead } = await transfer.handle.read(buffer, 0, Math.min(buffer.length, resume.offset - position), position);
    if (bytesRead === 0) break;
    transfer.hash.update(buffer.subarray(0, bytesRead));
    position += bytesRead;
  }
  transfer.offset = resume.offset;
  transfer.etag = resume.etag;
}

/** One GET. Resolves true when every declared byte is in the file; throws the error class that says what to do next. */
async function attempt(transfer: Transfer, url: string, options: DownloadOptions, download: AbortSignal): Promise<boolean> {
  if (transfer.offset > 0 && transfer.etag === undefined) await transfer.restart(); // resuming without a validator could splice two objects
  const headers: Record<string, string> = {};
  if (transfer.offset > 0 && transfer.etag !== undefined) {
    headers.Range = `bytes=${transfer.offset}-`;
    headers['If-Range'] = transfer.etag;
  }
  const guard = new AttemptGuard(options, download);
  try {
    const response = await get(url, headers, guard);
    try {
      return await receive(transfer, response, chunksOf(response, guard.signal), options, guard);
    } finally {
      response.destroy();
      // Every byte counted in `offset` is in the file before the next attempt (or the caller) looks at it.
      await transfer.writer.flush();
    }
  } finally {
    guard.stop();
  }
}

async function receive(transfer: Transfer, response: IncomingMessage, chunks: AsyncIterator<Buffer>, options: DownloadOptions, guard: AttemptGuard): Promise<boolean> {
  const status = response.statusCode ?? 0;
  const etag = strongEtag(response.headers.etag);
  const contentLength = response.headers['content-length'] === undefined ? undefined : Number(response.headers['content-length']);
  if (status === 206) {
    const range = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(response.headers['content-range'] ?? '');
    const total = range?.[3] === undefined || range[3] === '*' ? undefined : Number(range[3]);
    if (total !== undefined && total > options.size) throw new OversizeError(`the server holds ${total} bytes, the job declares ${options.size}`);
    if (total !== undefined && total < options.size) throw new IntegrityError(`the server holds ${total} bytes, the job declares ${options.size}`);
    if (!range || Number(range[1]) !== transfer.offset) {
      await transfer.restart();
      throw new TransientDownloadError(`the server answered a range that does not start at ${transfer.offset}`);
    }
    transfer.resumes += 1;
  } else if (status === 200) {
    if (transfer.offset > 0) await transfer.restart(); // If-Range did not match: a different object now
    if (contentLength !== undefined && contentLength > options.size) throw new OversizeError(`the server sends ${contentLength} bytes, the job declares ${options.size}`);
    if (contentLength !== undefined && contentLength < options.size) throw new IntegrityError(`the server holds ${contentLength} bytes, the job declares ${options.size}`);
    transfer.etag = etag;
  } else if (status === 416) {
    // Range Not Satisfiable: complete if we hold exactly the declared size, otherwise start again (§15.5.17).
    const total = Number(/^bytes \*\/(\d+)$/.exec(response.headers['content-range'] ?? '')?.[1]);
    if (transfer.offset === options.size && (Number.isNaN(total) || total === options.size)) return true;
    await transfer.restart();
    throw new TransientDownloadError(`the server refused the range at ${transfer.offset}`);
  } else if (status === 401 || status === 403) {
    throw new UrlExpiredError(`the server answered ${status}: the download URL has expired or is not valid`);
  } else if (status === 408 || status === 429 || status >= 500) {
    throw new TransientDownloadError(`the server answered ${status}`);
  } else {
    throw new DownloadError(`the server answered ${status} for the firmware URL`);
  }
  if (etag !== undefined && transfer.etag !== undefined && etag !== transfer.etag) {
    throw new TransientDownloadError('the object changed between the request and the response');
  }

  for (;;) {
    let next: IteratorResult<Buffer>;
    try {
      next = await chunks.next();
    } catch (error) {
      // Only the network's errors are worth a retry; a failed write or a caller's callback is not. A bound that
      // tripped destroyed the response: say which.
      if (guard.error) throw guard.error;
      // Socket errors ("aborted", ECONNRESET) come from Node's own realm, so no instanceof Error check here.
      throw new TransientDownloadError(`the connection broke at byte ${transfer.offset}: ${(error as { message?: string }).message ?? String(error)}`, { cause: error });
    }
    if (next.done) break;
    const chunk = next.value;
    guard.received += chunk.length;
    transfer.transferred += chunk.length;
    if (transfer.offset + chunk.length > options.size) {
      throw new OversizeError(`the server sent more than the declared ${options.size} bytes`);
    }
    transfer.hash.update(chunk);
    await transfer.writer.write(chunk, transfer.offset);
    transfer.offset += chunk.length;
    transfer.sinceCheckpoint += chunk.length;
    await report(transfer, options);
  }
  if (guard.error) throw guard.error;
  if (transfer.offset < options.size) throw new TransientDownloadError(`the response ended at byte ${transfer.offset} of ${options.size}`);
  return true;
}

/**
 * The response's chunks, every one that arrived before a cut included. A stream's async iterator drops what it had
 * buffered when the socket breaks, which would make the next range fetch those bytes again; listening in flowing mode
 * and queueing here keeps them (the queue pauses the socket above 8 MiB, so memory stays bounded). It listens from the
 * moment it is called, so a response that ends while the caller is still busy (truncating the file) is not missed,
 * and a tripped bound (`signal`) wakes a reader that waits for bytes that will never come.
 */
function chunksOf(response: IncomingMessage, signal: AbortSignal): AsyncIterator<Buffer> {
  const queue: Buffer[] = [];
  let queued = 0;
  let ended = false;
  let failure: unknown;
  let wake: (() => void) | undefined;
  const notify = () => {
    wake?.();
    wake = undefined;
  };
  const fail = (error: unknown) => {
    failure ??= error;
    notify();
  };
  response.on('data', (chunk: Buffer) => {
    queue.push(chunk);
    queued += chunk.length;
    if (queued > 8 * 1024 * 1024) response.pause();
    notify();
  });
  response.on('end', () => {
    ended = true;
    notify();
  });
  response.on('error', fail);
  response.on('close', () => {
    if (!ended) fail(new Error('aborted'));
  });
  if (signal.aborted) fail(signal.reason);
  else signal.addEventListener('abort', () => fail(signal.reason), { once: true });
  return {
    async next(): Promise<IteratorResult<Buffer>> {
      for (;;) {
        const chunk = queue.shift();
        if (chunk) {
          queued -= chunk.length;
          if (response.isPaused() && queued < 1024 * 1024) response.resume();
          return { done: false, value: chunk };
        }
        if (failure !== undefined) throw failure;
        if (ended) return { done: true, value: undefined };
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
      }
    },
  };
}

async function report(transfer: Transfer, options: DownloadOptions): Promise<void> {
  const percent = options.size === 0 ? 100 : Math.floor((transfer.offset / options.size) * 100);
  if (percent !== transfer.lastPercent) {
    transfer.lastPercent = percent;
    options.onEvent?.({ type: ProgressEventType.DL_PROGRESS, bytes: transfer.offset, total: options.size, percent });
  }
  if (options.onCheckpoint && transfer.etag !== undefined && transfer.sinceCheckpoint >= (options.checkpointEveryBytes ?? 4 * 1024 * 1024)) {
    transfer.sinceCheckpoint = 0;
    await transfer.writer.flush();
    await transfer.handle.datasync();
    await options.onCheckpoint({ offset: transfer.offset, etag: transfer.etag });
  }
}

function get(url: string, headers: Record<string, string>, guard: AttemptGuard): Promise<IncomingMessage> {
  const target = new URL(url);
  const send = target.protocol === 'https:' ? httpsRequest : target.protocol === 'http:' ? httpRequest : undefined;
  if (!send) return Promise.reject(new DownloadError(`unsupported URL scheme ${target.protocol} (expected http or https)`));
  return new Promise((resolve, reject) => {
    const request = send(target, { headers, signal: guard.signal }, (response) => {
      guard.headersReceived();
      resolve(response);
    });
    request.on('information', (info) => guard.informationalReceived(info.statusCode));
    request.on('error', (error) => {
      if (guard.error) return reject(guard.error);
      const code = (error as NodeJS.ErrnoException).code;
      const detail = code === 'ECONNREFUSED' ? 'connection refused' : code === 'ENOTFOUND' || code === 'EAI_AGAIN' ? 'host not found' : error.message;
      reject(new TransientDownloadError(`cannot reach ${target.host}: ${detail}`, { cause: error }));
    });
    request.end();
  });
}

function strongEtag(value: string | undefined): string | undefined {
  // A weak validator (W/"…") cannot be used with If-Range (RFC 9110 §13.1.5).
  return value === undefined || value.startsWith('W/') ? undefined : value;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (ms <= 0 || signal?.aborted) return resolve();
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    }, { once: true });
  });
}
