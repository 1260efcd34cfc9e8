// A/B slots on disk and the bootloader's rule for choosing one. Layout under the state directory:
//   slot-a.img, slot-a.json   the image and what it holds { state, version, sha256, size }
//   slot-b.img, slot-b.json
//   boot.json                 the boot marker { active, trial?: { slot, bootsLeft }, securityFloor? }
// Invariants: `active` always names a slot in state `ready` (verified); only the slot that is not running is ever
// erased or written; a new image is first booted as a *trial*, and a trial that is not committed before its boots run
// out is dropped, so the next boot is the previous slot (automatic rollback when the new image never confirms).
import { rm, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readJson, writeJsonDurably } from './durable-file.ts';
import { SlotError } from './errors.ts';

export type SlotName = 'a' | 'b';

export const SlotState = {
  /** Nothing bootable: erased, or never written. */
  EMPTY: 'EMPTY',
  /** An image is being downloaded into it; never bootable. */
  WRITING: 'WRITING',
  /** A complete image whose size, SHA-256 and signature were verified. */
  READY: 'READY',
} as const;
export type SlotState = (typeof SlotState)[keyof typeof SlotState];

export interface SlotRecord {
  state: SlotState;
  version?: string;
  sha256?: string;
  size?: number;
  /** The signed manifest's security counter for this image (absent: the factory image, 0). */
  securityCounter?: number;
}

export interface BootMarker {
  active: SlotName;
  trial?: { slot: SlotName; bootsLeft: number };
  /** The highest security counter of any image committed here: manifests below it are refused (anti-rollback). */
  securityFloor?: number;
}

export interface BootOutcome {
  slot: SlotName;
  version: string;
  /** Booted a new image on trial: it must pass its self-test and be committed, or the next boot reverts. */
  trial: boolean;
  /** The bootloader dropped a trial that never confirmed and booted the previous slot. */
  reverted?: { slot: SlotName; version?: string };
}

export function otherSlot(slot: SlotName): SlotName {
  return slot === 'a' ? 'b' : 'a';
}

export class SlotStore {
  private current: BootOutcome | undefined;

  constructor(
    readonly dir: string,
    private readonly options: { factoryVersion: string; maxTrialBoots?: number },
  ) {}

  imagePath(slot: SlotName): string {
    return join(this.dir, `slot-${slot}.img`);
  }

  /** What is running since the last `boot()`. */
  get running(): BootOutcome {
    if (!this.current) throw new SlotError('the slots have not been booted');
    return this.current;
  }

  /** The slot that is not running: the only one an update may write. */
  get inactive(): SlotName {
    return otherSlot(this.running.slot);
  }

  async read(slot: SlotName): Promise<SlotRecord> {
    return (await readJson<SlotRecord>(join(this.dir, `slot-${slot}.json`))) ?? { state: SlotState.EMPTY };
  }

  async marker(): Promise<BootMarker> {
    const marker = await readJson<BootMarker>(join(this.dir, 'boot.json'));
    if (marker) return marker;
    // First power-on: the factory image is in slot a.
    await this.write('a', { state: SlotState.READY, version: this.options.factoryVersion });
    await writeFile(this.imagePath('a'), '', { flag: 'a' });
    const initial: BootMarker = { active: 'a' };
    await writeJsonDurably(join(this.dir, 'boot.json'), initial);
    return initial;
  }

  /** Power-on: the bootloader's choice. A trial boot uses up one of its boots before the image runs. */
  async boot(): Promise<BootOutcome> {
    const marker = await this.marker();
    let reverted: BootOutcome['reverted'];
    if (marker.trial) {
      const trial = await this.read(marker.trial.slot);
      if (trial.state === SlotState.READY && marker.trial.bootsLeft > 0) {
        marker.trial.bootsLeft -= 1;
        await writeJsonDurably(join(this.dir, 'boot.json'), marker);
        this.current = { slot: marker.trial.slot, version: trial.version ?? 'unknown', trial: true };
        return this.current;
      }
      reverted = { slot: marker.trial.slot, ...(trial.version ? { version: trial.version } : {}) };
      delete marker.trial;
      await writeJsonDurably(join(this.dir, 'boot.json'), marker);
    }
    const active = await this.read(marker.active);
    if (active.state !== SlotState.READY) throw new SlotError(`the active slot ${marker.active} holds no verified image`);
    this.current = { slot: marker.active, version: active.version ?? 'unknown', trial: false, ...(reverted ? { reverted } : {}) };
    return this.current;
  }

  /** Erases the inactive slot so it can take `version`; it is not bootable until `markReady`. */
  async prepare(slot: SlotName, version: string): Promise<void> {
    await this.assertWritable(slot);
    await this.write(slot, { state: SlotState.WRITING, version });
    await writeFile(this.imagePath(slot), '');
  }

  /** Records a verified image; only now may the slot be booted. */
  async markReady(slot: SlotName, image: { version: string; sha256: string; size: number; securityCounter?: number }): Promise<void> {
    await this.assertWritable(slot);
    await this.write(slot, { state: SlotState.READY, ...image });
  }

  /** Throws away a partial or refused image, so nothing half-written is ever left looking like an image. */
  async erase(slot: SlotName): Promise<void> {
    await this.assertWritable(slot);
    await this.write(slot, { state: SlotState.EMPTY });
    await truncate(this.imagePath(slot), 0).catch(() => rm(this.imagePath(slot), { force: true }));
  }

  /** Sets the boot marker: the next boot tries `slot`, up to `maxTrialBoots` times without a commit. */
  async setTrial(slot: SlotName): Promise<void> {
    const record = await this.read(slot);
    if (record.state !== SlotState.READY) throw new SlotError(`slot ${slot} is not verified; refusing to boot it`);
    const marker = await this.marker();
    marker.trial = { slot, bootsLeft: this.options.maxTrialBoots ?? 1 };
    await writeJsonDurably(join(this.dir, 'boot.json'), marker);
  }

  /** The running trial passed its self-test: it becomes the active slot. Committing twice is harmless. */
  async commit(): Promise<void> {
    const marker = await this.marker();
    if (!this.running.trial || marker.trial?.slot !== this.running.slot) return;
    // Committing raises the floor in the same durable write: there is no moment where the image is active and an
    // older counter is still accepted.
    const counter = (await this.read(this.running.slot)).securityCounter ?? 0;
    const securityFloor = Math.max(marker.securityFloor ?? 0, counter);
    await writeJsonDurably(join(this.dir, 'boot.json'), { active: this.running.slot, ...(securityFloor > 0 ? { securityFloor } : {}) } satisfies BootMarker);
    this.current = { slot: this.running.slot, version: this.running.version, trial: false };
  }

  /** The lowest security counter a manifest may carry on this device. */
  async securityFloor(): Promise<number> {
    return (await this.marker()).securityFloor ?? 0;
  }

  /** Drops the trial (a failed self-test): the next boot is the previous slot. */
  async abandonTrial(): Promise<void> {
    const marker = await this.marker();
    if (!marker.trial) return;
    delete marker.trial;
    await writeJsonDurably(join(this.dir, 'boot.json'), marker);
  }

  private async write(slot: SlotName, record: SlotRecord): Promise<void> {
    await writeJsonDurably(join(this.dir, `slot-${slot}.json`), record);
  }

  private async assertWritable(slot: SlotName): Promise<void> {
    const marker = await this.marker();
    if (slot === marker.active || slot === this.current?.slot) throw new SlotError(`slot ${slot} is in use; only the inactive slot may be written`);
  }
}
