// The URL a job document carries for an S3 firmware object: IoT's presigned-URL placeholder, which IoT Jobs fills in
// per device with presignedUrlConfig's role. Pure string work, kept apart from the S3 client so the functions that
// only build documents (create-canary-job, promote-or-rollback) do not bundle @aws-sdk/client-s3.
import type { FirmwareLocation } from '#domain/firmware.ts';
import { presignedUrlPlaceholder } from '#domain/job-document.ts';
import { NotFoundError } from '#ports/errors.ts';
import type { FirmwareStore } from '#ports/firmware.ts';
import { required } from './config.ts';

export function s3DocumentUrl(location: FirmwareLocation, defaultRegion: () => string): string {
  if (location.kind !== 's3') throw new NotFoundError(`a job document in AWS needs an S3 object, not ${location.path}`);
  const region = location.region ?? defaultRegion();
  const path = location.key.split('/').map(encodeURIComponent).join('/');
  return presignedUrlPlaceholder(`https://s3.${region}.amazonaws.com/${location.bucket}/${path}`);
}

export function awsFirmwareUrls(): Pick<FirmwareStore, 'documentUrl'> {
  return { documentUrl: (location) => s3DocumentUrl(location, () => required('region')) };
}
