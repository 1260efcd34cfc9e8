// FirmwareStore on S3 (@aws-sdk/client-s3): images live in the stack's versioned firmware bucket and are pinned by
// version id. Job documents carry IoT's presigned-URL placeholder, which IoT Jobs fills in per device.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { FirmwareLocation } from '#domain/firmware.ts';
import type { FirmwareSource } from '#domain/release-request.ts';
import { SigningFailedError } from '#ports/errors.ts';
import type { FirmwareStore, ManifestRole, StoredFirmware } from '#ports/firmware.ts';
import { type Instrument, noInstrument, required } from './config.ts';
import { s3DocumentUrl } from './firmware-urls.ts';
import { rethrow } from './sdk-errors.ts';

export interface S3FirmwareStoreOptions {
  /** The stack's firmware bucket, where `file` sources are uploaded. */
  bucket: () => string;
  region: () => string;
}

export class S3FirmwareStore implements FirmwareStore {
  constructor(
    private readonly s3: S3Client,
    private readonly options: S3FirmwareStoreOptions,
  ) {}

  async put(source: FirmwareSource, releaseId: string, role: 'release' | 'rollback'): Promise<StoredFirmware> {
    if ('file' in source) return this.upload(source.file, releaseId, role);
    const { bucket, key, versionId } = source.s3;
    const head = await this.head(bucket, key, versionId);
    if (!head.VersionId || head.VersionId === 'null') {
      throw new SigningFailedError(`s3://${bucket}/${key} has no version id: the firmware bucket must have versioning on (Signer signs object versions)`);
    }
    const location: FirmwareLocation = { kind: 's3', bucket, key, versionId: head.VersionId, region: this.options.region() };
    const sha256 = fullObjectSha256(head) ?? (await this.hashObject(bucket, key, head.VersionId));
    return { location, sha256, size: head.ContentLength ?? 0 };
  }

  /**
   * Puts a signed-release manifest under signed-manifests/<release>/<role>.manifest.json as a new object version, which
   * AWS Signer then signs like an image. The name never ends in release.json/.yaml, which would start a release (the
   * bucket's release-file rule). The same bytes on a retry give a new version with the same content.
   */
  async putManifest(bytes: Uint8Array, releaseId: string, role: ManifestRole): Promise<StoredFirmware> {
    const bucket = this.options.bucket();
    const key = `signed-manifests/${releaseId}/${role}.manifest.json`;
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    try {
      const result = await this.s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: key,
          Body: bytes,
          ContentType: 'application/json',
          ChecksumSHA256: Buffer.from(sha256, 'hex').toString('base64'),
          Metadata: { 'ota-release': releaseId, sha256 },
        }),
      );
      return { location: { kind: 's3', bucket, key, ...(result.VersionId && { versionId: result.VersionId }), region: this.options.region() }, sha256, size: bytes.length };
    } catch (error) {
      return rethrow(error, `S3 PutObject ${bucket}/${key}`);
    }
  }

  documentUrl(location: FirmwareLocation): string {
    return s3DocumentUrl(location, this.options.region);
  }

  /** Uploads a local image (the CLI's `start` with AWS ports) under firmware/<release>/<role>/, with its SHA-256. */
  private async upload(file: string, releaseId: string, role: 'release' | 'rollback'): Promise<StoredFirmware> {
    const bucket = this.options.bucket();
    const key = `firmware/${releaseId}/${role}/${basename(file)}`;
    const size = (await stat(file)).size;
    const sha256 = await sha256OfStream(createReadStream(file));
    let versionId: string | undefined;
    try {
      const result = await this.s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: key,
          Body: createReadStream(file),
          ContentLength: size,
          ChecksumSHA256: Buffer.from(sha256, 'hex').toString('base64'),
          Metadata: { 'ota-release': releaseId, sha256 },
        }),
      );
      versionId = result.VersionId;
    } catch (error) {
      return rethrow(error, `S3 PutObject ${bucket}/${key}`);
    }
    return { location: { kind: 's3', bucket, key, ...(versionId && { versionId }), region: this.options.region() }, sha256, size };
  }

  private async head(bucket: string, key: string, versionId: string | undefined) {
    try {
      return await this.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key, ChecksumMode: 'ENABLED', ...(versionId && { VersionId: versionId }) }));
    } catch (error) {
      return rethrow(error, `S3 HeadObject ${bucket}/${key}`);
    }
  }

  private async hashObject(bucket: string, key: string, versionId: string): Promise<string> {
    try {
      const object = await this.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key, VersionId: versionId }));
      return await sha256OfStream(object.Body as AsyncIterable<Uint8Array>);
    } catch (error) {
      return rethrow(error, `S3 GetObject ${bucket}/${key}`);
    }
  }
}

/**
 * The object's own SHA-256 when S3 has it for the whole object. A multipart upload's checksum is a checksum of part
 * checksums (`…-3`), not the image's hash, so it does not count; neither does a missing one.
 */
export function fullObjectSha256(head: { ChecksumSHA256?: string | undefined; ChecksumType?: string | undefined }): string | undefined {
  const checksum = head.ChecksumSHA256;
  if (!checksum || checksum.includes('-') || (head.ChecksumType !== undefined && head.ChecksumType !== 'FULL_OBJECT')) return undefined;
  return Buffer.from(checksum, 'base64').toString('hex');
}

async function sha256OfStream(stream: AsyncIterable<Uint8Array>): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of stream) hash.update(chunk);
  return hash.digest('hex');
}

export function awsFirmwareStore(instrument: Instrument = noInstrument): S3FirmwareStore {
  return new S3FirmwareStore(instrument(new S3Client({})), { bucket: () => required('firmwareBucket'), region: () => required('region') });
}
