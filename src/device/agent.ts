// The device agent's core, transport-agnostic: it takes job executions from IoT Jobs one at a time, installs them into
// the inactive A/B slot, reboots into them on trial, self-tests, commits or rolls back, and reports each step. It is
// idempotent on (jobId, executionNumber): duplicate, replayed or reordered notifications only make it ask IoT Jobs
// (start-next) what is next, and the journal says what it has already done. After a crash it boots the bootloader's
// choice and reports what is really running.
import type { HealthReporting } from '#domain/health-report.ts';
import { parseJobDocument, rejectionDetail, toUpdateInstruction, type UpdateInstruction } from '#domain/job-document.ts';
import type { ReleaseManifest } from '#domain/release-manifest.ts';
import { DeviceError, JobGoneError, JobsTimeoutError, SimulatedCrash } from './errors.ts';
import { ExecutionReporter } from './execution-reporter.ts';
import { antiRollback, ManifestError, verifyManifest } from './manifest.ts';
import { downloadVerifyApply, type DownloadSettings } from './install.ts';
import type { JobExecution, JobsClient } from './jobs-client.ts';
import { InstallStep, type InstallRecord, type Journal, type Outcome } from './journal.ts';
import { ProgressEventType, type ProgressEvent, type ProgressListener } from './progress-events.ts';
import { SlotState, type BootOutcome, type SlotStore } from './slots.ts';
import { statusDetails } from './status-details.ts';
import type { PinnedKey } from './verifier.ts';
import { compareVersions } from './version.ts';

export interface SelfTestResult {
  ok: boolean;
  detail?: string;
}

export interface AgentHooks {
  /** A real reboot (runs the configured command; the process is expected to end). Absent: reboot in process. */
  reboot?: () => Promise<void>;
  /** The post-boot check of a trial image; absent means it passes. */
  selfTest?: (running: BootOutcome & { imagePath: string }) => Promise<SelfTestResult>;
}

export interface DeviceAgentOptions {
  jobs: JobsClient;
  slots: SlotStore;
  journal: Journal;
  publicKey: PinnedKey;
  download: DownloadSettings;
  stepTimeoutInMinutes?: number;
  /** Send a download progress update every this many percent. */
  progressEveryPercent?: number;
  hooks?: AgentHooks;
  onEvent?: ProgressListener;
  /** Called as each step begins (tests cut the power here by throwing SimulatedCrash). */
  onStep?: (step: string) => void | Promise<void>;
  /** The device's clock for manifest expiry (epoch ms); default Date.now. */
  now?: () => number;
  /** When set, manifests for any other product are refused. */
  product?: string;
  /** Called once an execution's outcome is reported (or found already closed). */
  onOutcome?: (jobId: string, outcome: Outcome) => void;
  /** Called with what a job document whose signed manifest verified says about the release (the health reporter's cue). */
  onDocument?: (jobId: string, document: { releaseId?: string; product: string; health?: HealthReporting }) => void | Promise<void>;
}

const key = (jobId: string, executionNumber: number) => `${jobId}#${executionNumber}`;

export class DeviceAgent {
  private running = false;
  private again = false;
  private idle: Promise<void> = Promise.resolve();
  private unsubscribe: (() => void) | undefined;
  private readonly abort = new AbortController();
  /** Set when a check failed for lack of an answer; the next notification or reconnect retries. */
  lastError: unknown;

  constructor(private readonly options: DeviceAgentOptions) {}

  get runningVersion(): string {
    return this.options.slots.running.version;
  }

  /** Power-on: boot the bootloader's choice, settle any install it interrupted, then take pending jobs. */
  async start(): Promise<void> {
    await this.options.slots.boot();
    await this.afterBoot();
    this.unsubscribe = this.options.jobs.onNextChanged(() => void this.check());
    await this.check();
  }

  /** Stops taking work; an install in flight stops at its next step (the journal lets a later start resume it). */
  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.abort.abort();
    await this.idle.catch(() => undefined);
  }

  /** Resolves when the agent has nothing more to do for now. */
  whenIdle(): Promise<void> {
    return this.idle;
  }

  /** Asks IoT Jobs what is next and works through it; concurrent calls coalesce into one more pass. */
  check(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.idle;
    }
    this.running = true;
    this.idle = this.work().finally(() => {
      this.running = false;
    });
    return this.idle;
  }

  private async work(): Promise<void> {
    do {
      this.again = false;
      const handled = new Set<string>();
      while (!this.abort.signal.aborted) {
        let execution: JobExecution | undefined;
        try {
          const runningVersion = this.options.slots.running.version;
          execution = await this.options.jobs.startNext({ statusDetails: statusDetails({ runningVersion }), ...this.stepTimeout() });
        } catch (error) {
          if (error instanceof SimulatedCrash) throw error;
          this.lastError = error;
          return;
        }
        // The same execution twice in one pass means we could not move it on; wait for the cloud to change.
        if (!execution || handled.has(key(execution.jobId, execution.executionNumber))) break;
        handled.add(key(execution.jobId, execution.executionNumber));
        await this.handle(execution);
      }
    } while (this.again && !this.abort.signal.aborted);
  }

  private async handle(execution: JobExecution): Promise<void> {
    const { journal } = this.options;
    const finished = journal.finishedOutcome(execution.jobId, execution.executionNumber);
    const reporter = new ExecutionReporter(this.options.jobs, execution.jobId, execution.executionNumber, execution.versionNumber, this.options.stepTimeoutInMinutes);
    try {
      if (finished) {
        // Our final report was lost (or this is a replay): say it again; a closed execution just refuses.
        if (finished.status !== 'ABANDONED') await reporter.report(finished.status, finished.statusDetails ?? {});
        return;
      }
      const current = journal.current;
      if (current && (current.jobId !== execution.jobId || current.executionNumber !== execution.executionNumber)) await this.abandon(current);
      if (journal.current) await this.resume(journal.current, execution, reporter);
      else await this.begin(execution, reporter);
    } catch (error) {
      if (error instanceof SimulatedCrash) throw error;
      if (error instanceof JobGoneError) return this.abandon(journal.current);
      if (error instanceof JobsTimeoutError) {
        this.lastError = error;
        return;
      }
      const reason = error instanceof DeviceError ? error.reason : 'AGENT_ERROR';
      const message = error instanceof Error ? error.message : String(error);
      await this.conclude(reporter, { status: 'FAILED', statusDetails: statusDetails({ reason, detail: message, runningVersion: this.runningVersion }) });
    }
  }

  /**
   * A new execution: read the document, verify its signed manifest, refuse what must be refused, otherwise install.
   * Version, image digest and security counter come from the manifest only; the document adds the URL.
   */
  private async begin(execution: JobExecution, reporter: ExecutionReporter): Promise<void> {
    const text = execution.jobDocument ?? (await this.options.jobs.describe(execution.jobId, { executionNumber: execution.executionNumber, includeJobDocument: true }))?.jobDocument;
    const parsed = parseJobDocument(text ?? '');
    if (!parsed.ok) return this.conclude(reporter, this.refusal('BAD_DOCUMENT', rejectionDetail(parsed.reasons)));
    const instruction = toUpdateInstruction(parsed.document);
    let manifest: ReleaseManifest;
    try {
      manifest = verifyManifest(instruction, { publicKey: this.options.publicKey, now: (this.options.now ?? Date.now)(), ...(this.options.product ? { product: this.options.product } : {}) });
    } catch (error) {
      if (error instanceof ManifestError) return this.conclude(reporter, this.refusal(error.reason, error.message));
      throw error;
    }
    if (instruction.kind === 'install') {
      const { releaseId, health } = instruction;
      await this.options.onDocument?.(execution.jobId, { product: manifest.product, ...(releaseId ? { releaseId } : {}), ...(health ? { health } : {}) });
    }
    const refused = await antiRollback(manifest, this.options.slots);
    if (refused) return this.conclude(reporter, this.refusal(refused.reason, refused.detail));
    if (compareVersions(manifest.version, this.runningVersion) === 0) {
      return this.conclude(reporter, { status: 'SUCCEEDED', statusDetails: statusDetails({ step: 'already-installed', runningVersion: this.runningVersion }) });
    }
    const record = await this.plan(execution, instruction, manifest);
    if ('refusal' in record) return this.conclude(reporter, record.refusal);
    await this.options.journal.begin(record);
    await reporter.report('IN_PROGRESS', statusDetails({ step: record.step, targetVersion: record.target.version, runningVersion: this.runningVersion }));
    await this.install(record, instruction.kind === 'install' ? instruction.url : '', reporter);
  }

  /** What to write where; a revert goes back to the image kept in the other slot. */
  private async plan(execution: JobExecution, instruction: UpdateInstruction, manifest: ReleaseManifest): Promise<InstallRecord | { refusal: Outcome }> {
    const { slots } = this.options;
    const base = { jobId: execution.jobId, executionNumber: execution.executionNumber, versionNumber: execution.versionNumber, fromVersion: slots.running.version };
    const securityCounter = manifest.securityCounter;
    if (instruction.kind === 'revert') {
      const kept = await slots.read(slots.inactive);
      if (kept.state !== SlotState.READY || kept.version !== manifest.version) {
        return { refusal: this.refusal('NO_SUCH_SLOT', `no slot holds version ${manifest.version} to revert to`) };
      }
      return { ...base, step: InstallStep.APPLYING, target: { version: manifest.version, sha256: kept.sha256 ?? '', size: kept.size ?? 0, signature: '', slot: slots.inactive, ...(kept.securityCounter === undefined ? {} : { securityCounter: kept.securityCounter }) } };
    }
    const ceiling = this.options.download.maxImageBytes;
    const size = manifest.size ?? 0;
    if (ceiling !== undefined && size > ceiling) {
      return { refusal: this.refusal('TOO_LARGE', `the image declares ${size} bytes, more than this agent's ceiling of ${ceiling} (download.maxImageBytes)`) };
    }
    if (!/^https?:\/\//.test(instruction.url)) return { refusal: this.refusal('BAD_URL', `cannot download from ${instruction.url.slice(0, 200)}`) };
    return {
      ...base,
      step: InstallStep.DOWNLOADING,
      target: { version: manifest.version, sha256: manifest.sha256 ?? '', size, signature: instruction.signature?.value ?? '', slot: slots.inactive, securityCounter },
    };
  }

  /** An execution we were already working on when the agent stopped: carry on from the journalled step. */
  private async resume(record: InstallRecord, execution: JobExecution, reporter: ExecutionReporter): Promise<void> {
    if (record.step === InstallStep.REPORTING && record.outcome) return this.report(record);
    if (record.step === InstallStep.REBOOTING || record.step === InstallStep.SELF_TEST) return this.afterBoot();
    const parsed = parseJobDocument(execution.jobDocument ?? '');
    const url = parsed.ok ? (toUpdateInstruction(parsed.document) as { url?: string }).url ?? '' : '';
    await this.install({ ...record, versionNumber: execution.versionNumber }, url, reporter);
  }

  private async install(record: InstallRecord, url: string, reporter: ExecutionReporter): Promise<void> {
    const { jobs, journal } = this.options;
    const every = this.options.progressEveryPercent ?? 25;
    let lastReported = 0;
    const onEvent = (event: ProgressEvent) => {
      this.options.onEvent?.(event);
      if (event.type === ProgressEventType.DL_PROGRESS && (event.percent ?? 0) >= lastReported + every && (event.percent ?? 0) < 100) {
        lastReported = event.percent ?? 0;
        reporter.progress(statusDetails({ step: InstallStep.DOWNLOADING, progress: `${lastReported}%`, targetVersion: record.target.version }));
      }
    };
    const refreshUrl = async () => {
      const fresh = await jobs.describe(record.jobId, { executionNumber: record.executionNumber, includeJobDocument: true });
      const parsed = parseJobDocument(fresh?.jobDocument ?? '');
      const instruction = parsed.ok ? toUpdateInstruction(parsed.document) : undefined;
      if (!instruction || instruction.kind !== 'install') throw new JobGoneError('the job document is gone or no longer an install');
      return instruction.url;
    };
    await downloadVerifyApply(record, {
      ...this.options,
      url,
      refreshUrl,
      onEvent,
      step: async (name) => {
        reporter.throwIfFailed();
        await this.step(name);
      },
      signal: this.abort.signal,
    });
    await reporter.report('IN_PROGRESS', statusDetails({ step: InstallStep.REBOOTING, targetVersion: record.target.version, runningVersion: this.runningVersion }));
    await journal.update({ step: InstallStep.REBOOTING, versionNumber: reporter.versionNumber });
    await this.step('reboot');
    if (this.options.hooks?.reboot) return this.options.hooks.reboot();
    await this.options.slots.boot();
    await this.afterBoot();
  }

  /** After any boot: finish what the journal says was under way, from what the bootloader actually booted. */
  private async afterBoot(): Promise<void> {
    const { journal, slots } = this.options;
    const record = journal.current;
    if (!record) return;
    if (record.step === InstallStep.REPORTING && record.outcome) return this.report(record);
    if (record.step !== InstallStep.APPLYING && record.step !== InstallStep.REBOOTING && record.step !== InstallStep.SELF_TEST) return;
    const running = slots.running;
    const onTarget = running.slot === record.target.slot && running.version === record.target.version;
    if (onTarget && running.trial) return this.selfTest(record);
    if (onTarget) return this.decide(record, { status: 'SUCCEEDED', statusDetails: statusDetails({ runningVersion: running.version, fromVersion: record.fromVersion }) });
    // Not on the new image. Before the marker took effect this is simply an install still to finish.
    if (record.step === InstallStep.APPLYING && !running.reverted) return;
    return this.decide(record, this.failure('ROLLED_BACK', `${record.target.version} did not confirm; the bootloader went back to ${running.version}`));
  }

  private async selfTest(record: InstallRecord): Promise<void> {
    const { journal, slots } = this.options;
    await journal.update({ step: InstallStep.SELF_TEST });
    await this.step('self-test');
    const running = slots.running;
    const result = (await this.options.hooks?.selfTest?.({ ...running, imagePath: slots.imagePath(running.slot) }).catch((error: unknown) => {
      if (error instanceof SimulatedCrash) throw error;
      return { ok: false, detail: error instanceof Error ? error.message : String(error) };
    })) ?? { ok: true };
    if (result.ok) {
      await this.step('commit');
      await slots.commit();
      return this.decide(record, { status: 'SUCCEEDED', statusDetails: statusDetails({ runningVersion: record.target.version, fromVersion: record.fromVersion }) });
    }
    await slots.abandonTrial();
    await this.step('rollback-reboot');
    await slots.boot();
    return this.decide(record, this.failure('SELF_TEST_FAILED', `${record.target.version} failed its self-test${result.detail ? `: ${result.detail}` : ''}; rolled back to ${slots.running.version}`));
  }

  private async decide(record: InstallRecord, outcome: Outcome): Promise<void> {
    const decided = await this.options.journal.update({ step: InstallStep.REPORTING, outcome });
    return this.report(decided);
  }

  /** Reports a decided outcome; if the cloud cannot be reached the journal keeps it for the next pass. */
  private async report(record: InstallRecord): Promise<void> {
    if (!record.outcome) return;
    await this.step('report');
    const reporter = new ExecutionReporter(this.options.jobs, record.jobId, record.executionNumber, record.versionNumber);
    try {
      await reporter.report(record.outcome.status, record.outcome.statusDetails);
    } catch (error) {
      if (error instanceof JobsTimeoutError) {
        this.lastError = error;
        return;
      }
      if (!(error instanceof JobGoneError)) throw error;
    }
    await this.options.journal.finish({ jobId: record.jobId, executionNumber: record.executionNumber, status: record.outcome.status, statusDetails: record.outcome.statusDetails });
    this.options.onOutcome?.(record.jobId, record.outcome);
  }

  /** Reports an outcome that needed no install (a refusal, already installed, a failure before any boot). */
  private async conclude(reporter: ExecutionReporter, outcome: Outcome): Promise<void> {
    const current = this.options.journal.current;
    if (current && current.jobId === reporter.jobId && current.executionNumber === reporter.executionNumber) {
      if (current.step === InstallStep.DOWNLOADING || current.step === InstallStep.VERIFYING) await this.eraseQuietly(current);
      return this.decide({ ...current, versionNumber: reporter.versionNumber }, outcome);
    }
    try {
      await reporter.report(outcome.status, outcome.statusDetails);
    } catch (error) {
      if (!(error instanceof JobGoneError)) throw error;
    }
    await this.options.journal.finish({ jobId: reporter.jobId, executionNumber: reporter.executionNumber, status: outcome.status, statusDetails: outcome.statusDetails });
    this.options.onOutcome?.(reporter.jobId, outcome);
  }

  /** The cloud closed an execution we were working on: undo what is not yet booted and forget it. */
  private async abandon(record: InstallRecord | undefined): Promise<void> {
    if (!record) return;
    if (record.step === InstallStep.APPLYING) await this.options.slots.abandonTrial();
    // A verified image left in the inactive slot is harmless (it never boots without a marker); a partial one is erased.
    if (record.step === InstallStep.DOWNLOADING || record.step === InstallStep.VERIFYING) await this.eraseQuietly(record);
    await this.options.journal.finish({ jobId: record.jobId, executionNumber: record.executionNumber, status: 'ABANDONED' });
  }

  private async eraseQuietly(record: InstallRecord): Promise<void> {
    if (record.target.slot === this.options.slots.running.slot) return;
    await this.options.slots.erase(record.target.slot).catch(() => undefined);
  }

  private refusal(reason: string, detail: string): Outcome {
    return { status: 'REJECTED', statusDetails: statusDetails({ reason, detail, runningVersion: this.runningVersion }) };
  }

  private failure(reason: string, detail: string): Outcome {
    return { status: 'FAILED', statusDetails: statusDetails({ reason, detail, runningVersion: this.options.slots.running.version }) };
  }

  private stepTimeout(): { stepTimeoutInMinutes?: number } {
    return this.options.stepTimeoutInMinutes === undefined ? {} : { stepTimeoutInMinutes: this.options.stepTimeoutInMinutes };
  }

  private async step(name: string): Promise<void> {
    await this.options.onStep?.(name);
  }
}
