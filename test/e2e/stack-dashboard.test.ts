// End to end in a real browser: the dashboard as the deployed stack serves it. The release-dashboard handler (the
// Lambda's own code, its middy stack included) runs behind a loopback server that speaks the HTTP API's payload 2.0,
// over the embedded cloud's ports, while a simulated release waits at its manual canary. A view link opens the
// read-only page (its inline script runs under the strict CSP), which shows the wait without any control to answer
// it and follows the release when an operator answers elsewhere; a forged link gets one line and nothing else.
// Needs /usr/bin/chromium, as test/e2e/dashboard.test.ts does.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Context } from 'aws-lambda';
import { answerApproval } from '#app/answer-approval.ts';
import { createViewToken } from '#app/view-links.ts';
import { readReleaseFile } from '#cli/target/release-file.ts';
import { makeHandler } from '#functions/release-dashboard.ts';
import { faultProfile } from '#local/fleet/fault-profiles.ts';
import { SimulatedFleet } from '#local/fleet/simulated-fleet.ts';
import { createLocalCloud } from '#local/local-cloud.ts';
import { httpApiEvent } from '../support/http-api-event.ts';
import { describeWithChromium, manualCanaryRelease, useChromium } from './chromium.ts';

const KEY = new TextEncoder().encode('k'.repeat(64));

const RELEASE = manualCanaryRelease('view-2-4-0');

const suite = describeWithChromium('the stack dashboard browser test');

/** A loopback stand-in for the HTTP API: each request becomes a payload 2.0 event for the handler. */
async function serveLikeHttpApi(handler: ReturnType<typeof makeHandler>) {
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const releaseId = /^\/dashboard\/api\/releases\/([^/]+)$/.exec(url.pathname)?.[1];
    const event = httpApiEvent(request.method ?? 'GET', `http://127.0.0.1${request.url ?? '/'}`, {
      headers: Object.fromEntries(Object.entries(request.headers).filter((entry): entry is [string, string] => typeof entry[1] === 'string')),
      ...(releaseId && { pathParameters: { releaseId: decodeURIComponent(releaseId) } }),
      sourceIp: '127.0.0.1',
      userAgent: 'chromium',
    });
    void (handler(event, { functionName: 'releaseDashboard', getRemainingTimeInMillis: () => 10_000 } as Context) as Promise<{ statusCode: number; headers: Record<string, string>; body: string }>).then((result) => {
      response.writeHead(result.statusCode, result.headers);
      response.end(result.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const close = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close };
}

suite('the stack-served dashboard in Chromium', () => {
  const { browser, cleanup } = useChromium();

  it('shows a waiting release read-only from a view link, follows it when answered elsewhere, and refuses a forged link', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ota-e2e-view-'));
    await writeFile(join(dir, 'release.yaml'), RELEASE);
    await writeFile(join(dir, 'gateway-2.4.0.bin'), Buffer.alloc(64 * 1024, 7));
    const request = await readReleaseFile(join(dir, 'release.yaml'));
    // A seed whose canary (a cohort window) is clean enough to wait for its approval rather than roll back at once.
    const cloud = await createLocalCloud({ fleet: new SimulatedFleet({ devices: 400, profile: faultProfile('healthy', { failRate: 0.02 }), seed: 6 }), baseDir: dir, approve: 'external' });
    cleanup(() => cloud.close());
    const { store, jobs, clock } = cloud.ports;
    const api = await serveLikeHttpApi(makeHandler({ store, jobs, clock, viewKey: async () => KEY, where: 'ota-release-e2e (loopback), read-only', refreshMs: 250 }));
    cleanup(api.close);
    const run = cloud.runRelease(request);
    // Should the test fail half way, the release still ends (the cloud cannot close on a workflow that waits).
    cleanup(async () => {
      await answerApproval(cloud.ports, { releaseId: 'view-2-4-0', answer: 'reject', by: 'cleanup', via: 'cli', comment: 'test ended' });
      await run.catch(() => undefined);
    });
    const page = await browser().newPage();
    cleanup(() => page.close());
    page.setDefaultTimeout(8000);
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });
    const token = createViewToken(KEY, 'view-2-4-0', new Date(clock.now().getTime() + 86_400_000));

    await page.goto(`${api.url}/dashboard?view=${token}`);

    const waiting = page.locator('#waiting');
    await waiting.getByText('Stage canary waits for an approval').waitFor();
    await waiting.locator('.evidence dt', { hasText: 'failure rate' }).waitFor();
    await expect(page.locator('#answer-elsewhere').textContent()).resolves.toContain('ota-release approve view-2-4-0');
    await expect(page.locator('#approve, #reject, #abort, textarea, input').count()).resolves.toBe(0);
    await expect(page.locator('#where').textContent()).resolves.toBe('ota-release-e2e (loopback), read-only');

    await answerApproval(cloud.ports, { releaseId: 'view-2-4-0', answer: 'reject', by: 'cli:ops', via: 'cli', comment: 'seen enough' });
    await page.locator('.release-head .badge', { hasText: /ROLLING_BACK|ROLLED_BACK/ }).waitFor();
    await page.locator('#decisions tr[data-kind="approval"]', { hasText: 'seen enough' }).waitFor();
    expect((await run).outcome).toBe('ROLLED_BACK');
    expect(problems).toEqual([]);

    const forged = await page.goto(`${api.url}/dashboard?view=${token.replace('view-2-4-0', 'view-9-9-9')}`);
    expect(forged?.status()).toBe(403);
    await expect(page.locator('body p').textContent()).resolves.toBe('This view link is not valid: it was changed or was not made by this stack.');
  });
});
