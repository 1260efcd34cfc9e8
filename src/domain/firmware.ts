// A firmware image once it has been measured and signed: what job documents and devices are built from.
import type { SignedManifestBlock } from './release-manifest.ts';

/** Where the bytes live once the release has them: an S3 object version, or a file served by the local cloud. */
export type FirmwareLocation =
  | { kind: 's3'; bucket: string; key: string; versionId?: string; region?: string }
  | { kind: 'file'; path: string };

export interface FirmwareSignature {
  /** Always ECDSA over SHA-256; AWS Signer's `AWSIoTDeviceManagement-SHA256-ECDSA` platform or the local P-256 key. */
  algorithm: 'ECDSA-SHA256';
  /** Base64 DER signature over the raw image bytes. */
  value: string;
  /** Which key signed: a Signer profile (`profile:<name>`) or the local key's fingerprint (`local:<sha256 of SPKI>`). */
  keyId: string;
  /** The AWS Signer job id, when Signer did the work. */
  signerJobId?: string;
}

export interface SignedFirmware {
  /** The signed release manifest (version, size, SHA-256, security counter, expiry) job documents carry. */
  manifest?: SignedManifestBlock;
  version: string;
  sha256: string; // hex
  size: number; // bytes
  location: FirmwareLocation;
  signature: FirmwareSignature;
  /** The image rollback jobs send; measured and signed like the release image before any rollback document is built. */
  rollback?: { version: string; location: FirmwareLocation; sha256?: string; size?: number; signature?: FirmwareSignature; manifest?: SignedManifestBlock };
  /** The signed revert statement, when the release has no rollback image (devices go back to their kept slot). */
  revertManifest?: SignedManifestBlock;
}
