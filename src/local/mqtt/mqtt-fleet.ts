// The MQTT fleet driver: N real device agents in this process, each with its own MQTT connection to the embedded
// broker (the aedes bridge over the engine's data plane), its own A/B slot directory in a temporary folder, real
// downloads from the loopback firmware server and real signature checks against the local signer's key. Time is
// scaled real time; presigned URLs expire after the documented default hour of *virtual* time.
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DeviceAgent } from '#device/agent.ts';
import { Journal } from '#device/journal.ts';
import { MqttJobsClient } from '#device/mqtt-jobs-client.ts';
import { SlotStore } from '#device/slots.ts';
import { pinPublicKey } from '#device/verifier.ts';
import type { ReleaseRequest } from '#domain/release-request.ts';
import { FirmwareServer } from '../firmware-server.ts';
import type { FleetContext, FleetDriver, FleetStats } from '../fleet/fleet-driver.ts';
import { placeDevices } from '../fleet/placement.ts';
import type { ThingRegistry } from '../iot-jobs/things.ts';
import { JobsMqttBridge } from './jobs-bridge.ts';

export interface MqttFleetOptions {
  devices: number;
  /** Real seconds per virtual second (used for the presigned-URL lifetime only; the scheduler owns time). */
  timeScale: number;
  release: ReleaseRequest;
  seed: number;
  prefix?: string;
  /** Share of devices whose new image fails its self-test (seeded), to watch real rollbacks. */
  selfTestFailRate?: number;
  /** Agents connected at a time while starting. */
  connectBatch?: number;
}

const PRESIGNED = /^\$\{aws:iot:s3-presigned-url:(.+)\}$/;
const URL_LIFETIME_MS = 3600 * 1000;

export async function createMqttFleet(options: MqttFleetOptions): Promise<MqttFleet> {
  return new MqttFleet(options);
}

interface Device {
  name: string;
  agent?: DeviceAgent;
  jobs?: MqttJobsClient;
}

export class MqttFleet implements FleetDriver {
  readonly kind = 'mqtt';
  readonly timeMode = 'scaled' as const;
  private devices: Device[] = [];
  private readonly exposed = new Set<string>();
  private server: FirmwareServer | undefined;
  private bridge: JobsMqttBridge | undefined;
  private root: string | undefined;
  private readonly published = new Map<string, Promise<string>>();
  private stopped = false;

  constructor(private readonly options: MqttFleetOptions) {}

  /** The broker's URL once started (for an agent run by hand against this fleet's cloud). */
  get brokerUrl(): string | undefined {
    return this.bridge?.url;
  }

  provision(things: ThingRegistry, release: ReleaseRequest): void {
    const groupsOf = placeDevices(release, this.options.devices, this.options.seed);
    const prefix = this.options.prefix ?? 'device';
    const { first, count } = things.addNumbered(prefix, this.options.devices, groupsOf);
    this.devices = Array.from({ length: count }, (_, n) => ({ name: things.nameOf(first + n) }));
  }

  async start(context: FleetContext): Promise<void> {
    const now = () => context.scheduler.now().getTime();
    this.server = await FirmwareServer.start({ now });
    this.bridge = await JobsMqttBridge.start({ dataPlane: context.dataPlane, now, presign: (_thing, document) => this.presign(document, context) });
    this.root = await mkdtemp(join(tmpdir(), 'ota-mqtt-fleet-'));
    const publicKey = pinPublicKey(context.signerPublicKeyPem, 'the local signer key');
    const batch = this.options.connectBatch ?? 50;
    for (let from = 0; from < this.devices.length && !this.stopped; from += batch) {
      await Promise.all(this.devices.slice(from, from + batch).map((device, offset) => this.startDevice(device, from + offset, publicKey, context)));
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    // Connections first: pending requests fail at once, so no agent waits out a request timeout, and nothing reconnects.
    await Promise.all(this.devices.map((device) => device.jobs?.close().catch(() => undefined)));
    await Promise.all(this.devices.map((device) => device.agent?.stop()));
    await this.bridge?.close();
    await this.server?.close();
    this.bridge = undefined;
    this.server = undefined;
    if (this.root) await rm(this.root, { recursive: true, force: true });
    this.root = undefined;
  }

  stats(): FleetStats {
    const versions: Record<string, number> = {};
    for (const device of this.devices) {
      const version = device.agent ? device.agent.runningVersion : this.options.release.firmware.previousVersion;
      versions[version] = (versions[version] ?? 0) + 1;
    }
    const served = this.bridge?.served;
    const deviceEvents = served ? served['start-next'] + served.update + served.describe + served['get-pending'] : 0;
    return { devices: this.devices.length, exposed: this.exposed.size, versions, deviceEvents };
  }

  private async startDevice(device: Device, index: number, publicKey: ReturnType<typeof pinPublicKey>, context: FleetContext): Promise<void> {
    const dir = join(this.root as string, device.name);
    const jobs = await MqttJobsClient.connect({ thingName: device.name, broker: { kind: 'mqtt', url: (this.bridge as JobsMqttBridge).url }, requestTimeoutMs: 30_000 });
    const failsSelfTest = this.draw(index) < (this.options.selfTestFailRate ?? 0);
    const slots = new SlotStore(dir, { factoryVersion: context.release.firmware.previousVersion });
    const agent = new DeviceAgent({
      jobs,
      slots,
      journal: await Journal.open(dir),
      publicKey,
      download: { minBytesPerSecond: 1024, stallWindowMs: 30_000, maxAttemptsWithoutProgress: 8 },
      hooks: {
        selfTest: async (running) => {
          if (running.version === context.release.firmware.version) this.exposed.add(device.name);
          return failsSelfTest && running.version === context.release.firmware.version ? { ok: false, detail: 'simulated boot failure' } : { ok: true };
        },
      },
    });
    device.jobs = jobs;
    device.agent = agent;
    await agent.start();
  }

  /** Rewrites the document's image URLs to this fleet's firmware server, signed for an hour of virtual time. */
  private async presign(document: string, context: FleetContext): Promise<string> {
    let parsed: Record<string, unknown>;
    try {
      parsed = JSON.parse(document) as Record<string, unknown>;
    } catch {
      return document;
    }
    const expiresAt = context.scheduler.now().getTime() + URL_LIFETIME_MS;
    const sign = async (url: unknown) => (typeof url === 'string' ? (this.server as FirmwareServer).url(await this.publish(url, context), { expiresAt }) : url);
    if (typeof parsed.firmwareUrl === 'string') parsed.firmwareUrl = await sign(parsed.firmwareUrl);
    if (typeof parsed.rollbackUrl === 'string') parsed.rollbackUrl = await sign(parsed.rollbackUrl);
    const location = parsed.location as Record<string, unknown> | undefined;
    if (location && typeof location.url === 'string') {
      const signed = new URL(String(await sign(location.url)));
      Object.assign(location, { url: signed.href, protocol: 'http', host: signed.host, path: `${signed.pathname.slice(1)}${signed.search}` });
    }
    return JSON.stringify(parsed);
  }

  /** Puts the image a document URL names on the firmware server (once) and returns its path there. */
  private publish(url: string, context: FleetContext): Promise<string> {
    const inner = PRESIGNED.exec(url)?.[1] ?? url;
    let known = this.published.get(inner);
    if (!known) {
      known = (async () => {
        const source = inner.startsWith('file://') ? fileURLToPath(inner) : decodeURIComponent(new URL(inner).pathname.split('/').pop() ?? '');
        const bytes = await context.readFirmware(source);
        const path = `/firmware/${createHash('sha256').update(inner).digest('hex').slice(0, 16)}.bin`;
        (this.server as FirmwareServer).put(path, Buffer.from(bytes));
        return path;
      })();
      this.published.set(inner, known);
    }
    return known;
  }

  /** A seeded uniform draw per device, so which devices fail is the same on every run. */
  private draw(index: number): number {
    const digest = createHash('sha256').update(`${this.options.seed}:${index}`).digest();
    return digest.readUInt32BE(0) / 2 ** 32;
  }
}
