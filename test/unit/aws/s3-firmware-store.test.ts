import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { createHash } from 'node:crypto';
import { fullObjectSha256, S3FirmwareStore } from '#aws/s3-firmware-store.ts';

const s3 = mockClient(S3Client);
const store = () => new S3FirmwareStore(new S3Client({ region: 'eu-west-1' }), { bucket: () => 'fw', region: () => 'eu-west-1' });
const IMAGE = new TextEncoder().encode('firmware image bytes');
const SHA = createHash('sha256').update(IMAGE).digest('hex');

beforeEach(() => s3.reset());

describe('S3FirmwareStore', () => {
  it('hashes the object itself when S3 only has a multipart (composite) checksum', async () => {
    s3.on(HeadObjectCommand).resolves({ VersionId: 'v1', ContentLength: IMAGE.length, ChecksumSHA256: 'abc=-3', ChecksumType: 'COMPOSITE' });
    s3.on(GetObjectCommand).resolves({ Body: (async function* () { yield IMAGE; })() } as never);

    const stored = await store().put({ s3: { bucket: 'fw', key: 'a/b.bin' } }, 'rel', 'release');

    expect(stored).toEqual({ location: { kind: 's3', bucket: 'fw', key: 'a/b.bin', versionId: 'v1', region: 'eu-west-1' }, sha256: SHA, size: IMAGE.length });
    expect(s3).toHaveReceivedCommandWith(GetObjectCommand, { VersionId: 'v1' });
  });

  it('stores a release manifest as a new object version with its SHA-256, where Signer can sign it', async () => {
    s3.on(PutObjectCommand).resolves({ VersionId: 'm3' });
    const bytes = new TextEncoder().encode('{"schema":"ota-release/manifest/v1"}');
    const sha = createHash('sha256').update(bytes).digest('hex');

    const stored = await store().putManifest(bytes, 'rel', 'revert');

    expect(stored).toEqual({ location: { kind: 's3', bucket: 'fw', key: 'signed-manifests/rel/revert.manifest.json', versionId: 'm3', region: 'eu-west-1' }, sha256: sha, size: bytes.length });
    expect(s3).toHaveReceivedCommandWith(PutObjectCommand, { Bucket: 'fw', Key: 'signed-manifests/rel/revert.manifest.json', ChecksumSHA256: Buffer.from(sha, 'hex').toString('base64') });
  });

  it.each([
    ['a full-object checksum', { ChecksumSHA256: Buffer.from(SHA, 'hex').toString('base64'), ChecksumType: 'FULL_OBJECT' }, SHA],
    ['a composite checksum', { ChecksumSHA256: 'abc=-2', ChecksumType: 'COMPOSITE' }, undefined],
    ['no checksum', {}, undefined],
  ])('takes the SHA-256 from HeadObject only for %s', (_what, head, expected) => {
    expect(fullObjectSha256(head)).toBe(expected);
  });

  it('puts the presigned-URL placeholder in documents, with the key path-encoded', () => {
    expect(store().documentUrl({ kind: 's3', bucket: 'fw', key: 'firmware/r 1/a+b.bin' })).toBe('${aws:iot:s3-presigned-url:https://s3.eu-west-1.amazonaws.com/fw/firmware/r%201/a%2Bb.bin}');
  });
});
