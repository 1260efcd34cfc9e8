// `simulate --mqtt` in miniature: the real workflow and handlers on the embedded cloud, with real device agents over
// MQTT (aedes bridge), real downloads from the loopback firmware server and real signature checks, in scaled time —
// and fault profiles played by those agents, their network and their firmware server.
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ReleaseRequest } from '#domain/release-request.ts';
import { faultProfile, type FaultProfile } from '#local/fleet/fault-profiles.ts';
import { STATUS_OF_CODE } from '#local/iot-jobs/execution-status.ts';
import { createLocalCloud } from '#local/local-cloud.ts';
import { agentFaultsOf, deviceFaultsOf } from '#local/mqtt/agent-faults.ts';
import { createMqttFleet } from '#local/mqtt/mqtt-fleet.ts';
import { runCli } from '../support/run-cli.ts';
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
    health: { ...request.health, maxFailureRate: 0.2, unacceptableFailureRate: 0.4, hardFailureRate: 0.3, minExecuted: 5, maxExtensions: 1, inconclusive: 'extend' },
    safetyNet: { ...request.safetyNet, abort: [{ failureType: 'ALL', thresholdPercentage: 30, minNumberOfExecutedThings: 5 }] },
  };
}

async function run(profile: FaultProfile) {
  const request = await loadRelease('small-fleet.yaml', quick);
  const fleet = await createMqttFleet({ devices: DEVICES, timeScale: TIME_SCALE, release: request, seed: 3, profile });
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
    const report = await run(faultProfile('healthy'));

    expect(report.outcome).toBe('PROMOTED');
    expect(report.fleet).toMatchObject({ kind: 'mqtt', devices: DEVICES, versions: { '2.0.0': DEVICES } });
    expect(report.exposure.exposed).toBe(DEVICES);
  });

  it('rolls back when new images fail their self-test, and the agents really end on the old version', async () => {
    const report = await run(faultProfile('healthy', { failRate: 0.6 }));

    expect(report.outcome).toBe('ROLLED_BACK');
    expect(report.fleet.versions['2.0.0'] ?? 0).toBe(0);
    expect(report.fleet.versions['1.0.0']).toBe(DEVICES);
    expect(report.exposure.exposed).toBeGreaterThan(0);
    expect(report.exposure.exposed).toBeLessThan(DEVICES);
  });
});

describe('fault profiles played by real agents', () => {
  // One wave to the whole fleet, a bake past the in-progress timeout and every check time, and a judge that lets
  // everything finish: each device's own report is what the job ends with.
  const SEED = 11;
  const MIXED: FaultProfile = {
    ...faultProfile('flaky-network'),
    name: 'mixed',
    offlineRate: 0.1,
    rejectRate: 0.1,
    rejectSeconds: [30, 120],
    downloadFailureRate: 0.1,
    silentRate: 0.1,
    bootFailureRate: 0.15,
    eventDuplicateRate: 0,
    eventDelaySeconds: 0,
  };

  function oneWave(request: ReleaseRequest): ReleaseRequest {
    return {
      ...request,
      stages: [{ ...request.stages[0]!, targets: { percent: 100 }, bake: 900, rollout: { maximumPerMinute: 1000 } }],
      health: { ...request.health, maxFailureRate: 0.99, unacceptableFailureRate: 0.995, hardFailureRate: 1, maxTimeoutRate: 1, minExecuted: 1, maxExtensions: 0, inconclusive: 'hold' },
      safetyNet: { ...request.safetyNet, abort: [{ failureType: 'ALL', thresholdPercentage: 100, minNumberOfExecutedThings: 1000 }], inProgressTimeout: 600 },
    };
  }

  it('ends each device the way its drawn fault says, through the agent, its network or its firmware server', async () => {
    const request = await loadRelease('small-fleet.yaml', oneWave);
    const fleet = await createMqttFleet({ devices: DEVICES, timeScale: TIME_SCALE, release: request, seed: SEED, profile: MIXED });
    const cloud = await createLocalCloud({ fleet, baseDir: FIXTURES, seed: SEED, timeScale: TIME_SCALE, approve: 'auto' });
    let report;
    try {
      report = await cloud.runRelease(request);
    } finally {
      await cloud.close();
    }
    const job = cloud.engine.jobs()[0]!;
    const ended = new Map(Array.from(job.things, (thing, index) => [cloud.things.nameOf(thing), { status: STATUS_OF_CODE[job.status[index]!], reason: job.details[index]?.reason }]));
    const expected = new Map(
      Array.from({ length: DEVICES }, (_, n) => {
        const faults = deviceFaultsOf(agentFaultsOf(MIXED), SEED, n);
        const outcome = faults.offline
          ? { status: 'QUEUED', reason: undefined }
          : faults.rejectAfterSeconds !== undefined
            ? { status: 'REJECTED', reason: 'INCOMPATIBLE' }
            : faults.failsDownload
              ? { status: 'FAILED', reason: 'DOWNLOAD_FAILED' }
              : faults.goesDark
                ? { status: 'TIMED_OUT', reason: undefined }
                : faults.failsSelfTest
                  ? { status: 'FAILED', reason: 'SELF_TEST_FAILED' }
                  : { status: 'SUCCEEDED', reason: undefined };
        return [`device-${String(n + 1).padStart(6, '0')}`, outcome];
      }),
    );
    const statuses = new Set([...expected.values()].map((outcome) => outcome.status));

    expect(statuses).toEqual(new Set(['QUEUED', 'REJECTED', 'FAILED', 'TIMED_OUT', 'SUCCEEDED'])); // the seed shows every fault
    expect(Object.fromEntries([...ended].map(([name, outcome]) => [name, { status: outcome.status, reason: outcome.status === 'FAILED' || outcome.status === 'REJECTED' ? outcome.reason : undefined }]))).toEqual(
      Object.fromEntries(expected),
    );
    expect(fleet.downloads.cut).toBeGreaterThan(0);
    expect(fleet.downloads.resumed).toBeGreaterThan(0);
    expect(report.outcome).toBe('PROMOTED');
  });
});

describe('ota-release simulate --mqtt with faults', () => {
  async function cli(...args: string[]): Promise<{ code: number; stderr: string }> {
    const { code, err } = await runCli('simulate', ...args);
    return { code, stderr: err };
  }

  it('rolls back on the agents\' failed self-tests with --fail-rate (exit 3), approvals granted, every agent back on the old version', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ota-sim-mqtt-'));
    // The 2-device canary cannot tell 50 % from 5 % (it holds, and --approve auto promotes it); the 8-device wave can.
    // At 1 ms per virtual second the 30-minute in-progress timeout is 1.8 s: time enough for agents on a busy machine.
    const args = ['--mqtt', '--devices', '20', '--fail-rate', '50%', '--seed', '4', '--time-scale', '0.001', '--quiet', '--json', join(dir, 'report.json')];
    const { code } = await cli(join(FIXTURES, 'small-fleet.yaml'), ...args);

    expect(code).toBe(3);
    const report = JSON.parse(await readFile(join(dir, 'report.json'), 'utf8'));
    expect(report).toMatchObject({ outcome: 'ROLLED_BACK', fleet: { kind: 'mqtt', devices: 20, versions: { '1.0.0': 20 } } });
    // Rolled back by the judge on the agents' reports, not by a refused approval (--approve auto grants every HOLD).
    expect(report.decisions.some((d: { kind: string; judgement?: { verdict: string } }) => d.kind === 'verdict' && d.judgement?.verdict === 'ROLLBACK')).toBe(true);
    expect(report.exposure.exposed).toBeGreaterThan(0);
  });
});
