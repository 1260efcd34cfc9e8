// Starting a release in a deployed stack: local images go up to the stack's versioned firmware bucket first (the
// Lambdas cannot read the operator's disk), the request then names the exact object versions, and the execution
// named by the release id starts. A release that already has an execution is left alone: starting twice is harmless.
import type { FirmwareSource, ReleaseRequest } from '#domain/release-request.ts';
import type { Ports } from '#ports/index.ts';
import type { StoredFirmware } from '#ports/firmware.ts';

export interface StartResult {
  releaseId: string;
  started: boolean;
  executionId?: string;
  /** The workflow's status when it was already there. */
  executionStatus?: string;
  /** Images uploaded now, as s3://bucket/key?versionId=… */
  uploaded: string[];
  message: string;
}

export async function startOnAws(ports: Pick<Ports, 'firmware' | 'workflow'>, request: ReleaseRequest): Promise<StartResult> {
  const { releaseId } = request;
  const existing = await ports.workflow.describe(releaseId);
  if (existing) {
    return { releaseId, started: false, executionStatus: existing.status, uploaded: [], message: `${releaseId} was already started (workflow ${existing.status}); nothing changed` };
  }
  const uploaded: string[] = [];
  const upload = async (source: FirmwareSource, role: 'release' | 'rollback'): Promise<FirmwareSource> => {
    if (!('file' in source)) return source;
    const stored = await ports.firmware.put(source, releaseId, role);
    const s3 = toS3(stored);
    uploaded.push(`s3://${s3.s3.bucket}/${s3.s3.key}${s3.s3.versionId ? `?versionId=${s3.s3.versionId}` : ''}`);
    return s3;
  };
  const firmware = {
    ...request.firmware,
    source: await upload(request.firmware.source, 'release'),
    ...(request.firmware.rollbackSource && { rollbackSource: await upload(request.firmware.rollbackSource, 'rollback') }),
  };
  const { executionId, alreadyStarted } = await ports.workflow.start({ ...request, firmware });
  if (alreadyStarted) return { releaseId, started: false, executionId, uploaded, message: `${releaseId} was started by someone else a moment ago; nothing changed` };
  return { releaseId, started: true, executionId, uploaded, message: `started ${releaseId}` };
}

function toS3(stored: StoredFirmware): Extract<FirmwareSource, { s3: unknown }> {
  if (stored.location.kind !== 's3') throw new Error(`the AWS firmware store returned a ${stored.location.kind} location`);
  const { bucket, key, versionId } = stored.location;
  return { s3: { bucket, key, ...(versionId && { versionId }) } };
}
