// The simulated fleet: N devices as compact per-device state on the shared virtual clock. Each device runs the
// agent's steps — pick up the job, download, verify, install, reboot, self-test, report — with the fault profile's
// probabilities and durations. One pending event per busy device lives in a typed heap (no timers, promises or
// closures per device); devices act through the engine's bulk path, which applies the same transitions, counters
// and events as the MQTT data plane.
import type { ReleaseRequest } from '#domain/release-request.ts';
import type { BulkDeviceListener, JobsEngine } from '../iot-jobs/engine.ts';
import { Exec } from '../iot-jobs/execution-status.ts';
import type { JobRecord } from '../iot-jobs/job-record.ts';
import type { ThingRegistry } from '../iot-jobs/things.ts';
import { SimulatedHealth } from '../health/simulated-health.ts';
import { EventHeap } from '../time/event-heap.ts';
import type { EventSource, Scheduler } from '../time/scheduler.ts';
import type { FaultProfile } from './fault-profiles.ts';
import type { FleetContext, FleetDriver, FleetStats } from './fleet-driver.ts';
import { placeDevices } from './placement.ts';
import { between, exponential, uniform } from './random.ts';
import { targetOfDocument } from './job-target.ts';

/** Version code 0 is the release's previousVersion: what every device runs at first and falls back to. */
const PREVIOUS_VERSION = 0;

const Step = { IDLE: 0, PICKUP: 1, DOWNLOADED: 2, VERIFIED: 3, INSTALLED: 4, REBOOTED: 5, SELF_TESTED: 6, REJECT: 7 } as const;

// Draw numbers: each decision of an attempt has its own, so changing one probability does not reshuffle the rest.
const Draw = { PICKUP: 0, REJECT: 1, REJECT_TIME: 2, DOWNLOAD: 3, DOWNLOAD_TIME: 4, VERIFY: 5, INSTALL: 6, APPLY_TIME: 7, REBOOT_TIME: 8, SILENT: 9, BOOT: 10, SELF_TEST_TIME: 11, VERIFY_TIME: 12 } as const;

const DETAILS = Object.freeze({
  downloading: Object.freeze({ step: 'downloading' }),
  verifying: Object.freeze({ step: 'verifying' }),
  installing: Object.freeze({ step: 'installing' }),
  rebooting: Object.freeze({ step: 'rebooting' }),
  selfTest: Object.freeze({ step: 'self-test' }),
  done: Object.freeze({ step: 'done' }),
  downloadFailed: Object.freeze({ step: 'download', reason: 'download failed after retries' }),
  verifyFailed: Object.freeze({ step: 'verify', reason: 'image does not match its SHA-256 or signature' }),
  installFailed: Object.freeze({ step: 'install', reason: 'writing the inactive slot failed' }),
  bootFailed: Object.freeze({ step: 'self-test', reason: 'new image failed its self-test; booted back into the previous slot' }),
  rejected: Object.freeze({ step: 'check', reason: 'device cannot act on this job document' }),
});

export interface SimulatedFleetOptions {
  devices: number;
  profile: FaultProfile;
  seed: number;
  /** Thing-name prefix; `device` gives device-000001 … */
  prefix?: string;
}

interface JobTarget {
  version: number;
  faulty: boolean;
}

export class SimulatedFleet implements FleetDriver, EventSource, BulkDeviceListener {
  readonly kind = 'simulated';
  readonly timeMode = 'virtual' as const;
  private readonly count: number;
  private readonly profile: FaultProfile;
  private readonly seed: number;
  private firstThing = 0;
  private readonly version: Uint16Array;
  private readonly exposedFlag: Uint8Array;
  private readonly step: Uint8Array;
  /** 1 = offline for good, 2 = went dark mid-update. Such devices ignore every job. */
  private readonly gone: Uint8Array;
  private readonly currentJob: Int32Array;
  private readonly currentIndex: Int32Array;
  private readonly queue = new EventHeap(4096);
  /** Executions a busy device was notified of, to start once it is free: device → [job slot, index, …]. */
  private readonly waiting = new Map<number, number[]>();
  private readonly versionNames: string[] = [];
  private versionCounts = new Int32Array(4);
  /** What each job (by slot) installs, worked out from its document once. */
  private readonly targets: Array<JobTarget | undefined> = [];
  private newVersion = -1;
  private exposed = 0;
  private deviceEvents = 0;
  private drawDevice = 0;
  private drawSlot = 0;
  private drawAttempt = 0;
  private engine: JobsEngine | undefined;
  private scheduler: Scheduler | undefined;
  /** What the devices do after the update, when the release has health gates to read it. */
  private health: SimulatedHealth | undefined;

  constructor(options: SimulatedFleetOptions) {
    this.count = options.devices;
    this.profile = options.profile;
    this.seed = options.seed >>> 0;
    this.prefix = options.prefix ?? 'device';
    this.version = new Uint16Array(this.count);
    this.exposedFlag = new Uint8Array(this.count);
    this.step = new Uint8Array(this.count);
    this.gone = new Uint8Array(this.count);
    this.currentJob = new Int32Array(this.count).fill(-1);
    this.currentIndex = new Int32Array(this.count);
  }

  private readonly prefix: string;

  provision(things: ThingRegistry, release: ReleaseRequest): void {
    const groupsOf = placeDevices(release, this.count, this.seed);
    this.firstThing = things.addNumbered(this.prefix, this.count, groupsOf).first;
    const previous = this.versionCode(release.firmware.previousVersion);
    this.newVersion = this.versionCode(release.firmware.version);
    this.version.fill(previous);
    this.versionCounts[previous] = this.count;
    for (let device = 0; device < this.count; device++) {
      if (uniform(this.seed, device, -1, 0, Draw.PICKUP) < this.profile.offlineRate) this.gone[device] = 1;
    }
  }

  async start(context: FleetContext): Promise<void> {
    this.engine = context.engine;
    this.scheduler = context.scheduler;
    context.engine.setBulkListener(this);
    context.scheduler.addSource(this);
    const { release } = context;
    if (release.health.gates.length > 0) {
      this.health = new SimulatedHealth({
        devices: this.count,
        behaviour: this.profile.health,
        product: release.product,
        newVersion: release.firmware.version,
        previousVersion: release.firmware.previousVersion,
        warmUpSeconds: release.health.warmUp,
        reportEverySeconds: release.health.reportEvery,
        seed: this.seed,
        startMs: context.scheduler.nowMs(),
      });
      context.health.addSource(this.health);
    }
  }

  async stop(): Promise<void> {
    this.engine?.setBulkListener(undefined);
  }

  stats(): FleetStats {
    const versions: Record<string, number> = {};
    this.versionNames.forEach((name, code) => {
      if (this.versionCounts[code]! > 0) versions[name] = this.versionCounts[code]!;
    });
    return { devices: this.count, exposed: this.exposed, versions, deviceEvents: this.deviceEvents };
  }

  // ── notifications from the engine ───────────────────────────────────────────────────────────────────────

  queued(job: JobRecord, from: number, to: number): void {
    for (let index = from; index < to; index++) this.notify(job, index);
  }

  requeued(job: JobRecord, index: number): void {
    this.notify(job, index);
  }

  // ── the event source ────────────────────────────────────────────────────────────────────────────────────

  nextTime(): number {
    return this.queue.peekTime();
  }

  runNext(): void {
    const device = this.queue.pop();
    const engine = this.engine!;
    const job = engine.jobs()[this.currentJob[device]!]!;
    const index = this.currentIndex[device]!;
    const target = this.targetOf(job);
    const attempt = job.retryAttempt[index]!;
    const p = this.profile;
    const faulty = target.faulty;
    // The draws of this step are a method over these fields, not a closure: runNext runs once per device step, and
    // a closure per call (named by tsx's keepNames, too) cost more than the step itself.
    this.drawDevice = device;
    this.drawSlot = job.slot;
    this.drawAttempt = attempt;
    this.deviceEvents++;
    switch (this.step[device]) {
      case Step.PICKUP: {
        if (engine.start(job, index, DETAILS.downloading) !== 'ok') return this.free(device);
        if (faulty && this.draw(Draw.REJECT) < p.rejectRate) return this.after(device, Step.REJECT, between(this.draw(Draw.REJECT_TIME), ...p.rejectSeconds));
        return this.after(device, Step.DOWNLOADED, between(this.draw(Draw.DOWNLOAD_TIME), ...p.downloadSeconds));
      }
      case Step.DOWNLOADED:
        if (faulty && this.draw(Draw.DOWNLOAD) < p.downloadFailureRate) return this.finish(device, job, index, Exec.FAILED, DETAILS.downloadFailed);
        if (engine.progress(job, index, DETAILS.verifying) !== 'ok') return this.free(device);
        return this.after(device, Step.VERIFIED, between(this.draw(Draw.VERIFY_TIME), 1, 3));
      case Step.VERIFIED:
        if (faulty && this.draw(Draw.VERIFY) < p.verifyFailureRate) return this.finish(device, job, index, Exec.FAILED, DETAILS.verifyFailed);
        if (engine.progress(job, index, DETAILS.installing) !== 'ok') return this.free(device);
        return this.after(device, Step.INSTALLED, between(this.draw(Draw.APPLY_TIME), ...p.applySeconds));
      case Step.INSTALLED:
        if (faulty && this.draw(Draw.INSTALL) < p.installFailureRate) return this.finish(device, job, index, Exec.FAILED, DETAILS.installFailed);
        if (engine.progress(job, index, DETAILS.rebooting) !== 'ok') return this.free(device);
        return this.after(device, Step.REBOOTED, between(this.draw(Draw.REBOOT_TIME), ...p.rebootSeconds));
      case Step.REBOOTED:
        // The device now runs the image it was sent.
        this.setVersion(device, target.version);
        if (faulty && this.draw(Draw.SILENT) < p.silentRate) {
          this.gone[device] = 2; // dark: never reports again; IoT's in-progress timer ends the execution
          return;
        }
        if (engine.progress(job, index, DETAILS.selfTest) !== 'ok') return this.free(device);
        return this.after(device, Step.SELF_TESTED, between(this.draw(Draw.SELF_TEST_TIME), ...p.selfTestSeconds));
      case Step.SELF_TESTED:
        if (faulty && this.draw(Draw.BOOT) < p.bootFailureRate) {
          this.setVersion(device, PREVIOUS_VERSION);
          return this.finish(device, job, index, Exec.FAILED, DETAILS.bootFailed);
        }
        this.health?.succeeded(device, this.versionNames[target.version]!, this.scheduler!.nowMs());
        return this.finish(device, job, index, Exec.SUCCEEDED, DETAILS.done);
      case Step.REJECT:
        return this.finish(device, job, index, Exec.REJECTED, DETAILS.rejected);
    }
  }

  // ── internals ───────────────────────────────────────────────────────────────────────────────────────────

  /** Draw `n` of the step runNext is running: a uniform number fixed by (seed, device, job, attempt, n). */
  private draw(n: number): number {
    return uniform(this.seed, this.drawDevice, this.drawSlot, this.drawAttempt, n);
  }

  private notify(job: JobRecord, index: number): void {
    const device = job.things[index]! - this.firstThing;
    if (device < 0 || device >= this.count || this.gone[device]) return;
    if (this.step[device] !== Step.IDLE) {
      let list = this.waiting.get(device);
      if (!list) this.waiting.set(device, (list = []));
      list.push(job.slot, index);
      return;
    }
    this.begin(device, job, index);
  }

  private begin(device: number, job: JobRecord, index: number): void {
    this.currentJob[device] = job.slot;
    this.currentIndex[device] = index;
    const delay = exponential(uniform(this.seed, device, job.slot, job.retryAttempt[index]!, Draw.PICKUP), this.profile.pickupMeanSeconds);
    this.after(device, Step.PICKUP, delay);
  }

  private after(device: number, step: number, seconds: number): void {
    this.step[device] = step;
    this.queue.push(this.scheduler!.nowMs() + seconds * 1000, device);
  }

  private finish(device: number, job: JobRecord, index: number, code: typeof Exec.SUCCEEDED | typeof Exec.FAILED | typeof Exec.REJECTED, details: Readonly<Record<string, string>>): void {
    this.engine!.finish(job, index, code, details);
    this.free(device);
  }

  /** The device is idle again: it takes the oldest execution it was told about meanwhile, if still queued. */
  private free(device: number): void {
    this.step[device] = Step.IDLE;
    const list = this.waiting.get(device);
    if (!list) return;
    const jobs = this.engine!.jobs();
    while (list.length > 0) {
      const job = jobs[list.shift()!]!;
      const index = list.shift()!;
      if (job.status[index] === Exec.QUEUED) {
        if (list.length === 0) this.waiting.delete(device);
        return this.begin(device, job, index);
      }
    }
    this.waiting.delete(device);
  }

  private setVersion(device: number, code: number): void {
    const old = this.version[device]!;
    if (old === code) return;
    this.versionCounts[old]!--;
    this.versionCounts[code]!++;
    this.version[device] = code;
    this.health?.versionChanged(device, this.versionNames[code]!, this.scheduler!.nowMs());
    if (code === this.newVersion && !this.exposedFlag[device]) {
      this.exposedFlag[device] = 1;
      this.exposed++;
    }
  }

  private targetOf(job: JobRecord): JobTarget {
    let target = this.targets[job.slot];
    if (!target) {
      const version = targetOfDocument(job.spec.document);
      const code = this.versionCode(version ?? this.versionNames[this.newVersion]!);
      target = { version: code, faulty: code === this.newVersion };
      this.targets[job.slot] = target;
    }
    return target;
  }

  private versionCode(name: string): number {
    let code = this.versionNames.indexOf(name);
    if (code < 0) {
      code = this.versionNames.length;
      this.versionNames.push(name);
      if (code >= this.versionCounts.length) {
        const grown = new Int32Array(this.versionCounts.length * 2);
        grown.set(this.versionCounts);
        this.versionCounts = grown;
      }
    }
    return code;
  }
}
