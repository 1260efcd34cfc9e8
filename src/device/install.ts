// The steps of one install, from an empty inactive slot to a verified image set to boot on trial. Each step is
// journalled before it starts, so a restart resumes from it; nothing here decides what is reported.
import type { DownloadBounds } from './download-guards.ts';
import { downloadImage, type ResumePoint } from './downloader.ts';
import { SimulatedCrash, type TransientDownloadError } from './errors.ts';
import { InstallStep, type InstallRecord, type Journal } from './journal.ts';
import { ProgressEventType, type ProgressListener } from './progress-events.ts';
import { SlotState, type SlotStore } from './slots.ts';
import { checkDigest, checkSignature, type PinnedKey } from './verifier.ts';

export interface DownloadSettings extends DownloadBounds {
  minBytesPerSecond: number;
  stallWindowMs: number;
  maxAttemptsWithoutProgress: number;
  /** The agent's own ceiling on an image; a document declaring more is refused before any byte is fetched. */
  maxImageBytes?: number;
  retryDelayMs?: (attempt: number) => number;
  checkpointEveryBytes?: number;
  /** Told of each failed attempt that will be retried (the agent command logs them). */
  onRetry?: (error: TransientDownloadError, failures: number) => void;
}

export interface InstallContext {
  slots: SlotStore;
  journal: Journal;
  publicKey: PinnedKey;
  download: DownloadSettings;
  /** The current URL of the image; asked again when a presigned URL expires. */
  url: string;
  refreshUrl: () => Promise<string>;
  onEvent: ProgressListener;
  /** Called as each step begins: where tests cut the power. */
  step: (name: string) => Promise<void>;
  signal?: AbortSignal;
}

/** Downloads (or resumes) into the inactive slot, verifies, and sets the boot marker. Throws on any refusal. */
export async function downloadVerifyApply(record: InstallRecord, context: InstallContext): Promise<void> {
  const { slots, journal, target } = { ...context, target: record.target };
  const existing = await slots.read(target.slot);
  const alreadyVerified = existing.state === SlotState.READY && (existing.sha256 ?? '') === target.sha256 && existing.version === target.version;
  if (!alreadyVerified) {
    let resume: ResumePoint | undefined = existing.state === SlotState.WRITING && existing.version === target.version ? record.resume : undefined;
    if (!resume) {
      await context.step('erase');
      context.onEvent({ type: ProgressEventType.ERASE_PENDING });
      await slots.prepare(target.slot, target.version);
      context.onEvent({ type: ProgressEventType.ERASE_DONE });
    }
    await context.step('download');
    const result = await downloadImage({
      url: context.url,
      file: slots.imagePath(target.slot),
      size: target.size,
      ...(resume ? { resume } : {}),
      refreshUrl: context.refreshUrl,
      onEvent: context.onEvent,
      onCheckpoint: async (point) => {
        resume = point;
        await journal.update({ resume: point });
        await context.step('download-checkpoint');
      },
      ...downloadBounds(context.download),
      ...(context.signal ? { signal: context.signal } : {}),
    });
    await journal.update({ step: InstallStep.VERIFYING });
    await context.step('verify');
    try {
      checkDigest(result, { sha256: target.sha256, size: target.size });
      // The manifest already binds the digest; an image signature, when the document has one, is checked too.
      if (target.signature !== '') checkSignature(result.sha256, target.signature, context.publicKey);
    } catch (error) {
      if (!(error instanceof SimulatedCrash)) await slots.erase(target.slot);
      throw error;
    }
    await context.step('mark-ready');
    await slots.markReady(target.slot, readyRecord(target));
  } else if ((existing.securityCounter ?? 0) !== (target.securityCounter ?? 0)) {
    await slots.markReady(target.slot, readyRecord(target)); // the same image, re-released under another counter
  }
  await journal.update({ step: InstallStep.APPLYING });
  await context.step('set-boot-marker');
  await slots.setTrial(target.slot);
}

function downloadBounds(settings: DownloadSettings): Omit<DownloadSettings, 'maxImageBytes'> {
  const { maxImageBytes: _ceiling, ...bounds } = settings;
  return bounds;
}

function readyRecord(target: InstallRecord['target']) {
  return { version: target.version, sha256: target.sha256, size: target.size, ...(target.securityCounter === undefined ? {} : { securityCounter: target.securityCounter }) };
}
