// FirmwareSigner on AWS Signer (@aws-sdk/client-signer): StartSigningJob with the release id as clientRequestToken,
// so a retried step finds the signing job it started, then poll until Succeeded or Failed and read the signature.
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DescribeSigningJobCommand, SignerClient, StartSigningJobCommand } from '@aws-sdk/client-signer';
import type { FirmwareSignature } from '#domain/firmware.ts';
import { SigningFailedError, TransientError } from '#ports/errors.ts';
import type { FirmwareSigner, StoredFirmware } from '#ports/firmware.ts';
import { type Instrument, noInstrument, required } from './config.ts';
import { errorName, rethrow } from './sdk-errors.ts';

export interface SignerOptions {
  /** The Signer profile (platform AWSIoTDeviceManagement-SHA256-ECDSA), made once per account: see docs/backend.md. */
  profileName: () => string;
  /** Where Signer writes its output; defaults to `signed/` in the firmware's own bucket. */
  destinationPrefix?: string;
  /** How often to ask Signer whether the job is done, and for how long before handing back to the state machine. */
  pollSeconds?: number;
  maxWaitSeconds?: number;
  sleep?: (ms: number) => Promise<void>;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class AwsSigner implements FirmwareSigner {
  constructor(
    private readonly signer: SignerClient,
    private readonly s3: S3Client,
    private readonly options: SignerOptions,
  ) {}

  async sign(firmware: StoredFirmware, idempotencyKey: string): Promise<FirmwareSignature> {
    const { location } = firmware;
    if (location.kind !== 's3' || !location.versionId) {
      throw new SigningFailedError('AWS Signer signs S3 object versions only: upload the image to the (versioned) firmware bucket first');
    }
    const profileName = this.options.profileName();
    const jobId = await this.start(location.bucket, location.key, location.versionId, profileName, idempotencyKey);
    const signed = await this.waitForSignedObject(jobId);
    return { algorithm: 'ECDSA-SHA256', value: await this.readSignature(signed.bucket, signed.key), keyId: `profile:${profileName}`, signerJobId: jobId };
  }

  private async start(bucket: string, key: string, version: string, profileName: string, clientRequestToken: string): Promise<string> {
    try {
      const { jobId } = await this.signer.send(
        new StartSigningJobCommand({
          source: { s3: { bucketName: bucket, key, version } },
          destination: { s3: { bucketName: bucket, prefix: `${this.options.destinationPrefix ?? 'signed/'}${clientRequestToken}/` } },
          profileName,
          clientRequestToken,
        }),
      );
      if (!jobId) throw new SigningFailedError('AWS Signer returned no job id');
      return jobId;
    } catch (error) {
      // A missing profile, a bad certificate or an unversioned source: a retry will not help.
      if (['ValidationException', 'ResourceNotFoundException', 'AccessDeniedException'].includes(errorName(error) ?? '')) {
        throw new SigningFailedError(`AWS Signer refused to sign with profile ${profileName}: ${(error as Error).message}`, { cause: error });
      }
      return rethrow(error, 'Signer StartSigningJob');
    }
  }

  private async waitForSignedObject(jobId: string): Promise<{ bucket: string; key: string }> {
    const pollMs = (this.options.pollSeconds ?? 3) * 1000;
    const attempts = Math.max(1, Math.ceil(((this.options.maxWaitSeconds ?? 600) * 1000) / pollMs));
    const sleep = this.options.sleep ?? defaultSleep;
    for (let attempt = 0; attempt < attempts; attempt++) {
      let job;
      try {
        job = await this.signer.send(new DescribeSigningJobCommand({ jobId }));
      } catch (error) {
        return rethrow(error, `Signer DescribeSigningJob ${jobId}`);
      }
      if (job.status === 'Failed') throw new SigningFailedError(`signing job ${jobId} failed: ${job.statusReason ?? 'no reason given'}`);
      if (job.status === 'Succeeded') {
        const s3 = job.signedObject?.s3;
        if (!s3?.bucketName || !s3.key) throw new SigningFailedError(`signing job ${jobId} succeeded but names no signed object`);
        return { bucket: s3.bucketName, key: s3.key };
      }
      await sleep(pollMs);
    }
    // Still InProgress: hand back to the state machine, whose retry starts again with the same clientRequestToken.
    throw new TransientError(`signing job ${jobId} is still in progress`);
  }

  /**
   * The detached signature Signer wrote. Accepts the shapes it is seen in: JSON with a `signature` field, base64 text,
   * or raw DER bytes; always returns base64 DER.
   */
  private async readSignature(bucket: string, key: string): Promise<string> {
    let bytes: Uint8Array;
    try {
      const object = await this.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      bytes = (await object.Body?.transformToByteArray()) ?? new Uint8Array();
    } catch (error) {
      return rethrow(error, `S3 GetObject ${bucket}/${key}`);
    }
    return signatureFromSignedObject(bytes);
  }
}

export function signatureFromSignedObject(bytes: Uint8Array): string {
  const text = Buffer.from(bytes).toString('utf8').trim();
  if (text.startsWith('{')) {
    const parsed = JSON.parse(text) as { signature?: unknown };
    if (typeof parsed.signature === 'string' && parsed.signature.length > 0) return parsed.signature;
    throw new SigningFailedError('the signed object is JSON without a signature field');
  }
  if (text.length > 0 && /^[A-Za-z0-9+/]+={0,2}$/.test(text)) return text;
  if (bytes.length === 0) throw new SigningFailedError('the signed object is empty');
  return Buffer.from(bytes).toString('base64');
}

export function awsSigner(instrument: Instrument = noInstrument): AwsSigner {
  return new AwsSigner(instrument(new SignerClient({})), instrument(new S3Client({})), { profileName: () => required('signerProfile') });
}
