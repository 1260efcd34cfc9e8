// What the agent must remember across a crash or a reboot: the install in hand (which job execution, which step,
// where the download stood) and the executions it has finished, so a duplicate or replayed notification never installs
// twice and an outcome decided before a crash is still reported after it.
import { join } from 'node:path';
import { readJson, writeJsonDurably } from './durable-file.ts';
import type { ResumePoint } from './downloader.ts';
import type { SlotName } from './slots.ts';

/** The steps of one install, in order; each is written to the journal before it starts. */
export const InstallStep = {
  DOWNLOADING: 'downloading',
  VERIFYING: 'verifying',
  APPLYING: 'applying',
  REBOOTING: 'rebooting',
  SELF_TEST: 'self-test',
  /** The outcome is decided (see `outcome`) and is being reported. */
  REPORTING: 'reporting',
} as const;
export type InstallStep = (typeof InstallStep)[keyof typeof InstallStep];

export interface InstallTarget {
  version: string;
  sha256: string;
  size: number;
  signature: string;
  slot: SlotName;
  /** From the signed manifest; recorded with the slot once verified, raises the floor once committed. */
  securityCounter?: number;
}

export interface Outcome {
  status: 'SUCCEEDED' | 'FAILED' | 'REJECTED';
  statusDetails: Record<string, string>;
}

export interface InstallRecord {
  jobId: string;
  executionNumber: number;
  versionNumber: number;
  step: InstallStep;
  fromVersion: string;
  target: InstallTarget;
  resume?: ResumePoint;
  outcome?: Outcome;
}

export interface FinishedExecution {
  jobId: string;
  executionNumber: number;
  /** ABANDONED: the cloud closed the execution first (cancelled, timed out); nothing to report. */
  status: Outcome['status'] | 'ABANDONED';
  statusDetails?: Record<string, string>;
}

interface JournalFile {
  current?: InstallRecord;
  finished: FinishedExecution[];
}

const KEEP_FINISHED = 50;

export class Journal {
  private data: JournalFile = { finished: [] };

  private constructor(private readonly path: string) {}

  static async open(dir: string): Promise<Journal> {
    const journal = new Journal(join(dir, 'journal.json'));
    journal.data = (await readJson<JournalFile>(journal.path)) ?? { finished: [] };
    return journal;
  }

  get current(): InstallRecord | undefined {
    return this.data.current;
  }

  finishedOutcome(jobId: string, executionNumber: number): FinishedExecution | undefined {
    return this.data.finished.find((entry) => entry.jobId === jobId && entry.executionNumber === executionNumber);
  }

  async begin(record: InstallRecord): Promise<void> {
    this.data.current = record;
    await this.save();
  }

  async update(change: Partial<InstallRecord>): Promise<InstallRecord> {
    if (!this.data.current) throw new Error('no install in progress');
    this.data.current = { ...this.data.current, ...change };
    await this.save();
    return this.data.current;
  }

  /** Records the execution as done (its outcome reported, or no longer ours to report) and clears the install. */
  async finish(entry: FinishedExecution): Promise<void> {
    this.data.finished = [entry, ...this.data.finished.filter((old) => old.jobId !== entry.jobId || old.executionNumber !== entry.executionNumber)].slice(0, KEEP_FINISHED);
    if (this.data.current?.jobId === entry.jobId && this.data.current.executionNumber === entry.executionNumber) delete this.data.current;
    await this.save();
  }

  private save(): Promise<void> {
    return writeJsonDurably(this.path, this.data);
  }
}
