// CreateStageJob (the create-canary-job function; the canary is stage 0 and later waves reuse it): resolve the
// stage's targets (stage-targets.ts), build its job document and configs, and create the IoT job `<releaseId>-s<stage>`.
// A retry resolves the same targets (cohort windows and the wave plan are stable hashes) and meets the job it made.
import type { SignedFirmware } from '#domain/firmware.ts';
import { toJobConfigs } from '#domain/iot-configs.ts';
import { buildJobDocument } from '#domain/job-document.ts';
import type { ReleaseRequest } from '#domain/release-request.ts';
import { isTerminal } from '#domain/status.ts';
import type { FirmwareStore } from '#ports/firmware.ts';
import type { Ports } from '#ports/index.ts';
import { InvalidTaskInputError, ReleaseEndedError } from './errors.ts';
import { isoNow, moveTo, stageJobId, withStage } from './release-record.ts';
import { resolveStageTargets } from './stage-targets.ts';
import type { StageInfo } from './workflow-state.ts';

/** Only `documentUrl` of the firmware store: the image was stored and signed by SignFirmware. */
export type CreateStageJobPorts = Pick<Ports, 'jobs' | 'store' | 'clock'> & { firmware: Pick<FirmwareStore, 'documentUrl'> };

export interface CreateStageJobInput {
  request: ReleaseRequest;
  stageIndex: number;
  firmware: SignedFirmware;
}

export async function createStageJob(ports: CreateStageJobPorts, input: CreateStageJobInput): Promise<StageInfo> {
  const { request, stageIndex, firmware } = input;
  const { releaseId } = request;
  const stage = request.stages[stageIndex];
  if (!stage) throw new InvalidTaskInputError('CreateStageJob', [`stageIndex: the release has ${request.stages.length} stages, there is no stage ${stageIndex}`]);
  const record = await ports.store.getRelease(releaseId);
  if (record && isTerminal(record.status)) throw new ReleaseEndedError(`release ${releaseId} already ended ${record.status}; no new stage starts`);

  const jobId = stageJobId(releaseId, stageIndex);
  const earlier = (record?.stages ?? []).filter((existing) => existing.index < stageIndex);
  const { kind, targets, targeted } = await resolveStageTargets(ports, request, stageIndex, earlier);
  if (targets) {
    const urls = {
      firmwareUrl: ports.firmware.documentUrl(firmware.location),
      ...(firmware.rollback && { rollbackUrl: ports.firmware.documentUrl(firmware.rollback.location) }),
    };
    const { text } = buildJobDocument(request, firmware, urls, 'release');
    await ports.jobs.createJob({
      jobId,
      targets,
      document: text,
      description: `ota-release ${releaseId}: ${firmware.version} to stage ${stageIndex + 1} (${stage.name}) of ${request.stages.length}`,
      targetSelection: 'SNAPSHOT',
      ...toJobConfigs(request, stageIndex),
    });
  }
  // An empty wave (a 1 % canary of a tiny fleet rounds up, but a group can be empty) makes no job: the judge
  // promotes a stage with no targets, and bake-wait does not wait for it.
  const at = isoNow(ports.clock);
  await ports.store.updateRelease(releaseId, (current) => {
    const previous = current.stages.find((existing) => existing.index === stageIndex);
    const moved = moveTo(current, 'IN_PROGRESS', at);
    return withStage({ ...moved, stageIndex, updatedAt: at }, { index: stageIndex, name: stage.name, jobId, targeted, createdAt: previous?.createdAt ?? at, targeting: kind });
  });
  return { index: stageIndex, name: stage.name, jobId, targeted, bakeSeconds: stage.bake, approval: stage.approval };
}

