import { createHash } from 'node:crypto';
import { DescribeJobCommand, IoTClient } from '@aws-sdk/client-iot';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { createApprovalLinks } from '#app/approval-links.ts';
import { createViewToken } from '#app/view-links.ts';
import { awsFleetJobs } from '#aws/iot-fleet-jobs.ts';
import { awsNotifier } from '#aws/sns-notifier.ts';
import { makeHandler } from '#functions/release-dashboard.ts';
import { makeHandler as makeRequestApproval } from '#functions/request-approval.ts';
import { httpApiEvent } from '../../support/http-api-event.ts';
import { context, fixedClock, request, storeWithRelease, useStackEnv } from './helpers.ts';

useStackEnv();
const iot = mockClient(IoTClient);
const sns = mockClient(SNSClient);
const KEY = new TextEncoder().encode('k'.repeat(64));
const EXPIRES = new Date('2026-11-25T10:00:00.000Z');
const GOOD = createViewToken(KEY, 'gw-2-4-0', EXPIRES);

function httpEvent(method: string, url: string, options: { token?: string; releaseId?: string } = {}) {
  return httpApiEvent(method, url, {
    ...(options.token !== undefined && { headers: { 'x-ota-release-token': options.token } }),
    ...(options.releaseId && { pathParameters: { releaseId: options.releaseId } }),
  });
}

interface Response {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

async function build() {
  const clock = fixedClock();
  const store = await storeWithRelease(clock, {
    status: 'AWAITING_APPROVAL',
    stages: [{ index: 0, name: 'canary', jobId: 'gw-2-4-0-s0', targeted: 100, createdAt: clock.now().toISOString() }],
  });
  await store.updateRelease('gw-2-4-0', (record) => ({ ...record, stageIndex: 0 }));
  await store.putPendingTask({ releaseId: 'gw-2-4-0', kind: 'approval', stageIndex: 0, jobId: 'gw-2-4-0-s0', token: 'tok-1', createdAt: clock.now().toISOString(), expiresAt: EXPIRES.toISOString() });
  const handler = makeHandler({ store, jobs: awsFleetJobs(), clock, viewKey: async () => KEY, where: 'ota-release-test (eu-west-1), read-only' });
  const call = async (event: unknown) => (await handler(event, context())) as Response;
  return { call, clock, store };
}

beforeEach(() => {
  iot.reset();
  iot.on(DescribeJobCommand).resolves({ job: { jobId: 'gw-2-4-0-s0', status: 'IN_PROGRESS', jobProcessDetails: { numberOfSucceededThings: 90, numberOfFailedThings: 2, numberOfQueuedThings: 8 } } });
  sns.reset();
  sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
});

describe('release-dashboard: a valid view token', () => {
  it('serves the read-only page with the token embedded and a CSP that allows exactly its inline script and style', async () => {
    const { call } = await build();

    const page = await call(httpEvent('GET', `/dashboard?view=${GOOD}`));

    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.body).toContain(`<meta name="ota-release-token" content="${GOOD}">`);
    expect(page.body).toContain('<meta name="ota-release-mode" content="read-only">');
    expect(page.body).toContain('<meta name="ota-release-api" content="/dashboard">');
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    const csp = page.headers['content-security-policy']!;
    expect(csp).not.toContain('unsafe-inline');
    for (const [tag, directive] of [['script', 'script-src'], ['style', 'style-src']] as const) {
      const inline = new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`).exec(page.body)![1]!;
      expect(csp).toContain(`${directive} 'sha256-${createHash('sha256').update(inline).digest('base64')}'`);
    }
  });

  it('lists the one release the token names', async () => {
    const { call } = await build();

    const list = await call(httpEvent('GET', '/dashboard/api/releases', { token: GOOD }));

    expect(list.statusCode).toBe(200);
    expect(JSON.parse(list.body)).toEqual({ where: 'ota-release-test (eu-west-1), read-only', releases: [expect.objectContaining({ releaseId: 'gw-2-4-0', awaitingApproval: true })] });
    expect(iot).toHaveReceivedCommandTimes(DescribeJobCommand, 0);
  });

  it('shows the release as status --json does, with live counts from IoT Jobs', async () => {
    const { call } = await build();

    const view = await call(httpEvent('GET', '/dashboard/api/releases/gw-2-4-0', { token: GOOD, releaseId: 'gw-2-4-0' }));

    expect(view.statusCode).toBe(200);
    const body = JSON.parse(view.body);
    expect(body).toEqual(expect.objectContaining({ releaseId: 'gw-2-4-0', status: 'AWAITING_APPROVAL', waitingFor: expect.objectContaining({ kind: 'approval', stageName: 'canary' }) }));
    expect(body.stages[0]).toEqual(expect.objectContaining({ countsSource: 'live', counts: expect.objectContaining({ succeeded: 90, failed: 2, queued: 8 }) }));
    expect(iot).toHaveReceivedCommandWith(DescribeJobCommand, { jobId: 'gw-2-4-0-s0' });
  });

  it('answers 404 with one line for a release the store no longer has', async () => {
    const { call } = await build();
    const token = createViewToken(KEY, 'gw-gone', EXPIRES);

    const view = await call(httpEvent('GET', '/dashboard/api/releases/gw-gone', { token, releaseId: 'gw-gone' }));

    expect(view.statusCode).toBe(404);
    expect(JSON.parse(view.body)).toEqual({ error: 'no release named gw-gone' });
  });
});

describe('release-dashboard: refused tokens', () => {
  const [format, release, expires, signature] = GOOD.split('.') as [string, string, string, string];
  const refusals: [string, () => Promise<string | undefined>, string][] = [
    ['no token', async () => undefined, 'This page needs a view link: ask for one with `ota-release dashboard --aws --link RELEASE`.'],
    ['a forged token (another release put in)', async () => `${format}.gw-9-9-9.${expires}.${signature}`, 'This view link is not valid: it was changed or was not made by this stack.'],
    ['a forged token (a later expiry put in)', async () => `${format}.${release}.${Number(expires) + 86400}.${signature}`, 'This view link is not valid: it was changed or was not made by this stack.'],
    ['a token signed with another key', async () => createViewToken(new TextEncoder().encode('x'.repeat(64)), 'gw-2-4-0', EXPIRES), 'This view link is not valid: it was changed or was not made by this stack.'],
    ['an expired token', async () => createViewToken(KEY, 'gw-2-4-0', new Date('2026-11-24T09:59:59.000Z')), 'This view link expired at 2026-11-24T09:59:59.000Z; ask for a new one.'],
    [
      'an approval link signature used as a view token',
      async () => {
        const links = await createApprovalLinks({ baseUrl: 'https://api.example.com', key: async () => KEY, nonce: () => 'n-1' }, { releaseId: 'gw-2-4-0', stageIndex: 0, expiresAt: EXPIRES });
        const query = new URL(links.approveUrl).searchParams;
        return `v1.gw-2-4-0.${query.get('expires')}.${query.get('sig')}`;
      },
      'This view link is not valid: it was changed or was not made by this stack.',
    ],
  ];

  it.each(refusals)('refuses %s on every route with 403 and one plain line', async (_what, makeToken, message) => {
    const { call } = await build();
    const token = await makeToken();

    const list = await call(httpEvent('GET', '/dashboard/api/releases', { ...(token !== undefined && { token }) }));
    const view = await call(httpEvent('GET', '/dashboard/api/releases/gw-2-4-0', { ...(token !== undefined && { token }), releaseId: 'gw-2-4-0' }));
    const page = await call(httpEvent('GET', token === undefined ? '/dashboard' : `/dashboard?view=${encodeURIComponent(token)}`));

    for (const response of [list, view]) {
      expect(response.statusCode).toBe(403);
      expect(JSON.parse(response.body)).toEqual({ error: message });
    }
    expect(page.statusCode).toBe(403);
    expect(page.body).toContain(`<p>${message}</p>`);
    expect(iot).toHaveReceivedCommandTimes(DescribeJobCommand, 0);
  });

  it('refuses a good token for another release (403)', async () => {
    const { call, store } = await build();
    await store.createRelease({ ...(await store.getRelease('gw-2-4-0'))!, releaseId: 'gw-9-9-9' });

    const view = await call(httpEvent('GET', '/dashboard/api/releases/gw-9-9-9', { token: GOOD, releaseId: 'gw-9-9-9' }));

    expect(view.statusCode).toBe(403);
    expect(JSON.parse(view.body)).toEqual({ error: 'This view link is for release gw-2-4-0, not gw-9-9-9.' });
  });

  it('refuses a token once its time is up, though it worked before', async () => {
    const { call, clock } = await build();
    expect((await call(httpEvent('GET', '/dashboard/api/releases', { token: GOOD }))).statusCode).toBe(200);
    clock.advance(86_401);

    expect((await call(httpEvent('GET', '/dashboard/api/releases', { token: GOOD }))).statusCode).toBe(403);
  });

  it.each([
    ['POST', '/dashboard/api/releases/gw-2-4-0', 405],
    ['GET', '/dashboard/api/releases/not%20an%20id', 400],
    ['GET', '/dashboard/api/other', 404],
  ])('answers %s %s with %i and changes nothing', async (method, path, status) => {
    const { call, store } = await build();

    const response = await call(httpEvent(method, path, { token: GOOD, releaseId: decodeURIComponent(path.split('/').pop()!) }));

    expect(response.statusCode).toBe(status);
    expect(JSON.parse(response.body)).toEqual({ error: expect.any(String) });
    expect((await store.getRelease('gw-2-4-0'))?.status).toBe('AWAITING_APPROVAL');
  });
});

describe('release-dashboard: the view link of an approval notice', () => {
  it('opens the read-only dashboard of the release that waits', async () => {
    const { call, clock, store } = await build();
    const requestApproval = makeRequestApproval({ store, notifier: awsNotifier(), clock, links: { baseUrl: 'https://api.example.com', key: async () => KEY } });
    await store.takePendingTask('gw-2-4-0', 'approval', 'tok-1');
    const evaluation = { judgement: { verdict: 'HOLD', reasons: ['inconclusive'], evidence: { counts: { targeted: 100, succeeded: 90, failed: 2, rejected: 0, timedOut: 0, inProgress: 0, queued: 8, canceled: 0, removed: 0 }, executed: 92, failures: 2, failureRate: 0.02, lower: 0.006, upper: 0.07, confidence: 0.95, maxFailureRate: 0.05, coverage: 0.92, timeoutRate: 0, bakedSeconds: 3600 } }, route: 'approve', extendSeconds: 0 };
    await requestApproval({ token: 'tok-2', timeoutSeconds: 3600, releaseId: 'gw-2-4-0', request: request(), stage: { index: 0, name: 'canary', jobId: 'gw-2-4-0-s0', targeted: 100, bakeSeconds: 3600, approval: 'auto' }, evaluation }, context());
    const message = sns.commandCalls(PublishCommand)[0]!.args[0].input.Message!;
    const viewUrl = /^Watch: +(\S+)/m.exec(message)![1]!;

    const page = await call(httpEvent('GET', viewUrl));

    expect(message).toMatch(/^Approve: /m);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('content="read-only"');
  });
});
