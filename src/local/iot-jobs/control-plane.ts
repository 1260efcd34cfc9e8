// The embedded IoT's control-plane meter: counts every call the FleetJobs port makes, by the AWS API the AWS adapter
// would call for it (a page of 250 is one ListJobExecutionsForJob), per Lambda invocation (AsyncLocalStorage carries
// the invocation through the handler's awaits), and answers a call over its API's request rate with a throttle, as
// IoT answers ThrottlingException. Rates are per second on the shared clock (virtual or scaled), refilled as it moves.
import { AsyncLocalStorage } from 'node:async_hooks';
import { TransientError } from '#ports/errors.ts';

/**
 * Requests per second per API. AWS publishes these in Service Quotas (General Reference, "AWS IoT Core endpoints and
 * quotas" and "AWS IoT Device Management endpoints and quotas"); the values here are the twin's defaults, chosen to be
 * of the published order and conservative, and can be overridden. See docs/backend.md, "Quotas the design relies on".
 */
export const DEFAULT_API_RATES: Readonly<Record<string, number>> = {
  CreateJob: 10,
  DescribeJob: 10,
  CancelJob: 10,
  ListJobExecutionsForJob: 10,
  ListThingsInThingGroup: 10,
  AddThingToThingGroup: 100,
  GetStatistics: 5,
  CreateDynamicThingGroup: 5,
  DescribeThingGroup: 100,
  DeleteDynamicThingGroup: 5,
};

export interface ControlPlaneReport {
  /** Calls by AWS API name. */
  calls: Record<string, number>;
  /** The most control-plane calls any one Lambda invocation made. */
  maxCallsInOneInvocation: number;
  /** Which function made them. */
  largestInvocation?: string;
  /** Calls answered with a throttle. */
  throttled: number;
}

interface Bucket {
  tokens: number;
  atMs: number;
  atRealMs: number;
}

export class ControlPlane {
  private readonly scope = new AsyncLocalStorage<{ name: string; calls: number }>();
  private readonly buckets = new Map<string, Bucket>();
  private readonly stats: ControlPlaneReport = { calls: {}, maxCallsInOneInvocation: 0, throttled: 0 };

  /**
   * `realMs` is the wall clock. A bucket refills by whichever clock moved further: the shared clock when the release
   * runs (virtual hours pass in milliseconds), the wall clock while the shared one stands still (a release waiting for
   * an operator, whose dashboard keeps reading).
   */
  constructor(
    private readonly clock: { nowMs(): number },
    private readonly rates: Readonly<Record<string, number>> = DEFAULT_API_RATES,
    private readonly realMs: () => number = () => performance.now(),
  ) {}

  /** Runs one Lambda invocation; the calls made inside it, however deep in its awaits, count towards it. */
  async invocation<T>(name: string, run: () => Promise<T>): Promise<T> {
    const counter = { name, calls: 0 };
    try {
      return await this.scope.run(counter, run);
    } finally {
      if (counter.calls > this.stats.maxCallsInOneInvocation) {
        this.stats.maxCallsInOneInvocation = counter.calls;
        this.stats.largestInvocation = name;
      }
    }
  }

  /**
   * One call of `api`. Over the API's rate it throws TransientError, what the AWS adapter makes of ThrottlingException
   * (by class name: the ASL's Retry matches `TransientError`, so a subclass would not do).
   */
  call(api: string, what = api): void {
    this.stats.calls[api] = (this.stats.calls[api] ?? 0) + 1;
    const counter = this.scope.getStore();
    if (counter) counter.calls++;
    const rate = this.rates[api];
    if (rate === undefined) return;
    const now = this.clock.nowMs();
    const real = this.realMs();
    const bucket = this.buckets.get(api) ?? { tokens: rate, atMs: now, atRealMs: real };
    const elapsedMs = Math.max(now - bucket.atMs, real - bucket.atRealMs);
    bucket.tokens = Math.min(rate, bucket.tokens + (elapsedMs / 1000) * rate);
    bucket.atMs = now;
    bucket.atRealMs = real;
    this.buckets.set(api, bucket);
    if (bucket.tokens < 1) {
      this.stats.throttled++;
      throw new TransientError(`IoT ${what}: ThrottlingException (rate exceeded: ${rate} requests per second)`);
    }
    bucket.tokens -= 1;
  }

  report(): ControlPlaneReport {
    return { ...this.stats, calls: { ...this.stats.calls } };
  }
}
