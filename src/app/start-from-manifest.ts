// A release manifest (release.yaml / release.yml / release.json) uploaded next to its firmware in the firmware bucket
// starts its release. The manifest is read at the uploaded version and validated like a release file; `file:` images
// are keys relative to the manifest's own key, in the same bucket; every image is pinned to the object version
// present now, so what is signed and sent is what was there when the manifest arrived. Anything wrong starts nothing
// and sends one notice listing every problem with its path. Bad input never throws: a retry could not fix it.
// Only trouble a retry can fix (throttling, 5xx) throws, as TransientError, so the event is delivered again.
import { posix } from 'node:path';
import { parse } from 'yaml';
import { InvalidReleaseError } from '#domain/errors.ts';
import { parseReleaseFile } from '#domain/release-file.ts';
import { type FirmwareSource, RELEASE_ID_MAX, type ReleaseRequest } from '#domain/release-request.ts';
import type { Ports } from '#ports/index.ts';
import type { ObjectRef, ReleaseManifests } from '#ports/manifests.ts';

export const ManifestOutcome = {
  STARTED: 'started',
  /** The release id has an execution already (a re-upload, or a duplicate event): nothing changed. */
  ALREADY_STARTED: 'already-started',
  /** The manifest or its images have problems: nothing started, one notice sent. */
  REJECTED: 'rejected',
} as const;
export type ManifestOutcome = (typeof ManifestOutcome)[keyof typeof ManifestOutcome];

export interface ManifestUpload extends ObjectRef {
  /** Bytes, as the upload event reports them. */
  size?: number;
}

export interface StartFromManifestResult {
  outcome: ManifestOutcome;
  /** `s3://bucket/key`. */
  manifest: string;
  releaseId?: string;
  executionId?: string;
  /** The images the release was started with, as s3://bucket/key?versionId=… */
  images?: string[];
  problems?: string[];
  /** One plain line for the logs. */
  message: string;
}

export type StartFromManifestPorts = Pick<Ports, 'workflow' | 'notifier'> & { manifests: ReleaseManifests };

/** A release request fits a Step Functions execution input (262,144 bytes); a bigger manifest cannot be one. */
export const MANIFEST_MAX_BYTES = 256 * 1024;

/** Object metadata (x-amz-meta-firmware-version) that, when an image carries it, must match the manifest's version. */
export const FIRMWARE_VERSION_METADATA = 'firmware-version';

export async function startFromManifest(ports: StartFromManifestPorts, upload: ManifestUpload): Promise<StartFromManifestResult> {
  const manifest = uri(upload);
  const ref: ObjectRef = { bucket: upload.bucket, key: upload.key, ...(upload.versionId && { versionId: upload.versionId }) };
  if (upload.size !== undefined && upload.size > MANIFEST_MAX_BYTES) {
    return reject(ports, manifest, undefined, [`${manifest}: ${upload.size} bytes is too large for a release manifest (at most ${MANIFEST_MAX_BYTES})`]);
  }
  const text = await ports.manifests.read(ref);
  if (text === undefined) return reject(ports, manifest, undefined, [`${manifest}: cannot read it (deleted before it was read, or this function may not read it)`]);

  let request: ReleaseRequest;
  try {
    request = parseReleaseFile(text, manifest);
  } catch (error) {
    if (error instanceof InvalidReleaseError) return reject(ports, manifest, releaseIdIn(text), error.problems);
    throw error;
  }
  const { releaseId } = request;
  // Before looking at the images: a release that already runs (or ran) was pinned when it started.
  const existing = await ports.workflow.describe(releaseId);
  if (existing) return alreadyStarted(manifest, releaseId, existing.status);

  const problems: string[] = [];
  const pin = (source: FirmwareSource, path: string, version: string) => pinImage(ports.manifests, upload, source, path, version, problems);
  const source = await pin(request.firmware.source, 'firmware.source', request.firmware.version);
  const rollbackSource = request.firmware.rollbackSource && (await pin(request.firmware.rollbackSource, 'firmware.rollbackSource', request.firmware.previousVersion));
  if (problems.length > 0 || !source) return reject(ports, manifest, releaseId, problems);

  const firmware = { ...request.firmware, source, ...(rollbackSource && { rollbackSource }) };
  const images = [source, rollbackSource].filter((s) => s !== undefined).map((s) => `${uri(s.s3)}?versionId=${s.s3.versionId}`);
  const started = await ports.workflow.start({ ...request, firmware });
  if (started.alreadyStarted) return alreadyStarted(manifest, releaseId, undefined, started.executionId);
  return { outcome: ManifestOutcome.STARTED, manifest, releaseId, executionId: started.executionId, images, message: `started ${releaseId} from ${manifest}` };
}

type PinnedSource = { s3: Required<ObjectRef> };

/** The image's object, looked up and pinned to its version; on a problem, records it and returns undefined. */
async function pinImage(manifests: ReleaseManifests, upload: ObjectRef, source: FirmwareSource, path: string, version: string, problems: string[]): Promise<PinnedSource | undefined> {
  const at = `${path}.${'file' in source ? 'file' : 's3'}`;
  let ref: ObjectRef;
  if ('file' in source) {
    const key = keyBeside(upload.key, source.file);
    if (key === undefined) {
      problems.push(`${at}: ${JSON.stringify(source.file)} points outside the bucket (it is resolved against ${posix.dirname(upload.key)}/)`);
      return undefined;
    }
    ref = { bucket: upload.bucket, key };
  } else {
    ref = source.s3;
  }
  const where = uri(ref);
  const found = await manifests.lookup(ref);
  if (found.status === 'missing') {
    problems.push(ref.versionId ? `${at}.versionId: ${where} has no version ${JSON.stringify(ref.versionId)}` : `${at}: no image at ${where}`);
    return undefined;
  }
  if (found.status === 'unreadable') {
    problems.push(`${at}: cannot read ${where} (missing, or this function may not read it)`);
    return undefined;
  }
  if (!found.versionId || found.versionId === 'null') {
    problems.push(`${at}: ${where} has no version id; the bucket must keep versions (images are pinned and signed by version)`);
    return undefined;
  }
  const labelled = found.metadata[FIRMWARE_VERSION_METADATA];
  if (labelled !== undefined && labelled !== version) {
    problems.push(`${at}: ${where} is firmware ${labelled} (its ${FIRMWARE_VERSION_METADATA} metadata), the manifest says ${version}`);
    return undefined;
  }
  return { s3: { bucket: ref.bucket, key: ref.key, versionId: found.versionId } };
}

/** `file` relative to the manifest's folder (`/x.bin` from the bucket's root); undefined when it climbs out of the bucket. */
export function keyBeside(manifestKey: string, file: string): string | undefined {
  const joined = file.startsWith('/') ? file.slice(1) : posix.join(posix.dirname(manifestKey), file);
  const key = posix.normalize(joined);
  if (key === '..' || key.startsWith('../') || key === '.' || key.endsWith('/')) return undefined;
  return key;
}

async function reject(ports: StartFromManifestPorts, manifest: string, releaseId: string | undefined, problems: string[]): Promise<StartFromManifestResult> {
  const count = `${problems.length} problem${problems.length === 1 ? '' : 's'}`;
  const summary = [
    `The release manifest ${manifest} did not start ${releaseId ? `release ${releaseId}` : 'a release'}: ${count}.`,
    ...problems.map((problem) => `  ${problem}`),
    'Nothing was started. Fix these and upload the manifest again.',
  ].join('\n');
  await ports.notifier.releaseEvent({ releaseId: releaseId ?? 'unknown', kind: 'not-started', summary });
  return { outcome: ManifestOutcome.REJECTED, manifest, ...(releaseId && { releaseId }), problems, message: `${manifest} not started: ${count}` };
}

function alreadyStarted(manifest: string, releaseId: string, status: string | undefined, executionId?: string): StartFromManifestResult {
  return {
    outcome: ManifestOutcome.ALREADY_STARTED,
    manifest,
    releaseId,
    ...(executionId && { executionId }),
    message: status ? `${releaseId} was already started (workflow ${status}); nothing changed` : `${releaseId} was started by another upload a moment ago; nothing changed`,
  };
}

/** The release id a manifest that failed validation meant, for the notice's subject, when it can be read at all. */
function releaseIdIn(text: string): string | undefined {
  try {
    const data: unknown = parse(text);
    const id = typeof data === 'object' && data !== null ? (data as { releaseId?: unknown }).releaseId : undefined;
    return typeof id === 'string' && id.length <= RELEASE_ID_MAX && /^[A-Za-z0-9_-]+$/.test(id) ? id : undefined;
  } catch {
    return undefined;
  }
}

const uri = (ref: { bucket: string; key: string }) => `s3://${ref.bucket}/${ref.key}`;
