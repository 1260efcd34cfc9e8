// ReleaseStore: releases, callback tokens, decision records and event de-duplication.
// AWS: one DynamoDB table with conditional writes and TTL. Local: an in-memory map, saved to a state directory.
import type { DecisionRecord } from '#domain/decision.ts';
import type { SignedFirmware } from '#domain/firmware.ts';
import type { ReleaseRequest } from '#domain/release-request.ts';
import type { ReleaseStatus } from '#domain/status.ts';

export interface StageRecord {
  index: number;
  name: string;
  jobId: string;
  targeted: number;
  createdAt: string;
  closedAt?: string;
  /** How the stage ended, once it has. */
  outcome?: 'promoted' | 'rolled-back' | 'canceled';
  /** How its targets were resolved (src/app/stage-targets.ts); absent on records written before waves had kinds. */
  targeting?: TargetingKind;
}

/** `thingGroups`: the stage's own groups; `sampled`: named things of a small fleet; `cohort`: a dynamic group over a cohort window. */
export type TargetingKind = 'thingGroups' | 'sampled' | 'cohort';

export interface ReleaseRecord {
  releaseId: string;
  request: ReleaseRequest;
  status: ReleaseStatus;
  /** The stage the release is on (or ended on). */
  stageIndex: number;
  stages: StageRecord[];
  firmware?: SignedFirmware;
  /** Rollback jobs started for this release. */
  rollbackJobIds: string[];
  createdAt: string;
  updatedAt: string;
  /** Execution ARN (AWS) or local execution id. */
  executionId?: string;
}

export type WaitKind = 'bake' | 'approval';

/** A callback token the workflow is waiting on. Tokens may be up to 2,048 characters. */
export interface PendingTask {
  releaseId: string;
  kind: WaitKind;
  stageIndex: number;
  jobId?: string;
  token: string;
  /** ISO time the wait began, and when the state machine will time it out. */
  createdAt: string;
  expiresAt: string;
}

export interface ReleaseStore {
  /** Creates the record unless it exists; returns the stored record either way. */
  createRelease(record: ReleaseRecord): Promise<{ record: ReleaseRecord; created: boolean }>;
  getRelease(releaseId: string): Promise<ReleaseRecord | undefined>;
  /** Applies `change` to the current record (optimistic concurrency: retried on a concurrent write). */
  updateRelease(releaseId: string, change: (current: ReleaseRecord) => ReleaseRecord): Promise<ReleaseRecord>;
  listReleases(): Promise<ReleaseRecord[]>;

  /** Stores the token a wait state gave us; one pending task per (release, kind). */
  putPendingTask(task: PendingTask): Promise<void>;
  getPendingTask(releaseId: string, kind: WaitKind): Promise<PendingTask | undefined>;
  findPendingTaskByJob(jobId: string): Promise<PendingTask | undefined>;
  /** Removes the task if `token` still matches; false when someone else took it first (single use). */
  takePendingTask(releaseId: string, kind: WaitKind, token: string): Promise<boolean>;

  appendDecision(record: DecisionRecord): Promise<void>;
  listDecisions(releaseId: string): Promise<DecisionRecord[]>;

  /** Records an event id; false when it was seen before (at-least-once delivery). Forgotten after `ttlSeconds`. */
  markEventSeen(eventId: string, ttlSeconds: number): Promise<boolean>;
  /** Forgets an event id, so a redelivery of an event whose handling failed is handled again. */
  forgetEvent(eventId: string): Promise<void>;
  /** Records a single-use nonce (approval links); false when already used. */
  useNonce(nonce: string, ttlSeconds: number): Promise<boolean>;
}
