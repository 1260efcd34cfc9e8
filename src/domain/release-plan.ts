// The release plan `ota-release validate` shows: per stage its cohort, bake, the IoT Jobs configs exactly as sent,
// and what the stage can tell (power analysis); the job documents devices will receive; and warnings. Pure: the CLI
// measures the firmware file and decides the URLs.
import { budgetWarnings } from './blast-radius-budget.ts';
import type { JobConfigs } from './iot-configs.ts';
import { toJobConfigs } from './iot-configs.ts';
import type { SignedFirmware } from './firmware.ts';
import { buildJobDocument, type JobDocument, type JobDocumentUrls } from './job-document.ts';
import { formatDuration } from './duration.ts';
import { formatCount, formatQuantity } from './percent.ts';
import { describeGatePlan, gateWarnings } from './health-gates/gate-power.ts';
import { installTestPolicy } from './health-gates/gates.ts';
import { analysePower, type PowerAnalysis } from './power.ts';
import type { ReleaseRequest, StageTargets } from './release-request.ts';
import { planStages } from './wave-plan.ts';

export interface StagePlanView {
  index: number;
  name: string;
  jobId: string;
  targets: StageTargets;
  /** Things this stage's job targets; undefined for thing-group stages (known when the job is created). */
  cohort?: number;
  /** Cumulative share of the fleet reached once this stage is done (percent stages). */
  reachesPercent?: number;
  bakeSeconds: number;
  approval: 'auto' | 'manual';
  jobConfigs: JobConfigs;
  power?: PowerAnalysis;
}

export interface PlannedDocument {
  document: JobDocument;
  characters: number;
}

export interface ReleasePlan {
  request: ReleaseRequest;
  fleetSize: number;
  stages: StagePlanView[];
  jobDocuments: { release: PlannedDocument; rollback: PlannedDocument };
  /** Values shown in place of what only exists once the release starts (signature, URLs, maybe checksum). */
  placeholders: string[];
  /** What each health gate needs and does, for people (empty without gates). */
  gates: string[];
  warnings: string[];
}

export interface PlanInputs {
  fleetSize: number;
  /** The image as far as it is known before signing; fill unknown fields with clearly marked placeholders. */
  firmware: SignedFirmware;
  releaseUrls: JobDocumentUrls;
  rollbackUrl: string;
  placeholders: string[];
}

export function planRelease(request: ReleaseRequest, inputs: PlanInputs): ReleasePlan {
  const { fleetSize } = inputs;
  const warnings: string[] = [];
  const stages = planStages(request, fleetSize).map((slice): StagePlanView => {
    const stage = request.stages[slice.index]!;
    const view: StagePlanView = {
      index: slice.index,
      name: slice.name,
      jobId: `${request.releaseId}-s${slice.index}`,
      targets: stage.targets,
      bakeSeconds: stage.bake,
      approval: stage.approval,
      jobConfigs: toJobConfigs(request, slice.index),
    };
    if (slice.kind === 'percent') {
      view.cohort = slice.cohort;
      view.reachesPercent = slice.percent;
      view.power = analysePower(slice.cohort, installTestPolicy(request.health));
      warnings.push(...stageWarnings(request, view, slice.cohort, fleetSize));
    }
    return view;
  });
  if (request.safetyNet.inProgressTimeout > Math.min(...request.stages.map((stage) => stage.bake))) {
    warnings.push(
      `the in-progress timeout (${formatDuration(request.safetyNet.inProgressTimeout)}) is longer than the shortest bake: a device that hangs is still "in progress" when that stage is judged`,
    );
  }
  warnings.push(...gateWarnings({ gates: request.health.gates, reportEverySeconds: request.health.reportEvery, warmUpSeconds: request.health.warmUp, stages: stages.map((stage) => ({ name: stage.name, bakeSeconds: stage.bakeSeconds })) }));
  if (request.budget) {
    warnings.push(...budgetWarnings(request.budget, stages.map((stage) => ({ name: stage.name, cohort: stage.cohort, bakeSeconds: stage.bakeSeconds })), request.health));
  }
  const release = buildJobDocument(request, inputs.firmware, inputs.releaseUrls, 'release');
  const rollback = buildJobDocument(request, inputs.firmware, { firmwareUrl: inputs.rollbackUrl }, 'rollback');
  return {
    request,
    fleetSize,
    stages,
    jobDocuments: {
      release: { document: release.document, characters: release.text.length },
      rollback: { document: rollback.document, characters: rollback.text.length },
    },
    placeholders: inputs.placeholders,
    gates: describeGatePlan({
      gates: request.health.gates,
      confidence: request.health.confidence,
      reportEverySeconds: request.health.reportEvery,
      warmUpSeconds: request.health.warmUp,
      maxFailureRate: request.health.maxFailureRate,
      unacceptableFailureRate: request.health.unacceptableFailureRate,
      // The new version's devices once each stage has rolled out: every stage so far.
      stages: stages.map((stage, index) => ({ name: stage.name, bakeSeconds: stage.bakeSeconds, ...cumulativeDevices(stages, index) })),
      lastStageReachesAll: stages.at(-1)?.reachesPercent === 100,
    }),
    warnings,
  };
}

function cumulativeDevices(stages: StagePlanView[], index: number): { devices?: number } {
  const sizes = stages.slice(0, index + 1).map((stage) => stage.cohort);
  return sizes.every((size) => size !== undefined) ? { devices: sizes.reduce((a, b) => a! + b!, 0)! } : {};
}

function stageWarnings(request: ReleaseRequest, stage: StagePlanView, cohort: number, fleetSize: number): string[] {
  const warnings: string[] = [];
  const name = `stage ${stage.name}`;
  const devices = formatQuantity(cohort, 'device');
  if (cohort === 0) {
    warnings.push(`${name} reaches no devices in a fleet of ${formatCount(fleetSize)}, so it has nothing to judge`);
    return warnings;
  }
  if (stage.power?.warning) warnings.push(`${name} (${devices}) ${stage.power.warning}`);
  const abortMinimum = Math.min(...request.safetyNet.abort.map((criterion) => criterion.minNumberOfExecutedThings));
  if (cohort < abortMinimum) {
    warnings.push(`${name} has ${devices}, fewer than the ${formatQuantity(abortMinimum, 'execution')} IoT Jobs' abort criteria wait for: only the judge can stop it`);
  }
  return warnings;
}
