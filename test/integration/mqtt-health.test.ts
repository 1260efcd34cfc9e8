// Health reports from real agents over MQTT into the embedded metrics store, during a real release: the updated
// devices report on the new version (each announcing it came back, once), the others on the old one, as the control.
import { createLocalCloud } from '#local/local-cloud.ts';
import { faultProfile } from '#local/fleet/fault-profiles.ts';
import { createMqttFleet } from '#local/mqtt/mqtt-fleet.ts';
import { FIXTURES, loadRelease } from './simulation-harness.ts';

const DEVICES = 12;
const TIME_SCALE = 0.002;

it('agents of a release with health gates report health, updated and not updated alike', async () => {
  const request = await loadRelease('small-fleet.yaml', (release) => ({
    ...release,
    stages: [
      { ...release.stages[0]!, targets: { percent: 50 }, bake: 600 },
      { ...release.stages[2]!, targets: { percent: 100 }, bake: 600 },
    ],
    health: {
      ...release.health,
      maxFailureRate: 0.2,
      unacceptableFailureRate: 0.4,
      hardFailureRate: 0.3,
      minExecuted: 3,
      gates: [{ kind: 'rate', metric: 'crashes', maxRatio: 2, critical: true }],
      reportEvery: 60,
      warmUp: 120,
    },
  }));
  const fleet = await createMqttFleet({ devices: DEVICES, timeScale: TIME_SCALE, release: request, seed: 5, profile: faultProfile('healthy') });
  const cloud = await createLocalCloud({ fleet, baseDir: FIXTURES, seed: 5, timeScale: TIME_SCALE, approve: 'reject' });
  try {
    const started = cloud.scheduler.now();
    await cloud.runRelease(request);
    const reading = await cloud.health.read({
      product: request.product,
      treatmentVersion: request.firmware.version,
      controlVersion: request.firmware.previousVersion,
      from: started,
      to: new Date(cloud.scheduler.now().getTime() + 60_000),
      periodSeconds: 3600 * 24,
      alarmNames: [],
    });
    const total = (cohort: 'treatment' | 'control', field: 'exposureSeconds' | 'returned' | 'crashes') => reading.buckets.reduce((sum, bucket) => sum + bucket[cohort][field], 0);

    expect(cloud.health.reports).toBeGreaterThan(DEVICES);
    // Every updated agent said once that it came back on the new version.
    expect(total('treatment', 'returned')).toBe(fleet.stats().exposed);
    expect(total('control', 'exposureSeconds')).toBeGreaterThan(0);
    expect(total('treatment', 'crashes') + total('control', 'crashes')).toBe(0);
  } finally {
    await cloud.close();
  }
});
