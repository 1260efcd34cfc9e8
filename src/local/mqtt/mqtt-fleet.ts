// The MQTT fleet driver: N real device agents in this process, each with its own MQTT connection to the embedded
// broker (the aedes bridge over the engine's data plane), its own A/B slot directory in a temporary folder, real
// downloads from the loopback firmware server and real signature checks against the local signer's key. Time is
// scaled real time; presigned URLs expire after the documented default hour of *virtual* time. A fault profile is
// played by the agents, their network and their firmware server (agent-faults.ts says how), never pretended.
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DeviceAgent } from '#device/agent.ts';
import { HealthJournal } from '#device/health-journal.ts';
import { HealthReporter, runHealthReports } from '#device/health-reporter.ts';
import { Journal } from '#device/journal.ts';
import { MqttJobsClient } from '#device/mqtt-jobs-client.ts';
import { SlotStore } from '#device/slots.ts';
import { pinPublicKey } from '#device/verifier.ts';
import type { JobExecution, JobsClient } from '#device/jobs-client.ts';
import type { ReleaseRequest } from '#domain/release-request.ts';
import { LocalOptionsError } from '../errors.ts';
import { FirmwareServer } from '../firmware-server.ts';
import { faultProfile, type FaultProfile } from '../fleet/fault-profiles.ts';
import type { FleetContext, FleetDriver, FleetStats } from '../fleet/fleet-driver.ts';
import { targetOfDocument } from '../fleet/job-target.ts';
import { placeDevices } from '../fleet/placement.ts';
import type { ThingRegistry } from '../iot-jobs/things.ts';
import { AgentHealth } from './agent-health.ts';
import { agentFaultsOf, cutOf, deviceFaultsOf, type AgentFaults, type DeviceFaults } from './agent-faults.ts';
import { CompatibilityCheckedJobs } from './compatibility-check.ts';
import { JobsMqttBridge } from './jobs-bridge.ts';
import { ThingCredentials } from './thing-credentials.ts';

export interface MqttFleetOptions {
  devices: number;
  /** Real seconds per virtual second (the scheduler owns time; this scales the agents' own retry pauses). */
  timeScale: number;
  release: ReleaseRequest;
  seed: number;
  prefix?: string;
  /** How the devices behave with the new version (default healthy); refused if real agents cannot show it. */
  profile?: FaultProfile;
  /** Agents connected at a time while starting. */
  connectBatch?: number;
  /** The embedded broker's port on 127.0.0.1 (default: any free port). */
  brokerPort?: number;
  /**
   * Things added to the fleet's groups that no agent here plays: agents run by hand (`ota-release agent`) take
   * their part. The release starts only once each has connected.
   */
  externalThings?: readonly string[];
  /**
   * Where each external thing's broker password is written (`<dir>/things/<thing>.secret`, owner-only) before the
   * fleet waits for it: the agent's `broker.passwordFile`. Without it an external thing cannot connect.
   */
  secretsDir?: string;
  /** Called once the broker listens, before waiting for the external things (to say where to connect, and with what). */
  onBrokerReady?: (url: string, waitingFor: readonly string[], secretFiles: readonly string[]) => void;
  /** Called as each external thing connects (the release starts after the last one). */
  onExternalConnected?: (thing: string) => void;
  /** Stops the wait for external things (an interrupted simulation). */
  signal?: AbortSignal;
}

const PRESIGNED = /^\$\{aws:iot:s3-presigned-url:(.+)\}$/;
const URL_LIFETIME_MS = 3600 * 1000;
/** The query parameter that tells the firmware server which device is downloading (for per-device faults). */
const DEVICE_PARAM = 'X-Device';

/** Throws LocalOptionsError, before anything starts, for a profile real agents cannot play. */
export async function createMqttFleet(options: MqttFleetOptions): Promise<MqttFleet> {
  return new MqttFleet(options);
}

interface Device {
  name: string;
  faults: DeviceFaults;
  agent?: DeviceAgent;
  jobs?: JobsClient;
  /** Stops its health reports. */
  stopReports?: () => void;
  /** Went dark after booting the new image: its connection is closed and its agent hangs in the self-test. */
  dark?: boolean;
}

export class MqttFleet implements FleetDriver {
  readonly kind = 'mqtt';
  readonly timeMode = 'scaled' as const;
  private devices: Device[] = [];
  private readonly exposed = new Set<string>();
  /** Image GETs the firmware server answered for the agents: how many continued from an offset, how many it cut. */
  readonly downloads = { requests: 0, resumed: 0, cut: 0 };
  private server: FirmwareServer | undefined;
  private bridge: JobsMqttBridge | undefined;
  private root: string | undefined;
  private readonly published = new Map<string, Promise<string>>();
  /** Firmware-server paths of the release's new image: the only downloads that fail for good. */
  private readonly newImagePaths = new Set<string>();
  private readonly downloadRequests = new Map<string, number>();
  private readonly indexOf = new Map<string, number>();
  /** Compatibility checks still taking their time; each ends early (false) when the fleet stops. */
  private readonly checks = new Set<() => void>();
  private readonly faults: AgentFaults;
  /** Devices that will never act again: offline for good, or dark. */
  private readonly gone = new Set<string>();
  /** What each external thing last said it runs (statusDetails.runningVersion of its requests). */
  private readonly externalVersions = new Map<string, string>();
  private readonly stopping = new AbortController();
  /** Each thing's broker password; an agent run by hand gets its thing's from `secretFor` (written out by the CLI). */
  readonly credentials = ThingCredentials.generate();
  private stopped = false;

  constructor(private readonly options: MqttFleetOptions) {
    this.faults = agentFaultsOf(options.profile ?? faultProfile('healthy'));
  }

  /** The broker's URL once started (for an agent run by hand against this fleet's cloud). */
  get brokerUrl(): string | undefined {
    return this.bridge?.url;
  }

  provision(things: ThingRegistry, release: ReleaseRequest): void {
    const groupsOf = placeDevices(release, this.options.devices, this.options.seed);
    const prefix = this.options.prefix ?? 'device';
    const { first, count } = things.addNumbered(prefix, this.options.devices, groupsOf);
    this.devices = Array.from({ length: count }, (_, n) => ({ name: things.nameOf(first + n), faults: deviceFaultsOf(this.faults, this.options.seed, n) }));
    this.devices.forEach((device, n) => {
      this.indexOf.set(device.name, n);
      if (device.faults.offline) this.gone.add(device.name);
    });
    const taken = new Set(this.devices.map((device) => device.name));
    for (const name of this.options.externalThings ?? []) {
      if (taken.has(name)) throw new LocalOptionsError(`--extra-thing ${name} is already one of the simulated agents; choose a name outside ${prefix}-NNNNNN`);
      things.add(name, release.fleet.thingGroups);
      this.externalVersions.set(name, release.firmware.previousVersion);
    }
  }

  async start(context: FleetContext): Promise<void> {
    const now = () => context.scheduler.now().getTime();
    this.server = await FirmwareServer.start({ now });
    this.server.faults.cutAfter = ({ path, rangeStart, bodyBytes, query }) => {
      const cut = this.cutAfter(path, bodyBytes, query);
      this.downloads.requests += 1;
      if (rangeStart > 0) this.downloads.resumed += 1;
      if (cut !== undefined) this.downloads.cut += 1;
      return cut;
    };
    this.bridge = await JobsMqttBridge.start({
      dataPlane: context.dataPlane,
      now,
      ...(this.options.brokerPort === undefined ? {} : { port: this.options.brokerPort }),
      credentials: this.credentials,
      presign: (thing, document) => this.presign(thing, document, context),
      observe: (thing, _operation, request) => this.observe(thing, request, context),
      health: context.health,
    });
    this.root = await mkdtemp(join(tmpdir(), 'ota-mqtt-fleet-'));
    const publicKey = pinPublicKey(context.signerPublicKeyPem, 'the local signer key');
    const batch = this.options.connectBatch ?? 50;
    // Offline devices never connect: their executions stay QUEUED, as the stragglers profile says.
    const online = this.devices.filter((device) => !device.faults.offline);
    for (let from = 0; from < online.length && !this.stopped; from += batch) {
      await Promise.all(online.slice(from, from + batch).map((device) => this.startDevice(device, publicKey, context)));
    }
    const external = this.options.externalThings ?? [];
    const { secretsDir } = this.options;
    const secretFiles = secretsDir === undefined ? [] : await Promise.all(external.map((name) => this.credentials.writeSecret(secretsDir, name)));
    this.options.onBrokerReady?.(this.bridge.url, external, secretFiles);
    const signal = this.options.signal ? AbortSignal.any([this.options.signal, this.stopping.signal]) : this.stopping.signal;
    for (const name of external) {
      if (await this.bridge.whenConnected(name, signal)) this.options.onExternalConnected?.(name);
    }
  }

  /** An external thing's own word on what it runs: the exposure and versions the report shows for it. */
  private observe(thing: string, request: Record<string, unknown>, context: FleetContext): void {
    if (!this.externalVersions.has(thing)) return;
    const details = request.statusDetails as Record<string, unknown> | undefined;
    const running = details?.runningVersion;
    if (typeof running !== 'string') return;
    this.externalVersions.set(thing, running);
    if (running === context.release.firmware.version) this.exposed.add(thing);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.stopping.abort();
    for (const endCheck of [...this.checks]) endCheck();
    for (const device of this.devices) device.stopReports?.();
    // Connections first: pending requests fail at once, so no agent waits out a request timeout, and nothing reconnects.
    await Promise.all(this.devices.map((device) => device.jobs?.close().catch(() => undefined)));
    // A dark device's agent never comes back from its self-test: there is nothing to wait for.
    await Promise.all(this.devices.map((device) => (device.dark ? undefined : device.agent?.stop())));
    await this.bridge?.close();
    await this.server?.close();
    this.bridge = undefined;
    this.server = undefined;
    if (this.root) await rm(this.root, { recursive: true, force: true });
    this.root = undefined;
  }

  unreachable(): ReadonlySet<string> {
    return this.gone;
  }

  stats(): FleetStats {
    const versions: Record<string, number> = {};
    for (const device of this.devices) {
      const version = device.agent ? device.agent.runningVersion : this.options.release.firmware.previousVersion;
      versions[version] = (versions[version] ?? 0) + 1;
    }
    for (const version of this.externalVersions.values()) versions[version] = (versions[version] ?? 0) + 1;
    const served = this.bridge?.served;
    const deviceEvents = served ? served['start-next'] + served.update + served.describe + served['get-pending'] : 0;
    return { devices: this.devices.length + this.externalVersions.size, exposed: this.exposed.size, versions, deviceEvents };
  }

  private async startDevice(device: Device, publicKey: ReturnType<typeof pinPublicKey>, context: FleetContext): Promise<void> {
    const dir = join(this.root as string, device.name);
    const newVersion = context.release.firmware.version;
    const broker = { kind: 'mqtt', url: (this.bridge as JobsMqttBridge).url, password: this.credentials.secretFor(device.name) } as const;
    const connection = await MqttJobsClient.connect({ thingName: device.name, broker, requestTimeoutMs: 30_000 });
    const slots = new SlotStore(dir, { factoryVersion: context.release.firmware.previousVersion });
    const { rejectAfterSeconds } = device.faults;
    const jobs: JobsClient =
      rejectAfterSeconds === undefined
        ? connection
        : new CompatibilityCheckedJobs(connection, {
            refuses: (execution: JobExecution) => targetOfDocument(execution.jobDocument ?? '') === newVersion,
            takeTime: () => this.takeTime(rejectAfterSeconds, context),
            runningVersion: () => slots.running.version,
          });
    const timeScale = this.options.timeScale;
    const journal = await Journal.open(dir);
    const reporter = this.healthReporter(device, connection, slots, journal, context);
    const agent = new DeviceAgent({
      jobs,
      slots,
      journal,
      ...(reporter
        ? {
            onDocument: (jobId: string, document: Parameters<HealthReporter['instructed']>[1]) => reporter.instructed(jobId, document),
            onOutcome: (jobId: string, outcome: Parameters<HealthReporter['outcome']>[1]) => void reporter.outcome(jobId, outcome),
          }
        : {}),
      publicKey,
      // The device clock that checks manifest expiry is the fleet's (virtual) one.
      now: () => context.scheduler.now().getTime(),
      // The agent's pauses between download attempts live in the fleet's scaled time, like every other wait.
      download: { minBytesPerSecond: 1024, stallWindowMs: 30_000, maxAttemptsWithoutProgress: 8, retryDelayMs: (attempt) => Math.min(5000, 200 * 2 ** attempt) * timeScale },
      hooks: {
        selfTest: async (running) => {
          if (running.version !== newVersion) return { ok: true };
          this.exposed.add(device.name);
          if (device.faults.goesDark) return this.goDark(device);
          return device.faults.failsSelfTest ? { ok: false, detail: 'simulated boot failure' } : { ok: true };
        },
      },
    });
    device.jobs = jobs;
    device.agent = agent;
    await agent.start();
    if (reporter) device.stopReports = runHealthReports(reporter, (ms, run) => {
      const timer = context.scheduler.after(ms, run);
      return () => context.scheduler.cancel(timer);
    });
  }

  /**
   * A release with health gates gets health reports from every agent, updated or not (the ones not updated are its
   * control), on the fleet's clock. A device's process stands for the whole machine: its boot id never changes, and
   * its crashes and silence are the fault profile's (agent-health.ts).
   */
  private healthReporter(device: Device, connection: MqttJobsClient, slots: SlotStore, journal: Journal, context: FleetContext): HealthReporter | undefined {
    const { release } = context;
    if (release.health.gates.length === 0) return undefined;
    const bootedAt = context.scheduler.now().getTime();
    const running = () => {
      try {
        return { version: slots.running.version, slot: slots.running.slot };
      } catch {
        return undefined; // not booted yet
      }
    };
    const played = new AgentHealth({ behaviour: this.options.profile?.health ?? faultProfile('healthy').health, newVersion: release.firmware.version, seed: this.options.seed, device: this.indexOf.get(device.name) ?? 0, now: () => context.scheduler.now().getTime() });
    return new HealthReporter({
      thingName: device.name,
      product: release.product,
      journal: HealthJournal.inMemory(),
      facts: {
        bootId: async () => `${device.name}-boot`,
        uptimeSeconds: () => (context.scheduler.now().getTime() - bootedAt) / 1000,
        crashCount: async () => played.crashCount(running()?.version),
      },
      running,
      // A dark device has dropped off the network, and one that never came back stays silent: no more reports.
      busy: () => device.dark === true || played.silent(running()?.version) || journal.current !== undefined,
      publish: (topic, payload) => connection.publish(topic, payload),
      now: () => context.scheduler.now().getTime(),
      mode: 'always',
      reportEverySeconds: release.health.reportEvery,
      warmUpSeconds: release.health.warmUp,
    });
  }

  /** The device runs the new image and then drops off the network for good: it never reports again. */
  private async goDark(device: Device): Promise<never> {
    device.dark = true;
    this.gone.add(device.name);
    await device.jobs?.close().catch(() => undefined);
    return new Promise<never>(() => undefined);
  }

  /** Waits `seconds` of the fleet's (scaled) time; false if the fleet stops first. */
  private takeTime(seconds: number, context: FleetContext): Promise<boolean> {
    if (this.stopped) return Promise.resolve(false);
    return new Promise((resolve) => {
      const end = (done: boolean) => {
        this.checks.delete(stop);
        resolve(done);
      };
      const stop = () => {
        context.scheduler.cancel(timer);
        end(false);
      };
      const timer = context.scheduler.after(seconds * 1000, () => end(true));
      this.checks.add(stop);
    });
  }

  /** Where the firmware server drops this GET: a device's failing download at once, a flaky network at random. */
  private cutAfter(path: string, bodyBytes: number, query: URLSearchParams): number | undefined {
    const device = this.indexOf.get(query.get(DEVICE_PARAM) ?? '');
    if (device === undefined) return undefined; // not one of ours (an agent run by hand)
    const newImage = this.newImagePaths.has(path);
    if (newImage && this.devices[device]!.faults.failsDownload) return 0;
    const key = `${device} ${path}`;
    const request = this.downloadRequests.get(key) ?? 0;
    this.downloadRequests.set(key, request + 1);
    return cutOf(this.faults, this.options.seed, device, newImage ? 0 : 1, request, bodyBytes);
  }

  /**
   * Rewrites the document's image URLs to this fleet's firmware server, signed for an hour of virtual time and
   * naming the device, as IoT Jobs presigns per device.
   */
  private async presign(thing: string, document: string, context: FleetContext): Promise<string> {
    let parsed: Record<string, unknown>;
    try {
      parsed = JSON.parse(document) as Record<string, unknown>;
    } catch {
      return document;
    }
    const expiresAt = context.scheduler.now().getTime() + URL_LIFETIME_MS;
    const installsNewVersion = targetOfDocument(document) === context.release.firmware.version;
    const sign = async (url: string, installed: boolean) => {
      const path = await this.publish(url, context);
      if (installed && installsNewVersion) this.newImagePaths.add(path);
      const signed = new URL((this.server as FirmwareServer).url(path, { expiresAt }));
      signed.searchParams.set(DEVICE_PARAM, thing);
      return signed.href;
    };
    if (typeof parsed.firmwareUrl === 'string') parsed.firmwareUrl = await sign(parsed.firmwareUrl, true);
    if (typeof parsed.rollbackUrl === 'string') parsed.rollbackUrl = await sign(parsed.rollbackUrl, false);
    const location = parsed.location as Record<string, unknown> | undefined;
    if (location && typeof location.url === 'string') {
      const signed = new URL(await sign(location.url, true));
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
}
