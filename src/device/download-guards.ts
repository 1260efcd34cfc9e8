// The downloader's bounds, so that no server, however slow or hostile, holds the agent longer than its configuration
// says. Every bound is a wall-clock timer or a count that nothing the server sends can reset:
//   - the whole download has a deadline (attempts, retry pauses and URL refreshes included);
//   - each request has its own deadline, and a header timeout from the moment it is sent to the final response
//     headers (trickled header bytes and `1xx` responses do not extend it);
//   - at most `maxInformationalResponses` `1xx` responses per request (an endless `102 Processing` is cut off);
//   - a throughput floor over each window, counted from the moment the request is sent (Uptane "slow retrieval").
// The retry budget (consecutive attempts that bring no byte past the furthest ever received) lives in the downloader.
import { AttemptDeadlineError, DownloadDeadlineError, HeaderTimeoutError, InformationalFloodError, SlowDownloadError } from './errors.ts';

export interface DownloadBounds {
  /** Fewer bytes than this per second over a whole `stallWindowMs` aborts the request. */
  minBytesPerSecond?: number;
  stallWindowMs?: number;
  /** From sending a request to its final response headers. */
  headerTimeoutMs?: number;
  /** `1xx` responses accepted before the final one. */
  maxInformationalResponses?: number;
  /** One request, headers to last byte. */
  attemptDeadlineMs?: number;
  /** The whole download. */
  deadlineMs?: number;
}

export const DEFAULT_BOUNDS = {
  minBytesPerSecond: 1024,
  stallWindowMs: 30_000,
  headerTimeoutMs: 30_000,
  maxInformationalResponses: 10,
  attemptDeadlineMs: 3_600_000,
  deadlineMs: 6 * 3_600_000,
} as const satisfies Required<DownloadBounds>;

const seconds = (ms: number) => `${Number((ms / 1000).toFixed(3))}s`;

/** The whole download's deadline; `signal` aborts when it passes or when the caller's own signal does. */
export class DownloadDeadline {
  error: DownloadDeadlineError | undefined;
  readonly signal: AbortSignal;
  private readonly controller = new AbortController();
  private readonly timer: NodeJS.Timeout;

  constructor(bounds: DownloadBounds, outer?: AbortSignal) {
    const ms = bounds.deadlineMs ?? DEFAULT_BOUNDS.deadlineMs;
    this.signal = outer ? AbortSignal.any([outer, this.controller.signal]) : this.controller.signal;
    this.timer = setTimeout(() => {
      this.error = new DownloadDeadlineError(`the download did not finish within its deadline of ${seconds(ms)}`);
      this.controller.abort(this.error);
    }, ms);
    this.timer.unref();
  }

  stop(): void {
    clearTimeout(this.timer);
  }
}

/**
 * The bounds of one request. The first bound to trip records its error and aborts `signal`, which destroys the request
 * and its response; the downloader then throws `error` rather than the socket's own "aborted".
 */
export class AttemptGuard {
  error: Error | undefined;
  readonly signal: AbortSignal;
  /** Body bytes received in this request (the throughput watchdog reads it). */
  received = 0;
  private readonly controller = new AbortController();
  private readonly timers: NodeJS.Timeout[] = [];
  private headerTimer: NodeJS.Timeout | undefined;
  private informational = 0;

  constructor(
    private readonly bounds: DownloadBounds,
    download: AbortSignal,
  ) {
    this.signal = AbortSignal.any([download, this.controller.signal]);
    const attemptMs = bounds.attemptDeadlineMs ?? DEFAULT_BOUNDS.attemptDeadlineMs;
    this.schedule(setTimeout(() => this.fail(new AttemptDeadlineError(`the request did not finish within its deadline of ${seconds(attemptMs)}`)), attemptMs));
    const headerMs = bounds.headerTimeoutMs ?? DEFAULT_BOUNDS.headerTimeoutMs;
    this.headerTimer = this.schedule(setTimeout(() => this.fail(new HeaderTimeoutError(`no response headers within ${seconds(headerMs)}`)), headerMs));
    this.startThroughputWatchdog();
  }

  /** Final (non-1xx) headers arrived. */
  headersReceived(): void {
    clearTimeout(this.headerTimer);
  }

  /** A `1xx` response arrived; one too many ends the request. */
  informationalReceived(status: number): void {
    this.informational += 1;
    const limit = this.bounds.maxInformationalResponses ?? DEFAULT_BOUNDS.maxInformationalResponses;
    if (this.informational > limit) this.fail(new InformationalFloodError(`more than ${limit} informational responses (last ${status}) before the real one`));
  }

  fail(error: Error): void {
    if (this.error) return;
    this.error = error;
    this.controller.abort(error);
  }

  stop(): void {
    for (const timer of this.timers) clearTimeout(timer);
  }

  private startThroughputWatchdog(): void {
    const windowMs = this.bounds.stallWindowMs ?? DEFAULT_BOUNDS.stallWindowMs;
    const perSecond = this.bounds.minBytesPerSecond ?? DEFAULT_BOUNDS.minBytesPerSecond;
    const minimum = (perSecond * windowMs) / 1000;
    let mark = 0;
    const timer = setInterval(() => {
      if (this.received - mark < minimum) this.fail(new SlowDownloadError(`fewer than ${perSecond} bytes/s over ${seconds(windowMs)}`));
      mark = this.received;
    }, windowMs);
    this.schedule(timer);
  }

  private schedule(timer: NodeJS.Timeout): NodeJS.Timeout {
    timer.unref();
    this.timers.push(timer);
    return timer;
  }
}
