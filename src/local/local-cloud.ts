// The embedded cloud in one call: every port on local adapters, the IoT Jobs engine, the event path
// (engine → IoT rule → relay-job-events → bus rules → on-job-event), the ASL runner with the real handlers, and a
// fleet. `runRelease` starts the real workflow and runs the shared clock until the execution ends.
import { readFile } from 'node:fs/promises';
import { DEFAULT_COHORT_ATTRIBUTE } from '#domain/cohort.ts';
import type { ReleaseRequest } from '#domain/release-request.ts';
import { packageFile } from '../package-files.ts';
import type { IotJobsEvent } from '#ports/events.ts';
import type { Ports } from '#ports/index.ts';
import { StalledError } from './errors.ts';
import { LocalFirmwareStore } from './adapters/local-firmware-store.ts';
import { LocalNotifier } from './adapters/local-notifier.ts';
import { LocalSigner } from './adapters/local-signer.ts';
import { MemoryReleaseStore, type ReleaseStoreSnapshot } from './adapters/memory-release-store.ts';
import { wireApprovals, type AnswerInput, type ApproveMode, type PromptApproval } from './approvals.ts';
import { IotRuleRelay, type DeliveryFaults } from './events/iot-rule.ts';
import { LocalEventBus, parseEventRules, type BusEvent } from './events/local-event-bus.ts';
import { spreadCohorts } from './fleet/cohorts.ts';
import type { FleetDriver } from './fleet/fleet-driver.ts';
import { JobsEngine } from './iot-jobs/engine.ts';
import { Exec } from './iot-jobs/execution-status.ts';
import type { JobRecord } from './iot-jobs/job-record.ts';
import { LocalDataPlane } from './iot-jobs/local-data-plane.ts';
import { ControlPlane } from './iot-jobs/control-plane.ts';
import { LocalFleetJobs } from './iot-jobs/local-fleet-jobs.ts';
import { LocalHealthMetrics } from './health/health-metrics.ts';
import { ThingRegistry } from './iot-jobs/things.ts';
import { collectReport, type ReleaseReport } from './report.ts';
import { Scheduler, type TimeMode } from './time/scheduler.ts';
import type { StateMachine } from 'aws-local-stepfunctions';
import { compileDefinition, LocalWorkflow } from './workflow/asl-runner.ts';
import { LocalHandlers } from './workflow/handlers.ts';
import { TaskTokens } from './workflow/task-tokens.ts';

export const DEFAULT_DEFINITION = packageFile('statemachines/staged-release.asl.json');
export const DEFAULT_RULES = packageFile('statemachines/event-rules.json');
const RELAY = 'relayJobEvents';

export interface LocalCloudOptions {
  fleet: FleetDriver;
  /** Relative firmware paths in the release resolve against this directory. */
  baseDir: string;
  /** Seeds event delivery faults (the fleet has its own seed). */
  seed?: number;
  /** Scaled real time (required when the fleet's timeMode is `scaled`): real seconds per virtual second. */
  timeScale?: number;
  /** Virtual start time; default 2026-01-01T00:00:00Z so runs are reproducible (scaled time: the real now). */
  startTime?: Date;
  delivery?: Omit<DeliveryFaults, 'seed'>;
  approve?: ApproveMode;
  prompt?: PromptApproval;
  /** Overrides how approvals are answered (tests); default: the answer-approval use case. */
  answer?: (input: AnswerInput) => Promise<void>;
  definitionPath?: string;
  rulesPath?: string;
  /** A saved store to start from (`--state-dir`). */
  state?: ReleaseStoreSnapshot;
  /** Scaled time only: discount the real time the process is behind (default true; false for the lag benchmark's baseline). */
  followLag?: boolean;
  /** The release store to use (default: in memory); `simulate --keep` passes one that writes every change durably. */
  store?: (clock: Scheduler) => MemoryReleaseStore;
  /** Where agents download firmware from (an MQTT fleet's firmware server). */
  downloadOrigin?: string;
  /**
   * After the workflow ends, keep the clock running until the jobs it left behind (a rollback job, executions still in
   * progress) have finished, so the report shows where the fleet ended up. Default true.
   */
  drain?: boolean;
  /** The workflow and event rules already loaded and compiled (`loadBlueprint`), for a process that builds many clouds. */
  blueprint?: CloudBlueprint;
}

/** What every cloud of one process can share: the parsed and validated workflow, and the event rules. */
export interface CloudBlueprint {
  definition: { States: Record<string, unknown>; StartAt: string };
  machine: StateMachine;
  rules: ReturnType<typeof parseEventRules>;
}

/** Reads, parses and validates the workflow and the event rules once; `assess` shares them across hundreds of runs. */
export async function loadBlueprint(options: Pick<LocalCloudOptions, 'definitionPath' | 'rulesPath'> = {}): Promise<CloudBlueprint> {
  const definition = JSON.parse(await readFile(options.definitionPath ?? DEFAULT_DEFINITION, 'utf8')) as CloudBlueprint['definition'];
  const rules = parseEventRules(JSON.parse(await readFile(options.rulesPath ?? DEFAULT_RULES, 'utf8')));
  return { definition, machine: compileDefinition(definition), rules };
}

/** The longest a drain may run in virtual time: a week is past any in-progress timeout IoT allows. */
const MAX_DRAIN_MS = 7 * 24 * 3600 * 1000;

export interface LocalCloud {
  ports: Ports;
  scheduler: Scheduler;
  engine: JobsEngine;
  /** Counts (and rate-limits) the IoT control-plane calls the handlers make. */
  controlPlane: ControlPlane;
  things: ThingRegistry;
  /** The embedded health metrics (what the topic rule writes to CloudWatch on AWS). */
  health: LocalHealthMetrics;
  dataPlane: LocalDataPlane;
  store: MemoryReleaseStore;
  notifier: LocalNotifier;
  firmware: LocalFirmwareStore;
  signer: LocalSigner;
  bus: LocalEventBus;
  rule: IotRuleRelay;
  workflow: LocalWorkflow;
  tokens: TaskTokens;
  handlers: LocalHandlers;
  fleet: FleetDriver;
  /** Provisions and starts the fleet, starts the workflow, and runs the clock until the execution ends. */
  runRelease(request: ReleaseRequest): Promise<ReleaseReport>;
  close(): Promise<void>;
}

async function drainJobs(scheduler: Scheduler, engine: JobsEngine, things: ThingRegistry, fleet: FleetDriver): Promise<void> {
  // In scaled time the clock never stalls, so executions QUEUED for things the fleet says are gone for good end it.
  const waitsOnlyForGone = (job: JobRecord) => {
    const gone = fleet.unreachable?.();
    if (!gone || gone.size === 0) return false;
    for (let index = 0; index < job.size; index++) {
      const status = job.status[index];
      if (status === Exec.NONE || status === Exec.IN_PROGRESS || (status === Exec.QUEUED && !gone.has(things.nameOf(job.things[index]!)))) return false;
    }
    return true;
  };
  const settled = () => engine.jobs().every((job) => job.jobStatus !== 'IN_PROGRESS' || job.allTerminal() || waitsOnlyForGone(job));
  try {
    await scheduler.run(settled, scheduler.nowMs() + MAX_DRAIN_MS);
  } catch (error) {
    // Nothing left that could happen (offline devices keep executions QUEUED forever): the drain is over.
    if (!(error instanceof StalledError)) throw error;
  }
}

export async function createLocalCloud(options: LocalCloudOptions): Promise<LocalCloud> {
  // Real agents share this process's event loop: the clock discounts the time the loop was behind (lag-monitor.ts).
  const mode: TimeMode = options.fleet.timeMode === 'scaled' ? { kind: 'scaled', timeScale: options.timeScale ?? 0.001, followLag: options.followLag ?? true } : { kind: 'virtual' };
  // Scaled time runs real agents, whose clocks check the signed manifests' expiry: start at the real now for them.
  const start = options.startTime ?? (mode.kind === 'scaled' ? new Date() : new Date(Date.UTC(2026, 0, 1)));
  const scheduler = new Scheduler({ startMs: start.getTime(), mode });
  const things = new ThingRegistry();
  const engine = new JobsEngine(scheduler, things);
  const dataPlane = new LocalDataPlane(engine);
  const store = options.store?.(scheduler) ?? new MemoryReleaseStore(scheduler);
  if (options.state) store.restore(options.state);
  const notifier = new LocalNotifier();
  const firmware = new LocalFirmwareStore({ baseDir: options.baseDir, ...(options.downloadOrigin ? { downloadOrigin: options.downloadOrigin } : {}) });
  const signer = new LocalSigner((stored) => firmware.bytes(stored.location.kind === 'file' ? stored.location.path : ''));
  const tokens = new TaskTokens(scheduler);
  const health = new LocalHealthMetrics(scheduler);

  const { definition, machine, rules } = options.blueprint ?? (await loadBlueprint(options));

  // Ports are one bag the handlers close over; the workflow and bus join it once built.
  // Throttle buckets refill by the wall clock too only while a person may be reading the dashboard as the clock stands
  // (prompt, external approvals, scaled time); otherwise by the shared clock alone, so the same seed gives the same run.
  const personAtHand = mode.kind === 'scaled' || options.approve === 'prompt' || options.approve === 'external';
  const controlPlane = personAtHand ? new ControlPlane(scheduler) : new ControlPlane(scheduler, undefined, () => 0);
  const ports = { jobs: new LocalFleetJobs(engine, controlPlane), health, firmware, signer, store, callbacks: tokens, notifier, clock: scheduler } as Partial<Ports> as Ports;
  const handlers = new LocalHandlers(ports, (name, run) => controlPlane.invocation(name, run));
  const workflow = new LocalWorkflow(definition, handlers, tokens, scheduler, machine);
  const targets = [...new Set(Object.values(rules).map((rule) => rule.target))];
  await handlers.load([...workflow.bindings.map((b) => b.functionName), ...targets, RELAY]);
  const bus = new LocalEventBus(
    rules,
    Object.fromEntries(targets.map((target) => [target, (event: BusEvent) => handlers.get(target)(event)])),
    scheduler,
  );
  ports.workflow = workflow;
  ports.events = bus;
  const relay = handlers.get(RELAY);
  const rule = new IotRuleRelay(bus, (event: IotJobsEvent) => relay(event), scheduler, { duplicateRate: 0, maxDelaySeconds: 0, ...options.delivery, seed: options.seed ?? 1 });
  engine.addEventSink(rule);
  wireApprovals({ mode: options.approve ?? 'auto', notifier, ports, scheduler, tokens, ...(options.prompt ? { prompt: options.prompt } : {}), ...(options.answer ? { answer: options.answer } : {}) });

  const fleet = options.fleet;
  let fleetStarted = false;
  const cloud: LocalCloud = {
    ports, scheduler, engine, controlPlane, things, health, dataPlane, store, notifier, firmware, signer, bus, rule, workflow, tokens, handlers, fleet,
    async runRelease(request) {
      const wallStart = performance.now();
      const virtualStart = scheduler.nowMs();
      if (!fleetStarted) {
        await fleet.provision(things, request);
        // Provisioning sets each thing's cohort attribute (what percent waves select on), as a real fleet's would.
        spreadCohorts(things, request.fleet.cohortAttribute ?? DEFAULT_COHORT_ATTRIBUTE, things.membersOfAll(request.fleet.thingGroups), options.seed ?? 1);
        await fleet.start({
          dataPlane, engine, scheduler, things, health, release: request,
          readFirmware: async (path) => firmware.bytes(path),
          signerPublicKeyPem: signer.publicKeyPem,
        });
        fleetStarted = true;
      }
      await workflow.start(request);
      const execution = workflow.execution(request.releaseId)!;
      await scheduler.run(() => execution.status !== 'RUNNING');
      await execution.done;
      const releaseMs = scheduler.nowMs() - virtualStart;
      if (options.drain !== false) await drainJobs(scheduler, engine, things, fleet);
      return collectReport(cloud, request, { wallMs: performance.now() - wallStart, virtualMs: releaseMs, drainMs: scheduler.nowMs() - virtualStart - releaseMs });
    },
    async close() {
      scheduler.dispose();
      await fleet.stop();
    },
  };
  return cloud;
}

