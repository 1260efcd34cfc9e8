// Publishes the device's health report (src/domain/health-report.ts) on `ota-release/health/<thing>`: what the device
// does after an update (crashes, reboots, whether it came back, whether its bootloader silently went back), and what
// devices still on the previous version do over the same time, which is the release's concurrent control.
//
// When it reports: with `mode: "always"` from boot, on whatever version runs (a fleet that should serve as control);
// with `"when-asked"` (the default) only once a job document carried a `health` block, and from then on at that
// release's period, on every version it runs. Never while an install is in hand (the version is about to change).
//
// Every report covers the running time since the previous one (never before this boot, never before this version
// started), so exposure sums to device-seconds. Events are attributed to the version that was running when they
// happened: a reboot, and the crashes counted before it, belong to the version that ran before the boot, sent in a
// report of their own with periodSeconds 0 when that version is no longer running (a crash-looping image the bootloader
// gave up on still pays for its crashes). The reboot into an update is the update's own and is not counted.
import { HealthReport, healthTopic, type HealthPhase, type HealthReporting } from '#domain/health-report.ts';
import type { DeviceFacts } from './health-facts.ts';
import type { HealthJournal, HealthState, Tally } from './health-journal.ts';
import type { Outcome } from './journal.ts';

export type HealthMode = 'always' | 'when-asked' | 'never';

/** Where a thing publishes its health reports: its health topic, behind the Basic Ingest prefix when one is given. */
export function healthPublishTopic(thingName: string, basicIngestRule?: string): string {
  return basicIngestRule ? `$aws/rules/${basicIngestRule}/${healthTopic(thingName)}` : healthTopic(thingName);
}

export interface HealthReporterOptions {
  thingName: string;
  /** The product this device is; absent: the product of the signed manifest that asked for reports. */
  product?: string;
  journal: HealthJournal;
  facts: DeviceFacts;
  /** What runs now; undefined before the slots have booted. */
  running: () => { version: string; slot?: string } | undefined;
  /** True while an install is in hand. */
  busy: () => boolean;
  /** Publishes at QoS 1 and resolves on the broker's acknowledgement. */
  publish: (topic: string, payload: string) => Promise<void>;
  /** Epoch ms. */
  now: () => number;
  mode: HealthMode;
  /** The period when no release has asked for one. */
  reportEverySeconds: number;
  /** The warm-up after an update when the release did not say. */
  warmUpSeconds: number;
  /**
   * Publish through AWS IoT Basic Ingest to this rule (`$aws/rules/<rule>/ota-release/health/<thing>`): the same rule
   * runs, without the message broker and its messaging charge. Absent: the plain topic.
   */
  basicIngestRule?: string;
  onReport?: (report: HealthReport) => void;
  onError?: (error: unknown) => void;
}

const MAX_PERIOD_SECONDS = 86_400;

export class HealthReporter {
  /** Every change to the state goes through here, one at a time (a report must not interleave with an outcome). */
  private queue: Promise<unknown> = Promise.resolve();
  /** A report asked for while one waits (a PUBACK that a dropped link delays) joins it instead of piling up. */
  private pendingReport: Promise<HealthReport[]> | undefined;
  private lastAttempt: number | undefined;

  constructor(private readonly options: HealthReporterOptions) {}

  private get state(): HealthState {
    return this.options.journal.state;
  }

  /** Reporting at all: always, or since a release asked. */
  get active(): boolean {
    return this.options.mode === 'always' || (this.options.mode === 'when-asked' && this.state.reporting !== undefined);
  }

  get periodSeconds(): number {
    return this.state.reporting?.reportEverySeconds ?? this.options.reportEverySeconds;
  }

  private get warmUpSeconds(): number {
    return this.state.reporting?.warmUpSeconds ?? this.options.warmUpSeconds;
  }

  /** Milliseconds until the next report is due: a period after the last attempt, or the end of a warm-up if sooner. */
  nextDelayMs(): number {
    const now = this.options.now();
    let due = (this.lastAttempt ?? now) + this.periodSeconds * 1000;
    const warmEnd = this.warmUpEnd();
    if (warmEnd !== undefined && warmEnd > now && warmEnd < due) due = warmEnd;
    return Math.max(1000, due - now);
  }

  /** A job document was read: a `health` block there switches reporting on, at that release's period. */
  instructed(jobId: string, offer: { releaseId?: string; health?: HealthReporting; product?: string }): Promise<void> {
    return this.serial(async () => {
      this.state.offer = { jobId, ...(offer.releaseId ? { releaseId: offer.releaseId } : {}) };
      if (offer.health) this.state.reporting = { ...offer.health, ...(offer.releaseId ? { releaseId: offer.releaseId } : {}), ...(offer.product ? { product: offer.product } : {}) };
      await this.options.journal.save();
    });
  }

  /**
   * An execution's outcome was reported. A SUCCEEDED update starts a warm-up and owes one `firstSinceUpdate`; the boot
   * it came up in is the update's own reboot (not counted), and crashes counted until now belong to the version before.
   */
  outcome(jobId: string, outcome: Outcome): Promise<void> {
    return this.serial(async () => {
      const version = outcome.statusDetails.runningVersion;
      if (outcome.status !== 'SUCCEEDED' || !version) return;
      const state = this.state;
      const releaseId = state.offer?.jobId === jobId ? state.offer.releaseId : undefined;
      state.succeeded = { version, ...(releaseId ? { releaseId } : {}) };
      const from = outcome.statusDetails.fromVersion;
      if (from && from !== version) {
        const previous = state.version;
        const bootId = await this.readBootId();
        const rebooted = bootId !== undefined && state.bootId !== undefined && bootId !== state.bootId;
        if (bootId !== undefined) state.bootId = bootId;
        await this.readCrashes(previous ?? version);
        state.update = { version, ...(releaseId ? { releaseId } : {}), crashes: 0, reboots: 0 };
        state.firstPending = version;
        state.version = version;
        state.versionSince = rebooted ? this.bootAt() : this.options.now();
      }
      await this.options.journal.save();
    });
  }

  /** Builds and publishes what is due now; returns the reports the broker acknowledged. */
  report(): Promise<HealthReport[]> {
    this.pendingReport ??= this.serial(() => this.reportNow()).finally(() => {
      this.pendingReport = undefined;
    });
    return this.pendingReport;
  }

  private serial<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private readBootId(): Promise<string | undefined> {
    return this.options.facts.bootId().catch((error: unknown) => {
      this.options.onError?.(error);
      return undefined;
    });
  }

  /** Adds the crash counter's growth since the last reading to `version`'s tally. */
  private async readCrashes(version: string): Promise<void> {
    const count = await this.options.facts.crashCount().catch((error: unknown) => {
      this.options.onError?.(error);
      return undefined;
    });
    if (count === undefined) return;
    const last = this.state.crashCount;
    // A reading below the last means the counter started over (a reboot, a reinstall): it counts from zero.
    if (last !== undefined) this.tally(version).crashes += count >= last ? count - last : count;
    this.state.crashCount = count;
  }

  private bootAt(): number {
    return this.options.now() - Math.round(this.options.facts.uptimeSeconds()) * 1000;
  }

  private async reportNow(): Promise<HealthReport[]> {
    if (!this.active || this.options.busy()) return [];
    const running = this.options.running();
    const product = this.options.product ?? this.state.reporting?.product;
    if (!running || !product) return [];
    this.lastAttempt = this.options.now();
    await this.observe(running.version);
    const sent: HealthReport[] = [];
    try {
      // Validated on the way out (HealthReport.parse): a report the cloud would drop is an error here, not there.
      for (const { report, settle } of this.build(product, running)) {
        await this.options.publish(healthPublishTopic(this.options.thingName, this.options.basicIngestRule), JSON.stringify(report));
        settle();
        this.state.sequence += 1;
        await this.options.journal.save();
        sent.push(report);
        this.options.onReport?.(report);
      }
    } catch (error) {
      // Not acknowledged: what it carried stays pending for the next report.
      this.options.onError?.(error);
      await this.options.journal.save();
    }
    return sent;
  }

  /** Notices reboots, crashes and version changes since the last look. */
  private async observe(version: string): Promise<void> {
    const state = this.state;
    const previous = state.version;
    const bootId = await this.readBootId();
    const rebooted = bootId !== undefined && state.bootId !== undefined && bootId !== state.bootId;
    if (bootId !== undefined) state.bootId = bootId;
    // What happened before the boot happened on the version that ran then.
    const before = rebooted && previous ? previous : version;
    if (rebooted) this.tally(before).reboots += 1;
    await this.readCrashes(before);
    if (previous !== version) {
      // Off the version this device reported SUCCEEDED for, and no job moved it: a silent rollback.
      if (previous !== undefined && state.succeeded?.version === previous) {
        state.revertPending = previous;
        delete state.succeeded;
      }
      state.version = version;
      // First sight of a version this boot: it has run since the boot (a version we saw change in process: since now).
      state.versionSince = rebooted || previous === undefined ? this.bootAt() : this.options.now();
    }
  }

  private build(product: string, running: { version: string; slot?: string }): Array<{ report: HealthReport; settle: () => void }> {
    const state = this.state;
    const now = this.options.now();
    const uptimeSeconds = Math.max(0, Math.round(this.options.facts.uptimeSeconds()));
    const bootAt = now - uptimeSeconds * 1000;
    const out: Array<{ report: HealthReport; settle: () => void }> = [];
    // Events carried over from versions no longer running.
    for (const [version, tally] of Object.entries(state.pending)) {
      if (version === running.version || (tally.crashes === 0 && tally.reboots === 0)) continue;
      const report = HealthReport.parse({ product, version, phase: state.lastPhase?.[version] ?? 'steady', periodSeconds: 0, uptimeSeconds, crashes: tally.crashes, reboots: tally.reboots, sequence: state.sequence + out.length });
      out.push({ report, settle: () => void delete state.pending[version] });
    }
    const version = running.version;
    const tally = state.pending[version] ?? { crashes: 0, reboots: 0 };
    const from = Math.max(state.reportedUntil ?? bootAt, bootAt, state.versionSince ?? bootAt);
    const periodSeconds = Math.min(MAX_PERIOD_SECONDS, Math.max(0, Math.round((now - from) / 1000)));
    const update = state.update?.version === version ? state.update : undefined;
    const phase: HealthPhase = update && this.warmUpEnd() !== undefined && now <= (this.warmUpEnd() as number) ? 'warm-up' : 'steady';
    const releaseId = update?.releaseId ?? (state.succeeded?.version === version ? state.succeeded.releaseId : undefined);
    const report = HealthReport.parse({
      product,
      version,
      ...(running.slot ? { slot: running.slot } : {}),
      ...(releaseId && releaseId.length <= 64 ? { releaseId } : {}),
      phase,
      periodSeconds,
      uptimeSeconds,
      crashes: tally.crashes,
      reboots: tally.reboots,
      ...(update ? { crashesSinceUpdate: update.crashes + tally.crashes, rebootsSinceUpdate: update.reboots + tally.reboots } : {}),
      ...(state.firstPending === version ? { firstSinceUpdate: true } : {}),
      ...(state.revertPending ? { revertedFrom: state.revertPending } : {}),
      sequence: state.sequence + out.length,
    });
    out.push({
      report,
      settle: () => {
        delete state.pending[version];
        if (update) {
          update.crashes += tally.crashes;
          update.reboots += tally.reboots;
        }
        if (report.firstSinceUpdate) delete state.firstPending;
        if (report.revertedFrom) delete state.revertPending;
        state.reportedUntil = now;
        state.lastPhase = { ...state.lastPhase, [version]: phase };
      },
    });
    return out;
  }

  /** When the running update's warm-up ends (epoch ms), if it runs an update at all. */
  private warmUpEnd(): number | undefined {
    const state = this.state;
    if (!state.update || state.update.version !== state.version || state.versionSince === undefined) return undefined;
    return state.versionSince + this.warmUpSeconds * 1000;
  }

  private tally(version: string): Tally {
    return (this.state.pending[version] ??= { crashes: 0, reboots: 0 });
  }
}

/** A timer source: real timers on a gateway, the fleet's scaled clock in the embedded cloud. */
export type After = (ms: number, run: () => void) => () => void;

export const realTimers: After = (ms, run) => {
  const timer = setTimeout(run, ms);
  timer.unref();
  return () => clearTimeout(timer);
};

/** Reports now and then whenever the reporter says the next one is due; the returned function stops it. */
export function runHealthReports(reporter: HealthReporter, after: After = realTimers): () => void {
  let stopped = false;
  let cancel: (() => void) | undefined;
  const tick = () => {
    void reporter.report().finally(() => {
      if (!stopped) cancel = after(reporter.nextDelayMs(), tick);
    });
  };
  tick();
  return () => {
    stopped = true;
    cancel?.();
  };
}
