// ReleaseManifests on S3 (@aws-sdk/client-s3): GetObject for the manifest at its uploaded version, HeadObject for the
// images it names. A function that may read objects but not list the bucket gets 403, not 404, for a missing key
// (S3 will not say whether a key exists to someone who may not list it): that is reported as `unreadable`.
import { GetObjectCommand, HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { ObjectLookup, ObjectRef, ReleaseManifests } from '#ports/manifests.ts';
import { type Instrument, noInstrument } from './config.ts';
import { isNotFound, rethrow } from './sdk-errors.ts';

export class S3ReleaseManifests implements ReleaseManifests {
  constructor(private readonly s3: S3Client) {}

  async read(ref: ObjectRef): Promise<string | undefined> {
    try {
      const object = await this.s3.send(new GetObjectCommand(input(ref)));
      return (await object.Body?.transformToString('utf8')) ?? '';
    } catch (error) {
      if (absence(error, ref)) return undefined;
      return rethrow(error, `S3 GetObject ${ref.bucket}/${ref.key}`);
    }
  }

  async lookup(ref: ObjectRef): Promise<ObjectLookup> {
    try {
      const head = await this.s3.send(new HeadObjectCommand(input(ref)));
      return { status: 'present', ...(head.VersionId && { versionId: head.VersionId }), metadata: head.Metadata ?? {} };
    } catch (error) {
      const absent = absence(error, ref);
      if (absent) return { status: absent };
      return rethrow(error, `S3 HeadObject ${ref.bucket}/${ref.key}`);
    }
  }
}

const input = (ref: ObjectRef) => ({ Bucket: ref.bucket, Key: ref.key, ...(ref.versionId && { VersionId: ref.versionId }) });

/**
 * Why the object is not there to be had, or undefined for any other error. A version id S3 cannot parse is a 400
 * (HeadObject has no body to name it), which for a named version means the same as a 404: no such version.
 */
function absence(error: unknown, ref: ObjectRef): 'missing' | 'unreadable' | undefined {
  const status = (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
  if (isNotFound(error) || (ref.versionId !== undefined && status === 400)) return 'missing';
  if (status === 403) return 'unreadable';
  return undefined;
}

export function awsReleaseManifests(instrument: Instrument = noInstrument): S3ReleaseManifests {
  return new S3ReleaseManifests(instrument(new S3Client({})));
}
