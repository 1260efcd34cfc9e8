// `assess` runs the real workflow (ASL, handlers, IoT Jobs engine, simulated fleet) many times: small fleets here.
import { fileURLToPath } from 'node:url';
import { assess, type Assessment } from '#local/assess/assessment.ts';
import type { ReleaseRequest } from '#domain/release-request.ts';
import { AssessRunError, LocalOptionsError } from '#local/errors.ts';
import { renderAssessment } from '#cli/render/assessment.ts';
import { runCli } from '../support/run-cli.ts';
import { FIXTURES, loadRelease } from './simulation-harness.ts';

const options = { devices: 1000, runs: 4, seed: 11, baseDir: FIXTURES };
const withoutWallTime = ({ wallSeconds: _wall, ...rest }: Assessment) => rest;

describe('assess', () => {
  it('gives the same numbers for the same seed, and shares that add up', async () => {
    const request = await loadRelease();
    const first = await assess(request, { ...options, scenarios: ['healthy', 'boot-fail-4x'] });
    const second = await assess(request, { ...options, scenarios: ['healthy', 'boot-fail-4x'] });
    expect(withoutWallTime(second)).toEqual(withoutWallTime(first));
    const [healthy, bad] = first.scenarios;
    expect(healthy).toMatchObject({ name: 'healthy', runs: 4, promoted: { count: 4, share: 1 }, falseRollback: { count: 0 } });
    expect(healthy!.exposed).toEqual({ median: 1000, p95: 1000, worst: 1000 });
    expect(healthy!.secondsToPromotion!.median).toBeGreaterThanOrEqual(3 * 3600); // three 1 h bakes at least
    expect(bad).toMatchObject({ name: 'boot-fail-4x', defectRate: 0.2, acceptability: 'unacceptable', wrongPromotion: { count: 0 } });
    expect(bad!.promoted.count + bad!.held.count + bad!.rolledBack.count + bad!.other.count).toBe(4);
    expect(bad!.rolledBack.count).toBe(4);
    expect(bad!.exposed.worst).toBeLessThanOrEqual(100); // stopped within the 10 % canary
  });

  it('changes its numbers when the policy changes', async () => {
    // The canary at 100 devices a minute is all out before the judge has its 50 reports; at 5 a minute it is not.
    const fast = await assess(await loadRelease(), { ...options, scenarios: ['bad-boot'] });
    const slowCanary = (r: ReleaseRequest) => ({ ...r, stages: r.stages.map((stage, index) => (index === 0 ? { ...stage, rollout: { maximumPerMinute: 5 } } : stage)) });
    const slow = await assess(await loadRelease(undefined, slowCanary), { ...options, scenarios: ['bad-boot'] });
    expect(fast.scenarios[0]!.rolledBack.count).toBe(4);
    expect(slow.scenarios[0]!.rolledBack.count).toBe(4);
    expect(slow.scenarios[0]!.exposed.worst).toBeLessThan(fast.scenarios[0]!.exposed.median);
  });

  it('checks the budget: a verdict per claim, from the interval', async () => {
    const request = await loadRelease(undefined, (r) => ({ ...r, budget: { defectRate: 0.3, maxExposed: 100, probability: 0.9, healthyPromotedWithin: 3600 } }));
    const result = await assess(request, { ...options, runs: 3, scenarios: ['healthy', 'budget-defect'] });
    expect(result.budget!.checks.map((check) => [check.scenario, check.within, check.runs])).toEqual([
      ['budget-defect', 3, 3],
      ['healthy', 0, 3], // three 1 h bakes cannot fit in an hour
    ]);
    expect(result.budget!.verdict).toBe('does-not-meet');
  });

  it('counts a run the judge hands to a person as held, and stops it there', async () => {
    // A 10-device canary cannot show a clean stage is good enough: the judge extends, then asks a person.
    const tinyCanary = (r: ReleaseRequest) => ({ ...r, stages: r.stages.map((stage, index) => (index === 0 ? { ...stage, targets: { percent: 1 } } : stage)) });
    const result = await assess(await loadRelease(undefined, tinyCanary), { ...options, runs: 2, scenarios: ['healthy'] });
    expect(result.scenarios[0]).toMatchObject({ held: { count: 2 }, promoted: { count: 0 }, exposed: { worst: 10 } });
  });

  it('refuses an unknown scenario before running anything', async () => {
    await expect(assess(await loadRelease(), { ...options, scenarios: ['nope'] })).rejects.toThrow(LocalOptionsError);
  });
});

describe('assess on worker threads', () => {
  const small = { ...options, devices: 2000, runs: 3, scenarios: ['healthy', 'boot-fail-4x'] };

  it('hands a worker the release as plain data: it survives the structured clone whole', async () => {
    const request = await loadRelease(undefined, (r) => ({ ...r, budget: { defectRate: 0.3, maxExposed: 100, probability: 0.9, healthyPromotedWithin: 3600 } }));
    expect(structuredClone(request)).toStrictEqual(request);
  });

  it('gives the same assessment with two workers as in this thread', async () => {
    const request = await loadRelease();
    const inThread = await assess(request, { ...small, workers: 1 });
    const counted: number[] = [];
    const twoWorkers = await assess(request, { ...small, workers: 2, onRun: (done) => counted.push(done) });
    expect(withoutWallTime(twoWorkers)).toEqual(withoutWallTime(inThread));
    expect(inThread.scenarios.map((scenario) => [scenario.runs, scenario.promoted.count, scenario.rolledBack.count])).toEqual([
      [3, 3, 0],
      [3, 0, 3],
    ]);
    expect(counted).toEqual([1, 2, 3, 4, 5, 6]);
  }, 60_000);

  it('on interrupt lets the runs in the workers finish and reports the same first runs as one thread would', async () => {
    const request = await loadRelease();
    const controller = new AbortController();
    const interrupted = await assess(request, { ...small, workers: 2, signal: controller.signal, onRun: (done) => done === 1 && controller.abort() });
    // Each worker had a run going when the first finished: two runs done, both of healthy.
    expect(interrupted.interrupted).toBe(true);
    expect(interrupted.scenarios.map((scenario) => [scenario.name, scenario.runs])).toEqual([['healthy', 2]]);
    expect(interrupted.notRun).toEqual(['boot-fail-4x']);
    expect(renderAssessment(interrupted, { color: false, columns: 200 })).toContain('interrupted after 2 of 6 runs: the numbers cover the runs that finished (healthy 2 of 3); not started: boot-fail-4x');
    const first2 = await assess(request, { ...small, runs: 2, scenarios: ['healthy'], workers: 1 });
    expect(interrupted.scenarios).toEqual(first2.scenarios);
  }, 60_000);

  it('fails with the message of a run that throws in a worker, as it does in this thread', async () => {
    // A negative fleet size is refused by the CLI; given to assess() directly, every run throws building the fleet.
    const failed = async (workers: number) => (await assess(await loadRelease(), { ...small, devices: -1, workers }).catch((error: unknown) => error)) as Error;
    const inThread = await failed(1);
    const inWorker = await failed(2);
    expect(inThread).toBeInstanceOf(AssessRunError);
    expect(inWorker).toBeInstanceOf(AssessRunError);
    expect(inThread.message).toMatch(/^run 1 of scenario healthy \(seed 11\) failed: ./);
    // Either of the first two runs, one in each worker, may be the first to fail.
    expect(inWorker.message).toMatch(/^run ([12]) of scenario healthy \(seed 1\1\) failed: ./);
    const cause = (error: Error) => error.message.slice(error.message.indexOf('failed: '));
    expect(cause(inWorker)).toBe(cause(inThread));
  }, 60_000);
});

/** Runs `body` as if stderr were a terminal (jest's is not). */
async function onTerminal<T>(body: () => Promise<T>): Promise<T> {
  const own = Object.getOwnPropertyDescriptor(process.stderr, 'isTTY');
  Object.defineProperty(process.stderr, 'isTTY', { value: true, configurable: true });
  try {
    return await body();
  } finally {
    if (own) Object.defineProperty(process.stderr, 'isTTY', own);
    else delete (process.stderr as { isTTY?: boolean }).isTTY;
  }
}

describe('ota-release assess', () => {
  const file = `${FIXTURES}small-fleet.yaml`;

  it('prints JSON and draws no progress bar with --json, even on a terminal', async () => {
    const run = await onTerminal(() => runCli('assess', file, '--devices', '500', '--runs', '2', '--scenarios', 'boot-fail-4x', '--json'));
    expect(run.code).toBe(0);
    expect(run.err).toBe('');
    expect(JSON.parse(run.out)).toMatchObject({ releaseId: 'it-release', devices: 500, runsPerScenario: 2, intervalMethod: 'wilson' });
  });

  it('draws the progress bar on stderr on a terminal, the table on stdout', async () => {
    const run = await onTerminal(() => runCli('assess', file, '--devices', '500', '--runs', '2', '--scenarios', 'boot-fail-4x'));
    expect(run.code).toBe(0);
    expect(run.err).toContain('assess |');
    expect(run.out).toContain('boot-fail-4x');
    expect(run.out).toContain('wrong promotion');
  });

  it("repeats validate's warnings for the assessed fleet size, in the table's output and in the JSON", async () => {
    const example = fileURLToPath(new URL('../../examples/release.yaml', import.meta.url));
    const run = await runCli('assess', example, '--devices', '100', '--runs', '1', '--scenarios', 'healthy');
    expect(run.code).toBe(0);
    expect(run.out).toContain('The plan at 100 devices (as validate --fleet-size 100 says):');
    expect(run.out).toMatch(/⚠ stage canary \(1 device\) is too small/);
    const json = await runCli('assess', example, '--devices', '100', '--runs', '1', '--scenarios', 'healthy', '--json');
    expect((JSON.parse(json.out) as { warnings: string[] }).warnings).toContainEqual(expect.stringMatching(/^stage canary \(1 device\) is too small/));
  }, 60_000);

  it.each([
    [['--runs', '0'], /--runs/],
    [['--devices', 'many'], /--devices/],
    [['--scenarios', 'healthy,nope'], /unknown scenario "nope"/],
    [['--workers', '0'], /--workers/],
  ])('refuses %j with exit status 2', async (args, message) => {
    const run = await runCli('assess', file, ...args);
    expect(run.code).toBe(2);
    expect(run.err).toMatch(message);
  });

  it('refuses a release file that does not validate', async () => {
    const run = await runCli('assess', `${FIXTURES}missing.yaml`);
    expect(run.code).toBe(2);
  });
});
