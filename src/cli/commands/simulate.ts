// `ota-release simulate RELEASE-FILE`: the whole release on this machine — the real workflow and handlers on the
// embedded cloud, against a simulated fleet on a virtual clock (or real agents over MQTT in scaled time).
import { writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { type Command, InvalidArgumentError, Option } from 'commander';
import type { ReleaseRequest } from '#domain/release-request.ts';
import type { Ports } from '#ports/index.ts';
import { APPROVE_MODES, type ApproveMode } from '#local/approvals.ts';
import { DurableReleaseStore } from '#local/adapters/durable-release-store.ts';
import { LocalOptionsError, NotAvailableError, ReleaseLockedError } from '#local/errors.ts';
import { FAULT_PROFILE_NAMES, FAULT_PROFILES, faultProfile, type FaultProfile } from '#local/fleet/fault-profiles.ts';
import type { FleetDriver } from '#local/fleet/fleet-driver.ts';
import type { MqttFleetOptions } from '#local/mqtt/mqtt-fleet.ts';
import { SimulatedFleet } from '#local/fleet/simulated-fleet.ts';
import { createLocalCloud } from '#local/local-cloud.ts';
import { type AlarmTrigger, parseAlarmTrigger, simulateAlarms } from '#local/health/simulated-alarms.ts';
import { acquireReleaseLock } from '#local/release-lock.ts';
import type { Scheduler } from '#local/time/scheduler.ts';
import type { ReleaseReport } from '#local/report.ts';
import { DEFAULT_STATE_DIR, loadState, saveSignerPublicKey, saveState } from '#local/state-dir.ts';
import { formatQuantity } from '#domain/percent.ts';
import { BadInputError, InterruptedError } from '../errors.ts';
import { ExitCode } from '../exit-codes.ts';
import { showSimulationProgress } from '../render/simulation-progress.ts';
import { renderSimulationSummary } from '../render/simulation-summary.ts';
import { terminalOf } from '../render/terminal.ts';
import { readReleaseFile } from '../target/release-file.ts';
import { abortOnSignals } from './simulate-interrupt.ts';
import { NOT_A_TERMINAL_WARNING, terminalPrompt } from './simulate-prompt.ts';

export interface SimulateOptions {
  /** Unset: the default for the fleet (10,000 simulated devices, 200 real agents with --mqtt). */
  devices?: number;
  faultProfile: string;
  failRate?: number;
  seed: number;
  approve: ApproveMode;
  json?: string;
  quiet?: boolean;
  keep?: boolean;
  stateDir?: string;
  mqtt?: boolean;
  timeScale?: number;
  /** With --mqtt: the embedded broker's port (default any free port). */
  brokerPort?: number;
  /** With --mqtt: things in the fleet that no in-process agent plays (agents run by hand take their part). */
  extraThing?: string[];
  /** CloudWatch alarms the release's gates name, put into ALARM (at the start or after a virtual duration). */
  alarm?: AlarmTrigger[];
}

const MAX_DEVICES = 5_000_000;
const DEFAULT_DEVICES = 10_000;
/** Real agents are each an MQTT client, a socket pair on the embedded broker and a firmware download: a few hundred start in seconds. */
export const MQTT_DEFAULT_DEVICES = 200;
/** Past this many real agents a run is slow to start and heavy (measured here: 1,000 clients connect in 0.55 s, 128 MB). */
export const MQTT_WARN_DEVICES = 2_000;
/** One process held about 9,000 loopback MQTT clients; 10,500 failed (ECONNRESET): each takes 2 of the 20,000 file descriptors. */
export const MQTT_MAX_DEVICES = 9_000;

export function register(program: Command, setExitCode: (code: number) => void): void {
  program
    .command('simulate')
    .description('run a release end to end on this machine: the real workflow and handlers, an in-memory IoT Jobs, and a simulated fleet on a virtual clock')
    .argument('<release-file>', 'the release file (YAML or JSON), as for validate and start')
    .addOption(new Option('--devices <n>', `fleet size (default ${DEFAULT_DEVICES.toLocaleString('en-US')} simulated devices; with --mqtt ${MQTT_DEFAULT_DEVICES} real agents, warned above ${MQTT_WARN_DEVICES.toLocaleString('en-US')}, at most ${MQTT_MAX_DEVICES.toLocaleString('en-US')})`).argParser(integer(1, MAX_DEVICES)))
    .addOption(new Option('--fault-profile <name>', 'how the fleet behaves with the new version').default('healthy').choices(FAULT_PROFILE_NAMES))
    .addOption(new Option('--fail-rate <rate>', 'share of devices whose new image fails its self-test, e.g. 0.2 or 20% (overrides the profile)').argParser(rate))
    .addOption(new Option('--seed <n>', 'random seed: the same seed gives the same run').default(1).argParser(integer(0, 2 ** 32 - 1)))
    .addOption(new Option('--approve <mode>', 'who answers approvals: auto, reject, prompt (ask here), external (another terminal: ota-release approve)').default('auto').choices([...APPROVE_MODES]))
    .option('--json <file>', "write the full report (decision records included) to a file, '-' for stdout")
    .option('--quiet', 'no progress bars and no summary; the exit status says how it ended')
    .option('--keep', `save the release, its decision records and pending tasks to the state directory for status, list and dashboard (refused when the directory already holds a release of that id)`)
    .option('--state-dir <dir>', `state directory for --keep and --approve external (default ${DEFAULT_STATE_DIR}/)`)
    .option('--mqtt', 'real device agents over MQTT on an embedded broker instead of the simulated fleet (scaled real time); they play --fault-profile and --fail-rate')
    .addOption(new Option('--time-scale <s>', 'with --mqtt only: real seconds per virtual second (default 0.001: a 2 h bake takes 7.2 s)').argParser(positive))
    .addOption(new Option('--broker-port <n>', 'with --mqtt only: the embedded broker listens on 127.0.0.1:<n> (default any free port; the URL is printed)').argParser(integer(1, 65_535)))
    .addOption(new Option('--alarm <name[@after]>', "put a CloudWatch alarm the release's health gates name into ALARM, at the start or after that much virtual time (api-5xx@3h); repeatable. The others it names are OK").argParser(alarmTriggers))
    .addOption(new Option('--extra-thing <name>', 'with --mqtt only: add a thing to the fleet that no agent here plays, for an agent you run yourself (ota-release agent); repeatable. The release starts once it has connected').argParser(thingNames))
    .addHelpText('after', `
Fault profiles:
${FAULT_PROFILE_NAMES.map((name) => `  ${name.padEnd(15)} ${FAULT_PROFILES[name]!.description}`).join('\n')}

With --mqtt the agents, their network and the firmware server play the faults: self-tests that fail (the agent
boots back into the old slot: FAILED), agents that never connect (QUEUED), agents that boot the new image and drop
off for good (TIMED_OUT, or QUEUED under a TIMED_OUT retry), a compatibility check that REJECTS after its time, downloads cut at seeded offsets and
resumed, and downloads cut at byte 0 until the agent gives up (FAILED). Step durations are the agents' own. A profile
real agents cannot play is refused (exit 2).

Your own agent can join: --extra-thing NAME adds NAME to the fleet's thing groups (--devices counts only the agents
run here), --broker-port fixes the broker's port, and the local signer's public key is written to
<state-dir>/signer-public.pem (with --mqtt or --keep). Start \`ota-release agent\` with that thing name, broker URL and
key (examples/agent/agent.local.json); the release waits until it connects. See docs/device-agent.md.

--approve prompt reads answers from stdin; end of input counts as no (reject).
Ctrl-C (SIGINT) or SIGTERM stops the run where it is: the progress bars and the control server stop, with --keep the
release is saved as it stands (its status as last recorded; no longer answerable), and one line says what was saved.
A second Ctrl-C ends the process at once.

Exit status: 0 PROMOTED; 3 ROLLED_BACK (or rejected, aborted); 2 bad input (nothing started); 130 interrupted
(SIGINT/SIGTERM); 1 unexpected error.

Examples:
  $ ota-release simulate examples/release.yaml --devices 10000
  $ ota-release simulate examples/release.yaml --devices 10000 --fail-rate 0.2 --seed 7     # rolls back at the canary
  $ ota-release simulate examples/release.yaml --fault-profile silent-devices --json report.json
  $ ota-release simulate examples/release.yaml --approve external --keep   # then: ota-release approve <release> --wave <wave>
  $ ota-release simulate examples/release.yaml --mqtt --devices 50 --fail-rate 0.3       # real agents roll back
  $ ota-release simulate examples/release.yaml --mqtt --devices 50 --fault-profile flaky-network --time-scale 0.0005
  $ ota-release simulate examples/release.yaml --mqtt --devices 20 --broker-port 1883 --extra-thing my-gateway --keep
        # then, in another terminal: ota-release agent --config examples/agent/agent.local.json`)
    .action(async (file: string, options: SimulateOptions) => {
      const interrupt = abortOnSignals();
      try {
        setExitCode(await simulate(file, options, interrupt.signal));
      } catch (error) {
        // Options the embedded cloud cannot run with are bad input too: nothing was started.
        if (!(error instanceof LocalOptionsError || error instanceof NotAvailableError || error instanceof ReleaseLockedError)) throw error;
        process.stderr.write(`ota-release: ${error.message}\n`);
        setExitCode(ExitCode.BAD_INPUT);
      } finally {
        interrupt.dispose();
      }
    });
}

/**
 * Runs the simulation and returns its exit status. `interrupt` (SIGINT or SIGTERM in the CLI) stops the run where it
 * is: the terminal is restored at once, and with --keep the release is saved as it stands.
 */
export async function simulate(file: string, options: SimulateOptions, interrupt?: AbortSignal): Promise<number> {
  if (options.timeScale !== undefined && !options.mqtt) throw new BadInputError('--time-scale needs --mqtt: the simulated fleet runs on a virtual clock, which has no scale to set');
  if (options.brokerPort !== undefined && !options.mqtt) throw new BadInputError('--broker-port needs --mqtt: the simulated fleet has no broker');
  if (options.extraThing?.length && !options.mqtt) throw new BadInputError('--extra-thing needs --mqtt: only real agents can join the simulated fleet');
  const devices = fleetSize(options);
  const request = await readReleaseFile(file);
  const profile = faultProfile(options.faultProfile, options.failRate === undefined ? {} : { failRate: options.failRate });
  const terminal = terminalOf();
  const jsonToStdout = options.json === '-';
  const talk = !options.quiet && !jsonToStdout;
  const external = options.extraThing ?? [];
  // Progress bars would overwrite the lines that say where to connect: with external things they start once all joined.
  let startProgress = () => {};
  const say = (line: string) => void (talk ? process.stdout : process.stderr).write(`${line}\n`);
  const fleet = options.mqtt
    ? await mqttFleet({ ...options, devices }, request, profile, {
        ...(interrupt ? { signal: interrupt } : {}),
        onBrokerReady: (url, waitingFor, secretFiles) => {
          if (talk || waitingFor.length) say(`Broker ${url}${waitingFor.length ? `; waiting for ${waitingFor.join(', ')} to connect (ota-release agent)` : ''}`);
          for (const file of secretFiles) say(`  password file (broker.passwordFile): ${file}`);
        },
        onExternalConnected: (thing) => {
          if (talk) say(`${thing} connected`);
          if (thing === external.at(-1)) startProgress();
        },
      })
    : new SimulatedFleet({ devices, profile, seed: options.seed });
  const stateDir = options.stateDir ?? DEFAULT_STATE_DIR;
  // --keep: one process per release and state directory (a lock, refused at once if held), and every change to the
  // release written durably before it is acknowledged, so a SIGKILL leaves it as it was at its last step.
  const lock = options.keep ? await acquireReleaseLock(stateDir, request.releaseId) : undefined;
  try {
    if (options.keep) await refuseSavedRelease(stateDir, request.releaseId);
    return await simulateLocked(options, request, { fleet, devices, profile, terminal, jsonToStdout, talk, external, say, stateDir, baseDir: dirname(resolve(file)) }, interrupt, (start) => (startProgress = start));
  } finally {
    await lock?.release();
  }
}

/** A release id runs once per state directory, as with `start`: --keep never replaces a saved release with a new run. */
async function refuseSavedRelease(stateDir: string, releaseId: string): Promise<void> {
  const saved = (await loadState(stateDir)).releases.find((release) => release.releaseId === releaseId);
  if (saved) {
    throw new BadInputError(
      `${releaseId} is already saved in ${stateDir} (${saved.status}); --keep does not replace it. Give the new run another releaseId, or another --state-dir, or run it without --keep`,
    );
  }
}

interface SimulationSetup {
  fleet: FleetDriver;
  devices: number;
  profile: FaultProfile;
  terminal: ReturnType<typeof terminalOf>;
  jsonToStdout: boolean;
  talk: boolean;
  external: string[];
  say: (line: string) => void;
  stateDir: string;
  /** Relative firmware paths in the release file resolve here. */
  baseDir: string;
}

async function simulateLocked(options: SimulateOptions, request: ReleaseRequest, setup: SimulationSetup, interrupt: AbortSignal | undefined, setStartProgress: (start: () => void) => void): Promise<number> {
  const { fleet, devices, profile, terminal, jsonToStdout, talk, external, stateDir } = setup;
  const prompt = options.approve === 'prompt' ? terminalPrompt() : undefined;
  if (prompt && !process.stdin.isTTY) process.stderr.write(`ota-release: ${NOT_A_TERMINAL_WARNING}\n`);
  const cloud = await createLocalCloud({
    // A kept release is looked at later beside others (status, list, dashboard): its clock starts at the real time it
    // started, so `started` says when it happened and list orders it among the rest. Without --keep the virtual clock
    // starts at a fixed origin, so the same seed gives the same report.
    ...(options.keep ? { store: (clock: Scheduler) => new DurableReleaseStore(clock, stateDir), startTime: new Date() } : {}),
    fleet,
    baseDir: setup.baseDir,
    seed: options.seed,
    approve: options.approve,
    delivery: { duplicateRate: profile.eventDuplicateRate, maxDelaySeconds: profile.eventDelaySeconds },
    ...(options.timeScale ? { timeScale: options.timeScale } : {}),
    ...(prompt ? { prompt: prompt.ask } : {}),
  });
  simulateAlarms(cloud.health, cloud.scheduler, request, options.alarm ?? []);
  // Before the run, so an agent started by hand can pin the key the images are signed with.
  const publicKeyFile = options.keep || options.mqtt ? await saveSignerPublicKey(cloud.signer.publicKeyPem, stateDir) : undefined;
  const control = options.approve === 'external' ? await serveControl(cloud.ports, stateDir) : undefined;
  if (talk) {
    const onWhat = `${formatQuantity(devices, `${fleet.kind} device`)}${external.length ? ` + ${formatQuantity(external.length, 'external thing')}` : ''}`;
    process.stdout.write(`Simulating ${request.releaseId}: ${request.firmware.previousVersion} → ${request.firmware.version} on ${onWhat}, fault profile ${profile.name}${options.failRate === undefined ? '' : ` (fail rate ${options.failRate})`}, seed ${options.seed}\n`);
    if (control) process.stdout.write(`Approvals come from another terminal: ota-release approve ${request.releaseId} --wave <wave> --state-dir ${stateDir}\n`);
    if (publicKeyFile && options.mqtt) process.stdout.write(`Signing key for your own agent: ${publicKeyFile}\n`);
  }
  let progress: ReturnType<typeof showSimulationProgress> | undefined;
  const startProgress = () => {
    if (!progress && !interrupt?.aborted && talk && process.stdout.isTTY && options.approve !== 'prompt') progress = showSimulationProgress(cloud);
  };
  setStartProgress(startProgress);
  if (external.length === 0) startProgress();
  // On the signal itself, before anything is awaited: the terminal gets its cursor back even if stopping hangs.
  const stop = () => {
    progress?.stop();
    prompt?.close();
    cloud.scheduler.stop(new InterruptedError(`${request.releaseId} interrupted`));
  };
  if (interrupt?.aborted) stop();
  else interrupt?.addEventListener('abort', stop, { once: true });
  let report: ReleaseReport | undefined;
  let saved: string | undefined;
  try {
    try {
      report = await cloud.runRelease(request);
    } catch (error) {
      if (!interrupt?.aborted) throw error;
    }
    // Saved before the live control server goes away, so another terminal always finds the release somewhere. An
    // interrupted release is saved as it stands, without a report: nothing can say how it would have ended.
    const exists = cloud.store.snapshot().releases.some((release) => release.releaseId === request.releaseId);
    // The store's own writes first, so this one (with the report) is the last word.
    if (cloud.store instanceof DurableReleaseStore) await cloud.store.settled();
    if (options.keep && exists) saved = await saveState(cloud.store.snapshot(), stateDir, report ? { [request.releaseId]: report } : {});
  } finally {
    interrupt?.removeEventListener('abort', stop);
    progress?.stop();
    prompt?.close();
    // After the save: an interrupted execution is abandoned where it waits (no handler runs for it), so the workflow
    // library's real task timers end with it and the process can exit.
    if (!report) await cloud.workflow.stop(request.releaseId, 'interrupted');
    // Removes its control file: an interrupted release's pending approval must not look answerable.
    await control?.close();
    await cloud.close();
  }
  if (!report) {
    const status = saved ? (await cloud.store.getRelease(request.releaseId))?.status : undefined;
    process.stderr.write(saved ? `interrupted: ${request.releaseId} saved in ${stateDir} as ${status}\n` : 'interrupted; nothing saved\n');
    return ExitCode.INTERRUPTED;
  }
  if (options.json) {
    const text = `${JSON.stringify(report, null, 2)}\n`;
    if (jsonToStdout) process.stdout.write(text);
    else await writeFile(options.json, text);
  }
  if (saved && talk) process.stdout.write(`Saved to ${saved}: ota-release status ${request.releaseId} --state-dir ${stateDir}\n`);
  if (talk) process.stdout.write(`\n${renderSimulationSummary(report, terminal)}`);
  if (report.outcome === 'PROMOTED') return ExitCode.OK;
  if (report.outcome === 'ROLLED_BACK' || report.outcome === 'ABORTED') return ExitCode.ROLLED_BACK;
  return ExitCode.ERROR;
}

/**
 * The fleet size: --devices, or the default for the fleet. Real agents are refused past what one process can hold
 * and warned about past what starts comfortably; the simulated fleet takes millions.
 */
export function fleetSize(options: Pick<SimulateOptions, 'devices' | 'mqtt'>, warn: (line: string) => void = (line) => void process.stderr.write(`ota-release: ${line}\n`)): number {
  if (!options.mqtt) return options.devices ?? DEFAULT_DEVICES;
  const devices = options.devices ?? MQTT_DEFAULT_DEVICES;
  const shown = devices.toLocaleString('en-US');
  if (devices > MQTT_MAX_DEVICES) {
    throw new BadInputError(`--mqtt --devices ${shown} is more real agents than one process can hold (about ${MQTT_MAX_DEVICES.toLocaleString('en-US')}: each is a loopback MQTT connection, 2 file descriptors); use up to ${MQTT_MAX_DEVICES.toLocaleString('en-US')}, or the simulated fleet (no --mqtt) for large fleets`);
  }
  if (devices > MQTT_WARN_DEVICES) warn(`warning: ${shown} real agents is more than ${MQTT_WARN_DEVICES.toLocaleString('en-US')}; expect a slow start and a heavy process (the simulated fleet, without --mqtt, is made for large fleets)`);
  return devices;
}

/** --mqtt: real agents over MQTT from src/local/mqtt (the device-agent area), in scaled real time, playing the profile. */
async function mqttFleet(options: SimulateOptions & { devices: number }, request: ReleaseRequest, profile: FaultProfile, hooks: Pick<MqttFleetOptions, 'signal' | 'onBrokerReady' | 'onExternalConnected'>): Promise<FleetDriver> {
  // Beside the signing key an agent run by hand pins: one state directory holds all it needs to join.
  const secretsDir = options.stateDir ?? DEFAULT_STATE_DIR;
  let module: typeof import('#local/mqtt/mqtt-fleet.ts');
  try {
    module = await import('#local/mqtt/mqtt-fleet.ts');
  } catch (error) {
    throw new NotAvailableError(`--mqtt is not available in this build: ${(error as Error).message}`, { cause: error });
  }
  return module.createMqttFleet({
    devices: options.devices,
    timeScale: options.timeScale ?? 0.001,
    release: request,
    seed: options.seed,
    profile,
    ...hooks,
    ...(options.brokerPort === undefined ? {} : { brokerPort: options.brokerPort }),
    ...(options.extraThing ? { externalThings: options.extraThing, secretsDir } : {}),
  });
}

async function serveControl(ports: Ports, stateDir: string) {
  const { serveLiveControl } = await import('#local/control/live.ts');
  return serveLiveControl({ ports, stateDir });
}

export function integer(min: number, max: number) {
  return (text: string): number => {
    const value = Number(text.replace(/_/g, ''));
    if (!Number.isInteger(value) || value < min || value > max) throw new InvalidArgumentError(`expected a whole number from ${min.toLocaleString('en-US')} to ${max.toLocaleString('en-US')}`);
    return value;
  };
}

/** AWS IoT thing names: 1–128 of letters, digits, `:`, `_` and `-`. Repeated options collect. */
function thingNames(text: string, previous: string[] = []): string[] {
  if (!/^[a-zA-Z0-9:_-]{1,128}$/.test(text)) throw new InvalidArgumentError('expected a thing name: 1 to 128 letters, digits, colons, underscores or hyphens');
  return previous.includes(text) ? previous : [...previous, text];
}

function alarmTriggers(text: string, previous: AlarmTrigger[] = []): AlarmTrigger[] {
  try {
    return [...previous, parseAlarmTrigger(text)];
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}

function rate(text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(%?)\s*$/.exec(text);
  const value = match ? Number(match[1]) / (match[2] ? 100 : 1) : Number.NaN;
  if (!(value >= 0 && value <= 1)) throw new InvalidArgumentError('expected a rate from 0 to 1, such as 0.2 or 20%');
  return value;
}

function positive(text: string): number {
  const value = Number(text);
  if (!(value > 0)) throw new InvalidArgumentError('expected a positive number, such as 0.001');
  return value;
}
