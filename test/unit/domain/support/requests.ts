// Release requests and counts for domain tests: a valid minimal request, overridable field by field.
import { HealthPolicy, ReleaseRequest, type ReleaseRequestInput } from '#domain/release-request.ts';
import { defaultUnacceptableRate } from '#domain/sequential-test.ts';
import { ZERO_COUNTS, type StageCounts } from '#domain/stage-counts.ts';
import type { SignedFirmware } from '#domain/firmware.ts';

export function requestInput(overrides: Partial<ReleaseRequestInput> = {}): ReleaseRequestInput {
  return {
    releaseId: 'gw-2-4-0',
    product: 'edge-gateway',
    firmware: { version: '2.4.0', previousVersion: '2.3.1', source: { file: 'firmware/gateway-2.4.0.bin' } },
    fleet: { thingGroups: ['gateways'] },
    stages: [
      { name: 'canary', targets: { percent: 1 }, bake: '2h' },
      { name: 'wave', targets: { percent: 10 }, bake: '4h' },
      { name: 'all', targets: { percent: 100 }, bake: '1h' },
    ],
    ...overrides,
  };
}

export function aRequest(overrides: Partial<ReleaseRequestInput> = {}): ReleaseRequest {
  return ReleaseRequest.parse(requestInput(overrides));
}

/** The default policy with some fields replaced; the unacceptable rate follows a new maxFailureRate unless given. */
export function aPolicy(overrides: Partial<HealthPolicy> = {}): HealthPolicy {
  const policy = { ...HealthPolicy.parse({}), ...overrides };
  if (overrides.unacceptableFailureRate === undefined) policy.unacceptableFailureRate = defaultUnacceptableRate(policy.maxFailureRate);
  return policy;
}

export function counts(overrides: Partial<StageCounts>): StageCounts {
  const merged = { ...ZERO_COUNTS, ...overrides };
  // Unless a test says otherwise, the stage targeted exactly what it shows.
  if (overrides.targeted === undefined) {
    merged.targeted = merged.succeeded + merged.failed + merged.rejected + merged.timedOut + merged.inProgress + merged.queued;
  }
  return merged;
}

const SIGNATURE = { algorithm: 'ECDSA-SHA256', value: 'MEUCIQDtest', keyId: 'local:abc123' } as const;

export function aSignedFirmware(overrides: Partial<SignedFirmware> = {}): SignedFirmware {
  return {
    version: '2.4.0',
    sha256: 'a'.repeat(64),
    size: 262144,
    location: { kind: 's3', bucket: 'fw-bucket', key: 'gw/2.4.0.bin', versionId: 'v1' },
    signature: { ...SIGNATURE },
    ...overrides,
  };
}

export function withRollbackImage(firmware: SignedFirmware): SignedFirmware {
  return {
    ...firmware,
    rollback: { version: '2.3.1', location: { kind: 's3', bucket: 'fw-bucket', key: 'gw/2.3.1.bin' }, sha256: 'b'.repeat(64), size: 260000, signature: { ...SIGNATURE, value: 'MEUCIQDrollback' } },
  };
}
