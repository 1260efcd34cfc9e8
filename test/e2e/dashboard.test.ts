// End to end in a real browser: a simulated release (the real workflow and handlers on the embedded cloud) waits for
// an operator at its manual canary; the dashboard served by the live process shows the evidence; clicking Approve
// promotes the release, and the page shows it PROMOTED with the approval in its decision history.
// Needs Debian's chromium at /usr/bin/chromium (.ci/run installs it). Outside CI the suite is skipped, with a
// message, when it is missing; in CI it must run.
// OTA_RELEASE_SCREENSHOT=docs/dashboard.png also saves the page, waiting for the approval, for the README.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readReleaseFile } from '#cli/target/release-file.ts';
import { readControlFile } from '#local/control/control-file.ts';
import { serveLiveControl } from '#local/control/live.ts';
import { faultProfile } from '#local/fleet/fault-profiles.ts';
import { SimulatedFleet } from '#local/fleet/simulated-fleet.ts';
import { createLocalCloud } from '#local/local-cloud.ts';
import { describeWithChromium, manualCanaryRelease, useChromium } from './chromium.ts';


const RELEASE = manualCanaryRelease('e2e-2-4-0');

const suite = describeWithChromium('the dashboard browser test');

suite('dashboard in Chromium', () => {
  const { browser, cleanup } = useChromium();

  async function waitingRelease(seed: number) {
    const dir = await mkdtemp(join(tmpdir(), 'ota-e2e-'));
    await writeFile(join(dir, 'release.yaml'), RELEASE);
    await writeFile(join(dir, 'gateway-2.4.0.bin'), Buffer.alloc(64 * 1024, 7));
    const request = await readReleaseFile(join(dir, 'release.yaml'));
    const cloud = await createLocalCloud({
      fleet: new SimulatedFleet({ devices: 400, profile: faultProfile('healthy', { failRate: 0.02 }), seed }),
      baseDir: dir,
      approve: 'external',
      // As `start` runs it: the simulated clock starts at the real time.
      startTime: new Date(),
    });
    cleanup(() => cloud.close());
    const live = await serveLiveControl({ ports: cloud.ports, stateDir: join(dir, '.ota-release') });
    cleanup(() => live.close());
    const run = cloud.runRelease(request);
    const page = await browser().newPage({ viewport: { width: 1280, height: 900 } });
    cleanup(() => page.close());
    page.setDefaultTimeout(8000);
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    // The operator opens the one-time login URL the process printed; the control file's URL alone shows nothing.
    const control = await readControlFile(join(dir, '.ota-release'));
    expect((await fetch(control!.url)).status).toBe(403);
    await page.goto(live.loginUrl());
    await page.locator('#waiting').getByText('Stage canary waits for your approval').waitFor();
    return { page, run, pageErrors };
  }

  it('shows the evidence of a waiting release, and an approve click promotes it', async () => {
    const { page, run, pageErrors } = await waitingRelease(3);

    const waiting = page.locator('#waiting');
    await waiting.locator('dd', { hasText: /of 40 \(100 %\)/ }).waitFor();
    await expect(waiting.locator('.evidence dt').allTextContents()).resolves.toEqual(['verdict', 'failure rate', 'limits', 'test lines', 'executed', 'failures', 'timeout rate', 'baked']);
    // The sequential test drawn: its two lines, the acceptable rate between them, and where the stage stands.
    const chart = waiting.locator('svg.test-chart');
    await expect(chart.locator('line.chart-rollback').count()).resolves.toBe(1);
    // 40 devices cannot clear this policy's unacceptable rate however clean, so no promotion line is drawn.
    await expect(waiting.locator('dd', { hasText: 'too few reports to promote' }).count()).resolves.toBe(1);
    await expect(chart.locator('line.chart-promote').count()).resolves.toBe(0);
    await expect(chart.locator('line.chart-limit').count()).resolves.toBe(1);
    await expect(chart.locator('circle.chart-now').count()).resolves.toBe(1);
    await expect(chart.getAttribute('aria-label')).resolves.toMatch(/^failures against reports: rolls back above the upper line, may promote below the lower one; now \d+ of 40$/);
    await expect(page.locator('#stages tr[data-stage="canary"] td').nth(3).textContent()).resolves.toBe('active');
    // Counted as status counts them: rejected apart from failed.
    await expect(page.locator('#stages thead th').allTextContents()).resolves.toEqual(['#', 'stage', 'targets', 'state', 'progress', 'ok', 'failed', 'rejected', 'timed out', 'in progress', 'queued', 'verdict']);
    // The counts over the stage's life beside the test: none executed when its job was made, then the counts of its verdict.
    const counts = waiting.locator('.charts svg.counts-chart');
    await expect(counts.locator('polyline.series').evaluateAll((lines) => lines.map((line) => [line.getAttribute('data-series'), line.getAttribute('points')!.split(' ').length]))).resolves.toEqual(
      ['succeeded', 'failed', 'rejected', 'timedOut', 'inProgress'].map((series) => [series, expect.any(Number)]),
    );
    expect(Math.min(...(await counts.locator('polyline.series').evaluateAll((lines) => lines.map((line) => line.getAttribute('points')!.split(' ').length))))).toBeGreaterThanOrEqual(2);
    await expect(counts.getAttribute('aria-label')).resolves.toMatch(/^devices against time since the job started: succeeded \d+, failed \d+, rejected 0, timed out 0, in progress \d+ of 40$/);
    await expect(waiting.locator('.charts .legend').textContent()).resolves.toBe('succeededfailedrejectedtimed outin progress');
    // The embedded cloud's clock: the real start as a date, later times as simulated time since it.
    await expect(page.locator('.release-head .sub').textContent()).resolves.toMatch(/started \d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ · updated \+\w+ \(simulated time since the start\)$/);
    await expect(waiting.locator('p').first().textContent()).resolves.toMatch(/^asked \+\w+; unanswered, it expires \+\w+ and/);
    if (process.env.OTA_RELEASE_SCREENSHOT) await page.screenshot({ path: process.env.OTA_RELEASE_SCREENSHOT, fullPage: true });

    await page.fill('#answer-comment', 'canary looks healthy');
    await page.click('#approve');

    await page.locator('#notice.ok').getByText('approved by dashboard:').waitFor();
    await page.locator('.release-head .badge', { hasText: 'PROMOTED' }).waitFor();
    await page.locator('#decisions tr[data-kind="approval"]', { hasText: 'canary looks healthy' }).waitFor();
    await expect(page.locator('#waiting.approval').count()).resolves.toBe(0);
    // A settled stage folds its figures into one line; its charts stay in view.
    const canary = page.locator('#verdicts article[data-stage="canary"]');
    await expect(canary.locator('details summary').textContent()).resolves.toMatch(/^failure rate \d+\.\d % \(\d+ of \d+\) · executed \d+ of \d+ \(\d+ %\) · baked \w+$/);
    await expect(canary.locator('details dl').isVisible()).resolves.toBe(false);
    await expect(canary.locator('.charts svg.counts-chart').isVisible()).resolves.toBe(true);
    const report = await run;
    expect(report.outcome).toBe('PROMOTED');
    expect(pageErrors).toEqual([]);
  });

  it('asks for a reason before a reject, then rolls the release back', async () => {
    const { page, run, pageErrors } = await waitingRelease(4);
    await page.click('#reject');
    await page.locator('#waiting').getByText('Say why you reject').waitFor();
    await expect(page.locator('.release-head .badge').textContent()).resolves.toBe('AWAITING_APPROVAL');

    await page.fill('#answer-comment', 'too many reboots on rev-B boards');
    await page.click('#reject');

    await page.locator('#notice.ok').getByText('rejected by dashboard:').waitFor();
    await page.locator('.release-head .badge', { hasText: /ROLLING_BACK|ROLLED_BACK/ }).waitFor();
    expect((await run).outcome).toBe('ROLLED_BACK');
    expect(pageErrors).toEqual([]);
  });
});
