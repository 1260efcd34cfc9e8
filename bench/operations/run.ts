// Benchmark of the operator side: how fast `status` / `list` answer as fresh processes (saved state and a live
// release), how fast the control API answers a live 10,000-device release, how heavy the dashboard page is, and how
// long Chromium takes from navigation to the evidence on screen, and what a fresh `ota-release --help` costs in CPU
// against `node -e 0` (the packed package, as npm installs it, side by side with the checkout through tsx and, with
// --baseline <checkout>, another checkout). Writes the "operations" section of bench/RESULTS.md.
// Run: node --import ./bin/polyfills.mjs --import tsx bench/operations/run.ts [--baseline <checkout>]
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { readReleaseFile } from '#cli/target/release-file.ts';
import { serveLiveControl } from '#local/control/live.ts';
import { PAGE_ASSETS, buildSingleFilePage, renderPage } from '#operator/page.ts';
import { TOKEN_HEADER } from '#operator/server.ts';
import { faultProfile } from '#local/fleet/fault-profiles.ts';
import { SimulatedFleet } from '#local/fleet/simulated-fleet.ts';
import { createLocalCloud } from '#local/local-cloud.ts';
import { saveState } from '#local/state-dir.ts';
import { packInto } from '../../scripts/packed-cli.ts';
import { writeResultsSection } from '../results-file.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
const CHECKOUT_BIN = `${ROOT}bin/ota-release.mjs`;
const run = promisify(execFile);
const baseline = process.argv.includes('--baseline') ? process.argv[process.argv.indexOf('--baseline') + 1] : undefined;
/** The package as published: what a user's `ota-release` runs. */
const packed = packInto(await mkdtemp(join(tmpdir(), 'ota-bench-pack-')));
const BIN = packed.bin;
/** The size budget of the package (issue 14): the tarball and its files unpacked. */
const BUDGET = { tarball: 250_000, unpacked: 1_000_000 };

const RELEASE = `
releaseId: bench-2-4-0
product: edge-gateway
firmware: { version: 2.4.0, previousVersion: 2.3.1, source: { file: image.bin } }
fleet: { thingGroups: [gateways] }
stages:
  - { name: canary, targets: { percent: 1 }, bake: 2h, approval: manual, rollout: { maximumPerMinute: 100 } }
  - { name: early, targets: { percent: 10 }, bake: 4h }
  - { name: half, targets: { percent: 50 }, bake: 4h }
  - { name: fleet, targets: { percent: 100 }, bake: 2h }
`;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const p95 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * 0.95))]!;

/** Reports the process's CPU time (user + system, µs) on stderr as it exits; loaded with --import into every process measured. */
const CPU_REPORTER = `data:text/javascript,${encodeURIComponent("import { writeSync } from 'node:fs'; process.on('exit', () => { const u = process.cpuUsage(); writeSync(2, `\\ncpu-us=${u.user + u.system}\\n`); });")}`;

/** CPU time of one fresh process: `node [--import reporter] ...args`. */
async function cpuOf(args: string[], cwd: string): Promise<number> {
  const { stderr } = await run(process.execPath, ['--import', CPU_REPORTER, ...args], { cwd, env: { ...process.env, NODE_OPTIONS: '' } });
  const match = /cpu-us=(\d+)/.exec(stderr);
  if (!match) throw new Error(`no CPU report from node ${args.join(' ')}: ${stderr}`);
  return Number(match[1]) / 1000;
}

/** Median CPU ms of each command, run round-robin (one of each per round) so a busy machine weighs on all alike. */
async function cpuSideBySide(commands: Record<string, string[]>, cwd: string, rounds = 11): Promise<Record<string, number>> {
  const samples: Record<string, number[]> = Object.fromEntries(Object.keys(commands).map((name) => [name, []]));
  for (let round = 0; round < rounds; round++) {
    for (const [name, args] of Object.entries(commands)) samples[name]!.push(await cpuOf(args, cwd));
  }
  return Object.fromEntries(Object.entries(samples).map(([name, xs]) => [name, median(xs)]));
}

async function timeProcess(args: string[], cwd: string, times = 5): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < times; i++) {
    const start = performance.now();
    await run(process.execPath, [BIN, ...args], { cwd });
    samples.push(performance.now() - start);
  }
  return median(samples);
}

const dir = await mkdtemp(join(tmpdir(), 'ota-bench-ops-'));
await writeFile(join(dir, 'release.yaml'), RELEASE);
await writeFile(join(dir, 'image.bin'), Buffer.alloc(256 * 1024, 9));
const stateDir = join(dir, '.ota-release');
const request = await readReleaseFile(join(dir, 'release.yaml'));
const cloud = await createLocalCloud({ fleet: new SimulatedFleet({ devices: 10_000, profile: faultProfile('healthy', { failRate: 0.01 }), seed: 7 }), baseDir: dir, approve: 'external' });
const live = await serveLiveControl({ ports: cloud.ports, stateDir });
const running = cloud.runRelease(request);
while ((await cloud.ports.store.getPendingTask(request.releaseId, 'approval')) === undefined) await new Promise((r) => setTimeout(r, 10));

// The control API on a live release.
const api = async (path: string) => {
  const start = performance.now();
  const response = await fetch(new URL(`api${path}`, live.url), { headers: { [TOKEN_HEADER]: live.token } });
  await response.arrayBuffer();
  return performance.now() - start;
};
for (let i = 0; i < 20; i++) await api(`/releases/${request.releaseId}`);
const describeMs: number[] = [];
const listMs: number[] = [];
for (let i = 0; i < 300; i++) describeMs.push(await api(`/releases/${request.releaseId}`));
for (let i = 0; i < 300; i++) listMs.push(await api('/releases'));

// Fresh CLI processes: live (through control.json) and, after saving a copy elsewhere, from saved state.
const statusLive = await timeProcess(['status', request.releaseId, '--state-dir', stateDir], dir);
const listLive = await timeProcess(['list', '--state-dir', stateDir], dir);
const savedDir = join(dir, 'saved');
await saveState(cloud.store.snapshot(), savedDir);
const statusSaved = await timeProcess(['status', request.releaseId, '--state-dir', savedDir], dir);
const helpMs = await timeProcess(['--help'], dir);
const helpCpu = await cpuSideBySide(
  {
    node: ['-e', '0'],
    packed: [BIN, '--help'],
    checkout: [CHECKOUT_BIN, '--help'],
    ...(baseline && { baseline: [join(baseline, 'bin/ota-release.mjs'), '--help'] }),
  },
  dir,
);

// The page: weight, and Chromium from navigation to the evidence on screen.
const html = await renderPage({ token: 't', where: 'bench', refreshMs: 1000 });
const css = await PAGE_ASSETS['/style.css']!.read();
const js = await PAGE_ASSETS['/app.js']!.read();
const single = await buildSingleFilePage({ token: '', where: 'bench', refreshMs: 1000 });
const bytes = (text: string) => Buffer.byteLength(text);
let browserMs: number | undefined;
if (existsSync('/usr/bin/chromium')) {
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
  const samples: number[] = [];
  for (let i = 0; i < 5; i++) {
    const page = await browser.newPage();
    const start = performance.now();
    // A one-time login URL per page (the control file's URL alone shows nothing since issue 12).
    await page.goto(live.loginUrl());
    await page.locator('#waiting .evidence dd').first().waitFor();
    samples.push(performance.now() - start);
    await page.close();
  }
  await browser.close();
  browserMs = median(samples);
}

await cloud.ports.workflow.stop(request.releaseId, 'benchmark over');
await running.catch(() => undefined);
await live.close();
await cloud.close();

const ms = (x: number) => x.toFixed(1);
const ratio = (name: string) => `${(helpCpu[name]! / helpCpu.node!).toFixed(2)}×`;
const kB = (bytes: number) => `${(bytes / 1000).toFixed(1)} kB`;
const within = (value: number, budget: number) => (value <= budget ? `within its budget of ${kB(budget)}` : `**over its budget of ${kB(budget)}**`);
const section = `## operations

\`node --import ./bin/polyfills.mjs --import tsx bench/operations/run.ts${baseline ? ' --baseline <checkout>' : ''}\` — the operator side against a live embedded-cloud
release of 10,000 simulated devices waiting for approval at its canary (4 stages, ${(await cloud.ports.store.listDecisions(request.releaseId)).length} decision records).
Measured ${new Date().toISOString().slice(0, 10)} on ${cpus().length} × ${cpus()[0]?.model.trim() ?? 'unknown CPU'}, Node ${process.version}.

| what | median | p95 |
| --- | --- | --- |
| control API \`GET /api/releases/:id\` (describe: record, 4 stages, live counts, decisions), loopback, 300 calls | ${ms(median(describeMs))} ms | ${ms(p95(describeMs))} ms |
| control API \`GET /api/releases\`, 300 calls | ${ms(median(listMs))} ms | ${ms(p95(listMs))} ms |
| \`ota-release status\` as a fresh process (the packed package), live release (via control.json), 5 runs | ${ms(statusLive)} ms | — |
| \`ota-release list\` as a fresh process, live, 5 runs | ${ms(listLive)} ms | — |
| \`ota-release status\` as a fresh process, saved state, 5 runs | ${ms(statusSaved)} ms | — |
| \`ota-release --help\` as a fresh process (the packed package), 5 runs | ${ms(helpMs)} ms | — |
| Chromium: navigation to the evidence on screen (browser already running), 5 runs | ${browserMs === undefined ? 'no chromium' : `${ms(browserMs)} ms`} | — |

CPU (user + system) of a fresh \`ota-release --help\`, median of 11 rounds, each round running every line once
(so a busy machine weighs on all alike); target: the packed package within 4× of \`node -e 0\`.

| process | CPU | ratio to \`node -e 0\` |
| --- | --- | --- |
| \`node -e 0\` | ${ms(helpCpu.node!)} ms | 1× |
| \`ota-release --help\`, the packed package (compiled JavaScript in dist/, one command's modules loaded when it runs) | ${ms(helpCpu.packed!)} ms | ${ratio('packed')} |
| \`ota-release --help\` in a checkout (the TypeScript sources through tsx, for development) | ${ms(helpCpu.checkout!)} ms | ${ratio('checkout')} |
${baseline ? `| \`ota-release --help\` in the baseline checkout (${baseline}: tsx, every command module loaded) | ${ms(helpCpu.baseline!)} ms | ${ratio('baseline')} |\n` : ''}
Package (\`npm pack\`: bin/, dist/, statemachines/, README.md, package.json; ${packed.files.length} files): tarball ${kB(packed.size)},
${within(packed.size, BUDGET.tarball)}; unpacked ${kB(packed.unpackedSize)}, ${within(packed.unpackedSize, BUDGET.unpacked)}. Its dependencies
install from the registry beside it (\`npm install ota-release-<version>.tgz\`).

Dashboard weight: page ${bytes(html)} B + script ${bytes(js)} B + stylesheet ${bytes(css)} B = ${bytes(html) + bytes(js) + bytes(css)} B
(${gzipSync(html).length + gzipSync(js).length + gzipSync(css).length} B gzipped), no framework, no other request than the API;
the single-file export (\`dashboard --export\`) is ${bytes(single)} B.
`;

await writeResultsSection('operations', section);
process.stdout.write(section);
