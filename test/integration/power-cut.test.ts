// Real power cuts: the agent runs as its own process (the real composition root, over MQTT to a loopback broker) and
// is SIGKILLed at a seeded random moment after each step of an install begins: erasing the slot, downloading and
// writing, a download checkpoint, verifying, marking the slot ready, switching the boot marker, rebooting, the first
// boot's self-test, committing, reporting. Then it is powered on again as a new process. Wherever the cut landed,
// it must boot a verified slot, leave no trial pending, and the job's one final report must say what it runs.
// Bounded for CI: one seed per step (OTA_POWER_CUT_SEEDS=n runs n); each process is an esbuild bundle that starts fast.
import { jest } from '@jest/globals';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BootMarker, SlotRecord } from '#device/slots.ts';
import { JobsMqttBridge } from '#local/mqtt/jobs-bridge.ts';
import { ThingCredentials } from '#local/mqtt/thing-credentials.ts';
import { Harness, THING } from '../unit/device/agent-harness.ts';
import { imageBytes, seeded, sha256Hex, signImage } from '../unit/device/support.ts';
import { AgentProcess } from './power-cut/agent-process-handle.ts';

const STEPS = ['erase', 'download', 'download-checkpoint', 'verify', 'mark-ready', 'set-boot-marker', 'reboot', 'self-test', 'commit', 'report'] as const;
const SEEDS = Math.max(1, Number(process.env.OTA_POWER_CUT_SEEDS ?? 1));
const IMAGE_BYTES = 6 * 1024 * 1024; // past one 4 MiB download checkpoint
const NEW_VERSION = '2.0.0';
const CASES = STEPS.flatMap((step, index) => Array.from({ length: SEEDS }, (_, seed) => [step, seed + 1, index] as const));

jest.setTimeout(120_000);
let work: string;
let bundle: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'ota-power-cut-'));
  bundle = join(work, 'agent-process.mjs');
  const esbuild = await import('esbuild');
  await esbuild.build({
    entryPoints: [new URL('./power-cut/agent-process.ts', import.meta.url).pathname],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile: bundle,
    // mqtt.js and its dependencies still call require(); give the ESM bundle one.
    banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
    logLevel: 'silent',
  });
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

/** A 6 MiB image from a seeded 64 KiB block stamped with its index: deterministic, and quick to make. */
function largeImage(harness: Harness, seed: number) {
  const block = imageBytes(64 * 1024, seed);
  const bytes = Buffer.alloc(IMAGE_BYTES);
  for (let offset = 0, index = 0; offset < IMAGE_BYTES; offset += block.length, index++) {
    block.copy(bytes, offset);
    bytes.writeUInt32BE(index, offset);
  }
  const path = `/firmware/${NEW_VERSION}-${seed}.bin`;
  harness.server.put(path, bytes);
  return { version: NEW_VERSION, url: harness.server.url(path), sha256: sha256Hex(bytes), size: IMAGE_BYTES, signature: signImage(bytes, harness.keys.privateKey) };
}

async function readJson<T>(path: string): Promise<T> {
  return JSON.parse(await readFile(path, 'utf8')) as T;
}

describe('power cuts in a real agent process', () => {
  it.each(CASES)('boots a verified slot and reports the truth after a cut during %s (seed %i)', async (step, seed, index) => {
    const harness = await Harness.create();
    const credentials = ThingCredentials.generate();
    const bridge = await JobsMqttBridge.start({ dataPlane: harness.cloud, credentials });
    try {
      const configFile = join(harness.dir, '..', `${THING}-${step}-${seed}.json`);
      await writeFile(join(harness.dir, 'signing.pub.pem'), harness.keys.publicKeyPem);
      const passwordFile = await credentials.writeSecret(harness.dir, THING);
      await writeFile(
        configFile,
        JSON.stringify({ thingName: THING, broker: { kind: 'mqtt', url: bridge.url, passwordFile }, stateDir: harness.dir, publicKeyFile: join(harness.dir, 'signing.pub.pem'), factoryVersion: '1.0.0', reconnect: { minDelay: 1, maxDelay: 1 } }),
      );
      const image = largeImage(harness, seed);
      harness.cloud.addJob(THING, 'job-1', () => harness.document(image));
      // Where in (or after) the step the power goes: a seeded delay, longer for the step that streams megabytes.
      const random = seeded(seed * 1000 + index);
      const delayMs = Math.floor(random() * (step === 'download' ? 40 : 3));
      const first = AgentProcess.start(bundle, configFile);
      await first.until((line) => line.step === step || line.idle === true);
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      await first.kill();
      const second = AgentProcess.start(bundle, configFile);
      const idle = await second.until((line) => line.idle === true);
      await second.end();

      expect(first.steps).toContain(step);
      expect(await first.exited).toEqual({ code: null, signal: 'SIGKILL' });
      // A verified slot is running, and nothing is left on trial.
      const marker = await readJson<BootMarker>(join(harness.dir, 'boot.json'));
      const record = await readJson<SlotRecord>(join(harness.dir, `slot-${marker.active}.json`));
      expect(marker.trial).toBeUndefined();
      expect(record).toMatchObject({ state: 'READY', version: idle.runningVersion });
      if (record.sha256 !== undefined) {
        expect(createHash('sha256').update(await readFile(join(harness.dir, `slot-${marker.active}.img`))).digest('hex')).toBe(record.sha256);
      }
      // One final report, and it tells the truth about what runs.
      const finals = harness.cloud.finalStatuses(THING);
      expect(finals).toHaveLength(1);
      expect(finals[0]).toMatchObject({ jobId: 'job-1', status: idle.runningVersion === NEW_VERSION ? 'SUCCEEDED' : 'FAILED', statusDetails: expect.objectContaining({ runningVersion: idle.runningVersion }) });
      expect((await readJson<{ current?: unknown }>(join(harness.dir, 'journal.json'))).current).toBeUndefined();
    } finally {
      await bridge.close();
      await harness.close();
    }
  });
});
