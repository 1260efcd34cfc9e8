import { GetObjectCommand, HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { S3ReleaseManifests } from '#aws/s3-release-manifests.ts';
import { sdkError } from '../functions/helpers.ts';

const s3 = mockClient(S3Client);
const manifests = () => new S3ReleaseManifests(new S3Client({ region: 'eu-west-1' }));
const REF = { bucket: 'firmware-bucket', key: 'firmware/gw/release.yaml' };

beforeEach(() => s3.reset());

describe('S3ReleaseManifests', () => {
  it('reads the manifest at the version asked for', async () => {
    s3.on(GetObjectCommand).resolves({ Body: { transformToString: async () => 'releaseId: gw' } } as never);

    expect(await manifests().read({ ...REF, versionId: 'm-1' })).toBe('releaseId: gw');
    expect(s3).toHaveReceivedCommandWith(GetObjectCommand, { Bucket: 'firmware-bucket', Key: 'firmware/gw/release.yaml', VersionId: 'm-1' });
  });

  it('reports the version present and the object metadata', async () => {
    s3.on(HeadObjectCommand).resolves({ VersionId: 'v7', Metadata: { 'firmware-version': '2.4.0' } });

    expect(await manifests().lookup(REF)).toEqual({ status: 'present', versionId: 'v7', metadata: { 'firmware-version': '2.4.0' } });
  });

  it.each([
    ['a 404', REF, sdkError('NotFound', 404), 'missing'],
    ['a 400 for a named version (a version id S3 cannot parse)', { ...REF, versionId: 'bad' }, sdkError('BadRequest', 400), 'missing'],
    ['a 403 (no s3:ListBucket, or another bucket)', REF, sdkError('Forbidden', 403), 'unreadable'],
  ])('turns %s into %s', async (_case, ref, error, status) => {
    s3.on(HeadObjectCommand).rejects(error);
    s3.on(GetObjectCommand).rejects(error);

    expect(await manifests().lookup(ref)).toEqual({ status });
    expect(await manifests().read(ref)).toBeUndefined();
  });

  it.each([
    ['a 400 without a named version', REF, sdkError('BadRequest', 400), 'BadRequest'],
    ['throttling', REF, sdkError('SlowDown', 503), 'TransientError'],
  ])('throws on %s', async (_case, ref, error, name) => {
    s3.on(HeadObjectCommand).rejects(error);

    await expect(manifests().lookup(ref)).rejects.toMatchObject({ name });
  });
});
