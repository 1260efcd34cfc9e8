// How `simulate --mqtt` plays a fault profile with real agents: the mapping, the seeded per-device draws, the cuts.
import { ReleaseRequest } from '#domain/release-request.ts';
import { LocalOptionsError } from '#local/errors.ts';
import { FAULT_PROFILES, faultProfile, type FaultProfile } from '#local/fleet/fault-profiles.ts';
import { agentFaultsOf, CUT_REQUESTS, cutOf, deviceFaultsOf, type AgentFaults } from '#local/mqtt/agent-faults.ts';
import { createMqttFleet } from '#local/mqtt/mqtt-fleet.ts';

const profile = (name: string): FaultProfile => FAULT_PROFILES[name]!;

describe('agentFaultsOf', () => {
  it.each([
    ['healthy', {}],
    ['bad-boot', { selfTestFailureRate: 0.3 }],
    ['flaky-network', { downloadFailureRate: 0.01, connectionCutRate: 0.3 }],
    ['silent-devices', { silentRate: 0.15 }],
    ['slow-rejects', { rejectRate: 0.08, rejectSeconds: [600, 1800] }],
    ['stragglers', { offlineRate: 0.05 }],
  ])('plays %s with real agents as %j (every other fault off)', (name, expected) => {
    const none: Omit<AgentFaults, 'profile'> = { offlineRate: 0, rejectRate: 0, rejectSeconds: [5, 20], downloadFailureRate: 0, silentRate: 0, selfTestFailureRate: 0, connectionCutRate: 0 };

    expect(agentFaultsOf(profile(name))).toEqual({ profile: name, ...none, ...expected });
  });

  it('takes --fail-rate as the share of new images that fail their self-test, over the profile', () => {
    expect(agentFaultsOf(faultProfile('silent-devices', { failRate: 0.4 }))).toMatchObject({ selfTestFailureRate: 0.4, silentRate: 0.15 });
  });

  it.each([
    ['verifyFailureRate', 'images that fail verification'],
    ['installFailureRate', 'slot writes that fail'],
  ])('refuses a profile with %s, naming what real agents cannot show', (field, fault) => {
    const unplayable = { ...profile('healthy'), name: 'custom', [field]: 0.1 };

    expect(() => agentFaultsOf(unplayable)).toThrow(LocalOptionsError);
    expect(() => agentFaultsOf(unplayable)).toThrow(`--mqtt cannot play fault profile "custom": real agents here have no way to show ${fault}; run it without --mqtt`);
  });

  it('makes the MQTT fleet refuse such a profile before anything starts (no broker, no agents)', async () => {
    const release = ReleaseRequest.parse({
      releaseId: 'r1',
      product: 'gateway',
      firmware: { version: '2.0.0', previousVersion: '1.0.0', source: { file: 'fw.bin' } },
      fleet: { thingGroups: ['fleet-a'] },
      stages: [{ name: 'all', targets: { percent: 100 }, bake: '1h' }],
    });
    const profile = { ...FAULT_PROFILES.healthy!, name: 'custom', installFailureRate: 0.2 };

    await expect(createMqttFleet({ devices: 2, timeScale: 0.001, release, seed: 1, profile })).rejects.toThrow(LocalOptionsError);
  });
});

describe('deviceFaultsOf', () => {
  const DEVICES = 20_000;
  const mixed: AgentFaults = { ...agentFaultsOf(profile('healthy')), offlineRate: 0.05, rejectRate: 0.1, downloadFailureRate: 0.02, silentRate: 0.15, selfTestFailureRate: 0.3 };
  const fleet = (seed: number) => Array.from({ length: DEVICES }, (_, device) => deviceFaultsOf(mixed, seed, device));

  it('picks the same devices for the same seed, and others for another seed', () => {
    expect(fleet(7)).toEqual(fleet(7));
    expect(fleet(8)).not.toEqual(fleet(7));
  });

  it('gives each device at most one fault, each in about the share the profile asks (after the earlier ones)', () => {
    const devices = fleet(3);
    const share = (test: (faults: (typeof devices)[number]) => boolean) => devices.filter(test).length / DEVICES;
    const faultsPerDevice = devices.map((d) => [d.offline, d.rejectAfterSeconds !== undefined, d.failsDownload, d.goesDark, d.failsSelfTest].filter(Boolean).length);

    expect(Math.max(...faultsPerDevice)).toBe(1);
    expect(share((d) => d.offline)).toBeCloseTo(0.05, 2);
    expect(share((d) => d.rejectAfterSeconds !== undefined)).toBeCloseTo(0.95 * 0.1, 2);
    expect(share((d) => d.failsDownload)).toBeCloseTo(0.95 * 0.9 * 0.02, 2);
    expect(share((d) => d.goesDark)).toBeCloseTo(0.95 * 0.9 * 0.98 * 0.15, 2);
    expect(share((d) => d.failsSelfTest)).toBeCloseTo(0.95 * 0.9 * 0.98 * 0.85 * 0.3, 2);
  });

  it('draws each rejecting device a check time within the profile bounds', () => {
    const times = fleet(5).flatMap((d) => (d.rejectAfterSeconds === undefined ? [] : [d.rejectAfterSeconds]));

    expect(Math.min(...times)).toBeGreaterThanOrEqual(5);
    expect(Math.max(...times)).toBeLessThanOrEqual(20);
    expect(new Set(times.map(Math.round)).size).toBeGreaterThan(10);
  });

  it('leaves every device healthy in the healthy profile', () => {
    const healthy = agentFaultsOf(profile('healthy'));

    expect(Array.from({ length: 1000 }, (_, device) => deviceFaultsOf(healthy, 1, device))).toEqual(
      Array.from({ length: 1000 }, () => ({ offline: false, failsDownload: false, goesDark: false, failsSelfTest: false })),
    );
  });
});

describe('cutOf', () => {
  const flaky = agentFaultsOf(profile('flaky-network'));

  it('never cuts when the network is not flaky', () => {
    const healthy = agentFaultsOf(profile('bad-boot'));

    expect(Array.from({ length: 200 }, (_, device) => cutOf(healthy, 1, device, 0, 0, 262_144)).filter((cut) => cut !== undefined)).toEqual([]);
  });

  it('cuts about the flaky share of first requests, inside the body, and the same way for the same seed', () => {
    const cuts = Array.from({ length: 5000 }, (_, device) => cutOf(flaky, 1, device, 0, 0, 262_144));
    const made = cuts.filter((cut): cut is number => cut !== undefined);

    expect(made.length / cuts.length).toBeCloseTo(0.3, 1);
    expect(Math.min(...made)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...made)).toBeLessThan(262_144);
    expect(Array.from({ length: 5000 }, (_, device) => cutOf(flaky, 1, device, 0, 0, 262_144))).toEqual(cuts);
  });

  it(`lets every request after the first ${CUT_REQUESTS} of a download through, so each download ends`, () => {
    const late = Array.from({ length: 1000 }, (_, device) => cutOf(flaky, 1, device, 0, CUT_REQUESTS, 262_144));

    expect(late.every((cut) => cut === undefined)).toBe(true);
  });
});
