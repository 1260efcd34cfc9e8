// The seam between the embedded cloud and whatever plays the devices. Two implementations:
// - the simulated fleet (src/local/fleet/simulated-fleet.ts): N devices as compact state on the virtual clock,
//   driven through the engine's bulk path with the same statuses, counters and events as the data plane;
// - real device agents over MQTT (src/local/mqtt, the device-agent area): an aedes bridge maps the IoT Jobs
//   topics onto `context.dataPlane`, and the agents download from the loopback firmware server.
// The local cloud calls, in order: `provision` (before the release starts, so stage targets resolve),
// `start` (after the engine, clock and firmware store exist), then `stop` when the release has ended.
import type { ReleaseRequest } from '#domain/release-request.ts';
import type { JobsDataPlane } from '../iot-jobs/data-plane.ts';
import type { JobsEngine } from '../iot-jobs/engine.ts';
import type { LocalHealthMetrics } from '../health/health-metrics.ts';
import type { ThingRegistry } from '../iot-jobs/things.ts';
import type { Scheduler } from '../time/scheduler.ts';

/** What a fleet gets to work with once the local cloud is up. */
export interface FleetContext {
  /** The device-side IoT Jobs API: what an MQTT bridge serves to real agents. */
  dataPlane: JobsDataPlane;
  /** The engine itself, for a fleet that takes its bulk path (the simulated fleet). */
  engine: JobsEngine;
  /** The shared clock. Schedule with it; never with setTimeout in virtual mode. */
  scheduler: Scheduler;
  things: ThingRegistry;
  /** Where devices' health reports go (a real agent's through the MQTT bridge) and where a simulated fleet answers for its devices. */
  health: LocalHealthMetrics;
  release: ReleaseRequest;
  /** Reads an image the job document points at (a `file://` or loopback URL's path) — for a firmware server. */
  readFirmware(path: string): Promise<Uint8Array>;
  /** PEM of the local signing key's public half, for agents that check signatures. */
  signerPublicKeyPem: string;
}

export interface FleetStats {
  /** Devices in the fleet. */
  devices: number;
  /** Devices that ever installed and booted the release's new version, even if they later went back. */
  exposed: number;
  /** Devices running each firmware version now. */
  versions: Record<string, number>;
  /** Device-side actions so far (start, progress, final report): the simulator's unit of work. */
  deviceEvents: number;
}

export interface FleetDriver {
  /** Shown in output: `simulated` or `mqtt`. */
  readonly kind: string;
  /**
   * The clock the fleet needs: the simulated fleet lives in virtual time; real agents act on the wall clock and
   * need scaled real time (`--time-scale`), with bakes and timeouts shrunk to match.
   */
  readonly timeMode: 'virtual' | 'scaled';
  /** Registers the fleet's things and their thing groups; called once, before the release starts. */
  provision(things: ThingRegistry, release: ReleaseRequest): void | Promise<void>;
  /** Starts playing the devices. */
  start(context: FleetContext): Promise<void>;
  /**
   * Things that will never act again (never connected, gone dark), when the fleet knows. Their QUEUED executions
   * cannot change, so the local cloud stops waiting for them once the release has ended. A fleet on the virtual
   * clock needs none: a clock with nothing scheduled says the same.
   */
  unreachable?(): ReadonlySet<string>;
  /** Stops the devices and frees what they hold (sockets, servers). Safe to call twice. */
  stop(): Promise<void>;
  stats(): FleetStats;
}
