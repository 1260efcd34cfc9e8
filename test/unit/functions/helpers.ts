// Shared setup for the handler tests: the stack's environment, a release request, a Lambda context, a fixed clock,
// an in-memory release store (where DynamoDB is not the point), and SDK errors shaped as the SDK throws them.
import type { Context } from 'aws-lambda';
import { newReleaseRecord } from '#app/release-record.ts';
import { ReleaseRequest, type ReleaseRequestInput } from '#domain/release-request.ts';
import type { SignedFirmware } from '#domain/firmware.ts';
import { MemoryReleaseStore } from '#local/adapters/memory-release-store.ts';
import { lambdaContext } from '#local/workflow/lambda-context.ts';
import type { ReleaseStatus } from '#domain/status.ts';
import type { Clock } from '#ports/clock.ts';
import type { StageRecord } from '#ports/release-store.ts';

export const ENV = {
  AWS_REGION: 'eu-west-1',
  ACCOUNT_ID: '123456789012',
  PARTITION: 'aws',
  RELEASE_TABLE: 'ota-release-test',
  FIRMWARE_BUCKET: 'firmware-bucket',
  SIGNER_PROFILE: 'ota_release_firmware',
  PRESIGN_ROLE_ARN: 'arn:aws:iam::123456789012:role/presign',
  APPROVAL_TOPIC_ARN: 'arn:aws:sns:eu-west-1:123456789012:approvals',
  EVENT_BUS_NAME: 'ota-release-test-releases',
  STATE_MACHINE_ARN: 'arn:aws:states:eu-west-1:123456789012:stateMachine:ota-release-test-staged-release',
};

export function useStackEnv(): void {
  const saved = { ...process.env };
  beforeAll(() => Object.assign(process.env, ENV));
  afterAll(() => {
    for (const key of Object.keys(ENV)) delete process.env[key];
    Object.assign(process.env, saved);
  });
}

export function request(overrides: Partial<ReleaseRequestInput> = {}): ReleaseRequest {
  return ReleaseRequest.parse({
    releaseId: 'gw-2-4-0',
    product: 'edge-gateway',
    firmware: { version: '2.4.0', previousVersion: '2.3.1', source: { s3: { bucket: 'firmware-bucket', key: 'firmware/gw-2.4.0.bin' } } },
    fleet: { thingGroups: ['gateways'] },
    stages: [
      { name: 'canary', targets: { percent: 10 }, bake: '1h' },
      { name: 'fleet', targets: { percent: 100 }, bake: '2h' },
    ],
    health: { maxFailureRate: '5%', minExecuted: 5 },
    ...overrides,
  });
}

export const SIGNED: SignedFirmware = {
  version: '2.4.0',
  sha256: 'ab'.repeat(32),
  size: 1024,
  location: { kind: 's3', bucket: 'firmware-bucket', key: 'firmware/gw-2.4.0.bin', versionId: 'v1', region: 'eu-west-1' },
  signature: { algorithm: 'ECDSA-SHA256', value: 'MEUCIQ==', keyId: 'profile:ota_release_firmware', signerJobId: 'sig-1' },
};

/** The local cloud's Lambda context, in the test stack's account and region, with a fixed request id. */
export function context(name = 'test'): Context {
  return {
    ...lambdaContext(name),
    invokedFunctionArn: `arn:aws:lambda:${ENV.AWS_REGION}:${ENV.ACCOUNT_ID}:function:${name}`,
    memoryLimitInMB: '512',
    awsRequestId: 'req-1',
    logStreamName: 'stream',
    getRemainingTimeInMillis: () => 30_000,
  };
}

/** A clock the test moves by hand. */
export function fixedClock(iso = '2026-11-24T10:00:00.000Z'): Clock & { advance(seconds: number): void } {
  let now = Date.parse(iso);
  return { now: () => new Date(now), advance: (seconds) => (now += seconds * 1000) };
}

/** A store holding the release as the workflow left it: signed, and with the given stages started. */
export async function storeWithRelease(clock: Clock, options: { req?: ReleaseRequest; status?: ReleaseStatus; stages?: StageRecord[] } = {}): Promise<MemoryReleaseStore> {
  const store = new MemoryReleaseStore(clock);
  const record = newReleaseRecord(options.req ?? request(), clock.now().toISOString());
  await store.createRelease({ ...record, status: options.status ?? 'SIGNING', firmware: SIGNED, stages: options.stages ?? [] });
  return store;
}

/** An error as the SDK throws it: the service's error name and an HTTP status. */
export function sdkError(name: string, status = 400): Error {
  return Object.assign(new Error(`${name} from the service`), { name, $metadata: { httpStatusCode: status }, $fault: status >= 500 ? 'server' : 'client' });
}

/** Runs a handler and returns the error it threw (the test fails if it did not throw). */
export async function rejection(promise: Promise<unknown>): Promise<Error & { problems?: string[] }> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the handler to throw');
}
