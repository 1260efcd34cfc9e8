// An agent run by hand joins `simulate --mqtt`: a thing added with --extra-thing that no in-process agent plays, the
// broker's URL from the fleet, the signer's public key as the state directory holds it, and the agent's own
// composition root (runAgent), as `ota-release agent --config` runs it.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AgentConfig } from '#device/config.ts';
import { runAgent, type RunningAgent } from '#device/run-agent.ts';
import { createLocalCloud } from '#local/local-cloud.ts';
import { createMqttFleet } from '#local/mqtt/mqtt-fleet.ts';
import { saveSignerPublicKey } from '#local/state-dir.ts';
import { FIXTURES, loadRelease } from './simulation-harness.ts';

const TIME_SCALE = 0.002;
const EXTERNAL = 'my-gateway';

describe('an agent run by hand against simulate --mqtt', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ota-external-agent-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('takes part in the release as an extra thing and ends on the new version', async () => {
    const request = await loadRelease('small-fleet.yaml', (release) => ({
      ...release,
      stages: [{ ...release.stages[0]!, targets: { percent: 100 }, bake: 600 }],
      health: { ...release.health, minExecuted: 1, maxFailureRate: 0.5, unacceptableFailureRate: 0.75, hardFailureRate: 0.6, maxExtensions: 1 },
    }));
    let external: RunningAgent | undefined;
    let joined: Promise<RunningAgent> | undefined;
    let brokerUrl = '';
    const fleet = await createMqttFleet({
      devices: 5,
      timeScale: TIME_SCALE,
      release: request,
      seed: 5,
      brokerPort: 0,
      externalThings: [EXTERNAL],
      onBrokerReady: (url) => {
        brokerUrl = url;
        joined = (async () => {
          const stateDir = join(dir, 'agent');
          const publicKeyPem = await readFile(join(dir, 'signer-public.pem'), 'utf8');
          const config = AgentConfig.parse({ thingName: EXTERNAL, broker: { kind: 'mqtt', url }, stateDir, publicKeyFile: 'unused', factoryVersion: request.firmware.previousVersion });
          return runAgent({ config, stateDir, publicKeyPem });
        })();
      },
    });
    const cloud = await createLocalCloud({ fleet, baseDir: FIXTURES, seed: 5, timeScale: TIME_SCALE, approve: 'reject' });
    await saveSignerPublicKey(cloud.signer.publicKeyPem, dir);
    try {
      const report = await cloud.runRelease(request);
      external = await joined;
      await external!.agent.whenIdle();

      expect(brokerUrl).toMatch(/^mqtt:\/\/127\.0\.0\.1:\d+$/);
      expect(report.outcome).toBe('PROMOTED');
      expect(cloud.things.indexOf(EXTERNAL)).toBeDefined();
      expect(external!.agent.runningVersion).toBe(request.firmware.version);
      expect(report.fleet).toMatchObject({ devices: 6, versions: { [request.firmware.version]: 6 } });
    } finally {
      await external?.stop();
      await cloud.close();
    }
  });
});
