// `simulate --mqtt` in miniature: the real workflow and handlers on the embedded cloud, with real device agents over
// MQTT (aedes bridge), real downloads from the loopback firmware server and real signature checks, in scaled time.
import type { ReleaseRequest } from '#domain/release-request.ts';
import { createLocalCloud } from '#local/local-cloud.ts';
import { createMqttFleet } from '#local/mqtt/mqtt-fleet.ts';
import { FIXTURES, loadRelease } from './simulation-harness.ts';

const DEVICES = 30;
const TIME_SCALE = 0.002; // a 10 min bake takes 1.2 s of real time; the 30 min in-progress timeout 3.6 s

function quick(request: ReleaseRequest): ReleaseRequest {
  return {
    ...request,
    stages: [
      { ...request.stages[0]!, targets: { percent: 40 }, bake: 600 },
      { ...request.stages[2]!, targets: { percent: 100 }, bake: 600 },
    ],
    // 12 canary devices can show a failure rate under 20 % at 90 % confidence, not under 5 %.
    health: { ...request.health, maxFailureRate: 0.2, hardFailureRate: 0.3, minExecuted: 5, maxExtensions: 1, inconclusive: 'extend' },
    safetyNet: { ...request.safetyNet, abort: [{ failureType: 'ALL', thresholdPercentage: 30, minNumberOfExecutedThings: 5 }] },
  };
}

async function run(selfTestFailRate: number) {
  const request = await loadRelease('small-fleet.yaml', quick);
  const fleet = await createMqttFleet({ devices: DEVICES, timeScale: TIME_SCALE, release: request, seed: 3, selfTestFailRate });
  // Any HOLD is rejected: the release must be promoted (or rolled back) on the agents' evidence alone.
  const cloud = await createLocalCloud({ fleet, baseDir: FIXTURES, seed: 3, timeScale: TIME_SCALE, approve: 'reject' });
  try {
    return await cloud.runRelease(request);
  } finally {
    await cloud.close();
  }
}

describe('simulate with real agents over MQTT', () => {
  it('promotes a healthy release: every agent downloads, verifies, boots and commits the new image', async () => {
    const report = await run(0);

    expect(report.outcome).toBe('PROMOTED');
    expect(report.fleet).toMatchObject({ kind: 'mqtt', devices: DEVICES, versions: { '2.0.0': DEVICES } });
    expect(report.exposure.exposed).toBe(DEVICES);
  });

  it('rolls back when new images fail their self-test, and the agents really end on the old version', async () => {
    const report = await run(0.6);

    expect(report.outcome).toBe('ROLLED_BACK');
    expect(report.fleet.versions['2.0.0'] ?? 0).toBe(0);
    expect(report.fleet.versions['1.0.0']).toBe(DEVICES);
    expect(report.exposure.exposed).toBeGreaterThan(0);
    expect(report.exposure.exposed).toBeLessThan(DEVICES);
  });
});
