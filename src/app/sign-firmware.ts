// SignFirmware: make sure the release has a record, measure the image (SHA-256, size, pinned S3 version) and have it
// signed; the rollback image too, when the release names one. A retried step returns what the first attempt stored.
import type { SignedFirmware } from '#domain/firmware.ts';
import type { ReleaseRequest } from '#domain/release-request.ts';
import { isTerminal } from '#domain/status.ts';
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

  const stored = await ports.firmware.put(request.firmware.source, releaseId, 'release');
  const signature = await ports.signer.sign(stored, releaseId);
  const signed: SignedFirmware = { version: request.firmware.version, sha256: stored.sha256, size: stored.size, location: stored.location, signature };
  if (request.firmware.rollbackSource) {
    const rollback = await ports.firmware.put(request.firmware.rollbackSource, releaseId, 'rollback');
    // Its own idempotency key: Signer keys a signing job by clientRequestToken, and this is a second job.
    const rollbackSignature = await ports.signer.sign(rollback, `${releaseId}-rollback`);
    signed.rollback = { version: request.firmware.previousVersion, location: rollback.location, sha256: rollback.sha256, size: rollback.size, signature: rollbackSignature };
  }
  await ports.store.updateRelease(releaseId, (current) => ({ ...current, firmware: signed, updatedAt: isoNow(ports.clock) }));
  return signed;
}
