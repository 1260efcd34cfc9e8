// SignFirmware: make sure the release has a record, measure the image (SHA-256, size, pinned S3 version) and have it
// signed; the rollback image too, when the release names one. A retried step returns what the first attempt stored.
import type { SignedFirmware } from '#domain/firmware.ts';
import { imageManifest, manifestBytes, revertManifest, type ManifestInput, type ReleaseManifest, type SignedManifestBlock } from '#domain/release-manifest.ts';
import type { ReleaseRequest } from '#domain/release-request.ts';
import { isTerminal } from '#domain/status.ts';
import type { ManifestRole } from '#ports/firmware.ts';
import type { Ports } from '#ports/index.ts';
import { ReleaseEndedError } from './errors.ts';
import { isoNow, moveTo, newReleaseRecord } from './release-record.ts';

export type SignFirmwarePorts = Pick<Ports, 'firmware' | 'signer' | 'store' | 'clock'>;

export async function signFirmware(ports: SignFirmwarePorts, request: ReleaseRequest): Promise<SignedFirmware> {
  const { releaseId } = request;
  const { record } = await ports.store.createRelease(newReleaseRecord(request, isoNow(ports.clock)));
  if (isTerminal(record.status)) {
    throw new ReleaseEndedError(`release ${releaseId} already ended ${record.status}; start a new release with a new releaseId`);
  }
  if (record.firmware) return record.firmware;
  await ports.store.updateRelease(releaseId, (current) => moveTo(current, 'SIGNING', isoNow(ports.clock)));

  const { firmware } = request;
  const stored = await ports.firmware.put(firmware.source, releaseId, 'release');
  const signature = await ports.signer.sign(stored, releaseId);
  // issuedAt is the record's creation time, the same on every retry: a retried step signs the same manifest bytes.
  const manifestInput: ManifestInput = {
    product: request.product,
    releaseId,
    flavour: firmware.flavour,
    securityCounter: firmware.securityCounter ?? 0,
    issuedAt: record.createdAt,
    lifetimeSeconds: firmware.manifestLifetime ?? DEFAULT_MANIFEST_LIFETIME_SECONDS,
  };
  const signed: SignedFirmware = {
    version: firmware.version,
    sha256: stored.sha256,
    size: stored.size,
    location: stored.location,
    signature,
    manifest: await signManifest(ports, imageManifest(manifestInput, { version: firmware.version, size: stored.size, sha256: stored.sha256 }), releaseId, 'release'),
  };
  if (firmware.rollbackSource) {
    const rollback = await ports.firmware.put(firmware.rollbackSource, releaseId, 'rollback');
    // Its own idempotency key: Signer keys a signing job by clientRequestToken, and this is a second job.
    const rollbackSignature = await ports.signer.sign(rollback, `${releaseId}-rollback`);
    const image = { version: firmware.previousVersion, size: rollback.size, sha256: rollback.sha256 };
    const manifest = await signManifest(ports, imageManifest(manifestInput, image, firmware.version), releaseId, 'rollback');
    signed.rollback = { version: firmware.previousVersion, location: rollback.location, sha256: rollback.sha256, size: rollback.size, signature: rollbackSignature, manifest };
  } else {
    signed.revertManifest = await signManifest(ports, revertManifest(manifestInput, firmware.previousVersion, firmware.version), releaseId, 'revert');
  }
  await ports.store.updateRelease(releaseId, (current) => ({ ...current, firmware: signed, updatedAt: isoNow(ports.clock) }));
  return signed;
}

/** Devices accept a release's manifests for 30 days after it starts unless the release file says otherwise. */
export const DEFAULT_MANIFEST_LIFETIME_SECONDS = 30 * 86400;

/** Stores the manifest's bytes and has them signed like an image (AWS Signer signs the stored object version). */
async function signManifest(ports: SignFirmwarePorts, manifest: ReleaseManifest, releaseId: string, role: ManifestRole): Promise<SignedManifestBlock> {
  const bytes = manifestBytes(manifest);
  const stored = await ports.firmware.putManifest(bytes, releaseId, role);
  const signature = await ports.signer.sign(stored, `${releaseId}-manifest-${role}`);
  return { payload: bytes.toString('base64'), signature };
}
