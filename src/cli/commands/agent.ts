// `ota-release agent --config agent.json`: the reference device agent on a gateway. Connects to AWS IoT Core with
// mutual TLS (or to a local broker), takes IoT Jobs updates end to end and keeps running until stopped.
import type { Command } from 'commander';
import { AgentConfigError, DeviceError } from '#device/errors.ts';
import { loadAgentConfig } from '#device/config.ts';
import type { Outcome } from '#device/journal.ts';
import type { HealthReport } from '#domain/health-report.ts';
import type { ConnectionEvent } from '#device/mqtt-jobs-client.ts';
import type { ProgressEvent } from '#device/progress-events.ts';
import { runAgent } from '#device/run-agent.ts';
import { ExitCode } from '../exit-codes.ts';

interface AgentOptions {
  config: string;
  once?: boolean;
  json?: boolean;
}

export function register(program: Command, setExitCode: (code: number) => void): void {
  program
    .command('agent')
    .description('run the device agent: take firmware updates from AWS IoT Jobs over MQTT into A/B slots')
    .requiredOption('-c, --config <file>', 'agent configuration (JSON); see docs/device-agent.md')
    .option('--once', 'handle the jobs pending now, then exit (for a cron job or a first test)')
    .option('--json', 'one JSON object per line instead of text (for log collectors)')
    .addHelpText('after', `
Examples:
  $ ota-release agent --config /etc/ota-agent/agent.json
  $ ota-release agent --config examples/agent/agent.local.json      # joins: simulate … --mqtt --broker-port 1883 --extra-thing my-gateway
  $ ota-release agent --config agent.json --once                   # handle what is pending, then exit
  $ ota-release agent --config agent.json --json | tee -a /var/log/ota-agent.jsonl

The configuration names the thing, the broker (AWS IoT Core endpoint with certificate, key and CA, or a local
mqtt:// URL), the state directory holding the A/B slots, the pinned public key and optional reboot and
self-test commands. Exit status 2 means the configuration is wrong; nothing was started.`)
    .action(async (options: AgentOptions) => {
      setExitCode(await runAgentCommand(options));
    });
}

async function runAgentCommand(options: AgentOptions): Promise<number> {
  const log = (message: string, fields: Record<string, unknown> = {}) => {
    if (options.json) process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), message, ...fields })}\n`);
    else process.stdout.write(`${message}${Object.keys(fields).length ? ` ${Object.entries(fields).map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`).join(' ')}` : ''}\n`);
  };
  let loaded;
  try {
    loaded = await loadAgentConfig(options.config);
  } catch (error) {
    if (error instanceof AgentConfigError) {
      process.stderr.write(`ota-release: ${error.message}\n`);
      return ExitCode.BAD_INPUT;
    }
    throw error;
  }
  let lastPercent = -10;
  const onEvent = (event: ProgressEvent) => {
    if (event.type === 'DL_PROGRESS') {
      if ((event.percent ?? 0) < lastPercent + 10) return;
      lastPercent = event.percent ?? 0;
    } else lastPercent = -10;
    log(event.type, { ...(event.percent === undefined ? {} : { percent: event.percent }), ...(event.error ? { error: event.error.message } : {}) });
  };
  const onOutcome = (jobId: string, outcome: Outcome) => log('job finished', { jobId, status: outcome.status, ...outcome.statusDetails });
  const onConnection = (event: ConnectionEvent) =>
    event.state === 'connected' ? log('broker connected', { attempt: event.attempt }) : log('broker unreachable, retrying', { inMs: event.retryInMs, attempt: event.attempt, ...(event.error ? { error: event.error } : {}) });
  // SIGINT/SIGTERM stop the agent at any point, also while it is still trying to reach the broker.
  const stopping = new AbortController();
  const stop = () => stopping.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    const onDownloadRetry = (error: DeviceError, failures: number) => log('download retry', { reason: error.reason, failures, detail: error.message });
    const onHealthReport = (report: HealthReport) => log('health report', { version: report.version, phase: report.phase, periodSeconds: report.periodSeconds, crashes: report.crashes, reboots: report.reboots, sequence: report.sequence, ...(report.firstSinceUpdate ? { firstSinceUpdate: true } : {}), ...(report.revertedFrom ? { revertedFrom: report.revertedFrom } : {}) });
    const onHealthError = (error: unknown) => log('health report not sent', { error: error instanceof Error ? error.message : String(error) });
    const running = await runAgent(loaded, { onEvent, onOutcome, onConnection, onDownloadRetry, onHealthReport, onHealthError }, stopping.signal);
    log('agent running', { thingName: loaded.config.thingName, version: running.agent.runningVersion, stateDir: loaded.stateDir });
    if (options.once) {
      await running.agent.whenIdle();
      await running.stop();
      return ExitCode.OK;
    }
    await new Promise<void>((resolve) => {
      if (stopping.signal.aborted) return resolve();
      stopping.signal.addEventListener('abort', () => resolve(), { once: true });
    });
    log('agent stopping');
    await running.stop();
    return ExitCode.OK;
  } catch (error) {
    if (stopping.signal.aborted && error instanceof DeviceError) {
      log('agent stopped before connecting');
      return ExitCode.OK;
    }
    if (error instanceof DeviceError || (error as NodeJS.ErrnoException).code === 'ECONNREFUSED') {
      process.stderr.write(`ota-release: ${(error as Error).message}\n`);
      return ExitCode.ERROR;
    }
    throw error;
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}
