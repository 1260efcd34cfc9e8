// Job documents: what devices receive through IoT Jobs, in the two seed flavours, built from a signed image and
// parsed back (zod) by the device agent, which REJECTS a document it cannot act on with the reasons given here.
//
// generic  {"operation":"firmwareUpdate", version, previousVersion, firmwareUrl, checksumAlgorithm, checksum,
//           firmwareSize, releaseNotes, rollbackVersion, rollbackUrl?, signature, releaseId, purpose,
//           authorisedRollback?}
//          or, to send devices back to the image they kept in their other slot (no rollback image given):
//          {"operation":"firmwareRevert", releaseId, purpose:"rollback", version, previousVersion, authorisedRollback}
// nrf      {"operation":"app_fw_update", fwversion, size, location:{protocol, host, path, url}} as nRF Connect's
//          aws_fota reads it, plus fields it ignores (releaseId, purpose, sha256, signature, authorisedRollback, health).
// `health` ({reportEverySeconds, warmUpSeconds}) is on release documents only, and only when the release has health
// gates: agents parse documents strictly, so an agent older than the field would REJECT a document that carried it.
import { JobDocumentError, JobDocumentTooLargeError } from './errors.ts';
import type { FirmwareSignature, SignedFirmware } from './firmware.ts';
import type { HealthReporting } from './health-report.ts';
import type { SignedManifestBlock } from './release-manifest.ts';
import { JOB_DOCUMENT_MAX_CHARS, PRESIGNED_URL, type JobDocument, type JobDocumentPurpose, type NrfJobDocument } from './job-document-schema.ts';
import type { HealthPolicy, ReleaseRequest } from './release-request.ts';

export * from './job-document-schema.ts';
export { parseJobDocument, rejectionDetail, toUpdateInstruction, type ParsedJobDocument, type UpdateInstruction } from './job-document-parse.ts';

export interface JobDocumentUrls {
  /** Where the image to install is: the new image for a release document, the rollback image for a rollback one. */
  firmwareUrl: string;
  /** Release documents only: where the rollback image is, when the release has one. */
  rollbackUrl?: string;
}

type DocumentRequest = Pick<ReleaseRequest, 'releaseId' | 'firmware'> & { health?: Pick<HealthPolicy, 'gates' | 'reportEvery' | 'warmUp'> };

/**
 * Builds the document for a release or a rollback job and renders it, refusing anything over 32,768 characters.
 * A rollback document carries `authorisedRollback: true`, which is what lets the device agent install an older version.
 */
export function buildJobDocument(request: DocumentRequest, firmware: SignedFirmware, urls: JobDocumentUrls, purpose: JobDocumentPurpose): { document: JobDocument; text: string } {
  const document = purpose === 'release' ? releaseDocument(request, firmware, urls) : rollbackDocument(request, firmware, urls);
  return { document, text: renderJobDocument(document) };
}

/** JSON text of a document, size-checked. */
export function renderJobDocument(document: JobDocument): string {
  const text = JSON.stringify(document);
  if (text.length > JOB_DOCUMENT_MAX_CHARS) {
    throw new JobDocumentTooLargeError(
      `the job document has ${text.length} characters; IoT Jobs accepts at most ${JOB_DOCUMENT_MAX_CHARS} (shorten releaseNotes or the firmware URL)`,
    );
  }
  return text;
}

function releaseDocument(request: DocumentRequest, firmware: SignedFirmware, urls: JobDocumentUrls): JobDocument {
  const { releaseId, firmware: spec } = request;
  if (spec.flavour === 'nrf') {
    return { ...nrfDocument({ releaseId, purpose: 'release', version: firmware.version, size: firmware.size, url: urls.firmwareUrl, sha256: firmware.sha256, signature: firmware.signature, manifest: firmware.manifest }), ...healthField(request) };
  }
  return {
    operation: 'firmwareUpdate',
    releaseId,
    purpose: 'release',
    version: firmware.version,
    previousVersion: spec.previousVersion,
    firmwareUrl: urls.firmwareUrl,
    checksumAlgorithm: 'SHA256',
    checksum: firmware.sha256,
    firmwareSize: firmware.size,
    releaseNotes: spec.releaseNotes,
    rollbackVersion: firmware.rollback?.version ?? spec.previousVersion,
    ...(urls.rollbackUrl === undefined ? {} : { rollbackUrl: urls.rollbackUrl }),
    signature: signatureBlock(firmware.signature),
    ...manifestField(firmware.manifest),
    ...healthField(request),
  };
}

/**
 * How often devices report health and how long their warm-up lasts, when the release judges health at all. Rollback
 * documents never carry it: a device going back keeps its last setting (the agent's journal).
 */
export function healthField(request: DocumentRequest): { health?: HealthReporting } {
  const health = request.health;
  if (!health || health.gates.length === 0) return {};
  return { health: { reportEverySeconds: health.reportEvery, warmUpSeconds: health.warmUp } };
}

function rollbackDocument(request: DocumentRequest, firmware: SignedFirmware, urls: JobDocumentUrls): JobDocument {
  const { releaseId, firmware: spec } = request;
  const rollback = firmware.rollback;
  const hasImage = spec.rollbackSource !== undefined || rollback !== undefined;
  if (!hasImage) {
    if (spec.flavour === 'nrf') throw new JobDocumentError('an nRF rollback needs a rollback image (firmware.rollbackSource)');
    return { operation: 'firmwareRevert', releaseId, purpose: 'rollback', version: spec.previousVersion, previousVersion: firmware.version, authorisedRollback: true, ...manifestField(firmware.revertManifest) };
  }
  if (!rollback?.sha256 || rollback.size === undefined || !rollback.signature) {
    throw new JobDocumentError('the rollback image has not been measured and signed yet (firmware.rollback needs sha256, size and signature)');
  }
  if (spec.flavour === 'nrf') {
    return nrfDocument({ releaseId, purpose: 'rollback', version: rollback.version, size: rollback.size, url: urls.firmwareUrl, sha256: rollback.sha256, signature: rollback.signature, authorisedRollback: true, manifest: rollback.manifest });
  }
  return {
    operation: 'firmwareUpdate',
    releaseId,
    purpose: 'rollback',
    version: rollback.version,
    previousVersion: firmware.version,
    firmwareUrl: urls.firmwareUrl,
    checksumAlgorithm: 'SHA256',
    checksum: rollback.sha256,
    firmwareSize: rollback.size,
    releaseNotes: `Rollback from ${firmware.version} to ${rollback.version} (release ${releaseId}).`,
    signature: signatureBlock(rollback.signature),
    authorisedRollback: true,
    ...manifestField(rollback.manifest),
  };
}

function nrfDocument(input: {
  releaseId: string;
  purpose: JobDocumentPurpose;
  version: string;
  size: number;
  url: string;
  sha256: string;
  signature: FirmwareSignature;
  authorisedRollback?: true;
  manifest: SignedManifestBlock | undefined;
}): NrfJobDocument {
  return {
    operation: 'app_fw_update',
    fwversion: input.version,
    size: input.size,
    location: { ...nrfLocation(input.url), url: input.url },
    releaseId: input.releaseId,
    purpose: input.purpose,
    sha256: input.sha256,
    signature: signatureBlock(input.signature),
    ...(input.authorisedRollback ? { authorisedRollback: true } : {}),
    ...manifestField(input.manifest),
  };
}

/** The signed manifest, when the release has one (releases signed before manifests existed do not). */
function manifestField(manifest: SignedManifestBlock | undefined): { manifest?: SignedManifestBlock } {
  return manifest === undefined ? {} : { manifest: { payload: manifest.payload, signature: signatureBlock(manifest.signature) } };
}

/**
 * nRF's aws_fota reads only `host` and `path`. With a presigned placeholder they point at the object itself (fine
 * for the development-only public bucket); the placeholder goes in `url`, which the reference agent prefers.
 */
export function nrfLocation(firmwareUrl: string): { protocol: 'http:' | 'https:'; host: string; path: string } {
  const inner = PRESIGNED_URL.exec(firmwareUrl)?.[1] ?? firmwareUrl;
  if (!URL.canParse(inner)) throw new JobDocumentError(`not a URL: ${firmwareUrl}`);
  const url = new URL(inner);
  return { protocol: url.protocol === 'http:' ? 'http:' : 'https:', host: url.host, path: `${url.pathname.replace(/^\//, '')}${url.search}` };
}

function signatureBlock(signature: FirmwareSignature): FirmwareSignature {
  const { algorithm, value, keyId, signerJobId } = signature;
  return signerJobId === undefined ? { algorithm, value, keyId } : { algorithm, value, keyId, signerJobId };
}

/** The presigned placeholder IoT Jobs fills in per device: `${aws:iot:s3-presigned-url:https://…}`. */
export function presignedUrlPlaceholder(objectUrl: string): string {
  return `\${aws:iot:s3-presigned-url:${objectUrl}}`;
}
