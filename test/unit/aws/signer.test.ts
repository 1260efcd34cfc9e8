import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DescribeSigningJobCommand, SignerClient, StartSigningJobCommand } from '@aws-sdk/client-signer';
import { mockClient } from 'aws-sdk-client-mock';
import { AwsSigner, signatureFromSignedObject } from '#aws/signer.ts';
import { sdkError } from '../functions/helpers.ts';

const signer = mockClient(SignerClient);
const s3 = mockClient(S3Client);
const STORED = { location: { kind: 's3' as const, bucket: 'b', key: 'k', versionId: 'v1' }, sha256: 'a'.repeat(64), size: 1 };
const sleeps: number[] = [];
const make = () => new AwsSigner(new SignerClient({ region: 'eu-west-1' }), new S3Client({ region: 'eu-west-1' }), { profileName: () => 'p', pollSeconds: 2, maxWaitSeconds: 6, sleep: async (ms) => void sleeps.push(ms) });

beforeEach(() => {
  signer.reset();
  s3.reset();
  sleeps.length = 0;
  signer.on(StartSigningJobCommand).resolves({ jobId: 'j1' });
  s3.on(GetObjectCommand).resolves({ Body: { transformToByteArray: async () => new TextEncoder().encode('{"signature":"MEQ="}') } } as never);
});

describe('AwsSigner', () => {
  it('polls until Signer says Succeeded, then reads the signature from the signed object', async () => {
    signer.on(DescribeSigningJobCommand).resolvesOnce({ status: 'InProgress' }).resolves({ status: 'Succeeded', signedObject: { s3: { bucketName: 'b', key: 'signed/x' } } });

    expect(await make().sign(STORED, 'rel')).toEqual({ algorithm: 'ECDSA-SHA256', value: 'MEQ=', keyId: 'profile:p', signerJobId: 'j1' });
    expect(sleeps).toEqual([2000]);
  });

  it('hands back to the state machine with TransientError when the job is still running at the deadline', async () => {
    signer.on(DescribeSigningJobCommand).resolves({ status: 'InProgress' });

    await expect(make().sign(STORED, 'rel')).rejects.toMatchObject({ name: 'TransientError' });
    expect(sleeps).toHaveLength(3);
  });

  it.each(['ValidationException', 'ResourceNotFoundException', 'AccessDeniedException'])('fails for good (SigningFailedError) on %s', async (name) => {
    signer.on(StartSigningJobCommand).rejects(sdkError(name));

    await expect(make().sign(STORED, 'rel')).rejects.toMatchObject({ name: 'SigningFailedError' });
  });

  it('refuses an object without a version (Signer signs versions only)', async () => {
    await expect(make().sign({ ...STORED, location: { kind: 's3', bucket: 'b', key: 'k' } }, 'rel')).rejects.toMatchObject({ name: 'SigningFailedError' });
  });

  it.each([
    ['JSON with a signature field', '{"signature":"MEQ="}', 'MEQ='],
    ['base64 text', 'MEUCIQ==\n', 'MEUCIQ=='],
    ['raw DER bytes', '\u0030\u0045\u0002', Buffer.from('\u0030\u0045\u0002').toString('base64')],
  ])('reads a signature given as %s', (_what, text, expected) => {
    expect(signatureFromSignedObject(new TextEncoder().encode(text))).toBe(expected);
  });
});
