// bench/mqtt-lag: `simulate --mqtt` with N real agents in this process, the scaled clock with and without following
// lag (src/local/time/lag-monitor.ts), side by side in one run, each row a fresh process. Counts the in-progress
// timeouts the agents suffered (terminal, and those IoT Jobs retried) and the outcome.
// Run: node --import ./bin/polyfills.mjs --import tsx bench/mqtt-lag/run.ts [--devices 2000] [--write]
import { spawnSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { readReleaseFile } from '#cli/target/release-file.ts';
import { Exec } from '#local/iot-jobs/execution-status.ts';
import { createLocalCloud } from '#local/local-cloud.ts';
import { createMqttFleet } from '#local/mqtt/mqtt-fleet.ts';
import { writeResultsSection } from '../results-file.ts';

const arg = (name: string) => {
  const at = process.argv.indexOf(name);
  return at < 0 ? undefined : process.argv[at + 1];
};
const devices = Number(arg('--devices') ?? 2000);
const RELEASE = fileURLToPath(new URL('../../examples/release.yaml', import.meta.url));

interface Row {
  followLag: boolean;
  outcome: string;
  timedOut: number;
  retriedAfterTimeout: number;
  wallSeconds: number;
  lagSeconds: number;
  virtualHours: number;
  load: number;
}

async function one(followLag: boolean): Promise<Row> {
  const request = await readReleaseFile(RELEASE);
  const load = loadavg()[0]!;
  const started = performance.now();
  const fleet = await createMqttFleet({ devices, timeScale: 0.001, release: request, seed: 1 });
  const cloud = await createLocalCloud({ fleet, baseDir: fileURLToPath(new URL('../../examples/', import.meta.url)), seed: 1, timeScale: 0.001, approve: 'auto', followLag });
  try {
    const report = await cloud.runRelease(request);
    let timedOut = 0;
    let retriedAfterTimeout = 0;
    for (const job of cloud.engine.jobs()) {
      for (let i = 0; i < job.notified; i++) {
        if (job.status[i] === Exec.TIMED_OUT) timedOut += 1;
        if (job.retriesTimedOut[i]! > 0) retriedAfterTimeout += 1;
      }
    }
    return { followLag, outcome: report.outcome, timedOut, retriedAfterTimeout, wallSeconds: (performance.now() - started) / 1000, lagSeconds: cloud.scheduler.lagDiscountedMs / 1000, virtualHours: report.virtualSeconds / 3600, load };
  } finally {
    await cloud.close();
  }
}

if (arg('--one') !== undefined) {
  process.stdout.write(`ROW ${JSON.stringify(await one(arg('--one') === 'lag'))}\n`);
} else {
  const rows: Row[] = [];
  for (const mode of ['no-lag', 'lag']) {
    const child = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--devices', String(devices), '--one', mode], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    const line = child.stdout.split('\n').find((l) => l.startsWith('ROW '));
    if (!line) throw new Error(`row ${mode} failed: ${child.stderr.slice(-2000)}`);
    rows.push(JSON.parse(line.slice(4)) as Row);
    console.log(line);
  }
  const table = rows
    .map((r) => `| ${devices.toLocaleString('en-US')} | ${r.followLag ? 'follows lag' : 'wall clock only (before)'} | ${r.outcome} | ${r.timedOut} | ${r.retriedAfterTimeout} | ${r.wallSeconds.toFixed(0)} | ${r.lagSeconds.toFixed(0)} | ${r.virtualHours.toFixed(1)} | ${r.load.toFixed(1)} |`)
    .join('\n');
  const section = `## mqtt-lag

\`node --import ./bin/polyfills.mjs --import tsx bench/mqtt-lag/run.ts --devices ${devices} --write\` — \`simulate --mqtt\` of
\`examples/release.yaml\` with ${devices.toLocaleString('en-US')} real agents (each its own MQTT connection, slots and journal on disk) in one process, time
scale 0.001, healthy fleet, seed 1; the scaled clock counting all wall time (before) and discounting the time the
process was behind (its event loop saturated or late, its thread pool queue waiting), each row a fresh process, one
after the other. Measured ${new Date().toISOString().slice(0, 10)} on ${cpus().length} × ${cpus()[0]?.model.trim() ?? 'CPU'}, Node ${process.version}, a machine shared with other work
(**load**: the 1-minute load average when the row started).

- **timed out**: executions that ended TIMED_OUT; **retried**: executions IoT Jobs put back to QUEUED after an
  in-progress timeout (the example's one TIMED_OUT retry). A healthy fleet should have neither.
- **lag s**: real seconds the clock did not count.

| agents | clock | outcome | timed out | retried | wall s | lag s | virtual h | load |
| --- | --- | --- | --- | --- | --- | --- | --- | --- |
${table}
`;
  if (process.argv.includes('--write')) await writeResultsSection('mqtt-lag', section);
  console.log(section);
}
