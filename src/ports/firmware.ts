// FirmwareStore and FirmwareSigner: where images live and who vouches for them.
import type { FirmwareLocation, FirmwareSignature } from '#domain/firmware.ts';
import type { FirmwareSource } from '#domain/release-request.ts';

export interface StoredFirmware {
  location: FirmwareLocation;
  sha256: string;
  size: number;
}

export interface FirmwareStore {
  /** Measures (and, for a file, stores) an image: its pinned location, SHA-256 and size. Idempotent. */
  put(source: FirmwareSource, releaseId: string, role: 'release' | 'rollback'): Promise<StoredFirmware>;
  /**
   * The URL a job document carries. AWS: the `${aws:iot:s3-presigned-url:…}` placeholder IoT Jobs fills in per
   * device; local: a plain URL on the loopback firmware server.
   */
  documentUrl(location: FirmwareLocation): string;
  /**
   * Stores a release manifest's bytes where the signer can reach them (AWS: an object version in the firmware bucket,
   * which AWS Signer signs like an image; local: in memory) and measures them. Idempotent for the same bytes.
   */
  putManifest(bytes: Uint8Array, releaseId: string, role: ManifestRole): Promise<StoredFirmware>;
}

/** Which of a release's manifests: its own, the rollback image's, or the revert statement. */
export type ManifestRole = 'release' | 'rollback' | 'revert';

export interface FirmwareSigner {
  /** Signs the stored image; `idempotencyKey` (the releaseId) makes a retried call find the earlier signing job. */
  sign(firmware: StoredFirmware, idempotencyKey: string): Promise<FirmwareSignature>;
}
