// Composition root of the agent on a gateway: agent.json → MQTT client, slots, journal, pinned key, hooks.
import { DeviceAgent } from './agent.ts';
import { commandHooks } from './command-hooks.ts';
import type { AgentConfig, LoadedAgentConfig } from './config.ts';
import type { TransientDownloadError } from './errors.ts';
import type { HealthReport } from '#domain/health-report.ts';
import { linuxFacts, type CrashCounter } from './health-facts.ts';
import { HealthJournal } from './health-journal.ts';
import { HealthReporter, runHealthReports } from './health-reporter.ts';
import type { DownloadSettings } from './install.ts';
import { Journal } from './journal.ts';
import { MqttJobsClient, type ConnectionEvent } from './mqtt-jobs-client.ts';
import type { ProgressListener } from './progress-events.ts';
import { SlotStore } from './slots.ts';
import type { Outcome } from './journal.ts';
import { pinPublicKey } from './verifier.ts';

export interface RunningAgent {
  agent: DeviceAgent;
  jobs: MqttJobsClient;
  stop(): Promise<void>;
}

export interface AgentListeners {
  onEvent?: ProgressListener;
  onOutcome?: (jobId: string, outcome: Outcome) => void;
  onStep?: (step: string) => void;
  onConnection?: (event: ConnectionEvent) => void;
  /** A download attempt failed and will be retried. */
  onDownloadRetry?: (error: TransientDownloadError, failures: number) => void;
  /** A health report the broker acknowledged. */
  onHealthReport?: (report: HealthReport) => void;
  /** A health report could not be built or sent (it is carried by the next one). */
  onHealthError?: (error: unknown) => void;
}

/** Connects (retrying with backoff until the broker answers or `signal` aborts), boots the slots and takes work. */
export async function runAgent(loaded: LoadedAgentConfig, listeners: AgentListeners = {}, signal?: AbortSignal): Promise<RunningAgent> {
  const { config } = loaded;
  const publicKey = pinPublicKey(loaded.publicKeyPem, 'publicKeyFile');
  const broker =
    config.broker.kind === 'mqtt'
      ? ({ kind: 'mqtt', url: config.broker.url, ...(loaded.password ? { password: loaded.password } : {}) } as const)
      : ({ kind: 'aws-iot', endpoint: config.broker.endpoint, port: config.broker.port, certificate: loaded.tls!.certificate, privateKey: loaded.tls!.privateKey, ...(loaded.tls?.ca ? { ca: loaded.tls.ca } : {}) } as const);
  const { onConnection, onDownloadRetry, onHealthReport, onHealthError, onOutcome, ...agentListeners } = listeners;
  const jobs = await MqttJobsClient.connect({
    thingName: config.thingName,
    broker,
    requestTimeoutMs: config.jobs.requestTimeout * 1000,
    reconnect: { baseDelayMs: config.reconnect.minDelay * 1000, maxDelayMs: config.reconnect.maxDelay * 1000, stableAfterMs: config.reconnect.stableAfter * 1000 },
    ...(onConnection ? { onConnection } : {}),
    ...(signal ? { signal } : {}),
  });
  const slots = new SlotStore(loaded.stateDir, { factoryVersion: config.factoryVersion, maxTrialBoots: config.boot.maxTrialBoots });
  const journal = await Journal.open(loaded.stateDir);
  const reporter = await healthReporter(loaded, { slots, journal, jobs, ...(onHealthReport ? { onReport: onHealthReport } : {}), ...(onHealthError ? { onError: onHealthError } : {}) });
  const agent = new DeviceAgent({
    jobs,
    slots,
    journal,
    publicKey,
    download: { ...downloadSettings(config.download), ...(onDownloadRetry ? { onRetry: onDownloadRetry } : {}) },
    stepTimeoutInMinutes: Math.round(config.jobs.stepTimeout / 60),
    progressEveryPercent: config.jobs.progressEveryPercent,
    hooks: commandHooks({ ...(config.hooks.reboot ? { reboot: config.hooks.reboot } : {}), ...(config.hooks.selfTest ? { selfTest: config.hooks.selfTest } : {}), selfTestTimeoutMs: config.hooks.selfTestTimeout * 1000 }),
    ...(config.product ? { product: config.product } : {}),
    ...(reporter ? { onDocument: (jobId: string, document: Parameters<HealthReporter['instructed']>[1]) => reporter.instructed(jobId, document) } : {}),
    onOutcome: (jobId, outcome) => {
      onOutcome?.(jobId, outcome);
      void reporter?.outcome(jobId, outcome);
    },
    ...agentListeners,
  });
  // Reports start with the agent (they wait while an install is in hand) and stop with it.
  const stopReports = reporter ? runHealthReports(reporter) : () => undefined;
  try {
    await agent.start();
  } catch (error) {
    stopReports();
    await jobs.close();
    throw error;
  }
  void reporter?.report();
  return {
    agent,
    jobs,
    stop: async () => {
      stopReports();
      await agent.stop();
      await jobs.close();
    },
  };
}

/** agent.json's download block (seconds) as the downloader takes it (milliseconds). */
export function downloadSettings(download: AgentConfig['download']): DownloadSettings {
  return {
    minBytesPerSecond: download.minBytesPerSecond,
    stallWindowMs: download.stallWindow * 1000,
    maxAttemptsWithoutProgress: download.maxAttemptsWithoutProgress,
    headerTimeoutMs: download.headerTimeout * 1000,
    maxInformationalResponses: download.maxInformationalResponses,
    attemptDeadlineMs: download.attemptDeadline * 1000,
    deadlineMs: download.deadline * 1000,
    maxImageBytes: download.maxImageBytes,
  };
}

/** The health reporter agent.json asks for (none for `health.report: never`), on the gateway's own boot id and counters. */
async function healthReporter(
  loaded: LoadedAgentConfig,
  parts: { slots: SlotStore; journal: Journal; jobs: MqttJobsClient; onReport?: (report: HealthReport) => void; onError?: (error: unknown) => void },
): Promise<HealthReporter | undefined> {
  const { config } = loaded;
  const health = config.health;
  if (health.report === 'never') return undefined;
  const crashCounter: CrashCounter | undefined = health.crashCounterFile ? { file: health.crashCounterFile } : health.crashCounterCommand ? { command: health.crashCounterCommand } : undefined;
  const { slots, journal, jobs } = parts;
  return new HealthReporter({
    thingName: config.thingName,
    ...(config.product ? { product: config.product } : {}),
    journal: await HealthJournal.open(loaded.stateDir),
    facts: linuxFacts(crashCounter ? { crashCounter } : {}),
    running: () => {
      try {
        return { version: slots.running.version, slot: slots.running.slot };
      } catch {
        return undefined; // not booted yet
      }
    },
    busy: () => journal.current !== undefined,
    publish: (topic, payload) => jobs.publish(topic, payload),
    now: Date.now,
    mode: health.report,
    reportEverySeconds: health.reportEvery,
    warmUpSeconds: health.warmUp,
    ...(health.basicIngestRule ? { basicIngestRule: health.basicIngestRule } : {}),
    ...(parts.onReport ? { onReport: parts.onReport } : {}),
    ...(parts.onError ? { onError: parts.onError } : {}),
  });
}
