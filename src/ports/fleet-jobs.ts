// FleetJobs: the IoT Jobs control plane as the use cases need it. AWS: @aws-sdk/client-iot. Local: the in-memory engine.
import type { FleetQuery } from '#domain/fleet-query.ts';
import type { JobConfigs } from '#domain/iot-configs.ts';
import type { StageCounts } from '#domain/stage-counts.ts';

export type JobStatus = 'IN_PROGRESS' | 'CANCELED' | 'COMPLETED' | 'DELETION_IN_PROGRESS' | 'SCHEDULED';
export type ExecutionStatus = 'QUEUED' | 'IN_PROGRESS' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'REJECTED' | 'REMOVED' | 'CANCELED';

/**
 * Whom a job goes to: thing-group names (static or dynamic) and thing names, together at most 100 (the documented
 * ceiling on a job's targets). Adapters turn these into ARNs.
 */
export interface JobTargets {
  thingGroups?: string[];
  things?: string[];
}

/** IoT's documented ceiling on the targets associated with a job (AssociateTargetsWithJob). */
export const MAX_JOB_TARGETS = 100;

export interface JobSpec extends JobConfigs {
  /** Deterministic: `<releaseId>-s<stage>` or `<releaseId>-rb<stage>`; a retry finds the job it already made. */
  jobId: string;
  targets: JobTargets;
  /** The job document, already rendered and size-checked (≤ 32,768 characters). */
  document: string;
  description: string;
  /** SNAPSHOT: a stage is a fixed cohort and its job completes. */
  targetSelection: 'SNAPSHOT';
}

export interface JobSnapshot {
  jobId: string;
  status: JobStatus;
  counts: StageCounts;
  /** Set when IoT Jobs cancelled the job by itself (abortConfig) or someone did. */
  reasonCode?: string;
  createdAt?: string;
  completedAt?: string;
}

export interface FleetJobs {
  /** Creates the job; when it already exists (a retried step) returns `created: false` and changes nothing. */
  createJob(spec: JobSpec): Promise<{ jobId: string; created: boolean }>;
  describeJob(jobId: string): Promise<JobSnapshot>;
  /** Cancels QUEUED executions (and IN_PROGRESS ones with force). Cancelling a finished job is a no-op. */
  cancelJob(jobId: string, options: { reasonCode: string; comment: string; force?: boolean }): Promise<void>;
  /** Pages through a job's executions, optionally only those in one status. */
  listExecutions(jobId: string, status?: ExecutionStatus): AsyncIterable<{ thingName: string; status: ExecutionStatus }>;
  /** Pages through the things of the given groups, each thing once. Only for fleets known to be small. */
  listThingsInGroups(thingGroups: string[]): AsyncIterable<string>;
  /** How many things the query matches, in one call (AWS: fleet indexing GetStatistics). */
  countThings(query: FleetQuery): Promise<number>;
  /**
   * Creates the dynamic thing group `name` over the query, or finds it. `ready` once its membership is built (AWS
   * builds a new dynamic group asynchronously; a job made before that would miss things).
   */
  ensureDynamicGroup(name: string, query: FleetQuery): Promise<{ ready: boolean }>;
  /** Deletes a dynamic thing group; one that does not exist is already done. */
  deleteDynamicGroup(name: string): Promise<void>;
}
