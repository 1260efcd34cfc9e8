// What a release costs the AWS IoT control plane, before and after waves became dynamic groups over cohort windows,
// for fleets of 1k, 100k, 1M and 10M things. Writes the "aws-scale" section of bench/RESULTS.md.
//
// After: the real use cases (create-stage-job, promote-stage, roll-back-release) with the real AWS adapter
// (src/aws/iot-fleet-jobs.ts) on an IoT client mocked with aws-sdk-client-mock; every SDK command is counted, per
// use-case call (one Lambda invocation). Before: the calls the previous design made (commit 31cfc45:
// src/app/create-stage-job.ts listed the fleet, src/aws/iot-fleet-jobs.ts filled a static group per wave over 100
// things, src/app/roll-back-release.ts listed executions and filled a group for the rollback), replayed as a call
// model: those calls were a fixed function of the fleet size (pages of 250, one AddThingToThingGroup per thing).
// Time the quotas impose: for one invocation, at least max over APIs of calls / requests-per-second (different APIs
// may run in parallel; one API cannot beat its rate), with the twin's rates (src/local/iot-jobs/control-plane.ts).
// With `--simulate N` it also runs `ota-release simulate` on N devices with the code of the previous design (extracted
// from git into a temporary directory) and with this tree, alternately, twice each: the twin's own cost, side by side.
// Run: node --import ./bin/polyfills.mjs --import tsx bench/aws-scale/run.ts [--write] [--simulate 1000000]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CancelJobCommand, CreateDynamicThingGroupCommand, CreateJobCommand, DeleteDynamicThingGroupCommand, DescribeJobCommand, DescribeThingGroupCommand, GetStatisticsCommand, IoTClient } from '@aws-sdk/client-iot';
import { mockClient } from 'aws-sdk-client-mock';
import { createStageJob } from '#app/create-stage-job.ts';
import { promoteStage } from '#app/promote-stage.ts';
import { rollBackRelease } from '#app/roll-back-release.ts';
import type { WorkflowState } from '#app/workflow-state.ts';
import { IotFleetJobs } from '#aws/iot-fleet-jobs.ts';
import type { SignedFirmware } from '#domain/firmware.ts';
import { ReleaseRequest } from '#domain/release-request.ts';
import { cumulativeCount } from '#domain/wave-plan.ts';
import { MemoryReleaseStore } from '#local/adapters/memory-release-store.ts';
import { DEFAULT_API_RATES } from '#local/iot-jobs/control-plane.ts';
import { writeResultsSection } from '../results-file.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
/** The last commit with the previous design (fleet listing, static wave groups). */
const BEFORE_COMMIT = '31cfc45';
const FLEETS = [1_000, 100_000, 1_000_000, 10_000_000];
const PERCENTS = [1, 10, 50, 100];
const LAMBDA_LIMIT_S = 900;
const COHORTS = 10_000;

const request = ReleaseRequest.parse({
  releaseId: 'bench-2-4-0',
  product: 'edge-gateway',
  firmware: { version: '2.4.0', previousVersion: '2.3.1', source: { s3: { bucket: 'firmware', key: 'gw-2.4.0.bin' } } },
  fleet: { thingGroups: ['gateways'] },
  stages: PERCENTS.map((percent, index) => ({ name: `s${index}`, targets: { percent }, bake: '1h' })),
});
const FIRMWARE: SignedFirmware = {
  version: '2.4.0',
  sha256: 'ab'.repeat(32),
  size: 1024,
  location: { kind: 's3', bucket: 'firmware', key: 'gw-2.4.0.bin', versionId: 'v1' },
  signature: { algorithm: 'ECDSA-SHA256', value: 'MEUCIQ==', keyId: 'profile', signerJobId: 'sig-1' },
};

type Calls = Record<string, number>;
interface Invocation {
  name: string;
  calls: Calls;
}

/** A stored cohort window's width from a query string: `[0100 TO 0199]` ranges. */
function widthOf(query: string, negated: boolean): number {
  let width = 0;
  for (const match of query.matchAll(/(NOT )?attributes\.\w+:\[(\d{4}) TO (\d{4})\]/g)) if (Boolean(match[1]) === negated) width += Number(match[3]) - Number(match[2]) + 1;
  return width;
}

async function measureAfter(fleet: number, rollback: boolean): Promise<Invocation[]> {
  const iot = mockClient(IoTClient);
  iot.on(GetStatisticsCommand).callsFake(({ queryString }: { queryString: string }) => {
    const within = widthOf(queryString, false);
    const outside = widthOf(queryString, true);
    const count = within > 0 ? Math.round((fleet * within) / COHORTS) : fleet - Math.round((fleet * outside) / COHORTS);
    return { statistics: { count } };
  });
  iot.on(CreateDynamicThingGroupCommand).resolves({});
  iot.on(DescribeThingGroupCommand).resolves({ status: 'ACTIVE' });
  iot.on(CreateJobCommand).resolves({});
  iot.on(CancelJobCommand).resolves({});
  iot.on(DeleteDynamicThingGroupCommand).resolves({});
  // Every device of every wave took the release: the rollback's worst case.
  iot.on(DescribeJobCommand).callsFake(({ jobId }: { jobId: string }) => {
    const stage = Number(/-s(\d+)$/.exec(jobId)?.[1] ?? 0);
    const size = cumulativeCount(PERCENTS[stage]!, fleet) - (stage === 0 ? 0 : cumulativeCount(PERCENTS[stage - 1]!, fleet));
    return { job: { status: 'CANCELED', jobProcessDetails: { numberOfSucceededThings: size } } };
  });
  const jobs = new IotFleetJobs(new IoTClient({ region: 'eu-west-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } }), { arnPrefix: () => 'arn:aws:iot:eu-west-1:123456789012:' });
  const clock = { now: () => new Date('2026-12-01T00:00:00Z') };
  const store = new MemoryReleaseStore(clock);
  await store.createRelease({ releaseId: request.releaseId, request, status: 'SIGNING', stageIndex: 0, stages: [], rollbackJobIds: [], firmware: FIRMWARE, createdAt: '2026-12-01T00:00:00Z', updatedAt: '2026-12-01T00:00:00Z' });
  const ports = { jobs, store, clock, firmware: { documentUrl: () => 'https://firmware.example/gw.bin' }, notifier: { approvalRequested: async () => {}, releaseEvent: async () => {} } };
  const invocations: Invocation[] = [];
  const invoke = async (name: string, run: () => Promise<unknown>) => {
    const before = iot.calls().length;
    await run();
    const calls: Calls = {};
    for (const call of iot.calls().slice(before)) {
      const api = (call.args[0] as object).constructor.name.replace(/Command$/, '');
      calls[api] = (calls[api] ?? 0) + 1;
    }
    invocations.push({ name, calls });
  };
  for (const [index] of PERCENTS.entries()) {
    let stage: Awaited<ReturnType<typeof createStageJob>> | undefined;
    await invoke(`create-canary-job s${index}`, async () => (stage = await createStageJob(ports, { request, stageIndex: index, firmware: FIRMWARE })));
    const state = { request, stageIndex: index, firmware: FIRMWARE, stage: stage! } as WorkflowState;
    if (rollback && index === PERCENTS.length - 1) {
      await invoke('promote-or-rollback (rollback)', () => rollBackRelease(ports, state, { action: 'rollback', reasonCode: 'STAGE_FAILED', reason: 'bench' } as never));
    } else {
      await invoke(`promote-or-rollback s${index}`, () => promoteStage(ports, state, 'bench'));
    }
  }
  iot.restore();
  return invocations;
}

/** The previous design's calls, from its code at 31cfc45 (see the header). */
function modelBefore(fleet: number, rollback: boolean): Invocation[] {
  const pages = (n: number) => Math.max(1, Math.ceil(n / 250));
  const invocations: Invocation[] = [];
  let total = 0;
  PERCENTS.forEach((percent, index) => {
    const from = index === 0 ? 0 : cumulativeCount(PERCENTS[index - 1]!, fleet);
    const wave = cumulativeCount(percent, fleet) - from;
    total += wave;
    const calls: Calls = { ListThingsInThingGroup: pages(fleet), CreateJob: 1 };
    if (wave > 100) Object.assign(calls, { DescribeJob: 1, CreateThingGroup: 1, AddThingToThingGroup: wave });
    invocations.push({ name: `create-canary-job s${index}`, calls });
    if (!(rollback && index === PERCENTS.length - 1)) invocations.push({ name: `promote-or-rollback s${index}`, calls: {} });
  });
  if (rollback) {
    // Cancel every stage job; list SUCCEEDED and IN_PROGRESS executions of each (all took it); a rollback job for them.
    const listing = PERCENTS.reduce((sum, percent, index) => sum + pages(cumulativeCount(percent, fleet) - (index === 0 ? 0 : cumulativeCount(PERCENTS[index - 1]!, fleet))) + 1, 0);
    const calls: Calls = { CancelJob: PERCENTS.length, ListJobExecutionsForJob: listing, CreateJob: 1 };
    if (total > 100) Object.assign(calls, { DescribeJob: 1, CreateThingGroup: 1, AddThingToThingGroup: total });
    invocations.push({ name: 'promote-or-rollback (rollback)', calls });
  }
  return invocations;
}

const sum = (calls: Calls) => Object.values(calls).reduce((a, b) => a + b, 0);
/** At least this long: no API goes faster than its rate. */
const quotaSeconds = (calls: Calls) => Math.max(0, ...Object.entries(calls).map(([api, n]) => n / (DEFAULT_API_RATES[api] ?? 10)));
function merge(invocations: Invocation[]): Calls {
  const all: Calls = {};
  for (const { calls } of invocations) for (const [api, n] of Object.entries(calls)) all[api] = (all[api] ?? 0) + n;
  return all;
}
const count = (n: number) => n.toLocaleString('en-US');
const duration = (s: number) => (s < 1 ? `${s.toFixed(2)} s` : s < 120 ? `${s.toFixed(1)} s` : s < 7200 ? `${(s / 60).toFixed(0)} min` : `${(s / 3600).toFixed(1)} h`);

async function main(): Promise<void> {
  const rows: string[] = [];
  for (const fleet of FLEETS) {
    for (const rollback of [false, true]) {
      for (const [design, invocations] of [['before', modelBefore(fleet, rollback)], ['after', await measureAfter(fleet, rollback)]] as const) {
        const all = merge(invocations);
        const largest = invocations.reduce((a, b) => (sum(b.calls) > sum(a.calls) ? b : a));
        const largestTime = quotaSeconds(largest.calls);
        const releaseTime = invocations.reduce((t, i) => t + quotaSeconds(i.calls), 0);
        const byApi = Object.entries(all).sort(([, a], [, b]) => b - a).map(([api, n]) => `${api} ${count(n)}`).join(', ');
        rows.push(`| ${count(fleet)} | ${rollback ? 'rolled back at the last wave' : 'promoted'} | ${design} | ${count(sum(all))} | ${byApi} | ${count(sum(largest.calls))} (${largest.name}) | ${duration(largestTime)} | ${largestTime > LAMBDA_LIMIT_S ? '**no**' : 'yes'} | ${duration(releaseTime)} |`);
      }
    }
  }
  const section = `## aws-scale

\`node --import ./bin/polyfills.mjs --import tsx bench/aws-scale/run.ts --write\` — the IoT control-plane calls of one
release (waves 1 %, 10 %, 50 %, 100 %), promoted or rolled back at its last wave with every device of every wave having
taken the release (the rollback's worst case). **after**: the real use cases and AWS adapter on a mocked IoT client,
every SDK command counted per invocation. **before**: the previous design's calls (commit 31cfc45: fleet listing in
pages of 250 per wave, one \`AddThingToThingGroup\` per thing of a wave over 100, rollback by listing executions and
filling a group), a fixed function of the fleet size. **quota time**: at least max over APIs of calls ÷ requests per
second, at the embedded IoT's rates (10/s Jobs APIs and \`ListThingsInThingGroup\`, 100/s \`AddThingToThingGroup\`, 5/s
\`GetStatistics\` and dynamic groups); **fits**: within Lambda's 15 minutes. Rolling executions out is the same for both
designs (IoT: 1,000 per minute per job) and not counted here. Measured ${new Date().toISOString().slice(0, 10)}.

| fleet | release | design | IoT calls | by API | largest invocation | its quota time | fits | release quota time |
| --- | --- | --- | --- | --- | --- | --- | --- | --- |
${rows.join('\n')}
`;
  const at = process.argv.indexOf('--simulate');
  const simulated = at > 0 ? simulateSideBySide(Number(process.argv[at + 1] ?? 1_000_000)) : '';
  process.stdout.write(section + simulated);
  if (process.argv.includes('--write')) await writeResultsSection('aws-scale', section + simulated);
}

/** `ota-release simulate` before and after, alternately, twice each, in fresh processes. */
function simulateSideBySide(devices: number): string {
  const before = mkdtempSync(join(tmpdir(), 'ota-before-'));
  try {
    execFileSync('sh', ['-c', `git -C '${ROOT}' archive ${BEFORE_COMMIT} | tar -x -C '${before}'`]);
    symlinkSync(join(ROOT, 'node_modules'), join(before, 'node_modules'));
    const rows: string[] = [];
    for (let round = 1; round <= 2; round++) {
      for (const [design, dir] of [['before', before], ['after', ROOT]] as const) {
        const report = join(before, `report-${design}-${round}.json`);
        const timing = join(before, `time-${design}-${round}`);
        execFileSync('/usr/bin/time', ['-f', '%e %M', '-o', timing, 'node', 'bin/ota-release.mjs', 'simulate', 'examples/release.yaml', '--devices', String(devices), '--json', report, '--quiet'], { cwd: dir, stdio: 'ignore' });
        const result = JSON.parse(readFileSync(report, 'utf8')) as { outcome: string; wallSeconds: number; controlPlane?: { maxCallsInOneInvocation: number } };
        const [processSeconds, rssKiB] = readFileSync(timing, 'utf8').trim().split(/\s+/).map(Number) as [number, number];
        rows.push(`| ${round} | ${design} | ${result.outcome} | ${result.wallSeconds.toFixed(1)} | ${processSeconds.toFixed(1)} | ${Math.round(rssKiB / 1024)} | ${result.controlPlane?.maxCallsInOneInvocation ?? '— (not metered)'} |`);
      }
    }
    return `
**The twin's own cost, side by side.** \`ota-release simulate examples/release.yaml --devices ${devices}\` with the
code of ${BEFORE_COMMIT} (ranked the whole fleet as strings for every wave) and with this tree, alternately in fresh
processes on the same machine at the same time (a shared, loaded 2-core machine: compare rows, not with the *simulate*
section).

| round | design | outcome | release s | process s | peak RSS MiB | max IoT calls in one invocation |
| --- | --- | --- | --- | --- | --- | --- |
${rows.join('\n')}
`;
  } finally {
    rmSync(before, { recursive: true, force: true });
  }
}

await main();
