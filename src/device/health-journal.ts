// What the health reporter must remember across reboots and power cuts (`health.json` in the state directory, written
// like the install journal: temporary file, fsync, rename). Counters are kept as baselines and pending deltas, and a
// pending delta is cleared only once the report carrying it was acknowledged (QoS 1 PUBACK), so a report lost with the
// connection is carried by the next one instead of vanishing.
import { join } from 'node:path';
import type { HealthPhase, HealthReporting } from '#domain/health-report.ts';
import { readJson, writeJsonDurably } from './durable-file.ts';

export interface Tally {
  crashes: number;
  reboots: number;
}

export interface HealthState {
  /** The boot id the agent last ran under: another one means the machine rebooted since. */
  bootId?: string;
  /** The version last seen running, and since when (epoch ms) this device has run it. */
  version?: string;
  versionSince?: number;
  /** Epoch ms up to which running time has been reported. */
  reportedUntil?: number;
  /** The crash counter's last reading, and the boot it was read under. */
  crashCount?: number;
  sequence: number;
  /** Events not yet acknowledged by the broker, per version they happened on. */
  pending: Record<string, Tally>;
  /** The phase of the last report per version (for events carried over to a version no longer running). */
  lastPhase?: Record<string, HealthPhase>;
  /** How the last release that asked wants reporting done; absent: the agent configuration decides. */
  reporting?: HealthReporting & { releaseId?: string; product?: string };
  /** The release of the job in hand, so its outcome can be tied to it after a reboot. */
  offer?: { jobId: string; releaseId?: string };
  /** The version this device last reported SUCCEEDED for (and so must keep running unless a job says otherwise). */
  succeeded?: { version: string; releaseId?: string };
  /** The version an update brought in and when it first ran: warm-up runs from then. */
  update?: { version: string; releaseId?: string; crashes: number; reboots: number };
  /** Set by a SUCCEEDED update; cleared once `firstSinceUpdate` was acknowledged. */
  firstPending?: string;
  /** Set when the device found itself off the version it reported SUCCEEDED for; cleared once reported. */
  revertPending?: string;
}

export class HealthJournal {
  state: HealthState = { sequence: 0, pending: {} };

  private constructor(private readonly path: string) {}

  static async open(dir: string): Promise<HealthJournal> {
    const journal = new HealthJournal(join(dir, 'health.json'));
    const saved = await readJson<HealthState>(journal.path);
    if (saved) journal.state = { ...saved, pending: saved.pending ?? {}, sequence: saved.sequence ?? 0 };
    return journal;
  }

  /** A journal that lives in memory only (tests, and agents whose health reports need not survive a restart). */
  static inMemory(): HealthJournal {
    const journal = new HealthJournal('');
    journal.save = async () => undefined;
    return journal;
  }

  save(): Promise<void> {
    return writeJsonDurably(this.path, this.state);
  }
}
