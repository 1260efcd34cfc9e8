import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DescribeSigningJobCommand, SignerClient, StartSigningJobCommand } from '@aws-sdk/client-signer';
import { mockClient } from 'aws-sdk-client-mock';
import { awsFirmwareStore } from '#aws/s3-firmware-store.ts';
import { awsSigner } from '#aws/signer.ts';
import { MemoryReleaseStore } from '#local/adapters/memory-release-store.ts';
import { makeHandler } from '#functions/sign-firmware.ts';
import { context, fixedClock, rejection, request, sdkError, useStackEnv } from './helpers.ts';

useStackEnv();
const s3 = mockClient(S3Client);
const signer = mockClient(SignerClient);
const SHA256_HEX = 'cd'.repeat(32);

function build() {
  const clock = fixedClock();
  const store = new MemoryReleaseStore(clock);
  const handler = makeHandler({ firmware: awsFirmwareStore(), signer: awsSigner(), store, clock });
  return { handler, store };
}

beforeEach(() => {
  s3.reset();
  signer.reset();
  s3.on(HeadObjectCommand).resolves({ VersionId: 'v7', ContentLength: 4096, ChecksumSHA256: Buffer.from(SHA256_HEX, 'hex').toString('base64'), ChecksumType: 'FULL_OBJECT' });
  s3.on(GetObjectCommand).resolves({ Body: { transformToByteArray: async () => new TextEncoder().encode('MEUCIQDsig==') } } as never);
  s3.on(PutObjectCommand).resolves({ VersionId: 'm1' });
  signer.on(StartSigningJobCommand).resolves({ jobId: 'sig-1' });
  signer.on(DescribeSigningJobCommand).resolves({ status: 'Succeeded', signedObject: { s3: { bucketName: 'firmware-bucket', key: 'signed/gw-2-4-0/sig-1' } } });
});

describe('sign-firmware', () => {
  it('measures the pinned object version, signs it with the release id as the idempotency token, and records it', async () => {
    const { handler, store } = build();

    const signed = await handler({ request: request() }, context());

    expect(signed).toEqual(
      expect.objectContaining({ version: '2.4.0', sha256: SHA256_HEX, size: 4096, rollback: null, signature: expect.objectContaining({ value: 'MEUCIQDsig==', signerJobId: 'sig-1' }) }),
    );
    expect(signer).toHaveReceivedCommandWith(StartSigningJobCommand, {
      clientRequestToken: 'gw-2-4-0',
      profileName: 'ota_release_firmware',
      source: { s3: { bucketName: 'firmware-bucket', key: 'firmware/gw-2.4.0.bin', version: 'v7' } },
    });
    const record = await store.getRelease('gw-2-4-0');
    expect(record?.status).toBe('SIGNING');
    expect(record?.firmware?.location).toEqual(expect.objectContaining({ versionId: 'v7' }));
  });

  it('stores the release manifest as an object version and has Signer sign it like an image', async () => {
    const { handler } = build();

    const signed = (await handler({ request: request() }, context())) as { manifest: { payload: string; signature: { value: string; signerJobId?: string } } };

    expect(s3).toHaveReceivedCommandWith(PutObjectCommand, { Bucket: 'firmware-bucket', Key: 'signed-manifests/gw-2-4-0/release.manifest.json', ContentType: 'application/json' });
    expect(signer).toHaveReceivedCommandWith(StartSigningJobCommand, {
      clientRequestToken: 'gw-2-4-0-manifest-release',
      source: { s3: { bucketName: 'firmware-bucket', key: 'signed-manifests/gw-2-4-0/release.manifest.json', version: 'm1' } },
    });
    const manifest = JSON.parse(Buffer.from(signed.manifest.payload, 'base64').toString('utf8')) as Record<string, unknown>;
    expect(manifest).toMatchObject({ kind: 'install', version: '2.4.0', size: 4096, sha256: SHA256_HEX, securityCounter: 0, authorisedRollback: false });
    const put = s3.commandCalls(PutObjectCommand)[0]?.args[0].input;
    expect(Buffer.from(put?.Body as Uint8Array).toString('base64')).toBe(signed.manifest.payload);
    expect(signed.manifest.signature).toMatchObject({ value: 'MEUCIQDsig==', signerJobId: 'sig-1' });
    // Without a rollback image, the statement "go back to the kept slot" is signed now too, for a rollback later.
    expect(signer).toHaveReceivedCommandWith(StartSigningJobCommand, { clientRequestToken: 'gw-2-4-0-manifest-revert' });
  });

  it('starts no second signing job when the step is retried', async () => {
    const { handler } = build();

    const first = await handler({ request: request() }, context());
    const second = await handler({ request: request() }, context());

    expect(second).toEqual(first);
    expect(signer).toHaveReceivedCommandTimes(StartSigningJobCommand, 3); // the image, its manifest and the revert statement, once each
  });

  it('signs the rollback image as a second job with its own token', async () => {
    const { handler } = build();
    const withRollback = request({ firmware: { version: '2.4.0', previousVersion: '2.3.1', source: { s3: { bucket: 'firmware-bucket', key: 'a.bin' } }, rollbackSource: { s3: { bucket: 'firmware-bucket', key: 'b.bin' } } } });

    const signed = (await handler({ request: withRollback }, context())) as { rollback: { version: string } };

    expect(signed.rollback.version).toBe('2.3.1');
    expect(signer).toHaveReceivedCommandWith(StartSigningJobCommand, { clientRequestToken: 'gw-2-4-0-rollback' });
    expect(signer).toHaveReceivedCommandWith(StartSigningJobCommand, { clientRequestToken: 'gw-2-4-0-manifest-rollback' });
  });

  it('fails with SigningFailedError when Signer reports the job failed', async () => {
    signer.on(DescribeSigningJobCommand).resolves({ status: 'Failed', statusReason: 'certificate revoked' });
    const { handler } = build();

    const error = await rejection(handler({ request: request() }, context()));

    expect(error.name).toBe('SigningFailedError');
    expect(error.message).toContain('certificate revoked');
  });

  it('fails with SigningFailedError when the bucket keeps no versions', async () => {
    s3.on(HeadObjectCommand).resolves({ ContentLength: 10 });
    const { handler } = build();

    expect((await rejection(handler({ request: request() }, context()))).name).toBe('SigningFailedError');
  });

  it('throws TransientError, which the state machine retries, when Signer throttles', async () => {
    signer.on(StartSigningJobCommand).rejects(sdkError('ThrottlingException', 429));
    const { handler } = build();

    expect((await rejection(handler({ request: request() }, context()))).name).toBe('TransientError');
  });

  it('rejects input that is not a release request, naming every problem', async () => {
    const { handler } = build();

    const error = await rejection(handler({ request: { releaseId: 'x' } }, context()));

    expect(error.name).toBe('InvalidTaskInputError');
    expect(error.message).toContain('request.firmware');
    expect(error.message).toContain('request.stages');
    expect(signer).toHaveReceivedCommandTimes(StartSigningJobCommand, 0);
  });
});
