// Reconnect delays: exponential backoff with jitter, as AWS recommends for clients of a shared service ("Timeouts,
// retries and backoff with jitter", Amazon Builders' Library), so that a fleet the broker dropped all at once does not
// come back all at once. Each delay is drawn from the upper half of the doubling window ("equal jitter"): never less
// than half the window, so a flapping broker is not hammered, and spread enough to break up a thundering herd.

export interface BackoffPolicy {
  /** The first window; attempt n waits between half and all of `baseDelayMs × 2ⁿ`. */
  baseDelayMs: number;
  /** No window is wider than this. */
  maxDelayMs: number;
}

export const DEFAULT_RECONNECT: BackoffPolicy & { stableAfterMs: number } = { baseDelayMs: 1000, maxDelayMs: 120_000, stableAfterMs: 30_000 };

/** The delay before retry number `attempt` (0 for the first retry); `random` in [0, 1). */
export function backoffDelay(attempt: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const window = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.min(attempt, 30));
  return Math.round(window * (0.5 + random() / 2));
}
