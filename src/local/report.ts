// What a finished local release looked like: per stage the job's counters and the last verdict with its evidence,
// rollback jobs, exposure, time, and the decision records. The simulate command renders it; `--json` writes it.
import type { GateResult } from '#domain/health-gates/gate-result.ts';
import type { DecisionRecord, Evidence } from '#domain/decision.ts';
import type { ReleaseRequest } from '#domain/release-request.ts';
import type { StageCounts } from '#domain/stage-counts.ts';
import type { FleetStats } from './fleet/fleet-driver.ts';
import type { ControlPlaneReport } from './iot-jobs/control-plane.ts';
import type { LocalCloud } from './local-cloud.ts';

/** A stage's job status when the stage had no targets: no IoT job was created for it (an empty wave). */
export const NO_JOB = 'NO_JOB';

export interface StageReport {
  index: number;
  name: string;
  /** The job the stage's id names; no job exists when `jobStatus` is NO_JOB. */
  jobId: string;
  /** The IoT job's status (IN_PROGRESS, COMPLETED, CANCELED, …), or NO_JOB for a stage with no targets. */
  jobStatus: string;
  counts: StageCounts;
  /** The last verdict on this stage, and the route it took. */
  verdict?: string;
  route?: string;
  reasons?: string[];
  evidence?: Evidence;
  /** The health gates at the last verdict, when the release has gates. */
  gates?: GateResult[];
  outcome?: string;
  /** IoT Jobs cancelled the job by itself (abortConfig) or someone did. */
  reasonCode?: string;
}

export interface JobReport {
  jobId: string;
  jobStatus: string;
  counts: StageCounts;
}

export interface ReleaseReport {
  releaseId: string;
  /** The release's final status from the release store (PROMOTED, ROLLED_BACK, …). */
  outcome: string;
  execution: { status: string; error?: string; cause?: string; stateTransitions: number };
  stages: StageReport[];
  rollbackJobs: JobReport[];
  exposure: { exposed: number; devices: number };
  fleet: FleetStats & { kind: string };
  /** Virtual time from the start to the end of the workflow execution. */
  virtualSeconds: number;
  /** Virtual time after that until the jobs left behind (a rollback job) finished, or nothing more could happen. */
  drainSeconds: number;
  wallSeconds: number;
  events: { produced: Record<string, number>; relayed: number; duplicated: number; onBus: number; dropped: number; ruleInvocations: Record<string, number> };
  handlerInvocations: Record<string, number>;
  /** IoT control-plane calls as the AWS adapter would make them: by API, the largest invocation's, and throttles. */
  controlPlane: ControlPlaneReport;
  decisions: DecisionRecord[];
}

export async function collectReport(cloud: LocalCloud, request: ReleaseRequest, time: { wallMs: number; virtualMs: number; drainMs: number }): Promise<ReleaseReport> {
  const { releaseId } = request;
  const record = await cloud.store.getRelease(releaseId);
  const decisions = await cloud.store.listDecisions(releaseId);
  const execution = await cloud.workflow.describe(releaseId);
  const stages: StageReport[] = (record?.stages ?? []).map((stage) => {
    const job = cloud.engine.getJob(stage.jobId);
    const verdict = [...decisions].reverse().find((d) => d.kind === 'verdict' && d.stageIndex === stage.index);
    return {
      index: stage.index,
      name: stage.name,
      jobId: stage.jobId,
      jobStatus: job?.jobStatus ?? (stage.targeted === 0 ? NO_JOB : 'UNKNOWN'),
      counts: job?.stageCounts() ?? { targeted: stage.targeted, succeeded: 0, failed: 0, rejected: 0, timedOut: 0, inProgress: 0, queued: 0, canceled: 0, removed: 0 },
      ...(verdict?.kind === 'verdict'
        ? { verdict: verdict.judgement.verdict, route: verdict.route, reasons: verdict.judgement.reasons, evidence: verdict.judgement.evidence, ...(verdict.judgement.gates ? { gates: verdict.judgement.gates } : {}) }
        : {}),
      ...(stage.outcome ? { outcome: stage.outcome } : {}),
      ...(job?.reasonCode ? { reasonCode: job.reasonCode } : {}),
    };
  });
  const rollbackJobs: JobReport[] = (record?.rollbackJobIds ?? []).flatMap((jobId) => {
    const job = cloud.engine.getJob(jobId);
    return job ? [{ jobId, jobStatus: job.jobStatus, counts: job.stageCounts() }] : [];
  });
  const fleet = cloud.fleet.stats();
  const engineEvents = cloud.engine.eventCounts;
  return {
    releaseId,
    outcome: record?.status ?? 'UNKNOWN',
    execution: {
      status: execution?.status ?? 'UNKNOWN',
      ...(execution?.error ? { error: execution.error } : {}),
      ...(execution?.cause ? { cause: execution.cause } : {}),
      stateTransitions: cloud.workflow.transitions,
    },
    stages,
    rollbackJobs,
    exposure: { exposed: fleet.exposed, devices: fleet.devices },
    fleet: { ...fleet, kind: cloud.fleet.kind },
    virtualSeconds: time.virtualMs / 1000,
    drainSeconds: time.drainMs / 1000,
    wallSeconds: time.wallMs / 1000,
    events: {
      produced: { ...engineEvents },
      relayed: cloud.rule.stats.relayed,
      duplicated: cloud.rule.stats.duplicated,
      onBus: cloud.bus.stats.published,
      dropped: cloud.bus.stats.dropped,
      ruleInvocations: { ...cloud.bus.stats.invocations },
    },
    handlerInvocations: { ...cloud.handlers.invocations },
    controlPlane: cloud.controlPlane.report(),
    decisions,
  };
}
